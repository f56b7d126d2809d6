/**
 * The five controllers as the product ships them: each built `dist/main.mjs` run as its own process
 * (`node --enable-source-maps`) against the control plane's admin kubeconfig, with leader election on
 * as the charts default, probes and metrics on free loopback ports, its output in a log file.
 *
 * Faults: `kill9()` is SIGKILL (no shutdown, no lease release: a replacement waits for the Lease to
 * expire); `restart()` starts a new process for the same controller. Every process started here is
 * stopped by `stopAll()` (SIGTERM, SIGKILL after 10 s) and killed by the kernel if this process dies
 * (`setpriv --pdeathsig`), so none outlives the test file. A process that exits without having been
 * killed or stopped here is recorded in `unexpectedExits()` with the tail of its log: a test asserts
 * that list is empty (a controller that crashed is a finding). One that exited because it lost its
 * Lease did the right thing when the apiserver was away or too slow to renew it: with `onLeaseLost`
 * it is handed to that callback (which restarts it, as the kubelet would) and listed in `lostLeases()`.
 *
 * Failure modes: a missing `dist/main.mjs` throws at `start()` saying to build first; a process that
 * exits before `/readyz` answers 200, or is not ready within the deadline, throws with its log tail.
 */
import type { ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  eventually,
  freeLoopbackPort,
  httpGet,
  logTail,
  spawnLogged,
  type SimulatorLog,
} from '@mcp-controllers/testkit';

export const controllerNames = ['group', 'telemetry', 'entry', 'server', 'vmcp'] as const;
export type ControllerName = (typeof controllerNames)[number];

const packagesDir = fileURLToPath(new URL('../..', import.meta.url));
export const mainOf = (name: ControllerName): string => join(packagesDir, `${name}-controller/dist/main.mjs`);

/**
 * Short leases so a replacement of a killed leader takes over within seconds, yet long enough that a
 * loaded machine (the CI runs next to this) does not make a live leader miss its renewals.
 */
export const leaseFlags = [
  '--leader-election-lease-duration=8s',
  '--leader-election-renew-deadline=6s',
  '--leader-election-retry-period=1s',
];

export interface ControllerProcess {
  readonly name: ControllerName;
  readonly pid: number;
  readonly logFile: string;
  isRunning(): boolean;
  /** The `/metrics` exposition. */
  metrics(): Promise<string>;
  /** True when `leader_election_master_status` is 1. */
  isLeader(): Promise<boolean>;
  /** SIGKILL; resolves once the process is gone. */
  kill9(): Promise<void>;
  /** SIGTERM, SIGKILL after 10 s; resolves once the process is gone. */
  stop(): Promise<void>;
}

