/**
 * The README's run command against someone's cluster: it names the cluster and writes nothing unless
 * told to; told to (`--apply`), it installs the CRDs, applies the examples and runs the five
 * controllers there, but never the workload simulator (that one fakes pods). And `run.sh stop` needs
 * nothing installed. The test control plane stands in for the user's cluster.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ApiextensionsV1Api,
  CoreV1Api,
  KubernetesObjectApi,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { useControlPlane } from '../src/vitest.js';

const root = new URL('../../..', import.meta.url).pathname;
const controlPlane = useControlPlane();

/**
 * `bash scripts/run.sh <args>`, its stdout and stderr as one text. It runs in a process group of its
 * own, ended whole after `timeoutMs` (killing bash alone would leave its build or demo running):
 * SIGTERM, so that turbo ends the tasks it runs in groups of their own, then SIGKILL 10 s later. The
 * controllers it starts are in groups of their own too and stay, for `run.sh stop`.
 */
function runScript(
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 120_000,
): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/bash', [join(root, 'scripts/run.sh'), ...args], {
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (chunk: Buffer) => (output += chunk.toString());
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const signalGroup = (signal: NodeJS.Signals) => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, signal);
      } catch {
        // the group is gone already
      }
    };
    const timers = [
      setTimeout(() => {
        signalGroup('SIGTERM');
      }, timeoutMs),
      setTimeout(() => {
        signalGroup('SIGKILL');
      }, timeoutMs + 10_000),
    ];
    const done = () => {
      timers.forEach(clearTimeout);
    };
    child.on('error', (err) => {
      done();
      reject(err);
    });
    child.on('close', (code, signal) => {
      done();
      resolve({ code: code ?? -1, output: signal ? `${output}\n(run.sh ended by ${signal})` : output });
    });
  });
}

describe('bash scripts/run.sh', () => {
  it('with a reachable KUBECONFIG and no --apply, names the cluster and writes nothing', async () => {
    const cp = controlPlane();
    const namespacesBefore = (await cp.kubeConfig.makeApiClient(CoreV1Api).listNamespace()).items.length;
    // stdin is not a terminal here, so nobody can say yes.
    const { code, output } = await runScript([], { ...process.env, KUBECONFIG: cp.kubeconfigPath });
    expect(output).toContain(cp.server);
    expect(output).toContain('nothing was written');
    expect(output).toContain('--apply');
    expect(code).toBe(0);
    const crds = await cp.kubeConfig.makeApiClient(ApiextensionsV1Api).listCustomResourceDefinition();
    expect(crds.items.map((c) => c.metadata?.name)).toEqual([]);
    expect((await cp.kubeConfig.makeApiClient(CoreV1Api).listNamespace()).items).toHaveLength(
      namespacesBefore,
    );
  });

  it('stop works with nothing but node on the PATH (no pnpm, no install, no build)', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'node-only-'));
    symlinkSync(process.execPath, join(bin, 'node'));
    symlinkSync('/usr/bin/dirname', join(bin, 'dirname'));
    const state = mkdtempSync(join(tmpdir(), 'no-control-plane-'));
    const { code, output } = await runScript(['stop'], {
      PATH: bin,
      HOME: process.env.HOME,
      // Its own state and pid folders, so the test never stops a developer's control plane.
      MCP_CONTROL_PLANE_STATE: state,
      MCP_RUN_DIR: join(state, 'run'),
    });
    expect(output).not.toContain('installing');
    expect(output).toContain('no control plane is running');
    expect(code).toBe(0);
  });
});

/** The five controllers the run command starts (scripts/lib/controllers.mjs names their pid files). */
const controllerNames = [
  'mcp-group-controller',
  'mcp-telemetry-controller',
  'mcp-entry-controller',
  'mcp-server-controller',
  'mcp-vmcp-controller',
];

interface Reconciled extends KubernetesObject {
  status?: { phase?: string; observedGeneration?: number; readyReplicas?: number };
}

interface Example {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
}

/** The objects of examples/*.yaml, as the run command applies them. */
function exampleObjects(): Example[] {
  const dir = join(root, 'examples');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => d.toJS() as unknown))
    .filter((o): o is Example => o !== null && typeof o === 'object');
}

/** Only what names an object: KubernetesObjectApi.read needs no more. */
const header = ({ apiVersion, kind, metadata: { name, namespace } }: Example) => ({
  apiVersion,
  kind,
  metadata: { name, ...(namespace ? { namespace } : {}) },
});

/** The CRD names the run command installs: one generated file each. */
function crdNames(): string[] {
  const dir = join(root, 'packages/api/generated/crds');
  return readdirSync(dir)
    .map((f) => (parseAllDocuments(readFileSync(join(dir, f), 'utf8'))[0]?.toJS() as Example).metadata.name)
    .sort();
}

