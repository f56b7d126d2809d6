import { afterEach, describe, expect, it, vi } from 'vitest';
import { eventually } from '@mcp-controllers/testkit';
import type { KubeObject } from '../src/object.js';
import { Reflector, type ReflectorOptions } from '../src/reflector.js';
import { Store } from '../src/store.js';
import { apiError, configMap, FakeClient } from './fake-client.js';

const configMaps = { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', namespaced: true };
const secrets = { ...configMaps, plural: 'secrets', kind: 'Secret' };

const running: Reflector[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const r of running.splice(0)) await r.stop();
});

function start(
  fake: FakeClient,
  options: Partial<ReflectorOptions<KubeObject>> = {},
): { reflector: Reflector; store: Store; events: string[]; states: string[] } {
  const store = options.store ?? new Store();
  const events: string[] = [];
  const states: string[] = [];
  const reflector = new Reflector({
    client: fake.asClient(),
    resource: configMaps,
    namespace: 'ns',
    store,
    backoff: { initialMs: 20, maxMs: 100 },
    healthGraceMs: 300,
    handlers: [
      {
        onAdd: (o) => events.push(`add ${o.metadata.name ?? ''}`),
        onUpdate: (old, o) => events.push(`${old === o ? 'resync' : 'update'} ${o.metadata.name ?? ''}`),
        onDelete: (o) => events.push(`delete ${o.metadata.name ?? ''}`),
      },
    ],
    ...options,
  });
  reflector.onStateChange(() => states.push(reflector.health().state));
  reflector.start();
  running.push(reflector);
  return { reflector, store, events, states };
}

const synced = (r: Reflector) => eventually(() => (r.hasSynced() ? true : undefined), { what: 'sync' });
/** The watch the reflector has open (it opens one just after a list). */
const openWatch = (fake: FakeClient) => eventually(() => fake.open, { what: 'an open watch' });

