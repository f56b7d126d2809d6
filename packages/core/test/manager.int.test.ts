import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import {
  eventually,
  freeLoopbackPort,
  installCRDs,
  widget,
  widgetCRD,
  widgetResource,
} from '@mcp-controllers/testkit';
import { useControlPlane, useNamespace } from '@mcp-controllers/testkit/vitest';
import { KubeClient } from '../src/client/index.js';
import { flagNames } from '../src/flags.js';
import type { KubeObject } from '../src/object.js';

const fixture = new URL('./fixtures/widget-manager.ts', import.meta.url).pathname;
const controlPlane = useControlPlane();
const namespace = useNamespace(controlPlane);

interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  probe: number;
  metrics: number;
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

async function spawnManager(args: string[], env: Record<string, string> = {}): Promise<Running> {
  const [probe, metrics] = [await freeLoopbackPort(), await freeLoopbackPort()];
  const child = spawn(
    process.execPath,
    [
      '--conditions=source',
      '--import',
      'tsx',
      fixture,
      `--health-probe-bind-address=127.0.0.1:${probe}`,
      `--metrics-bind-address=127.0.0.1:${metrics}`,
      ...args,
    ],
    {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: new URL('..', import.meta.url).pathname,
    },
  );
  children.push(child);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      resolve(code);
    }),
  );
  return { child, output: () => out, exited, probe, metrics };
}

const get = async (port: number, path: string) => {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, text: await res.text() };
};

describe('manager flags', () => {
  it('--help lists every flag and exits 0', async () => {
    const run = await spawnManager(['--help']);
    expect(await run.exited).toBe(0);
    for (const name of flagNames('widget-controller')) expect(run.output()).toContain(`--${name}`);
  });

  it('a bad flag value exits 2 naming the flag and what it accepts', async () => {
    const bad = await spawnManager(['--max-concurrent-reconciles=zero']);
    expect(await bad.exited).toBe(2);
    expect(bad.output()).toMatch(/--max-concurrent-reconciles: expected/);
    const unknown = await spawnManager(['--nope']);
    expect(await unknown.exited).toBe(2);
    expect(unknown.output()).toContain('unknown flag --nope');
  });
});

describe('manager process', () => {
  it('is not ready until its caches sync, then reconciles and exposes metrics', async () => {
    const cp = controlPlane();
    const run = await spawnManager([`--kubeconfig=${cp.kubeconfigPath}`, `--watch-namespace=${namespace()}`]);
    // The Widget CRD is not installed yet: the cache cannot list, so the replica is not ready.
    await eventually(
      async () =>
        (await get(run.probe, '/readyz').catch(() => undefined))?.status === 503 ? true : undefined,
      {
        timeoutMs: 20_000,
        what: '/readyz answering 503',
      },
    );
    expect((await get(run.probe, '/healthz')).status).toBe(200);
    await installCRDs(cp.kubeConfig, [widgetCRD]);
    await eventually(async () => ((await get(run.probe, '/readyz')).status === 200 ? true : undefined), {
      timeoutMs: 30_000,
      what: '/readyz answering 200',
    });
    const client = new KubeClient(cp.kubeConfig);
    await client.create(widgetResource, widget(namespace(), 'w'));
    await eventually(
      async () => {
        const w = await client.get<KubeObject>(widgetResource, { namespace: namespace(), name: 'w' });
        return (w.status as { reconciledBy?: string } | undefined)?.reconciledBy ? true : undefined;
      },
      { timeoutMs: 20_000, what: 'the widget reconciled' },
    );
    const metrics = (await get(run.metrics, '/metrics')).text;
    for (const name of [
      'controller_runtime_reconcile_total{controller="widget",result="success"}',
      'controller_runtime_reconcile_errors_total',
      'controller_runtime_reconcile_time_seconds',
      'workqueue_depth',
      'workqueue_adds_total',
      'workqueue_queue_duration_seconds',
      'workqueue_work_duration_seconds',
      'workqueue_retries_total',
      'rest_client_requests_total{code="200",verb="list"',
      'process_resident_memory_bytes',
    ]) {
      expect(metrics).toContain(name);
    }
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(run.output()).toContain('Manager stopped');
  });

  it('elects one leader; a killed leader is replaced after the lease expires, a stopped one at once', async () => {
    const cp = controlPlane();
    const ns = namespace();
    await installCRDs(cp.kubeConfig, [widgetCRD]);
    const args = [
      `--kubeconfig=${cp.kubeconfigPath}`,
      '--leader-elect',
      `--leader-election-namespace=${ns}`,
      '--leader-election-lease-duration=4s',
      '--leader-election-renew-deadline=3s',
      '--leader-election-retry-period=500ms',
      `--watch-namespace=${ns}`,
    ];
    const replicas = await Promise.all(['a', 'b', 'c'].map((r) => spawnManager(args, { REPLICA: r })));
    const leaders = () =>
      replicas.filter(
        (r) =>
          r.child.exitCode === null &&
          r.child.signalCode === null &&
          r.output().includes('successfully acquired lease'),
      );
    const client = new KubeClient(cp.kubeConfig);
    const reconciledBy = async (name: string) => {
      const w = await client.get<KubeObject>(widgetResource, { namespace: ns, name });
      return (w.status as { reconciledBy?: string } | undefined)?.reconciledBy;
    };

    const first = await eventually(() => (leaders().length === 1 ? leaders()[0] : undefined), {
      timeoutMs: 20_000,
      what: 'a leader',
    });
    await client.create(widgetResource, widget(ns, 'one'));
    const firstName = ['a', 'b', 'c'][replicas.indexOf(first)];
    expect(await eventually(() => reconciledBy('one'), { timeoutMs: 20_000, what: 'one reconciled' })).toBe(
      firstName,
    );
    expect(replicas.filter((r) => r.output().includes('Starting workers'))).toEqual([first]);

    const killedAt = Date.now();
    first.child.kill('SIGKILL');
    const second = await eventually(
      () => (leaders().length === 1 && !leaders().includes(first) ? leaders()[0] : undefined),
      {
        timeoutMs: 20_000,
        what: 'a second leader',
      },
    );
    const takeoverAfterKill = Date.now() - killedAt;
    expect(takeoverAfterKill).toBeLessThan(4_000 + 500 * 1.2 + 2_000);

    const stoppedAt = Date.now();
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    const third = await eventually(
      () => (leaders().length === 1 && ![first, second].includes(leaders()[0]!) ? leaders()[0] : undefined),
      {
        timeoutMs: 20_000,
        what: 'a third leader',
      },
    );
    const takeoverAfterStop = Date.now() - stoppedAt;
    expect(takeoverAfterStop).toBeLessThan(3_000);
    await client.create(widgetResource, widget(ns, 'two'));
    const thirdName = ['a', 'b', 'c'][replicas.indexOf(third)];
    expect(await eventually(() => reconciledBy('two'), { timeoutMs: 20_000, what: 'two reconciled' })).toBe(
      thirdName,
    );
    console.log(
      `leader takeover: after SIGKILL ${takeoverAfterKill} ms, after SIGTERM ${takeoverAfterStop} ms`,
    );
  }, 90_000);
});
