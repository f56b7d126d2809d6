// Unit tests of the controller's runtime behaviour (delays, backoff, shutdown, event mapping) against
// an in-memory stand-in for the cache, with fake timers where a delay is asserted.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Cache } from '../src/cache.js';
import { resourceLabel, type ResourceRef } from '../src/client/resources.js';
import {
  Controller,
  generationChanged,
  TerminalError,
  type ControllerOptions,
  type Reconciler,
} from '../src/controller.js';
import { KernelMetrics } from '../src/metrics.js';
import type { KubeObject } from '../src/object.js';
import type { ReflectorHandlers } from '../src/reflector.js';

const widgets: ResourceRef = {
  group: 'x',
  version: 'v1',
  plural: 'widgets',
  kind: 'Widget',
  namespaced: true,
};
const gadgets: ResourceRef = {
  group: 'x',
  version: 'v1',
  plural: 'gadgets',
  kind: 'Gadget',
  namespaced: true,
};

function obj(name: string, extra: Partial<KubeObject['metadata']> = {}): KubeObject {
  return { metadata: { namespace: 'ns', name, uid: `uid-${name}`, generation: 1, ...extra } };
}

/** Just what Controller.bind uses of a Cache: informers with handlers, and the primary store's keys. */
function fakeCache() {
  const handlers = new Map<string, ReflectorHandlers<KubeObject>[]>();
  const stores = new Map<string, Map<string, KubeObject>>();
  const storeOf = (r: ResourceRef) => {
    const label = resourceLabel(r);
    let store = stores.get(label);
    if (!store) stores.set(label, (store = new Map<string, KubeObject>()));
    return store;
  };
  const handlersOf = (r: ResourceRef) => {
    const label = resourceLabel(r);
    let list = handlers.get(label);
    if (!list) handlers.set(label, (list = []));
    return list;
  };
  const informers = new Map<string, { optional: boolean; listeners: (() => void)[] }>();
  const informerOf = (r: ResourceRef) => {
    const label = resourceLabel(r);
    let informer = informers.get(label);
    if (!informer) informers.set(label, (informer = { optional: false, listeners: [] }));
    return informer;
  };
  const cache = {
    informer: (r: ResourceRef) => {
      const state = informerOf(r);
      return {
        set optional(value: boolean) {
          state.optional = value;
        },
        addHandler: (h: ReflectorHandlers<KubeObject>) => handlersOf(r).push(h),
        onStateChange: (listener: () => void) => state.listeners.push(listener),
      };
    },
    store: (r: ResourceRef) => ({ keys: () => [...storeOf(r).keys()] }),
  } as unknown as Cache;
  const key = (o: KubeObject) => `${o.metadata.namespace}/${o.metadata.name}`;
  return {
    cache,
    add: (r: ResourceRef, o: KubeObject) => {
      storeOf(r).set(key(o), o);
      for (const h of handlersOf(r)) h.onAdd?.(o);
    },
    update: (r: ResourceRef, old: KubeObject, o: KubeObject) => {
      storeOf(r).set(key(o), o);
      for (const h of handlersOf(r)) h.onUpdate?.(old, o);
    },
    remove: (r: ResourceRef, o: KubeObject) => {
      storeOf(r).delete(key(o));
      for (const h of handlersOf(r)) h.onDelete?.(o);
    },
    /** Whether the controller marked the informer optional, and a way to fire its state change. */
    informerState: (r: ResourceRef) => ({
      optional: informerOf(r).optional,
      change: () => {
        for (const listener of informerOf(r).listeners) listener();
      },
    }),
  };
}

interface Run {
  name: string;
  at: number;
}

function setup(
  reconcile: Reconciler,
  options: Partial<ControllerOptions> = {},
  configure?: (c: Controller) => void,
) {
  const fake = fakeCache();
  const metrics = new KernelMetrics({ processMetrics: false });
  const controller = new Controller({ name: 'widget', for: widgets, reconcile, ...options });
  configure?.(controller);
  controller.bind(fake.cache, { metrics });
  const abort = new AbortController();
  const done = controller.run(abort.signal);
  return { ...fake, controller, metrics, abort, done };
}

const counter = async (c: { get(): Promise<{ values: { value: number; labels: object }[] }> }) =>
  (await c.get()).values.reduce((sum, v) => sum + v.value, 0);

afterEach(() => {
  vi.useRealTimers();
});

