import { beforeAll, describe, expect, it } from 'vitest';
import { installCRDs, widget, widgetCRD, widgetResource } from '@mcp-controllers/testkit';
import { useControlPlane, useNamespace } from '@mcp-controllers/testkit/vitest';
import { ApiReader } from '../src/api-reader.js';
import { isConflict, isNotFound, KubeClient } from '../src/client/index.js';
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

  it('a conflict is thrown, not patched from a re-read; a run from a fresh read keeps both updates', async () => {
    const client = new KubeClient(controlPlane().kubeConfig);
    const stale = await client.create<KubeObject>(widgetResource, widget(namespace(), 'shared'));
    expect(await writer(client, 'Theirs', 'theirs', 'b')(stale)).toBe('written');
    // Ours still holds the object from before their write: the patch must conflict, and nothing of
    // ours is written until the reconcile runs again from a fresh read.
    await expect(writer(client, 'Ours', 'ours', 'a')(stale)).rejects.toSatisfy(isConflict);
    expect(client.tally.count({ verb: 'patch', code: 409 })).toBe(1);
    const key = { namespace: namespace(), name: 'shared' };
    expect((await client.get<KubeObject>(widgetResource, key)).status).not.toHaveProperty('ours');
    expect(await writer(client, 'Ours', 'ours', 'a')(await client.get<KubeObject>(widgetResource, key))).toBe(
      'written',
    );
    const final = await client.get<KubeObject>(widgetResource, key);
    expect(final.status).toMatchObject({ ours: 'a', theirs: 'b' });
    expect(findCondition(conditionsOf(final), 'Ours')?.message).toBe('a');
    expect(findCondition(conditionsOf(final), 'Theirs')?.message).toBe('b');
  });

  it('two writers sharing one conditions list write once each, however often they reconcile', async () => {
    const client = new KubeClient(controlPlane().kubeConfig);
    const key = { namespace: namespace(), name: 'two-writers' };
    await client.create<KubeObject>(widgetResource, widget(key.namespace, key.name));
    const first = writer(client, 'First', 'first', 'a');
    const second = writer(client, 'Second', 'second', 'b');
    const outcomes: string[] = [];
    for (let round = 0; round < 5; round++) {
      outcomes.push(await first(await client.get<KubeObject>(widgetResource, key)));
      outcomes.push(await second(await client.get<KubeObject>(widgetResource, key)));
    }
    expect(client.tally.count({ verb: 'patch' })).toBe(2);
    expect(outcomes.filter((o) => o === 'written')).toHaveLength(2);
    const final = await client.get<KubeObject>(widgetResource, key);
    expect(conditionsOf(final)?.map((c) => c.type)).toEqual(['First', 'Second']);
  });

  it('a conflict while the spec changed never writes a status claiming a generation it did not evaluate', async () => {
    const client = new KubeClient(controlPlane().kubeConfig);
    const key = { namespace: namespace(), name: 'generations' };
    type Sized = KubeObject & {
      spec: { size: number };
      status?: { size?: number; observedGeneration?: number };
    };
    const stale = await client.create<Sized>(widgetResource, widget(key.namespace, key.name, { size: 1 }));
    // The reconciler's pattern: most of the status computed from the object it read, the rest in
    // `desired` (which used to be called again with a fresh read after a conflict).
    const echo = (object: Sized) => {
      const size = object.spec.size;
      return writeStatus<Sized>({
        client,
        resource: widgetResource,
        object,
        desired: (current) => ({ fields: { size, observedGeneration: current.metadata.generation } }),
      });
    };
    const changed = await client.patch<Sized>(widgetResource, key, 'merge', { spec: { size: 2 } });
    expect(changed.metadata.generation).toBe(2);
    await expect(echo(stale)).rejects.toSatisfy(isConflict);
    const afterConflict = await client.get<Sized>(widgetResource, key);
    // Either nothing was written, or what was written is consistent: never size 1 at generation 2.
    expect(afterConflict.status?.observedGeneration).toBeUndefined();
    expect(await echo(afterConflict)).toBe('written');
    expect((await client.get<Sized>(widgetResource, key)).status).toEqual({ size: 2, observedGeneration: 2 });
  });

  it('hands the written object to onWritten, and a write costs one request', async () => {
    const client = new KubeClient(controlPlane().kubeConfig);
    const created = await client.create<KubeObject>(widgetResource, widget(namespace(), 'echo'));
    const seen: KubeObject[] = [];
    const outcome = await writeStatus<KubeObject>({
      client,
      resource: widgetResource,
      object: created,
      desired: () => ({ fields: { phase: 'Ready' } }),
      onWritten: (obj) => seen.push(obj),
    });
    expect(outcome).toBe('written');
    expect(seen).toHaveLength(1);
    expect(seen[0]?.status).toEqual({ phase: 'Ready' });
    expect(Number(seen[0]?.metadata.resourceVersion)).toBeGreaterThan(
      Number(created.metadata.resourceVersion),
    );
    expect(client.tally.count()).toBe(2);
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

  it('removing from a stale copy whose index now points at another finalizer fails and removes nothing', async () => {
    const client = new KubeClient(controlPlane().kubeConfig);
    const key = { namespace: namespace(), name: 'stale-index' };
    await client.create<KubeObject>(widgetResource, {
      ...widget(key.namespace, key.name),
      metadata: { ...key, finalizers: ['example.dev/first', 'example.dev/ours'] },
    });
    const stale = await client.get<KubeObject>(widgetResource, key);
    // Meanwhile the first finalizer's owner removes it and someone appends theirs: index 1, where
    // the stale copy has ours, now holds theirs.
    await client.patch<KubeObject>(widgetResource, key, 'json', [
      { op: 'remove', path: '/metadata/finalizers/0' },
      { op: 'add', path: '/metadata/finalizers/-', value: 'example.dev/theirs' },
    ]);
    await expect(removeFinalizer(client, widgetResource, stale, 'example.dev/ours')).rejects.toMatchObject({
      code: 422,
    });
    const live = await client.get<KubeObject>(widgetResource, key);
    expect(live.metadata.finalizers).toEqual(['example.dev/ours', 'example.dev/theirs']);
    // From a fresh read the removal takes ours, and only ours.
    const removed = await removeFinalizer(client, widgetResource, live, 'example.dev/ours');
    expect(removed?.metadata.finalizers).toEqual(['example.dev/theirs']);
    await client.patch(widgetResource, key, 'json', [{ op: 'remove', path: '/metadata/finalizers' }]);
  });
});

describe('apiReader', () => {
  it('reads every page from the apiserver, never from a cache', async () => {
    const client = new KubeClient(controlPlane().kubeConfig, { qps: 0 });
    const reader = new ApiReader(client);
    const ns = namespace();
    for (let i = 0; i < 5; i++) await client.create(widgetResource, widget(ns, `r${i}`, { size: i }));
    const before = client.tally.count({ verb: 'list' });
    const items = await reader.list(widgetResource, ns, { pageSize: 2 });
    expect(items.map((w) => w.metadata.name).sort()).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
    expect(client.tally.count({ verb: 'list' }) - before).toBe(3);
    const one = await reader.get<KubeObject & { spec: { size: number } }>(widgetResource, {
      namespace: ns,
      name: 'r3',
    });
    expect(one.spec.size).toBe(3);
    await expect(reader.get(widgetResource, { namespace: ns, name: 'absent' })).rejects.toSatisfy(isNotFound);
  });
});
