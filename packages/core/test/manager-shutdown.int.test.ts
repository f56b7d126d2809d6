// The manager in-process against a real apiserver: the stop sequence (queue, signals, Lease) and
// readiness when the cache freezes after its first sync.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  eventually,
  freeLoopbackPort,
  installCRDs,
  startFaultProxy,
  widget,
  widgetCRD,
  widgetResource,
} from '@mcp-controllers/testkit';
import { useControlPlane, useNamespace } from '@mcp-controllers/testkit/vitest';
import { KubeClient } from '../src/client/index.js';
import { Controller, type Reconciler } from '../src/controller.js';
import { leaseResource, type LeaseSpec } from '../src/election.js';
import { Manager } from '../src/manager.js';

const controlPlane = useControlPlane();
const namespace = useNamespace(controlPlane);
beforeAll(async () => {
  await installCRDs(controlPlane().kubeConfig, [widgetCRD]);
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const leaseName = 'widget-controller.toolhive.stacklok.dev';

/** Every log line of the manager and every reconcile start/return, in the order they happened. */
interface Timeline {
  entries: { what: string; name?: string }[];
  log: { write(line: string): void };
}

function timeline(): Timeline {
  const entries: Timeline['entries'] = [];
  return {
    entries,
    log: {
      write(line: string) {
        entries.push({ what: `log: ${(JSON.parse(line) as { msg: string }).msg}` });
      },
    },
  };
}

function manager(
  ns: string,
  reconcile: Reconciler,
  t: Timeline,
  extra: { gracefulShutdownMs?: number } = {},
) {
  const exits: number[] = [];
  const m = new Manager({
    name: 'widget-controller',
    description: 'test',
    version: '0.0.0-test',
    argv: [
      '--leader-elect',
      `--leader-election-namespace=${ns}`,
      '--leader-election-lease-duration=4s',
      '--leader-election-renew-deadline=3s',
      '--leader-election-retry-period=500ms',
      `--watch-namespace=${ns}`,
      '--metrics-bind-address=0',
      '--health-probe-bind-address=0',
      '--max-concurrent-reconciles=2',
    ],
    env: {},
    kubeConfig: controlPlane().kubeConfig,
    logDestination: t.log,
    exit: (code) => exits.push(code),
    ...extra,
  });
  m.add(new Controller({ name: 'widget', for: widgetResource, reconcile }));
  cleanups.push(() => m.stop());
  return { m, exits };
}

async function readLease(client: KubeClient, ns: string): Promise<LeaseSpec> {
  return (await client.get<{ spec: LeaseSpec }>(leaseResource, { namespace: ns, name: leaseName })).spec;
}

describe('manager stop', () => {
  it('hands out no queued key, aborts in-flight signals, and releases the Lease after the last reconcile', async () => {
    const ns = namespace();
    const client = new KubeClient(controlPlane().kubeConfig);
    for (let i = 0; i < 50; i++) await client.create(widgetResource, widget(ns, `w${i}`));
    const t = timeline();
    const signals: AbortSignal[] = [];
    const { m, exits } = manager(
      ns,
      async (req, ctx) => {
        t.entries.push({ what: 'started', name: req.name });
        signals.push(ctx.signal);
        await new Promise((resolve) => setTimeout(resolve, 400)); // slow, and ignores the signal
        t.entries.push({ what: 'returned', name: req.name });
      },
      t,
    );
    await m.start();
    await eventually(() => (t.entries.filter((e) => e.what === 'started').length >= 2 ? true : undefined), {
      timeoutMs: 20_000,
      what: 'the leader reconciling',
    });
    const startedBefore = t.entries.filter((e) => e.what === 'started').length;
    await m.stop();

    const started = t.entries.filter((e) => e.what === 'started');
    const returned = t.entries.filter((e) => e.what === 'returned');
    // At most the keys already handed to the two workers ran after the stop, never the backlog.
    expect(started.length).toBeLessThanOrEqual(startedBefore + 2);
    expect(started.length).toBeLessThan(10);
    expect(returned).toHaveLength(started.length); // every in-flight reconcile was let finish
    // The ones in flight at the stop saw their signal aborted.
    const inFlight = signals.slice(-2);
    expect(inFlight.every((s) => s.aborted)).toBe(true);
    // The Lease was handed over only after the last reconcile returned.
    const lastReturn = t.entries.findLastIndex((e) => e.what === 'returned');
    const released = t.entries.findIndex((e) => e.what === 'log: released the leader lease');
    expect(released).toBeGreaterThan(lastReturn);
    expect(await readLease(client, ns)).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 1 });
    expect(exits).toEqual([]);
  });

  it('does not release the Lease while a reconcile is still running after the grace period', async () => {
    const ns = namespace();
    const client = new KubeClient(controlPlane().kubeConfig);
    await client.create(widgetResource, widget(ns, 'stuck'));
    const t = timeline();
    let running = 0;
    let finish: (() => void) | undefined;
    const stuck = new Promise<void>((resolve) => (finish = resolve));
    const { m } = manager(
      ns,
      async () => {
        running++;
        await stuck; // a reconcile that does not return within the grace period
        running--;
      },
      t,
      { gracefulShutdownMs: 300 },
    );
    cleanups.push(() => {
      finish?.();
      return Promise.resolve();
    });
    await m.start();
    await eventually(() => (running === 1 ? true : undefined), { timeoutMs: 20_000, what: 'the reconcile' });
    await m.stop();
    expect(running).toBe(1); // still writing, as far as anyone knows
    const lease = await readLease(client, ns);
    expect(lease.holderIdentity).toBe(m.identity); // not handed over: a standby waits for expiry
    expect(t.entries.some((e) => e.what === 'log: released the leader lease')).toBe(false);
    expect(t.entries.some((e) => e.what.includes('lease is NOT released'))).toBe(true);
  });
});

