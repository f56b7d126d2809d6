/**
 * Child processes of the control plane that cannot outlive the test process.
 *
 * Three layers, because each covers a case the others miss:
 * - `setpriv --pdeathsig SIGKILL`: the kernel kills the child when the spawning process dies, even
 *   by SIGKILL or a crash, where no JavaScript runs any more;
 * - an `exit` hook that SIGKILLs every live child synchronously (a test file that throws, a
 *   `process.exit` somewhere);
 * - `stop()` for the orderly path: SIGTERM, then SIGKILL after a grace period, resolved only once the
 *   process has really exited.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, closeSync } from 'node:fs';

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  readonly exited: Promise<number | string>;
  isRunning(): boolean;
  stop(graceMs?: number): Promise<void>;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) {
      try {
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

const pdeathsig = existsSync('/usr/bin/setpriv') ? ['/usr/bin/setpriv', '--pdeathsig', 'SIGKILL', '--'] : [];

/**
 * Spawns `command` with stdout and stderr appended to `logFile`, under `setpriv --pdeathsig SIGKILL`
 * where it exists (the kernel kills the child when this process dies). The caller owns the child: for
 * the other two layers, use `startProcess`.
 */
export function spawnLogged(
  command: string,
  args: readonly string[],
  logFile: string,
  env: NodeJS.ProcessEnv = process.env,
): ChildProcess {
  const [file, ...rest] = [...pdeathsig, command, ...args];
  const log = openSync(logFile, 'a');
  try {
    return spawn(file!, rest, { stdio: ['ignore', log, log], env });
  } finally {
    closeSync(log);
  }
}

export function startProcess(
  name: string,
  command: string,
  args: string[],
  logFile: string,
  env: NodeJS.ProcessEnv = process.env,
): ManagedProcess {
  installExitHook();
  const child = spawnLogged(command, args, logFile, env);
  if (child.pid === undefined) throw new Error(`could not start ${name} (${command}); see ${logFile}`);
  live.add(child);
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      resolve(code ?? signal ?? 'unknown');
    });
    child.once('error', () => {
      live.delete(child);
      resolve('spawn-error');
    });
  });
  const isRunning = () => child.exitCode === null && child.signalCode === null;
  return {
    name,
    pid: child.pid,
    logFile,
    exited,
    isRunning,
    async stop(graceMs = 5_000) {
      if (!isRunning()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** True while a process with this PID exists (zombies included until reaped). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
