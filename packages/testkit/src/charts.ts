/**
 * Chart test helpers: render with helm, and the REST resource of each kind a chart renders, so tests
 * can apply the output (for real, or with server-side dry-run) through a raw-JSON client.
 */
import { parseAllDocuments } from 'yaml';
import { helm } from './helm.js';

export interface RenderedObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
}

export interface RenderOptions {
  release?: string;
  namespace?: string;
  set?: string[];
}

/** `helm template` of a chart directory, parsed into objects (empty documents dropped). */
export async function renderChart(chart: string, options: RenderOptions = {}): Promise<RenderedObject[]> {
  const args = ['template', options.release ?? 'test', chart, '--namespace', options.namespace ?? 'default'];
  for (const s of options.set ?? []) args.push('--set', s);
  return parseAllDocuments(await helm(args))
    .map((d) => d.toJS() as RenderedObject | null)
    .filter((d): d is RenderedObject => d !== null);
}

/** `helm dependency build`, needed before an umbrella chart with file:// dependencies renders. */
export async function buildChartDependencies(chart: string): Promise<void> {
  await helm(['dependency', 'build', chart, '--skip-refresh']);
}

const builtin: Record<string, { plural: string; namespaced: boolean }> = {
  ServiceAccount: { plural: 'serviceaccounts', namespaced: true },
  Service: { plural: 'services', namespaced: true },
  ConfigMap: { plural: 'configmaps', namespaced: true },
  Secret: { plural: 'secrets', namespaced: true },
  Deployment: { plural: 'deployments', namespaced: true },
  Role: { plural: 'roles', namespaced: true },
  RoleBinding: { plural: 'rolebindings', namespaced: true },
  ClusterRole: { plural: 'clusterroles', namespaced: false },
  ClusterRoleBinding: { plural: 'clusterrolebindings', namespaced: false },
  CustomResourceDefinition: { plural: 'customresourcedefinitions', namespaced: false },
};

/** The REST coordinates of a rendered object (the kinds charts in this repository render). */
export function resourceOf(obj: RenderedObject): {
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
} {
  const known = builtin[obj.kind];
  if (!known)
    throw new Error(`resourceOf: no REST mapping for kind ${obj.kind}; add it to testkit/src/charts.ts`);
  const [group, version] = obj.apiVersion.includes('/') ? obj.apiVersion.split('/') : ['', obj.apiVersion];
  return { group: group ?? '', version: version ?? 'v1', kind: obj.kind, ...known };
}
