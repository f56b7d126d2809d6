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
  installCRDsReport,
  type ExistingCRDPolicy,
  type InstallCRDsOptions,
  type InstalledCRD,
  readCRDs,
  runConcurrently,
} from './cluster.js';
export { startControlPlane, type ControlPlane, type ControlPlaneOptions } from './control-plane.js';
export { pidAlive, spawnLogged } from './processes.js';
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
  chartArgs,
  renderChart,
  renderNotes,
  resourceOf,
  type RenderedObject,
  type RenderOptions,
} from './charts.js';
export { containerEnv, controllerRules, grants, identities, type RuleView } from './chart-views.js';
export { chartRelease, kubeConfigAsChartServiceAccount, type ChartRelease } from './rbac.js';
export { serviceMonitorCRD } from './service-monitor-crd.js';
export {
  footprintGoals,
  footprintLines,
  isolatedBundle,
  measureFootprint,
  metricValue,
  parseVmRss,
  printFootprint,
  startControllerProcess,
  type ControllerProcess,
  type ControllerProcessOptions,
  type Footprint,
  type FootprintGoals,
  type FootprintOptions,
} from './footprint.js';
export { httpGet, logTail } from './local-http.js';
export {
  assertLocalControlPlane,
  startWorkloadSimulator,
  type BackendHealth,
  type PodBehaviour,
  type RunnerMode,
  type SimulatorLog,
  type VmcpRuntimeMode,
  type VmcpRuntimeStats,
  type WorkloadSimulator,
  type WorkloadSimulatorOptions,
  type WorkloadSimulatorStats,
} from './simulator.js';
export {
  conditionOf,
  conditionSummary,
  setStatus,
  statusReaches,
  type ConditionView,
  type StatusClient,
  type StatusView,
} from './status-views.js';
