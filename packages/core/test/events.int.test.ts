import { describe, expect, it } from 'vitest';
import { useControlPlane, useNamespace } from '@mcp-controllers/testkit/vitest';
import { KubeClient } from '../src/client/index.js';
import { EventRecorder, eventResource } from '../src/events.js';
import type { KubeList, KubeObject } from '../src/object.js';

const configMaps = { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', namespaced: true };
const controlPlane = useControlPlane();
const namespace = useNamespace(controlPlane);

describe('events', () => {
  it('creates one Event with a MicroTime and folds repeats into its series', async () => {
    const client = new KubeClient(controlPlane().kubeConfig);
    const ns = namespace();
    const subject = await client.create<KubeObject>(configMaps, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'subject', namespace: ns },
    });
    const recorder = new EventRecorder(client, 'test-controller', { seriesIntervalMs: 0 });
    const warning = { type: 'Warning', reason: 'GroupNotFound', note: 'MCPGroup g1 does not exist' } as const;
    await recorder.record(subject, warning);
    await recorder.record(subject, warning);
    await recorder.record(subject, warning);
    const events = await client.list<
      KubeList<KubeObject & { series?: { count: number }; eventTime: string }>
    >(eventResource, ns);
    expect(events.items).toHaveLength(1);
    expect(events.items[0]?.eventTime).toMatch(/\.\d{6}Z$/);
    expect(events.items[0]?.series?.count).toBe(3);
    expect(client.tally.count({ verb: 'create', resource: 'events.events.k8s.io' })).toBe(1);
  });
});
