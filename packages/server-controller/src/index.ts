export { inlineRuntimeTelemetry, telemetryWiring, type TelemetryRef } from './telemetry.js';
export {
  buildRunConfig,
  cleanPath,
  defaultProxyHost,
  formatGoDuration,
  marshalIndentGo,
  maxRequestBodyBytes,
  normalizeGoDuration,
  parseGoDuration,
  permissionProfile,
  permissionProfileMountPath,
  permissionProfileNameOrPath,
  renderRunConfig,
  runConfigConfigMap,
  runConfigKey,
  runConfigLabels,
  runConfigProblems,
  runConfigSchemaVersion,
  type PermissionProfile,
  type RunConfigConfigMap,
  type RunConfigOptions,
} from './runconfig.js';
export {
  desiredReplicas,
  effectiveProxyMode,
  mergeOver,
  serverLabels,
  serverNames,
  serverURL,
  sortedMap,
  type DesiredReplicas,
  type ProxyMode,
  type ServerNames,
} from './names.js';
export {
  imagePullSecrets,
  mcpServiceAccount,
  runnerRole,
  runnerRoleBinding,
  runnerRules,
  runnerServiceAccount,
} from './rbac.js';
export { proxyService } from './service.js';
export { mcpContainerName, podPatch, type PodPatchResult } from './pod-patch.js';
export {
  generationAnnotation,
  proxyContainerName,
  proxyDeployment,
  proxyEnv,
  proxyResources,
  proxyVolumes,
  runConfigChecksumAnnotation,
  runConfigMountPath,
  type ProxyContainer,
  type ProxyDeployment,
  type ProxyDeploymentInputs,
} from './workload.js';
