export {
  CONTROL_PLANE_VERSION,
  defaultCacheDir,
  ensureBinaries,
  ensureBinariesScript,
  findBinaries,
  type ControlPlaneBinaries,
} from './binaries.js';
export {
  controllerSettles,
  createNamespace,
  eventually,
  installCRDs,
  readCRDs,
  runConcurrently,
} from './cluster.js';
export { startControlPlane, type ControlPlane, type ControlPlaneOptions } from './control-plane.js';
export { pidAlive } from './processes.js';
export { freeLoopbackPort } from './ports.js';
export { startTcpProxy, type TcpProxy } from './proxy.js';
export {
  startFaultProxy,
  type FaultProxy,
  type FaultRequest,
  type FaultRule,
  type InjectedFault,
} from './fault-proxy.js';
export { widget, widgetCRD, widgetResource } from './fixtures.js';
export { ensureHelm, helm } from './helm.js';
export {
  buildChartDependencies,
  renderChart,
  resourceOf,
  type RenderedObject,
  type RenderOptions,
} from './charts.js';
export { kubeConfigAsChartServiceAccount } from './rbac.js';
