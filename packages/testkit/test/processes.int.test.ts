import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventually, pidAlive } from '../src/index.js';

const vitestBin = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');
const fixtureDir = new URL('./fixtures/crash/', import.meta.url).pathname;

interface Recorded {
  worker: number;
  pids: number[];
}

function runFixture(mode: 'throw' | 'hang') {
  const pidFile = join(mkdtempSync(join(tmpdir(), 'crash-fixture-')), 'pids.json');
  const child = spawn(process.execPath, [vitestBin, 'run', '--root', fixtureDir], {
    env: { ...process.env, PID_FILE: pidFile, MODE: mode },
    stdio: 'ignore',
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const recorded = () =>
    eventually(
      () => (existsSync(pidFile) ? (JSON.parse(readFileSync(pidFile, 'utf8')) as Recorded) : undefined),
      {
        timeoutMs: 60_000,
        what: 'the fixture recording its PIDs',
      },
    );
  return { child, exited, recorded };
}

describe('control-plane processes never outlive their owner', () => {
  it('are gone after a test file that throws', async () => {
    const run = runFixture('throw');
    const { pids } = await run.recorded();
    expect(pids).toHaveLength(2);
    expect(await run.exited).not.toBe(0); // the fixture failed, as it should
    await eventually(() => (pids.some(pidAlive) ? undefined : true), { what: 'all PIDs gone' });
  }, 90_000);

  it('are gone after the owning process is killed with SIGKILL', async () => {
    const run = runFixture('hang');
    const { worker, pids } = await run.recorded();
    expect(pids.every(pidAlive)).toBe(true);
    try {
      process.kill(worker, 'SIGKILL');
    } catch (err) {
      // Under heavy load the fixture's own timeout can end its worker first; what matters is below.
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
    await eventually(() => (pids.some(pidAlive) ? undefined : true), { what: 'all PIDs gone' });
    run.child.kill('SIGKILL');
    await run.exited;
  }, 90_000);
});
