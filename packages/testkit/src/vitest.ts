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
