/**
 * `pnpm control-plane up|down|env|status`: a local control plane that outlives the command.
 *
 * `up` starts a small detached supervisor (`serve`) that owns etcd and the apiserver; the components
 * die with it (pdeathsig), and `down` stops it with SIGTERM. State lives in `.control-plane/` at the
 * repository root (or MCP_CONTROL_PLANE_STATE).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { startControlPlane } from './control-plane.js';
import { pidAlive } from './processes.js';

interface State {
  supervisorPid: number;
  kubeconfigPath: string;
  server: string;
  pids: number[];
}

const stateDir =
  process.env.MCP_CONTROL_PLANE_STATE ?? fileURLToPath(new URL('../../../.control-plane', import.meta.url));
const stateFile = join(stateDir, 'state.json');
const supervisorLog = join(stateDir, 'supervisor.log');

function readState(): State | undefined {
  if (!existsSync(stateFile)) return undefined;
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as State;
  return pidAlive(state.supervisorPid) ? state : undefined;
}

function printEnv(state: State): void {
  process.stdout.write(`export KUBECONFIG=${state.kubeconfigPath}\n`);
}

async function up(): Promise<number> {
  const running = readState();
  if (running) {
    process.stderr.write(`control plane already running at ${running.server}\n`);
    printEnv(running);
    return 0;
  }
  mkdirSync(stateDir, { recursive: true });
  rmSync(stateFile, { force: true });
  const log = openSync(supervisorLog, 'w');
  const supervisor = spawn(process.execPath, [fileURLToPath(import.meta.url), 'serve'], {
    detached: true,
    stdio: ['ignore', log, log],
    env: process.env,
  });
  supervisor.unref();
  process.stderr.write('starting etcd and kube-apiserver (the first run may build them, ~5 min)...\n');
  for (;;) {
    const state = readState();
    if (state) {
      process.stderr.write(`control plane ready at ${state.server}; stop it with: pnpm control-plane down\n`);
      printEnv(state);
      return 0;
    }
    if (supervisor.pid === undefined || !pidAlive(supervisor.pid)) {
      process.stderr.write(`the control plane did not start:\n${readFileSync(supervisorLog, 'utf8')}\n`);
      return 1;
    }
    await sleep(200);
  }
}

async function serve(): Promise<void> {
  const controlPlane = await startControlPlane({ dir: join(stateDir, 'cluster'), keepDir: true });
  const state: State = {
    supervisorPid: process.pid,
    kubeconfigPath: controlPlane.kubeconfigPath,
    server: controlPlane.server,
    pids: controlPlane.pids(),
  };
  writeFileSync(stateFile, JSON.stringify(state, null, 2));
  process.stdout.write(`ready: ${JSON.stringify(state)}\n`);
  const shutdown = () => {
    void controlPlane.stop().finally(() => {
      rmSync(stateFile, { force: true });
      rmSync(join(stateDir, 'cluster', 'etcd-data'), { recursive: true, force: true });
      process.exit(0);
    });
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  process.on('SIGHUP', shutdown);
}

async function down(): Promise<number> {
  const state = readState();
  if (!state) {
    process.stderr.write('no control plane is running\n');
    rmSync(stateFile, { force: true });
    return 0;
  }
  process.kill(state.supervisorPid, 'SIGTERM');
  const deadline = Date.now() + 20_000;
  while ([state.supervisorPid, ...state.pids].some(pidAlive)) {
    if (Date.now() > deadline) {
      for (const pid of [state.supervisorPid, ...state.pids]) if (pidAlive(pid)) process.kill(pid, 'SIGKILL');
      break;
    }
    await sleep(100);
  }
  process.stderr.write('control plane stopped\n');
  return 0;
}

function env(): number {
  const state = readState();
  if (!state) {
    process.stderr.write('no control plane is running; start one with: pnpm control-plane up\n');
    return 1;
  }
  printEnv(state);
  return 0;
}

function status(): number {
  const state = readState();
  process.stdout.write(
    state ? `running at ${state.server} (supervisor pid ${state.supervisorPid})\n` : 'stopped\n',
  );
  return 0;
}

const usage = 'usage: pnpm control-plane up|down|env|status\n';
const command = process.argv[2];
switch (command) {
  case 'up':
    process.exitCode = await up();
    break;
  case 'down':
    process.exitCode = await down();
    break;
  case 'env':
    process.exitCode = env();
    break;
  case 'status':
    process.exitCode = status();
    break;
  case 'serve':
    await serve();
    break;
  default:
    process.stderr.write(command ? `unknown command '${command}'\n${usage}` : usage);
    process.exitCode = 2;
}
