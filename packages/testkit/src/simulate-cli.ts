/**
 * The workload simulator (`simulator.ts`) as a background process, for the run command:
 *
 *   node packages/testkit/dist/simulate-cli.js start --kubeconfig <path> [--run-dir <dir>]
 *        [--namespace <ns>]... [--log-level debug|info|warn] [--i-know-this-is-not-a-real-cluster]
 *   node packages/testkit/dist/simulate-cli.js stop [--run-dir <dir>]
 *   node packages/testkit/dist/simulate-cli.js status [--run-dir <dir>]
 *   node packages/testkit/dist/simulate-cli.js serve ...   (the same flags as start, in the foreground)
 *
 * `start` replaces a simulator already running from the same run dir, spawns a detached `serve` whose
 * JSON log lines go to `<run-dir>/workload-simulator.log`, and returns 0 once it is watching (it has
 * written its pid to `<run-dir>/workload-simulator.pid`), or 1 with the log when it exits first
 * (exit 2 for bad arguments). The run dir defaults to `MCP_RUN_DIR` or `.run/` at the repository root,
 * where the run command keeps the controllers' pid files (a plain pid, like theirs). `stop` sends
 * SIGTERM (the simulator finishes the reconciles in flight), SIGKILL after 10 s, and removes the pid
 * file; it is a no-op when none runs.
 *
 * Safety: the simulator creates Pods and fakes their status, so it refuses a cluster that is not the
 * local control plane (server URL not loopback, or any Node object exists); only
 * `--i-know-this-is-not-a-real-cluster` skips that check.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { pidAlive } from './processes.js';
import { startWorkloadSimulator, type SimulatorLog } from './simulator.js';

const usage =
  'usage: simulate-cli.js start|serve --kubeconfig <path> [--run-dir <dir>] [--namespace <ns>]... ' +
  '[--log-level debug|info|warn] [--i-know-this-is-not-a-real-cluster]\n' +
  '       simulate-cli.js stop|status [--run-dir <dir>]\n';
const name = 'workload-simulator';

interface Flags {
  kubeconfig?: string;
  runDir: string;
  namespaces: string[];
  logLevel: 'debug' | 'info' | 'warn';
  allowAnyCluster: boolean;
}

function parseFlags(args: string[]): Flags {
  const { values } = parseArgs({
    args,
    options: {
      kubeconfig: { type: 'string' },
      'run-dir': { type: 'string' },
      namespace: { type: 'string', multiple: true },
      'log-level': { type: 'string' },
      'i-know-this-is-not-a-real-cluster': { type: 'boolean' },
    },
  });
  const logLevel = values['log-level'] ?? 'info';
  if (logLevel !== 'debug' && logLevel !== 'info' && logLevel !== 'warn') {
    throw new Error(`--log-level must be debug, info or warn, not '${logLevel}'`);
  }
  const kubeconfig = values.kubeconfig ?? process.env.KUBECONFIG;
  return {
    ...(kubeconfig ? { kubeconfig } : {}),
    runDir:
      values['run-dir'] ??
      process.env.MCP_RUN_DIR ??
      fileURLToPath(new URL('../../../.run', import.meta.url)),
    namespaces: values.namespace ?? [],
    logLevel,
    allowAnyCluster: values['i-know-this-is-not-a-real-cluster'] ?? false,
  };
}

const pidFile = (flags: Flags) => join(flags.runDir, `${name}.pid`);
const logFile = (flags: Flags) => join(flags.runDir, `${name}.log`);

function runningPid(flags: Flags): number | undefined {
  if (!existsSync(pidFile(flags))) return undefined;
  const pid = Number(readFileSync(pidFile(flags), 'utf8'));
  return Number.isInteger(pid) && pid > 0 && pidAlive(pid) ? pid : undefined;
}

/** JSON lines in the controllers' shape (level as a word, ISO time), on stdout. */
function jsonLog(level: Flags['logLevel']): SimulatorLog {
  const rank = { debug: 0, info: 1, warn: 2 };
  const line = (at: Flags['logLevel']) => (fields: object, msg: string) => {
    if (rank[at] < rank[level]) return;
    process.stdout.write(
      `${JSON.stringify({ level: at, time: new Date().toISOString(), name, ...fields, msg })}\n`,
    );
  };
  return { debug: line('debug'), info: line('info'), warn: line('warn') };
}