function logTailSync(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Sum of `rest_client_requests_total` over the write verbs (create, update, patch, delete). */
export function writeRequests(exposition: string): number {
  let total = 0;
  for (const line of exposition.split('\n')) {
    if (!line.startsWith('rest_client_requests_total{')) continue;
    if (!/verb="(create|update|patch|delete)"/.test(line)) continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

/** The workload simulator's info and warn lines, as JSON lines appended to `file`. */
export function simulatorFileLog(file: string): SimulatorLog {
  const write = (level: string) => (fields: object, message: string) => {
    appendFileSync(file, `${JSON.stringify({ level, message, ...fields })}\n`);
  };
  return { debug: () => undefined, info: write('info'), warn: write('warn') };
}

class PortTakenError extends Error {
  constructor(readonly pid: number) {
    super(`pid ${pid}: a port it was given was taken before it could bind it`);
  }
}

export interface ControllersOptions {
  /**
   * Called for a process that exited because it lost its Lease (the apiserver away or too slow for a
   * renewal), instead of recording the exit as unexpected: a pod's container would be restarted.
   */
  onLeaseLost?: (name: ControllerName, kubeconfigPath: string) => void;
}

export class Controllers {
  private readonly live = new Set<ChildProcess>();
  private readonly expectedExit = new WeakSet<ChildProcess>();
  private readonly exits: string[] = [];
  private readonly leaseLosses: string[] = [];
  private readonly handles = new Set<ControllerProcess>();
  private started = 0;

  constructor(
    private readonly kubeconfigPath: string,
    private readonly logDir: string,
    private readonly options: ControllersOptions = {},
  ) {
    process.on('exit', this.killAllSync);
  }

  private readonly killAllSync = (): void => {
    for (const child of this.live) child.kill('SIGKILL');
  };

  /** Processes that exited without `kill9()` or `stop()`, with their log tails. */
  unexpectedExits(): string[] {
    return [...this.exits];
  }

  /** Processes that exited because they lost their Lease and were handed to `onLeaseLost`. */
  lostLeases(): string[] {
    return [...this.leaseLosses];
  }

  /** The replicas of `name` still running. */
  replicas(name: ControllerName): ControllerProcess[] {
    return [...this.handles].filter((c) => c.name === name && c.isRunning());
  }

  /** Resolves with the replica of `name` that holds its Lease, whichever it is, once one does. */
  async leader(name: ControllerName, timeoutMs = 45_000): Promise<ControllerProcess> {
    const leads = (c: ControllerProcess) => c.isLeader().catch(() => false);
    return eventually(
      async () => {
        for (const replica of this.replicas(name)) if (await leads(replica)) return replica;
        return undefined;
      },
      { timeoutMs, intervalMs: 200, what: `a ${name} controller leading` },
    );
  }

  /** Stops every running replica of `name` (SIGTERM: a leader hands its Lease over). */
  async stopReplicas(name: ControllerName): Promise<void> {
    await Promise.all(this.replicas(name).map((c) => c.stop()));
  }

  /**
   * Starts one replica and resolves once its `/readyz` answers 200. A free port can be taken by
   * another process between our look and the controller's bind: then it starts again on new ports.
   */
  async start(
    name: ControllerName,
    extraArgs: string[] = [],
    kubeconfigPath = this.kubeconfigPath,
  ): Promise<ControllerProcess> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.startOnce(name, extraArgs, kubeconfigPath);
      } catch (err) {
        if (!(err instanceof PortTakenError) || attempt >= 3) throw err;
        const gone = this.exits.findIndex((exit) => exit.startsWith(`${name} (pid ${err.pid})`));
        if (gone >= 0) this.exits.splice(gone, 1);
      }
    }
  }

  private async startOnce(
    name: ControllerName,
    extraArgs: string[],
    kubeconfigPath: string,
  ): Promise<ControllerProcess> {
    const main = mainOf(name);
    if (!existsSync(main)) {
      throw new Error(`${main} is missing: build the controllers first (pnpm turbo run build)`);
    }
    const [healthPort, metricsPort] = [await freeLoopbackPort(), await freeLoopbackPort()];
    const logFile = join(this.logDir, `${name}-${++this.started}.log`);
    const args = [
      '--enable-source-maps',
      main,
      `--kubeconfig=${kubeconfigPath}`,
      '--leader-elect=true',
      ...leaseFlags,
      `--health-probe-bind-address=127.0.0.1:${healthPort}`,
      `--metrics-bind-address=127.0.0.1:${metricsPort}`,
      `--log-level=${process.env.MCP_E2E_LOG_LEVEL ?? 'info'}`,
      ...extraArgs,
    ];
    const child = spawnLogged(process.execPath, args, logFile);
    const pid = child.pid;
    if (pid === undefined) throw new Error(`could not start ${main}; see ${logFile}`);
    this.live.add(child);
    const exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        this.live.delete(child);
        if (!this.expectedExit.has(child)) {
          // Synchronously, so that a test reading the exits right after seeing the process gone finds it.
          const tail = logTailSync(logFile, 15);
          if (this.options.onLeaseLost && tail.includes('leader election lost')) {
            this.leaseLosses.push(`${name} (pid ${pid})`);
            this.options.onLeaseLost(name, kubeconfigPath);
          } else {
            this.exits.push(`${name} (pid ${pid}) exited with ${code ?? signal}:\n${tail}`);
          }
        }
        resolve();
      });
    });
    const isRunning = () => child.exitCode === null && child.signalCode === null;
    const end = async (signal: 'SIGKILL' | 'SIGTERM') => {
      this.expectedExit.add(child);
      if (!isRunning()) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    };
    const controller: ControllerProcess = {
      name,
      pid,
      logFile,
      isRunning,
      metrics: async () => (await httpGet(`http://127.0.0.1:${metricsPort}/metrics`, 5_000)).body,
      isLeader: async () =>
        /^leader_election_master_status\{[^}]*\} 1$/m.test(
          (await httpGet(`http://127.0.0.1:${metricsPort}/metrics`, 5_000)).body,
        ),
      kill9: () => end('SIGKILL'),
      stop: () => end('SIGTERM'),
    };
    this.handles.add(controller);
    const outcome = await eventually(
      async () => {
        if (!isRunning()) return 'exited';
        const readyz = await httpGet(`http://127.0.0.1:${healthPort}/readyz`, 5_000).catch(() => undefined);
        return readyz?.status === 200 ? 'ready' : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 100, what: `${name} controller ready (log ${logFile})` },
    ).catch(async (err: unknown) => {
      await controller.kill9();
      throw err;
    });
    if (outcome === 'exited') {
      const output = await logTail(logFile, 40);
      if (output.includes('address already in use')) throw new PortTakenError(pid);
      throw new Error(`${main} exited before it was ready; its output:\n${output}`);
    }
    return controller;
  }

  /** Stops every process started here, in parallel. */
  async stopAll(): Promise<void> {
    await Promise.all([...this.handles].map((c) => c.stop()));
    this.killAllSync();
    process.off('exit', this.killAllSync);
  }
}
