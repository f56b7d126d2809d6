import type { z } from 'zod';
import {
  category,
  deprecatedVersion,
  deprecationWarning,
  group,
  storageVersion,
  type KindDefinition,
} from './schema/resource.js';

/** The `apiextensions.k8s.io/v1` CustomResourceDefinition of a kind: both versions, one schema. */
export function customResourceDefinition(definition: KindDefinition<z.ZodType, z.ZodType>) {
  const { kind, plural, shortNames, printerColumns } = definition;
  const version = (name: string, storage: boolean) => ({
    name,
    served: true,
    storage,
    ...(storage ? {} : { deprecated: true, deprecationWarning }),
    schema: { openAPIV3Schema: definition.openApi() },
    subresources: { status: {} },
    additionalPrinterColumns: printerColumns,
  });
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${plural}.${group}`,
      labels: {
        'app.kubernetes.io/part-of': 'mcp-controllers',
        // ToolHive's storage-version migrator looks for this label; keeping it lets both coexist.
        'toolhive.stacklok.dev/auto-migrate-storage-version': 'true',
      },
    },
    spec: {
      group,
      names: {
        kind,
        listKind: `${kind}List`,
        plural,
        singular: kind.toLowerCase(),
        shortNames,
        categories: [category],
      },
      scope: 'Namespaced',
      versions: [version(storageVersion, true), version(deprecatedVersion, false)],
    },
  };
}
