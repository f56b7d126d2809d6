/**
 * A controller's footprint as a platform team would see it: its built binary started as its own
 * process, against a cluster that has the CRDs and nothing else.
 *
 * - `startControllerProcess()` spawns `node <main>` (no leader election, probes and metrics on free
 *   loopback ports) and gives its readiness, `/metrics`, resident set and log.
 * - `measureFootprint()` times spawn -> first `/readyz` 200, lets it idle, then reads the resident
 *   set (`VmRSS` of `/proc/<pid>/status`, so Linux only) and the V8 heap in use (prom-client's
 *   `nodejs_heap_size_used_bytes`, garbage not yet collected included). It stops the process before
 *   returning, also on failure; it throws, with the controller's last output, when the process exits
 *   early or is not ready in time: figures of a process that did not start mean nothing.
 * - `isolatedBundle()` copies a bundle where no node_modules is reachable, to prove it standalone.
 * - `footprintLines()` turns figures into PASS/MISS lines against the goals (pure, unit tested);
 *   `printFootprint()` is what each controller's `pnpm bench` prints.
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { httpGet, logTail } from './local-http.js';
import { freeLoopbackPort } from './ports.js';
import { startProcess } from './processes.js';

export interface Footprint {
  /** Spawn to the first `/readyz` 200, in ms (polled every 10 ms, so up to 10 ms late). */
  readyMs: number;
  /** Resident set after the idle period, in bytes. */
  rssBytes: number;
  /** V8 heap in use after the idle period, in bytes. */
  heapUsedBytes: number;
}

export interface FootprintGoals {
  rssBytes: number;
  readyMs: number;
}

/** Issue 12's goals for one micro-controller: idle RSS <= 70 MB, ready <= 1 s on an empty cluster. */
export const footprintGoals: FootprintGoals = { rssBytes: 70 * 1024 * 1024, readyMs: 1_000 };

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** The figures as lines for a benchmark's output: PASS/MISS against the goals, heap for information. */
export function footprintLines(
  name: string,
  footprint: Footprint,
  goals: FootprintGoals = footprintGoals,
): string[] {
  const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');
  return [
    `${verdict(footprint.rssBytes <= goals.rssBytes)} ${name} idle RSS ${mb(footprint.rssBytes)} (goal <= ${mb(goals.rssBytes)})`,
    `${verdict(footprint.readyMs <= goals.readyMs)} ${name} ready ${Math.round(footprint.readyMs)} ms after start (goal <= ${goals.readyMs} ms)`,
    `     ${name} idle heap used ${mb(footprint.heapUsedBytes)}`,
  ];
}

/** `VmRSS` of a `/proc/<pid>/status` text, in bytes; undefined when absent (process gone). */
export function parseVmRss(status: string): number | undefined {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  return match ? Number(match[1]) * 1024 : undefined;
}

/** A sample of a Prometheus text exposition without labels, e.g. `nodejs_heap_size_used_bytes`. */
export function metricValue(exposition: string, name: string): number | undefined {
  const match = new RegExp(`^${name}(?:\\{\\})? (\\S+)`, 'm').exec(exposition);
  return match ? Number(match[1]) : undefined;
}

export interface ControllerProcessOptions {
  /** Path of the controller's entry point, e.g. `packages/group-controller/dist/main.mjs`. */
  main: string;
  /** Admin kubeconfig of the cluster, passed as `--kubeconfig`. */
  kubeconfigPath: string;
  /** Node flags before `main`; default `--enable-source-maps`, as the image starts it. */
  nodeArgs?: string[];
  /** Extra controller flags (after ours, so they win). */
  args?: string[];
}

/** A controller binary running as its own process, probes and metrics on free loopback ports. */
export interface ControllerProcess {
  readonly pid: number;
  readonly logFile: string;
  /** `performance.now()` just before the spawn. */
  readonly startedAt: number;
  isRunning(): boolean;
  /** Resolves with the time from spawn to the first `/readyz` 200; throws with the log on exit or timeout. */
  ready(timeoutMs?: number): Promise<number>;
  /** The `/metrics` exposition. */
  metrics(): Promise<string>;
  /** Resident set now, in bytes. */
  rssBytes(): Promise<number>;
  /** The last lines of the process's output. */
  log(): Promise<string>;
  /** SIGTERM, SIGKILL after 5 s; removes the log. Idempotent. */
  stop(): Promise<void>;
}

