/**
 * vitest glue: one control plane per test file, one namespace per test.
 *
 *   const controlPlane = useControlPlane();
 *   const namespace = useNamespace(controlPlane);
 *   it('...', async () => { const kc = controlPlane().kubeConfig; ... namespace() ... });
 */
import { afterAll, beforeAll, beforeEach, inject } from 'vitest';
import type { ControlPlaneBinaries } from './binaries.js';
import { createNamespace } from './cluster.js';
import { startControlPlane, type ControlPlane, type ControlPlaneOptions } from './control-plane.js';
import { isolatedBundle, startControllerProcess, type ControllerProcess } from './footprint.js';

declare module 'vitest' {
  export interface ProvidedContext {
    controlPlaneBinaries?: ControlPlaneBinaries;
  }
}

export function useControlPlane(options: ControlPlaneOptions = {}): () => ControlPlane {
  let controlPlane: ControlPlane | undefined;
  beforeAll(async () => {
    const binaries = options.binaries ?? inject('controlPlaneBinaries');
    controlPlane = await startControlPlane({ ...options, ...(binaries ? { binaries } : {}) });
  }, 120_000);
  afterAll(async () => {
    await controlPlane?.stop();
  }, 60_000);
  return () => {
    if (!controlPlane) throw new Error('the control plane is only available inside tests and hooks');
    return controlPlane;
  };
}

export function useNamespace(controlPlane: () => ControlPlane, prefix = 'test'): () => string {
  let name: string | undefined;
  beforeEach(async () => {
    name = await createNamespace(controlPlane().kubeConfig, prefix);
  });
  return () => {
    if (!name) throw new Error('the namespace is only available inside tests');
    return name;
  };
}

/**
 * The shipped bundle of a controller (`<dist>/main.mjs` and its map) copied where no node_modules can
 * be reached, for the whole test file: `start()` runs it as the image does against the control plane
 * and resolves once `/readyz` answers 200 (a dependency left out of the bundle makes it exit at start,
 * and `start()` throw with its output). The process and the copy are removed after the file.
 */
export function useIsolatedBundle(
  controlPlane: () => ControlPlane,
  distDir: string,
): () => Promise<ControllerProcess> {
  let bundle: Awaited<ReturnType<typeof isolatedBundle>> | undefined;
  let controller: ControllerProcess | undefined;
  beforeAll(async () => {
    bundle = await isolatedBundle(distDir);
  });
  afterAll(async () => {
    await controller?.stop();
    await bundle?.remove();
  });
  return async () => {
    if (!bundle) throw new Error('the bundle is only available inside tests');
    controller = await startControllerProcess({
      main: bundle.main,
      kubeconfigPath: controlPlane().kubeconfigPath,
    });
    await controller.ready();
    return controller;
  };
}