async function serve(flags: Flags): Promise<number> {
  if (!flags.kubeconfig) {
    process.stderr.write(`no kubeconfig: pass --kubeconfig or set KUBECONFIG\n${usage}`);
    return 2;
  }
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(flags.kubeconfig);
  const log = jsonLog(flags.logLevel);
  const sim = await startWorkloadSimulator({
    kubeConfig,
    log,
    allowAnyCluster: flags.allowAnyCluster,
    ...(flags.namespaces.length > 0 ? { namespaces: flags.namespaces } : {}),
  });
  mkdirSync(flags.runDir, { recursive: true });
  writeFileSync(pidFile(flags), String(process.pid));
  // The simulator's own timers do not hold the process open (it is a library too): this does, so a
  // watch waiting to reconnect while the apiserver restarts does not end the process.
  const keepAlive = setInterval(() => undefined, 60_000);
  const shutdown = () => {
    clearInterval(keepAlive);
    void sim.stop().finally(() => {
      if (runningPid(flags) === process.pid) rmSync(pidFile(flags), { force: true });
      process.exit(0);
    });
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  process.on('SIGHUP', shutdown);
  return 0;
}

async function start(flags: Flags, args: string[]): Promise<number> {
  if (!flags.kubeconfig) {
    process.stderr.write(`no kubeconfig: pass --kubeconfig or set KUBECONFIG\n${usage}`);
    return 2;
  }
  await stop(flags, true);
  mkdirSync(flags.runDir, { recursive: true });
  const out = openSync(logFile(flags), 'w');
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), 'serve', ...args], {
    detached: true,
    stdio: ['ignore', out, out],
    env: { ...process.env, KUBECONFIG: flags.kubeconfig, MCP_RUN_DIR: flags.runDir },
  });
  child.unref();
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.pid !== undefined && runningPid(flags) === child.pid) {
      process.stderr.write(
        `workload simulator running (pid ${child.pid}, log ${logFile(flags)}); stop it with: node ${fileURLToPath(import.meta.url)} stop --run-dir ${flags.runDir}\n`,
      );
      return 0;
    }
    if (child.pid === undefined || !pidAlive(child.pid) || Date.now() > deadline) {
      if (child.pid !== undefined && pidAlive(child.pid)) process.kill(child.pid, 'SIGKILL');
      process.stderr.write(
        `the workload simulator did not start:\n${readFileSync(logFile(flags), 'utf8')}\n`,
      );
      return 1;
    }
    await sleep(100);
  }
}

async function stop(flags: Flags, quiet = false): Promise<number> {
  const pid = runningPid(flags);
  if (pid === undefined) {
    if (!quiet) process.stderr.write('no workload simulator is running\n');
  } else {
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + 10_000;
    while (pidAlive(pid) && Date.now() < deadline) await sleep(100);
    if (pidAlive(pid)) process.kill(pid, 'SIGKILL');
    process.stderr.write(`stopped the workload simulator (pid ${pid})\n`);
  }
  rmSync(pidFile(flags), { force: true });
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(usage);
    return 0;
  }
  let flags: Flags;
  try {
    flags = parseFlags(args);
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n${usage}`);
    return 2;
  }
  switch (command) {
    case 'start':
      return start(flags, args);
    case 'serve':
      return serve(flags);
    case 'stop':
      return stop(flags);
    case 'status': {
      const pid = runningPid(flags);
      process.stdout.write(pid ? `running (pid ${pid})\n` : 'stopped\n');
      return 0;
    }
    default:
      process.stderr.write(command ? `unknown command '${command}'\n${usage}` : usage);
      return 2;
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  // The local-control-plane guard, an unreadable kubeconfig, an apiserver that does not answer: the
  // message says which.
  process.stderr.write(`workload simulator: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
