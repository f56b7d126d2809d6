export {
  CONTROL_PLANE_VERSION,
  defaultCacheDir,
  ensureBinaries,
  ensureBinariesScript,
  findBinaries,
  type ControlPlaneBinaries,
} from './binaries.js';
export { createNamespace, eventually, installCRDs, readCRDs } from './cluster.js';
export { startControlPlane, type ControlPlane, type ControlPlaneOptions } from './control-plane.js';
export { pidAlive } from './processes.js';
