import { beforeAll, describe, expect, it } from 'vitest';
import { installCRDs, widget, widgetCRD, widgetResource } from '@mcp-controllers/testkit';
import { useControlPlane, useNamespace } from '@mcp-controllers/testkit/vitest';
import { KubeClient } from '../src/client/index.js';
import { findCondition, setCondition, type Condition } from '../src/conditions.js';
import { ensureFinalizer, removeFinalizer } from '../src/finalizers.js';
import type { KubeObject } from '../src/object.js';
import { writeStatus } from '../src/status.js';

const controlPlane = useControlPlane();
const namespace = useNamespace(controlPlane);
beforeAll(async () => {
  await installCRDs(controlPlane().kubeConfig, [widgetCRD]);
});

const conditionsOf = (obj: KubeObject) =>
  (obj.status as { conditions?: Condition[] } | undefined)?.conditions;

function writer(client: KubeClient, type: string, field: string, value: string) {
  return (object: KubeObject) =>
    writeStatus({
      client,
      resource: widgetResource,
      object,
      ownedConditionTypes: [type],
      desired: (current) => ({
        fields: { [field]: value },
        conditions: setCondition(
          conditionsOf(current),
          { type, status: 'True', reason: 'Done', message: value },
          current.metadata.generation,
        ),
      }),
    });
}

describe('status writes', () => {
  it('write once, then cost zero requests while nothing changes', async () => {
    const client = new KubeClient(controlPlane().kubeConfig);
    const created = await client.create<KubeObject>(widgetResource, widget(namespace(), 'w'));
    const write = writer(client, 'Ready', 'phase', 'Ready');
    expect(await write(created)).toBe('written');
    const fresh = await client.get<KubeObject>(widgetResource, { namespace: namespace(), name: 'w' });
    expect(fresh.status).toMatchObject({
      phase: 'Ready',
      conditions: [{ type: 'Ready', observedGeneration: 1 }],
    });
    const before = client.tally.count();
    expect(await write(fresh)).toBe('unchanged');
    expect(await write(fresh)).toBe('unchanged');
    expect(client.tally.count()).toBe(before);
    expect(fresh.metadata.generation).toBe(1); // status writes never bump the generation
  });

  it('retries a conflict from a concurrent writer without losing either update', async () => {
    const client = new KubeClient(controlPlane().kubeConfig);
    const stale = await client.create<KubeObject>(widgetResource, widget(namespace(), 'shared'));
    expect(await writer(client, 'Theirs', 'theirs', 'b')(stale)).toBe('written');
    // Ours still holds the object from before their write: the first patch must conflict.
    expect(await writer(client, 'Ours', 'ours', 'a')(stale)).toBe('written');
    expect(client.tally.count({ verb: 'patch', code: 409 })).toBe(1);
    const final = await client.get<KubeObject>(widgetResource, { namespace: namespace(), name: 'shared' });
    expect(final.status).toMatchObject({ ours: 'a', theirs: 'b' });
    expect(findCondition(conditionsOf(final), 'Ours')?.message).toBe('a');
    expect(findCondition(conditionsOf(final), 'Theirs')?.message).toBe('b');
  });
});

describe('finalizers', () => {
  it('adds and removes only our entry, guarded against concurrent changes', async () => {
    const client = new KubeClient(controlPlane().kubeConfig);
    const ns = namespace();
    const created = await client.create<KubeObject>(widgetResource, widget(ns, 'f'));
    const withOurs = await ensureFinalizer(client, widgetResource, created, 'example.dev/ours');
    expect(withOurs.metadata.finalizers).toEqual(['example.dev/ours']);
    const before = client.tally.count();
    expect(await ensureFinalizer(client, widgetResource, withOurs, 'example.dev/ours')).toBe(withOurs);
    expect(client.tally.count()).toBe(before); // already there: no request

    const withTheirs = await client.patch<KubeObject>(widgetResource, { namespace: ns, name: 'f' }, 'json', [
      { op: 'add', path: '/metadata/finalizers/-', value: 'example.dev/theirs' },
    ]);
    // Adding from the stale copy must fail rather than drop their finalizer.
    await expect(ensureFinalizer(client, widgetResource, created, 'example.dev/other')).rejects.toMatchObject(
      { code: 422 },
    );
    const removed = await removeFinalizer(client, widgetResource, withTheirs, 'example.dev/ours');
    expect(removed?.metadata.finalizers).toEqual(['example.dev/theirs']);
  });
});
