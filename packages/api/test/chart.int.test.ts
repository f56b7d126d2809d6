import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { KubeClient, isNotFound, type KubeObject, type ResourceRef } from '@mcp-controllers/core';
import { buildChartDependencies, helm, renderChart } from '@mcp-controllers/testkit';
import { useControlPlane } from '@mcp-controllers/testkit/vitest';
import { kinds } from '../src/index.js';

const chart = new URL('../../../charts/crds', import.meta.url).pathname;
const umbrella = new URL('../../../charts/mcp-controllers', import.meta.url).pathname;
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

/** The app.kubernetes.io labels of a Helm-installed CRD, for release `crds` of chart 0.1.0. */
const standardLabels = {
  'app.kubernetes.io/name': 'mcp-controllers-crds',
  'app.kubernetes.io/instance': 'crds',
  'app.kubernetes.io/version': '0.1.0',
  'app.kubernetes.io/component': 'crds',
  'app.kubernetes.io/part-of': 'mcp-controllers',
  'app.kubernetes.io/managed-by': 'Helm',
};

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

  it('renders exactly the generated CRDs, annotated keep and with the standard labels', async () => {
    const docs = await render();
    expect(docs.map((d) => d.metadata.name).sort()).toEqual(
      kinds.map((k) => `${k.plural}.toolhive.stacklok.dev`).sort(),
    );
    for (const doc of docs) {
      expect(doc.metadata.annotations).toEqual({ 'helm.sh/resource-policy': 'keep' });
      const file = `${generated}/toolhive.stacklok.dev_${doc.metadata.name.split('.')[0]}.yaml`;
      const { metadata, ...rest } = parse(readFileSync(file, 'utf8')) as KubeObject;
      expect(doc.metadata.labels).toEqual({ ...metadata.labels, ...standardLabels });
      const without = (m: KubeObject['metadata']) => ({ ...m, annotations: undefined, labels: undefined });
      expect({ ...doc, metadata: without(doc.metadata) }).toEqual({ ...rest, metadata: without(metadata) });
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

  it('sets kubeVersion >= 1.25 (the CEL validation rules need it)', () => {
    const meta = parse(readFileSync(`${chart}/Chart.yaml`, 'utf8')) as { kubeVersion?: string };
    expect(meta.kubeVersion).toBe('>= 1.25.0-0');
  });
});

describe('the umbrella chart and the CRDs', () => {
  const crdsOf = async (release: string, ...set: string[]) =>
    (await renderChart(umbrella, { release, namespace: release, set }))
      .filter((d) => d.kind === 'CustomResourceDefinition')
      .map((d) => d.metadata.name)
      .sort();

  it('installs no CRDs by default, so two releases never fight over their ownership', async () => {
    await buildChartDependencies(umbrella);
    expect(await crdsOf('team-a')).toEqual([]);
    expect(await crdsOf('team-b')).toEqual([]);
  });

  it('installs them all, kept on uninstall, with crds.enabled=true', async () => {
    expect(await crdsOf('mcp', 'crds.enabled=true')).toEqual(
      kinds.map((k) => `${k.plural}.toolhive.stacklok.dev`).sort(),
    );
    const docs = await renderChart(umbrella, {
      release: 'mcp',
      set: ['crds.enabled=true', 'crds.install.servers=false'],
    });
    const crds = docs.filter((d) => d.kind === 'CustomResourceDefinition');
    expect(crds.map((d) => d.metadata.name)).not.toContain('mcpservers.toolhive.stacklok.dev');
    for (const crd of crds) {
      expect(crd.metadata['annotations']).toEqual({ 'helm.sh/resource-policy': 'keep' });
      expect(crd.metadata['labels']).toMatchObject({
        ...standardLabels,
        'app.kubernetes.io/instance': 'mcp',
      });
    }
  });
});