export async function startControllerProcess(options: ControllerProcessOptions): Promise<ControllerProcess> {
  const [healthPort, metricsPort] = [await freeLoopbackPort(), await freeLoopbackPort()];
  const logDir = await mkdtemp(join(tmpdir(), 'mcp-controller-process-'));
  const logFile = join(logDir, 'controller.log');
  const startedAt = performance.now();
  const proc = startProcess(
    'controller',
    process.execPath,
    [
      ...(options.nodeArgs ?? ['--enable-source-maps']),
      options.main,
      `--kubeconfig=${options.kubeconfigPath}`,
      '--leader-elect=false',
      `--health-probe-bind-address=127.0.0.1:${healthPort}`,
      `--metrics-bind-address=127.0.0.1:${metricsPort}`,
      '--log-level=error',
      ...(options.args ?? []),
    ],
    logFile,
  );
  const log = () => logTail(logFile);
  return {
    pid: proc.pid,
    logFile,
    startedAt,
    isRunning: () => proc.isRunning(),
    async ready(timeoutMs = 30_000) {
      for (;;) {
        if (!proc.isRunning()) {
          throw new Error(`${options.main} exited before it was ready; its output:\n${await log()}`);
        }
        if (performance.now() - startedAt > timeoutMs) {
          throw new Error(
            `${options.main} was not ready within ${timeoutMs} ms; its output:\n${await log()}`,
          );
        }
        const readyz = await httpGet(`http://127.0.0.1:${healthPort}/readyz`).catch(() => undefined);
        if (readyz?.status === 200) return performance.now() - startedAt;
        await sleep(10);
      }
    },
    async metrics() {
      return (await httpGet(`http://127.0.0.1:${metricsPort}/metrics`)).body;
    },
    async rssBytes() {
      const rss = parseVmRss(await readFile(`/proc/${proc.pid}/status`, 'utf8'));
      if (rss === undefined) throw new Error(`no VmRSS for pid ${proc.pid}: is it a zombie?`);
      return rss;
    },
    log,
    async stop() {
      await proc.stop();
      await rm(logDir, { recursive: true, force: true });
    },
  };
}

export interface FootprintOptions extends ControllerProcessOptions {
  /** How long the controller idles after ready before RSS and heap are read; default 5 s. */
  idleMs?: number;
  /** Give up when /readyz is not 200 by then; default 30 s. */
  readyTimeoutMs?: number;
}

export async function measureFootprint(options: FootprintOptions): Promise<Footprint> {
  const controller = await startControllerProcess(options);
  try {
    const readyMs = await controller.ready(options.readyTimeoutMs);
    // Idle is what is measured: a fixed wait, not synchronisation.
    await sleep(options.idleMs ?? 5_000);
    const rssBytes = await controller.rssBytes();
    const heapUsedBytes = metricValue(await controller.metrics(), 'nodejs_heap_size_used_bytes');
    if (heapUsedBytes === undefined) {
      throw new Error(`${options.main}: no nodejs_heap_size_used_bytes on /metrics`);
    }
    return { readyMs, rssBytes, heapUsedBytes };
  } finally {
    await controller.stop();
  }
}

/**
 * Copies a built bundle (`main.mjs` and its `.map`) into a fresh folder under the system temp dir, where
 * no node_modules is reachable: a dependency left external fails to resolve there. Throws when the
 * temp dir has a node_modules above it (the proof would be void) or the bundle is not built.
 */
export async function isolatedBundle(distDir: string): Promise<{ main: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'mcp-bundle-'));
  for (let up = dir; ; up = dirname(up)) {
    if (existsSync(join(up, 'node_modules'))) {
      throw new Error(`${join(up, 'node_modules')} exists: a bundle run from ${dir} could still use it`);
    }
    if (dirname(up) === up) break;
  }
  if (!existsSync(join(distDir, 'main.mjs'))) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`${join(distDir, 'main.mjs')} is missing: build the controller first (pnpm build)`);
  }
  const main = join(dir, 'main.mjs');
  await copyFile(join(distDir, 'main.mjs'), main);
  await copyFile(join(distDir, 'main.mjs.map'), join(dir, 'main.mjs.map'));
  return { main, remove: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * What `pnpm bench` prints for a controller: its built binary started twice against a cluster that
 * has the CRDs and nothing else. The first start also pays for the apiserver serving each new CRD
 * for the first time, so it is printed for information and the second is held against the goals.
 */
export async function printFootprint(name: string, main: string, kubeconfigPath: string): Promise<void> {
  const first = await measureFootprint({ main, kubeconfigPath, idleMs: 1_000 });
  const footprint = await measureFootprint({ main, kubeconfigPath });
  console.log(`${name} footprint (node --enable-source-maps ${main}, empty cluster):`);
  for (const line of footprintLines(name, footprint)) console.log(`  ${line}`);
  console.log(
    `       ${name} first start after the CRDs were installed: ready in ${Math.round(first.readyMs)} ms`,
  );
}
