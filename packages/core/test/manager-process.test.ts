// The controller process under start-up failures, without a control plane: the fixture binary is
// spawned against a kubeconfig whose apiserver does not exist, or with a port already taken.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { freeLoopbackPort } from '@mcp-controllers/testkit';

const fixture = new URL('./fixtures/widget-manager.ts', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'manager-process-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const children: ChildProcess[] = [];
const servers: Server[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  for (const server of servers.splice(0)) server.close();
});

/** A kubeconfig whose apiserver is a loopback port nobody listens on. */
async function unreachableKubeconfig(): Promise<{ path: string; server: string }> {
  const server = `https://127.0.0.1:${await freeLoopbackPort()}`;
  const path = join(dir, `kubeconfig-${children.length}.yaml`);
  writeFileSync(
    path,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      `- name: nowhere\n  cluster:\n    server: ${server}\n    insecure-skip-tls-verify: true`,
      'users:',
      '- name: someone\n  user:\n    token: not-a-real-token',
      'contexts:',
      '- name: here\n  context:\n    cluster: nowhere\n    user: someone',
      'current-context: here',
      '',
    ].join('\n'),
  );
  return { path, server };
}

function spawnFixture(args: string[]) {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', fixture, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: new URL('..', import.meta.url).pathname,
    env: { ...process.env, KUBECONFIG: '' },
  });
  children.push(child);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      resolve(code);
    }),
  );
  return { child, exited, output: () => out };
}

/** Whether the process is still running `ms` after now (an observation window, not a sync point). */
function stillRunningAfter(exited: Promise<number | null>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    exited.then(() => false),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => {
        resolve(true);
      }, ms);
    }),
  ]).finally(() => {
    clearTimeout(timer);
  });
}

/** Resolves with the first log line matching `match`; rejects if the process exits first. */
function logLine(
  run: ReturnType<typeof spawnFixture>,
  match: (line: Record<string, unknown>) => boolean,
): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const line = logLines(run.output()).find(match);
      if (line) resolve(line);
    };
    run.child.stdout.on('data', check);
    check();
    void run.exited.then((code) => {
      check();
      reject(new Error(`exited with ${code} first:\n${run.output()}`));
    });
  });
}

const logLines = (out: string) =>
  out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('controller process', () => {
  it('stays up with probes and metrics off while the apiserver is unreachable; SIGTERM exits 0', async () => {
    const kubeconfig = await unreachableKubeconfig();
    const run = spawnFixture([
      `--kubeconfig=${kubeconfig.path}`,
      '--metrics-bind-address=0',
      '--health-probe-bind-address=0',
    ]);
    // Old failure: the process exited 0 right after its first "retrying with backoff".
    await logLine(run, (l) => l.level === 'warn' && String(l.msg).includes('retrying with backoff'));
    expect(await stillRunningAfter(run.exited, 5_000)).toBe(true);
    const lines = logLines(run.output());
    // The start-up line names the apiserver and where its address came from.
    expect(lines.find((l) => l.msg === 'Starting manager')).toMatchObject({
      apiserver: kubeconfig.server,
      kubeconfig: `--kubeconfig ${kubeconfig.path}`,
    });
    // It did try, and its retry warnings are plain network errors: no stack traces.
    const retries = lines.filter((l) => l.level === 'warn');
    expect(retries.length).toBeGreaterThan(0);
    expect(retries.every((l) => (l.err as { stack?: string } | undefined)?.stack === undefined)).toBe(true);
    expect(run.output()).toContain('ECONNREFUSED');
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(run.output()).toContain('Manager stopped');
  }, 60_000);

  it('a metrics port already in use is reported as such and exits 1, not as a bug', async () => {
    const kubeconfig = await unreachableKubeconfig();
    const taken = createServer();
    servers.push(taken);
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const address = `127.0.0.1:${(taken.address() as { port: number }).port}`;
    const run = spawnFixture([
      `--kubeconfig=${kubeconfig.path}`,
      `--metrics-bind-address=${address}`,
      '--health-probe-bind-address=0',
    ]);
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain(
      `--metrics-bind-address ${address}: address already in use; pick another port or 0 to disable`,
    );
    expect(run.output()).not.toContain('this is a bug');
    expect(run.output()).not.toContain('"stack"');
  }, 60_000);

  it('--kube-api-qps and --kube-api-burst are validated and reach the start-up line', async () => {
    const bad = spawnFixture(['--kube-api-burst=0']);
    expect(await bad.exited).toBe(2);
    expect(bad.output()).toMatch(/--kube-api-burst: expected at least 1/);
    const kubeconfig = await unreachableKubeconfig();
    const run = spawnFixture([
      `--kubeconfig=${kubeconfig.path}`,
      '--metrics-bind-address=0',
      '--health-probe-bind-address=0',
      '--kube-api-qps=50',
      '--kube-api-burst=100',
    ]);
    const started = await logLine(run, (l) => l.msg === 'Starting manager');
    expect(started).toMatchObject({ kubeApiQps: 50, kubeApiBurst: 100 });
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  }, 60_000);
});