describe('manager readiness', () => {
  it('/readyz turns 503 with the reason when the cache freezes after its first sync (403 loop)', async () => {
    const ns = namespace();
    const proxy = await startFaultProxy(controlPlane().kubeConfig);
    cleanups.push(() => proxy.close());
    const probe = await freeLoopbackPort();
    const m = new Manager({
      name: 'widget-controller',
      description: 'test',
      version: '0.0.0-test',
      argv: [
        `--watch-namespace=${ns}`,
        '--metrics-bind-address=0',
        `--health-probe-bind-address=127.0.0.1:${probe}`,
      ],
      env: {},
      kubeConfig: proxy.kubeConfig(),
      logDestination: { write: () => undefined },
      exit: () => undefined,
    });
    m.add(new Controller({ name: 'widget', for: widgetResource, reconcile: () => Promise.resolve() }));
    cleanups.push(() => m.stop());
    await m.start();
    const readyz = async () => {
      const res = await fetch(`http://127.0.0.1:${probe}/readyz`);
      return { status: res.status, text: await res.text() };
    };
    await eventually(async () => ((await readyz()).status === 200 ? true : undefined), {
      timeoutMs: 20_000,
      what: '/readyz 200 after the sync',
    });
    proxy.inject({
      match: (r) => r.path.includes('/widgets'),
      status: 403,
      reason: 'Forbidden',
      message: 'widgets.testkit.mcp-controllers.dev is forbidden: RBAC changed',
    });
    proxy.cut(); // the watch ends; every relist is now answered 403
    proxy.restore();
    const notReady = await eventually(
      async () => {
        const r = await readyz();
        return r.status === 503 ? r : undefined;
      },
      { timeoutMs: 20_000, what: '/readyz 503' },
    );
    expect(notReady.text).toMatch(/widgets\.testkit\.mcp-controllers\.dev/);
    expect(notReady.text).toMatch(/403|forbidden/i);
  });
});
