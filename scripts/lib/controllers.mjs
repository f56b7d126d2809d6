// The controllers the run command starts, in the background, against the cluster in KUBECONFIG.
// Each runs from its built dist/main.mjs, logs to .run/<name>.log and leaves its pid in .run/<name>.pid
// so the next run (or `bash scripts/run.sh stop`) can stop it.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const root = new URL('../..', import.meta.url).pathname;
// MCP_RUN_DIR moves it (tests use their own, so they never stop a developer's controllers).
export const runDir = process.env.MCP_RUN_DIR ?? join(root, '.run');

/** Every controller package that has a built binary. */
export const controllers = [
  { name: 'mcp-group-controller', main: 'packages/group-controller/dist/main.mjs' },
  { name: 'mcp-telemetry-controller', main: 'packages/telemetry-controller/dist/main.mjs' },
  { name: 'mcp-entry-controller', main: 'packages/entry-controller/dist/main.mjs' },
  { name: 'mcp-server-controller', main: 'packages/server-controller/dist/main.mjs' },
  { name: 'mcp-vmcp-controller', main: 'packages/vmcp-controller/dist/main.mjs' },
];

// testkit's pidAlive, kept here so that `run.sh stop` works without a build of the workspace.
function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function stopControllers() {
  for (const { name } of controllers) {
    const pidFile = join(runDir, `${name}.pid`);
    if (!existsSync(pidFile)) continue;
    const pid = Number(readFileSync(pidFile, 'utf8'));
    if (alive(pid)) {
      process.kill(pid, 'SIGTERM');
      for (let i = 0; i < 100 && alive(pid); i++) await sleep(100);
      if (alive(pid)) process.kill(pid, 'SIGKILL');
      console.log(`stopped ${name} (pid ${pid})`);
    }
    rmSync(pidFile, { force: true });
  }
}

export async function startControllers(kubeconfig) {
  await stopControllers();
  mkdirSync(runDir, { recursive: true });
  const started = [];
  for (const { name, main } of controllers) {
    const log = openSync(join(runDir, `${name}.log`), 'w');
    // One replica, so no leader election; probes and metrics off so several controllers never clash
    // on ports of this machine.
    const child = spawn(
      process.execPath,
      [join(root, main), '--leader-elect=false', '--metrics-bind-address=0', '--health-probe-bind-address=0'],
      { detached: true, stdio: ['ignore', log, log], env: { ...process.env, KUBECONFIG: kubeconfig } },
    );
    child.unref();
    writeFileSync(join(runDir, `${name}.pid`), String(child.pid));
    started.push({ name, pid: child.pid, log: join(runDir, `${name}.log`) });
  }
  return started;
}
