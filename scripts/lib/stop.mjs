// `bash scripts/run.sh stop`: stops the controllers the run command started and the local control
// plane. It installs and builds nothing: a control plane can only be running if testkit was built.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runDir, stopControllers } from './controllers.mjs';

const root = new URL('../..', import.meta.url).pathname;
await stopControllers();
const simulator = join(root, 'packages/testkit/dist/simulate-cli.js');
if (existsSync(simulator))
  spawnSync(process.execPath, [simulator, 'stop', '--run-dir', runDir], { stdio: 'inherit' });
const cli = join(root, 'packages/testkit/dist/cli.js');
if (existsSync(cli)) {
  const down = spawnSync(process.execPath, [cli, 'down'], { stdio: 'inherit' });
  process.exitCode = down.status ?? 1;
} else {
  console.error('no local control plane: packages/testkit was never built in this checkout');
}
