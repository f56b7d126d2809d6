// Unit tests of how events reach the controller's queue: owned objects, mappers, filters, optional
// informers, and what the reconciler is handed, against an in-memory stand-in for the cache.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resourceLabel } from '../src/client/resources.js';
import { generationChanged, TerminalError, type Reconciler } from '../src/controller.js';
import type { KubeObject } from '../src/object.js';
import { counter, gadgets, obj, setup, widgets } from './controller-fixture.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('event mapping', () => {
  it('a mapper that throws is logged and counted, and every primary is queued instead', async () => {
    const reconciled: string[] = [];
    const { add, metrics, abort, done } = setup(
      (req) => {
        reconciled.push(req.name);
        return Promise.resolve();
      },
      {},
      (c) =>
        c.watches(gadgets, (o) => {
          if (o.metadata.name === 'bad')
            throw new TypeError("Cannot read properties of undefined (reading 'x')");
          return [];
        }),
    );
    add(widgets, obj('p1'));
    add(widgets, obj('p2'));
    await vi.waitFor(() => {
      expect(reconciled).toHaveLength(2);
    });
    add(gadgets, obj('fine'));
    add(gadgets, obj('bad'));
    await vi.waitFor(() => {
      expect(reconciled.slice(2).sort()).toEqual(['p1', 'p2']);
    });
    const errors = (await metrics.mappingErrors.get()).values.filter((v) => v.value > 0);
    expect(errors).toEqual([
      expect.objectContaining({
        value: 1,
        labels: { controller: 'widget', resource: resourceLabel(gadgets) },
      }),
    ]);
    abort.abort();
    await done;
  });

  it('a filter drops the updates it rejects; adds always pass; generationChanged ignores status writes', async () => {
    const reconciled: string[] = [];
    const { add, update, abort, done } = setup(
      (req) => {
        reconciled.push(req.name);
        return Promise.resolve();
      },
      { filter: generationChanged },
    );
    const a = obj('a', { generation: 1, resourceVersion: '1' });
    add(widgets, a);
    await vi.waitFor(() => {
      expect(reconciled).toEqual(['a']);
    });
    update(widgets, a, { ...a, metadata: { ...a.metadata, resourceVersion: '2' }, status: { ok: true } });
    const b = { ...a, metadata: { ...a.metadata, resourceVersion: '3', generation: 2 } };
    update(widgets, a, b);
    await vi.waitFor(() => {
      expect(reconciled).toEqual(['a', 'a']);
    });
    const deleting = { ...b, metadata: { ...b.metadata, deletionTimestamp: '2025-01-01T00:00:00Z' } };
    update(widgets, b, deleting);
    await vi.waitFor(() => {
      expect(reconciled).toEqual(['a', 'a', 'a']);
    });
    abort.abort();
    await done;
  });

  it('a filter that throws lets the event through and is counted', async () => {
    const reconciled: string[] = [];
    const { add, update, metrics, abort, done } = setup(
      (req) => {
        reconciled.push(req.name);
        return Promise.resolve();
      },
      {
        filter: () => {
          throw new TypeError('bug');
        },
      },
    );
    const a = obj('a');
    add(widgets, a);
    await vi.waitFor(() => {
      expect(reconciled).toEqual(['a']);
    });
    update(widgets, a, { ...a, metadata: { ...a.metadata, resourceVersion: '2' } });
    await vi.waitFor(() => {
      expect(reconciled).toEqual(['a', 'a']);
    });
    expect(await counter(metrics.mappingErrors)).toBe(1);
    abort.abort();
    await done;
  });

  it('generationChanged compares generations and deletion', () => {
    expect(generationChanged(obj('a', { generation: 1 }), obj('a', { generation: 1 }))).toBe(false);
    expect(generationChanged(obj('a', { generation: 1 }), obj('a', { generation: 2 }))).toBe(true);
    expect(generationChanged(obj('a'), obj('a', { deletionTimestamp: 'now' }))).toBe(true);
  });
});