describe('controller timing', () => {
  it('requeueAfterMs: the next run comes no earlier than requested', async () => {
    vi.useFakeTimers();
    const runs: Run[] = [];
    const { add, abort, done } = setup((req) => {
      runs.push({ name: req.name, at: performance.now() });
      return Promise.resolve(runs.length < 3 ? { requeueAfterMs: 400 } : {});
    });
    add(widgets, obj('a'));
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(399);
    expect(runs).toHaveLength(1); // not a millisecond early
    await vi.advanceTimersByTimeAsync(1);
    expect(runs).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(400);
    expect(runs.map((r) => r.at - runs[0]!.at)).toEqual([0, 400, 800]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(runs).toHaveLength(3);
    abort.abort();
    await done;
  });

  it('a failing reconcile is retried with per-key exponential backoff: 5, 10, 20, 40 ms', async () => {
    vi.useFakeTimers();
    const runs: number[] = [];
    const { add, abort, done, controller } = setup(() => {
      runs.push(performance.now());
      if (runs.length <= 4) throw new Error('transient');
      return Promise.resolve();
    });
    add(widgets, obj('a'));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(runs).toHaveLength(5);
    const gaps = runs.slice(1).map((at, i) => at - runs[i]!);
    expect(gaps).toEqual([5, 10, 20, 40]);
    expect(controller.queue.numRequeues('ns/a')).toBe(0); // forgotten after the success
    abort.abort();
    await done;
  });

  it('backoff tuning through the queue options', async () => {
    vi.useFakeTimers();
    const runs: number[] = [];
    const { add, abort, done } = setup(
      () => {
        runs.push(performance.now());
        return runs.length <= 4 ? Promise.reject(new Error('still broken')) : Promise.resolve();
      },
      { queue: { baseDelayMs: 100, maxDelayMs: 300 } },
    );
    add(widgets, obj('a'));
    await vi.advanceTimersByTimeAsync(1_000);
    const gaps = runs.slice(1).map((at, i) => at - runs[i]!);
    expect(gaps).toEqual([100, 200, 300, 300]);
    abort.abort();
    await done;
  });
});

describe('controller shutdown', () => {
  it('hands out no queued key after the stop; in-flight reconciles see an aborted signal and finish', async () => {
    const started: string[] = [];
    const finished: string[] = [];
    const signals: AbortSignal[] = [];
    let stoppedAt = -1;
    const slow: Reconciler = async (req, ctx) => {
      started.push(req.name);
      signals.push(ctx.signal);
      await new Promise((resolve) => setTimeout(resolve, 50));
      finished.push(req.name);
    };
    const { add, abort, done } = setup(slow, { concurrency: 3 });
    for (let i = 0; i < 50; i++) add(widgets, obj(`w${i}`));
    await vi.waitFor(() => {
      expect(started.length).toBeGreaterThanOrEqual(3);
    });
    abort.abort();
    stoppedAt = started.length;
    await done; // run() resolves only once the in-flight reconciles returned
    expect(stoppedAt).toBeLessThanOrEqual(6); // a few batches at most before the stop, never the backlog
    expect(started).toHaveLength(stoppedAt); // nothing new started after the stop
    expect(finished).toEqual(expect.arrayContaining(started)); // the in-flight ones were let finish
    expect(finished).toHaveLength(started.length);
    const inFlight = signals.slice(-3);
    expect(inFlight.every((s) => s.aborted)).toBe(true);
  });
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

describe('reconcile panics', () => {
  it('counts programming errors and non-Error throws as panics, plain errors not', async () => {
    const throwers: Record<string, () => never> = {
      type: () => {
        throw new TypeError('x is not a function');
      },
      reference: () => {
        throw new ReferenceError('y is not defined');
      },
      range: () => {
        throw new RangeError('Invalid array length');
      },
      string: () => {
        // eslint-disable-next-line @typescript-eslint/only-throw-error
        throw 'a string';
      },
      plain: () => {
        throw new Error('503 from the apiserver');
      },
    };
    const seen = new Set<string>();
    const { add, metrics, abort, done } = setup((req) => {
      if (seen.has(req.name)) return Promise.resolve();
      seen.add(req.name);
      return throwers[req.name]!(); // throws synchronously, as a buggy reconciler may
    });
    for (const name of Object.keys(throwers)) add(widgets, obj(name));
    await vi.waitFor(async () => {
      expect(await counter(metrics.reconcileErrors)).toBe(5);
    });
    expect(await counter(metrics.reconcilePanics)).toBe(4);
    abort.abort();
    await done;
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