/** Whether a process with this pid exists (and is not a zombie waiting to be reaped). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = `/proc/${String(pid)}/stat`;
  return !existsSync(stat) || !/^\d+ \(.*\) Z/.test(readFileSync(stat, 'utf8'));
}

describe('bash scripts/run.sh --apply against the cluster in KUBECONFIG', () => {
  // Whatever the test got to, the controllers it may have started are stopped after it.
  let stopWith: NodeJS.ProcessEnv | undefined;
  afterEach(async () => {
    if (stopWith) await runScript(['stop'], stopWith);
    stopWith = undefined;
  });

  it('runs the five controllers on the examples there and starts no simulator', async () => {
    const cp = controlPlane();
    const tmp = mkdtempSync(join(tmpdir(), 'run-apply-'));
    const runDir = join(tmp, 'run');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      KUBECONFIG: cp.kubeconfigPath,
      // Its own pid folder and control-plane state, so the test never touches a developer's.
      MCP_RUN_DIR: runDir,
      MCP_CONTROL_PLANE_STATE: join(tmp, 'control-plane'),
      // No kubelet and no simulator: the MCPServers never leave Pending, so the tables come after
      // this deadline, and the command exits 1 as it says.
      MCP_RUN_WAIT_S: '20',
    };
    stopWith = env;
    // It builds first: seconds when turbo's cache has every package, minutes on a busy machine when
    // not (hence the ceiling; the rest of the test takes about 40 s).
    const { code, output } = await runScript(['--apply'], env, 480_000);

    expect(output).toContain(`points at a reachable cluster: context`);
    expect(output).toContain(`server ${cp.server}`);
    expect(output).toContain(`Cluster: ${cp.server}`);
    expect(output).not.toContain('starting the local control plane');
    expect(output).toContain('Not everything was reconciled within 20 s');
    expect(code).toBe(1);

    // The CRDs, all of them created.
    const crds = await cp.kubeConfig.makeApiClient(ApiextensionsV1Api).listCustomResourceDefinition();
    expect(crds.items.map((c) => c.metadata?.name).sort()).toEqual(crdNames());
    expect(output).toContain(`CRDs: ${String(crdNames().length)} created, 0 updated, 0 left as they were`);

    // Every example object, as applied.
    const examples = exampleObjects();
    expect(output).toContain(`Applied ${String(examples.length)} example objects from examples/.`);
    const objects = KubernetesObjectApi.makeApiClient(cp.kubeConfig);
    for (const o of examples) {
      const read = await objects.read(header(o));
      expect(`${read.kind ?? ''}/${read.metadata?.name ?? ''}`).toBe(`${o.kind}/${o.metadata.name}`);
    }

    // The five controllers, running, each with its pid file in MCP_RUN_DIR.
    const pids = controllerNames.map((name) => Number(readFileSync(join(runDir, `${name}.pid`), 'utf8')));
    for (const [i, name] of controllerNames.entries()) {
      expect(output).toContain(`Started ${name} (pid ${String(pids[i])}`);
      expect(running(pids[i]!), name).toBe(true);
    }

    // The tables, with what the controllers could reach without pods: the groups Ready, no server
    // Ready.
    for (const title of [
      'MCPGroups',
      'MCPTelemetryConfigs',
      'MCPServerEntries',
      'MCPServers',
      'VirtualMCPServers',
    ])
      expect(output).toContain(`\n${title} (mcp-`);
    // A table row: namespace, name and phase, in the first three columns.
    const row = (o: Example, phase: string) =>
      new RegExp(`^${o.metadata.namespace ?? ''}\\s+${o.metadata.name}\\s+${phase}\\s`, 'm');
    const groups = examples.filter((o) => o.kind === 'MCPGroup');
    expect(groups.length).toBeGreaterThan(0);
    for (const o of groups) {
      const g = await objects.read<Reconciled>(header(o));
      expect(g.status?.phase, o.metadata.name).toBe('Ready');
      expect(output).toMatch(row(o, 'Ready'));
    }
    // No pod ever runs: a server valid as written waits in Pending (it is Ready on the local
    // control plane, with the simulator), one that is not is Failed; none is Ready.
    const servers = examples.filter((o) => o.kind === 'MCPServer');
    const phases: string[] = [];
    for (const o of servers) {
      const s = await objects.read<Reconciled>(header(o));
      expect(s.status?.observedGeneration, o.metadata.name).toBe(s.metadata?.generation);
      expect(s.status?.readyReplicas ?? 0, o.metadata.name).toBe(0);
      const phase = s.status?.phase ?? '-';
      expect(['Pending', 'Failed'], o.metadata.name).toContain(phase);
      expect(output).toMatch(row(o, phase));
      phases.push(phase);
    }
    expect(phases).toContain('Pending');

    // No simulator: it left no pid file or log, and no pod exists anywhere (only it creates pods).
    expect(readdirSync(runDir).sort()).toEqual(
      controllerNames.flatMap((name) => [`${name}.log`, `${name}.pid`]).sort(),
    );
    expect(output).not.toContain('workload simulator');
    const pods = await cp.kubeConfig.makeApiClient(CoreV1Api).listPodForAllNamespaces();
    expect(pods.items.map((p) => `${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`)).toEqual([]);

    // `run.sh stop` with the same environment stops them.
    const stopped = await runScript(['stop'], env);
    for (const [i, name] of controllerNames.entries()) {
      expect(stopped.output).toContain(`stopped ${name} (pid ${String(pids[i])})`);
      expect(running(pids[i]!), name).toBe(false);
      expect(existsSync(join(runDir, `${name}.pid`)), name).toBe(false);
    }
    expect(stopped.code).toBe(0);
    // Only when it passed: after a failure the controllers' logs stay there.
    rmSync(tmp, { recursive: true, force: true });
  }, 560_000);
});
