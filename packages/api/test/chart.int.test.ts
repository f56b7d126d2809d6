import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { KubeClient, isNotFound, type KubeObject, type ResourceRef } from '@mcp-controllers/core';
import { helm } from '@mcp-controllers/testkit';
import { useControlPlane } from '@mcp-controllers/testkit/vitest';
import { kinds } from '../src/index.js';

const chart = new URL('../../../charts/crds', import.meta.url).pathname;
const generated = new URL('../generated/crds', import.meta.url).pathname;
const crdResource: ResourceRef = {
  group: 'apiextensions.k8s.io',
  version: 'v1',
  plural: 'customresourcedefinitions',
  kind: 'CustomResourceDefinition',
  namespaced: false,
};
const controlPlane = useControlPlane();

type Named = KubeObject & { metadata: { name: string } };

async function render(...set: string[]): Promise<Named[]> {
  const out = await helm(['template', 'crds', chart, ...set.flatMap((s) => ['--set', s])]);
  return parseAllDocuments(out)
    .map((d) => d.toJS() as Named | null)
    .filter((d): d is Named => d !== null);
}

describe('charts/crds (mcp-controllers-crds)', () => {
  it('passes helm lint', async () => {
    const out = await helm(['lint', chart, '--strict']);
    expect(out).toContain('0 chart(s) failed');
  });

  it('renders exactly the generated CRDs, annotated keep by default', async () => {
    const docs = await render();
    expect(docs.map((d) => d.metadata.name).sort()).toEqual(
      kinds.map((k) => `${k.plural}.toolhive.stacklok.dev`).sort(),
    );
    for (const doc of docs) {
      expect(doc.metadata.annotations).toEqual({ 'helm.sh/resource-policy': 'keep' });
      const file = `${generated}/toolhive.stacklok.dev_${doc.metadata.name.split('.')[0]}.yaml`;
      const { metadata, ...rest } = parse(readFileSync(file, 'utf8')) as KubeObject;
      expect({ ...doc, metadata: { ...doc.metadata, annotations: undefined } }).toEqual({
        ...rest,
        metadata: { ...metadata, annotations: undefined },
      });
    }
  });

  it('has one toggle per CRD family and a keep switch', async () => {
    const names = async (...set: string[]) =>
      (await render(...set)).map((d) => d.metadata.name.split('.')[0]).sort();
    expect(await names('install.servers=false')).toEqual([
      'mcpexternalauthconfigs',
      'mcpgroups',
      'mcpserverentries',
      'mcptelemetryconfigs',
      'virtualmcpservers',
    ]);
    expect(await names('install.groups=false', 'install.virtualServers=false')).not.toContain('mcpgroups');
    const unkept = await render('keep=false');
    expect(unkept.every((d) => d.metadata.annotations === undefined)).toBe(true);
    await expect(render('install.sever=false')).rejects.toThrow(/sever/);
  });

  it('applies with server-side dry-run and creates nothing', async () => {
    const client = new KubeClient(controlPlane().kubeConfig);
    for (const doc of await render()) {
      const answer = await client.create<KubeObject>(crdResource, doc, { query: { dryRun: 'All' } });
      expect(answer.metadata.name).toBe(doc.metadata.name);
      await expect(client.get(crdResource, { name: doc.metadata.name })).rejects.toSatisfy(isNotFound);
    }
  });
});