describe('controller wiring', () => {
  /** Records reconciled keys; resolves at once. */
  function recorder() {
    const seen: string[] = [];
    const reconcile: Reconciler = (req) => {
      seen.push(req.key);
      return Promise.resolve();
    };
    return { seen, reconcile };
  }
  /** Lets every queued reconcile run (fake timers: nothing here waits on a delay). */
  const settle = () => vi.advanceTimersByTimeAsync(0);
  beforeEach(() => {
    vi.useFakeTimers();
  });

  it('owns(): add, update and delete of a child queue its controller owner of our kind', async () => {
    const { seen, reconcile } = recorder();
    const owner = (name: string) => [
      { apiVersion: 'x/v1', kind: 'Widget', name, uid: `uid-${name}`, controller: true },
    ];
    const { add, update, remove, abort, done, controller } = setup(reconcile, {}, (c) => c.owns(gadgets));
    expect(controller.resources()).toEqual([widgets, gadgets]);
    const child = obj('g', { ownerReferences: owner('a') });
    add(gadgets, child);
    await settle();
    const moved = obj('g', { ownerReferences: owner('b') });
    update(gadgets, child, moved);
    await settle();
    remove(gadgets, moved);
    await settle();
    add(gadgets, obj('orphan'));
    await settle();
    expect(seen).toEqual(['ns/a', 'ns/b', 'ns/a', 'ns/b']);
    abort.abort();
    await done;
  });

  it('watches(): an update queues the keys of the new and the old object', async () => {
    const { seen, reconcile } = recorder();
    const mapper = (o: KubeObject) => [`ns/${String(o.metadata.labels?.widget)}`];
    const { add, update, abort, done } = setup(reconcile, {}, (c) => c.watches(gadgets, mapper));
    const before = obj('g', { labels: { widget: 'a' } });
    add(gadgets, before);
    await settle();
    update(gadgets, before, obj('g', { labels: { widget: 'b' } }));
    await settle();
    expect(seen).toEqual(['ns/a', 'ns/b', 'ns/a']);
    abort.abort();
    await done;
  });

  it('an optional watch marks its informer optional and requeues every primary when its state changes', async () => {
    const { seen, reconcile } = recorder();
    const { add, informerState, abort, done } = setup(reconcile, {}, (c) =>
      c.watches(gadgets, () => [], { optional: true }),
    );
    expect(informerState(gadgets).optional).toBe(true);
    expect(informerState(widgets).optional).toBe(false);
    add(widgets, obj('a'));
    add(widgets, obj('b'));
    await settle();
    seen.length = 0;
    informerState(gadgets).change();
    await settle();
    expect(seen.sort()).toEqual(['ns/a', 'ns/b']);
    abort.abort();
    await done;
  });

  it('hands the reconciler the key, namespace and name; a cluster-scoped key has no namespace', async () => {
    const requests: unknown[] = [];
    const { add, abort, done } = setup((req, ctx) => {
      requests.push(req);
      expect(ctx.reconcileID).toMatch(/^[0-9a-f-]{36}$/);
      expect(ctx.signal.aborted).toBe(false);
      return Promise.resolve();
    });
    add(widgets, obj('a'));
    add(widgets, { metadata: { name: 'cluster-wide', uid: 'u' } });
    await settle();
    expect(requests).toEqual([
      { key: 'ns/a', namespace: 'ns', name: 'a' },
      { key: 'cluster-wide', name: 'cluster-wide' },
    ]);
    abort.abort();
    await done;
  });

  it('counts each result, never retries a TerminalError, and retries a Conflict', async () => {
    vi.useFakeTimers();
    const runs: string[] = [];
    const { add, abort, done, metrics, controller } = setup((req) => {
      runs.push(req.name);
      if (req.name === 'terminal') throw new TerminalError('spec.x is invalid');
      if (req.name === 'conflict' && runs.filter((n) => n === 'conflict').length === 1) {
        throw Object.assign(new Error('the object has been modified'), { code: 409 });
      }
      if (req.name === 'later' && runs.filter((n) => n === 'later').length === 1) {
        return Promise.resolve({ requeueAfterMs: 50 });
      }
      return Promise.resolve();
    });
    for (const name of ['terminal', 'conflict', 'later', 'fine']) add(widgets, obj(name));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(runs.filter((n) => n === 'terminal')).toHaveLength(1);
    expect(runs.filter((n) => n === 'conflict')).toHaveLength(2);
    expect(runs.filter((n) => n === 'later')).toHaveLength(2);
    expect(controller.queue.numRequeues('ns/terminal')).toBe(0);
    const byResult = Object.fromEntries(
      (await metrics.reconcileTotal.get()).values.map((v): [string, number] => [
        String(v.labels.result),
        v.value,
      ]),
    );
    expect(byResult).toEqual({ success: 3, error: 2, requeue: 0, requeue_after: 1 });
    expect(await counter(metrics.terminalErrors)).toBe(1);
    expect(await counter(metrics.reconcileErrors)).toBe(2);
    expect(await counter(metrics.reconcilePanics)).toBe(0);
    expect(
      (await metrics.reconcileTime.get()).values.find((v) => v.metricName?.endsWith('_count'))?.value,
    ).toBe(6);
    expect(await counter(metrics.activeWorkers)).toBe(0);
    abort.abort();
    await done;
  });

  it('runs up to `concurrency` reconciles at once, never two for one key', async () => {
    let running = 0;
    let peak = 0;
    const perKey = new Map<string, number>();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { add, abort, done, metrics } = setup(
      async (req) => {
        running++;
        peak = Math.max(peak, running);
        perKey.set(req.key, (perKey.get(req.key) ?? 0) + 1);
        await gate;
        running--;
      },
      { concurrency: 3 },
    );
    for (const name of ['a', 'b', 'c', 'd', 'e']) add(widgets, obj(name));
    add(widgets, obj('a', { generation: 2 })); // a again while it runs
    await settle();
    expect(running).toBe(3);
    expect(await counter(metrics.maxConcurrent)).toBe(3);
    expect(await counter(metrics.activeWorkers)).toBe(3);
    release();
    await settle();
    expect(peak).toBe(3);
    expect(perKey.get('ns/a')).toBe(2); // once more after its first run, not alongside it
    abort.abort();
    await done;
  });
});
