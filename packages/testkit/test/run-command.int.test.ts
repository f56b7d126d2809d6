/**
 * The README's run command against someone's cluster: it names the cluster and writes nothing unless
 * told to. And `run.sh stop` needs nothing installed. The test control plane stands in for the
 * user's cluster.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ApiextensionsV1Api, CoreV1Api } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { useControlPlane } from '../src/vitest.js';

const run = promisify(execFile);
const root = new URL('../../..', import.meta.url).pathname;
const controlPlane = useControlPlane();

async function runScript(args: string[], env: NodeJS.ProcessEnv) {
  try {
    const { stdout, stderr } = await run('/bin/bash', [join(root, 'scripts/run.sh'), ...args], {
      env,
      timeout: 120_000,
    });
    return { code: 0, output: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
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