describe('Reflector failure handling (scripted apiserver)', () => {
  it('answers an expired continue token with one full list instead of restarting at page 1 forever', async () => {
    const fake = new FakeClient({
      list: (q) => {
        if (q.continue !== undefined) return apiError(410, 'Expired');
        if (q.limit !== undefined) {
          return { metadata: { resourceVersion: '5', continue: 'token' }, items: [configMap('a')] };
        }
        return { metadata: { resourceVersion: '5' }, items: [configMap('a'), configMap('b')] };
      },
    });
    const { reflector, store } = start(fake, { pageSize: 1 });
    await eventually(() => (reflector.hasSynced() ? true : undefined), { what: 'sync', timeoutMs: 3_000 });
    expect(store.keys().sort()).toEqual(['ns/a', 'ns/b']);
    expect(fake.lists).toHaveLength(3); // page 1, the expired page 2, one full list
    expect(fake.lists[2]).not.toHaveProperty('limit');
    expect(reflector.stats.listFallbacks).toBe(1);
    expect(reflector.health()).toEqual({ state: 'ok' });
  });

  it('shows a failing initial list in health() and listError()', async () => {
    const fake = new FakeClient({ list: () => apiError(403, 'Forbidden') });
    const { reflector, states } = start(fake);
    await eventually(() => (reflector.health().state === 'failing' ? true : undefined), { what: 'failing' });
    expect(reflector.health()).toMatchObject({ state: 'failing', code: 403 });
    expect(reflector.listError()).toMatchObject({ code: 403 });
    expect(states).toEqual(['failing']);
  });

  it('reports a 403 after the first sync at once, and ok again once the watch opens', async () => {
    let forbidden = false;
    const fake = new FakeClient({ watch: () => (forbidden ? apiError(403, 'Forbidden') : undefined) });
    fake.objects = [configMap('a')];
    // A grace period no stall of a loaded machine outlasts: failing within the wait below is the 403
    // counting at once, never a transient failure that outlasted its grace.
    const { reflector, states } = start(fake, { healthGraceMs: 60_000 });
    await synced(reflector);
    const watch = await openWatch(fake);
    forbidden = true;
    watch.end();
    await eventually(() => (reflector.health().state === 'failing' ? true : undefined), { what: 'failing' });
    expect(reflector.health()).toMatchObject({ state: 'failing', code: 403 });
    expect(reflector.lastError()).toMatchObject({ code: 403 });
    forbidden = false;
    await eventually(() => (reflector.health().state === 'ok' ? true : undefined), { what: 'ok again' });
    expect(states).toEqual(['ok', 'failing', 'ok']);
  });

  it('relists after a watch 404 (CRD deleted), goes missing after the grace period, ok once it is back', async () => {
    let installed = true;
    const fake = new FakeClient({
      list: () => (installed ? undefined : apiError(404, 'NotFound')),
      watch: () => (installed ? undefined : apiError(404, 'NotFound')),
    });
    fake.objects = [configMap('a')];
    const { reflector, states, events } = start(fake);
    await synced(reflector);
    const listsBefore = fake.lists.length;
    const watch = await openWatch(fake);
    installed = false;
    fake.objects = [];
    const cutAt = performance.now();
    watch.end();
    await eventually(() => (fake.lists.length > listsBefore + 1 ? true : undefined), { what: 'relists' });
    expect(reflector.health()).toEqual({ state: 'ok' }); // within the grace period
    await eventually(() => (reflector.health().state === 'missing' ? true : undefined), { what: 'missing' });
    expect(performance.now() - cutAt).toBeGreaterThanOrEqual(300);
    installed = true;
    await eventually(() => (reflector.health().state === 'ok' ? true : undefined), { what: 'ok again' });
    expect(states).toEqual(['ok', 'missing', 'ok']);
    expect(events).toEqual(['add a', 'delete a']); // the relist caught up with what vanished
  });

  it('backs off a 410 that comes right after every list, and reports the loop once it lasts', async () => {
    let expire = true;
    const fake = new FakeClient({
      opened: (call) => {
        setImmediate(() => {
          if (expire) call.emit({ type: 'ERROR', object: { metadata: {}, code: 410, reason: 'Expired' } });
        });
      },
    });
    const { reflector } = start(fake);
    await synced(reflector);
    await eventually(() => (reflector.health().state === 'failing' ? true : undefined), {
      what: 'failing',
      timeoutMs: 3_000,
    });
    expect(reflector.health()).toMatchObject({ state: 'failing' });
    // 300 ms of a loop: a hot loop lists hundreds of times; a backoff of 20 -> 100 ms a handful.
    expect(fake.lists.length).toBeLessThan(20);
    expire = false;
    (await openWatch(fake)).emit({ type: 'ADDED', object: configMap('new', {}, '9') });
    await eventually(() => (reflector.health().state === 'ok' ? true : undefined), { what: 'ok again' });
  });

  it('keeps watching when an indexer throws, instead of replaying the same event forever', async () => {
    const store = new Store();
    store.addIndexer('bad', (o) => {
      if (o.metadata.name === 'poison') throw new TypeError('indexer bug');
      return [];
    });
    const fake = new FakeClient();
    const { reflector, events } = start(fake, { store });
    const watch = await openWatch(fake);
    watch.emit({ type: 'ADDED', object: configMap('poison', {}, '2') });
    watch.emit({ type: 'ADDED', object: configMap('fine', {}, '3') });
    await eventually(() => (events.includes('add fine') ? true : undefined), { what: 'add fine' });
    expect(store.keys().sort()).toEqual(['ns/fine', 'ns/poison']);
    expect(store.indexerErrors).toBe(1);
    expect(fake.watches).toHaveLength(1);
    expect(reflector.stats.failures).toBe(0);
  });

  it('caches Secrets with their key names and without their values', async () => {
    const fake = new FakeClient();
    fake.objects = [{ ...configMap('s', { password: 'c2VjcmV0' }), kind: 'Secret' }];
    const seen: unknown[] = [];
    const { reflector, store } = start(fake, {
      resource: secrets,
      handlers: [{ onAdd: (o) => seen.push(o.data), onUpdate: (_old, o) => seen.push(o.data) }],
    });
    await synced(reflector);
    (await openWatch(fake)).emit({
      type: 'MODIFIED',
      object: { ...configMap('s', { password: 'bmV3', user: 'dQ==' }, '2') },
    });
    await eventually(() => (seen.length === 2 ? true : undefined), { what: 'update' });
    expect(store.get('ns/s')?.data).toEqual({ password: '', user: '' });
    expect(JSON.stringify(seen)).not.toMatch(/c2VjcmV0|bmV3|dQ==/);
  });

  it('re-delivers every cached object as update(obj, obj) each resync period, only when asked', async () => {
    vi.useFakeTimers();
    const fake = new FakeClient();
    fake.objects = [configMap('a'), configMap('b')];
    const off = start(fake);
    const on = start(fake, { resyncPeriodMs: 1_000 });
    while (!on.reflector.hasSynced() || !off.reflector.hasSynced()) await vi.advanceTimersByTimeAsync(1);
    const resyncs = () => on.events.filter((e) => e.startsWith('resync')).length;
    await vi.advanceTimersByTimeAsync(1_000 - 10);
    const early = resyncs();
    await vi.advanceTimersByTimeAsync(20);
    const first = resyncs();
    await vi.advanceTimersByTimeAsync(1_000);
    expect([early, first, resyncs()]).toEqual([0, 2, 4]);
    expect(on.events.filter((e) => e.startsWith('resync')).sort()).toEqual([
      'resync a',
      'resync a',
      'resync b',
      'resync b',
    ]);
    expect(off.events.filter((e) => e.startsWith('resync'))).toEqual([]);
    expect(on.reflector.stats.resyncs).toBe(2);
  });
});
