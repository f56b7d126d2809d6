// Unit tests of the controller's runtime behaviour (delays, backoff, shutdown, event mapping) against
// an in-memory stand-in for the cache, with fake timers where a delay is asserted.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Cache } from '../src/cache.js';
import { resourceLabel, type ResourceRef } from '../src/client/resources.js';
import { Controller, generationChanged, type ControllerOptions, type Reconciler } from '../src/controller.js';
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
  const cache = {
    informer: (r: ResourceRef) => ({
      optional: false,
      addHandler: (h: ReflectorHandlers<KubeObject>) => handlersOf(r).push(h),
      onStateChange: () => undefined,
    }),
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
