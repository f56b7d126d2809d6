// The controller's unit-test fixture: an in-memory stand-in for the cache (informers with handlers,
// the primary store's keys) and a running controller over it, shared by controller*.test.ts.
import type { Cache } from '../src/cache.js';
import { resourceLabel, type ResourceRef } from '../src/client/resources.js';
import { Controller, type ControllerOptions, type Reconciler } from '../src/controller.js';
import { KernelMetrics } from '../src/metrics.js';
import type { KubeObject } from '../src/object.js';
import type { ReflectorHandlers } from '../src/reflector.js';

export const widgets: ResourceRef = {
  group: 'x',
  version: 'v1',
  plural: 'widgets',
  kind: 'Widget',
  namespaced: true,
};
export const gadgets: ResourceRef = {
  group: 'x',
  version: 'v1',
  plural: 'gadgets',
  kind: 'Gadget',
  namespaced: true,
};

export function obj(name: string, extra: Partial<KubeObject['metadata']> = {}): KubeObject {
  return { metadata: { namespace: 'ns', name, uid: `uid-${name}`, generation: 1, ...extra } };
}

/** Just what Controller.bind uses of a Cache: informers with handlers, and the primary store's keys. */
export function fakeCache() {
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

export interface Run {
  name: string;
  at: number;
}

export function setup(
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

export const counter = async (c: { get(): Promise<{ values: { value: number; labels: object }[] }> }) =>
  (await c.get()).values.reduce((sum, v) => sum + v.value, 0);
