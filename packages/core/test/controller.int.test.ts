import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually, installCRDs, widget, widgetCRD, widgetResource } from '@mcp-controllers/testkit';
import { useControlPlane, useNamespace } from '@mcp-controllers/testkit/vitest';
import { Cache } from '../src/cache.js';
import { KubeClient } from '../src/client/index.js';
import { Controller, TerminalError, type Reconciler } from '../src/controller.js';
import { KernelMetrics } from '../src/metrics.js';
import type { KubeObject } from '../src/object.js';

const configMaps = { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', namespaced: true };
const controlPlane = useControlPlane();
const namespace = useNamespace(controlPlane);
beforeAll(async () => {
  await installCRDs(controlPlane().kubeConfig, [widgetCRD]);
});

const running: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of running.splice(0)) await stop();
});

function start(reconcile: Reconciler, concurrency = 1, configure?: (c: Controller) => void) {
  const client = new KubeClient(controlPlane().kubeConfig);
  const cache = new Cache(client, { namespaces: [namespace()] });
  const metrics = new KernelMetrics({ processMetrics: false });
  const controller = new Controller({ name: 'widget', for: widgetResource, reconcile, concurrency });
  configure?.(controller);
  controller.bind(cache, { metrics });
  cache.start();
  const abort = new AbortController();
  const done = cache.waitForSync(10_000).then(() => controller.run(abort.signal));
  running.push(async () => {
    abort.abort();
    await done;
    await cache.stop();
  });
  return { client, cache, controller, metrics };
}

const sizeOf = (obj: KubeObject | undefined) => (obj?.spec as { size?: number } | undefined)?.size;

describe('controller', () => {
  it('runs one reconcile per key at a time under a burst and converges to the last state', async () => {
    const ns = namespace();
    let inFlight = 0;
    let maxInFlight = 0;
    let lastSeen: number | undefined;
    let runs = 0;
    const { client, cache } = start(async (req) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      runs++;
      lastSeen = sizeOf(cache.store(widgetResource).get(req.key));
      await new Promise((resolve) => setTimeout(resolve, 50)); // a slow reconciler
      inFlight--;
    }, 4);
    await client.create(widgetResource, widget(ns, 'w', { size: 0 }));
    for (let size = 1; size <= 20; size++) {
      await client.patch(widgetResource, { namespace: ns, name: 'w' }, 'merge', { spec: { size } });
    }
    await eventually(() => (lastSeen === 20 && inFlight === 0 ? true : undefined), {
      what: 'the last state reconciled',
    });
    expect(maxInFlight).toBe(1);
    expect(runs).toBeLessThan(21); // events were coalesced, not replayed one by one
  });

  it('requeues after the requested delay without any event, never earlier', async () => {
    const ns = namespace();
    const runs: number[] = [];
    const { client } = start(() => {
      runs.push(performance.now());
      return Promise.resolve(runs.length < 4 ? { requeueAfterMs: 200 } : {});
    });
    await client.create(widgetResource, widget(ns, 'again'));
    await eventually(() => (runs.length >= 4 ? true : undefined), { what: 'four runs' });
    // Only the lower bound is the contract (a busy machine may run it later). Timers may fire up to
    // 1 ms early by performance.now(), hence 199.
    const gaps = runs.slice(1).map((at, i) => at - runs[i]!);
    expect(gaps.every((gap) => gap >= 199)).toBe(true);
  });

  it('retries a failing reconcile with backoff, but never a terminal error', async () => {
    const ns = namespace();
    const runs = new Map<string, number>();
    const { client, controller, metrics } = start((req) => {
      const n = (runs.get(req.name) ?? 0) + 1;
      runs.set(req.name, n);
      if (req.name === 'flaky' && n <= 2) throw new Error('transient');
      if (req.name === 'hopeless') throw new TerminalError('spec.size must be even');
      return Promise.resolve();
    });
    await client.create(widgetResource, widget(ns, 'flaky'));
    await eventually(() => (runs.get('flaky') === 3 ? true : undefined), {
      what: 'flaky to succeed on its third run',
    });
    expect(controller.queue.numRequeues(`${ns}/flaky`)).toBe(0); // forgotten after success

    await client.create(widgetResource, widget(ns, 'hopeless'));
    await eventually(() => (runs.get('hopeless') === 1 ? true : undefined), { what: 'hopeless to run' });
    await eventually(
      async () => ((await metrics.terminalErrors.get()).values[0]?.value === 1 ? true : undefined),
      { what: 'the terminal error counted' },
    );
    expect(controller.queue.numRequeues(`${ns}/hopeless`)).toBe(0);
    expect(controller.queue.len()).toBe(0);
    const totals = (await metrics.reconcileTotal.get()).values;
    expect(totals.find((v) => v.labels.result === 'error')?.value).toBe(3);
    expect(totals.find((v) => v.labels.result === 'success')?.value).toBe(1);
  });

  it('maps owned objects to their controller owner and other kinds through a mapper', async () => {
    const ns = namespace();
    const reconciled: string[] = [];
    const { client } = start(
      (req) => {
        reconciled.push(req.name);
        return Promise.resolve();
      },
      1,
      (c) =>
        c.owns(configMaps).watches(configMaps, (obj) => {
          const target = obj.metadata.labels?.['points-at'];
          return target ? [`${obj.metadata.namespace}/${target}`] : [];
        }),
    );
    const owner = await client.create<KubeObject>(widgetResource, widget(ns, 'parent'));
    await eventually(() => (reconciled.includes('parent') ? true : undefined), { what: 'parent reconciled' });
    reconciled.length = 0;
    await client.create(configMaps, {
      metadata: {
        name: 'child',
        namespace: ns,
        ownerReferences: [
          {
            apiVersion: 'testkit.mcp-controllers.dev/v1',
            kind: 'Widget',
            name: 'parent',
            uid: owner.metadata.uid!,
            controller: true,
          },
        ],
      },
    });
    await eventually(() => (reconciled.includes('parent') ? true : undefined), {
      what: 'owner reconciled for its child',
    });
    await client.create(configMaps, {
      metadata: { name: 'pointer', namespace: ns, labels: { 'points-at': 'other' } },
    });
    await eventually(() => (reconciled.includes('other') ? true : undefined), {
      what: 'mapped key reconciled',
    });
  });
});
