/**
 * The whole system for one test file, as the run command starts it: a control plane (testkit), the
 * generated CRDs, testkit's workload simulator playing pods, proxy runners and vmcp runtimes, and the
 * five built controllers as separate processes (`controllers.ts`). Tests drive it only through the
 * API: they apply `examples/*.yaml` (into their own namespace when asked, see `examples.ts`) and read
 * what came out.
 *
 *   const system = useSystem();
 *   await applyExamples(system().client, 'copy-1');
 *   const state = await waitSettled(system().client, 'copy-1');
 *
 * Logs: each controller's output and the simulator's warnings go to files in `system().logDir`,
 * removed after the file unless a test failed or MCP_E2E_KEEP_LOGS=1 (the path is then printed).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { generatedCRDPaths } from '@mcp-controllers/api';
import { KubeClient } from '@mcp-controllers/core';
import {
  installCRDs,
  startWorkloadSimulator,
  type ControlPlane,
  type WorkloadSimulator,
} from '@mcp-controllers/testkit';
import { useControlPlane } from '@mcp-controllers/testkit/vitest';
import {
  controllerNames,
  Controllers,
  simulatorFileLog,
  type ControllerName,
  type ControllerProcess,
} from './controllers.js';
import { WriteRecorder } from './recorder.js';

export interface System {
  readonly controlPlane: ControlPlane;
  readonly client: KubeClient;
  readonly controllers: Controllers;
  readonly simulator: WorkloadSimulator;
  readonly recorder: WriteRecorder;
  readonly logDir: string;
  /** The replica of each controller started last. */
  readonly running: Map<ControllerName, ControllerProcess>;
  /**
   * Starts a new process for a controller (after a kill) and records it as the current one; with
   * `kubeconfigPath`, talking to another server than the control plane (a fault proxy).
   */
  restart(name: ControllerName, kubeconfigPath?: string): Promise<ControllerProcess>;
}

/** vitest hooks: the system up before the file's tests, everything stopped after them. */
export function useSystem(): () => System {
  const controlPlane = useControlPlane();
  let system: System | undefined;
  let keepLogs = process.env.MCP_E2E_KEEP_LOGS === '1';
  beforeAll(async () => {
    const cp = controlPlane();
    const logDir = await mkdtemp(join(tmpdir(), 'mcp-e2e-'));
    await installCRDs(cp.kubeConfig, generatedCRDPaths());
    const client = new KubeClient(cp.kubeConfig, { userAgent: 'mcp-e2e' });
    const recorder = new WriteRecorder(client);
    await recorder.start();
    const simulator = await startWorkloadSimulator({
      kubeConfig: cp.kubeConfig,
      log: simulatorFileLog(join(logDir, 'simulator.log')),
    });
    const running = new Map<ControllerName, ControllerProcess>();
    // A controller that lost its Lease exits and its pod would be restarted: do what the kubelet
    // would. Under load (CI runs other suites beside this one) a renewal can miss its deadline.
    const controllers: Controllers = new Controllers(cp.kubeconfigPath, logDir, {
      onLeaseLost: (name, kubeconfigPath) => {
        controllers.start(name, [], kubeconfigPath).then(
          (replacement) => running.set(name, replacement),
          (err: unknown) => {
            console.error(`could not restart the ${name} controller after it lost its Lease`, err);
          },
        );
      },
    });
    system = {
      controlPlane: cp,
      client,
      controllers,
      simulator,
      recorder,
      logDir,
      running,
      async restart(name, kubeconfigPath) {
        const started = await controllers.start(name, [], kubeconfigPath);
        running.set(name, started);
        return started;
      },
    };
    const s = system;
    await Promise.all(controllerNames.map((name) => s.restart(name)));
  }, 180_000);
  afterEach((context) => {
    if (context.task.result?.state === 'fail') keepLogs = true;
  });
  afterAll(async () => {
    if (!system) return;
    await system.controllers.stopAll();
    await system.simulator.stop();
    await system.recorder.stop();
    await system.client.close();
    if (keepLogs) console.log(`e2e logs kept in ${system.logDir}`);
    else await rm(system.logDir, { recursive: true, force: true });
  }, 120_000);
  return () => {
    if (!system) throw new Error('the system is only available inside tests');
    return system;
  };
}
