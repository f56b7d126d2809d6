// mcp-vmcp-controller: the controller (reconcile.ts) and its pure builders, exported for tests, the
// bench and anyone embedding it.
export {
  groupWaitRequeueMs,
  vmcpController,
  vmcpIndexes,
  vmcpUpdateFilter,
  type VmcpControllerDeps,
  type VmcpControllerOptions,
} from './reconcile.js';
export { ownedResources, vmcpCacheTransform } from './cache-transform.js';
export { desiredObjects, type DesiredInputs } from './desired.js';
export {
  ownedConditionTypes,
  vmcpStatus,
  type HmacView,
  type VmcpStatusInputs,
  type VmcpStatusResult,
} from './status.js';
export { vmcpLabels, vmcpNames, vmcpPort, vmcpURL, type VmcpNames } from './names.js';
export {
  configChecksumAnnotation,
  defaultVmcpImage,
  desiredReplicas,
  InvalidPodTemplateError,
  vmcpArgs,
  vmcpConfigMountPath,
  vmcpConfigVolumeName,
  vmcpContainerName,
  vmcpDeployment,
  vmcpEnv,
  vmcpVolumes,
  type ConfigMapVolume,
  type VmcpDeployment,
  type VmcpDeploymentInputs,
} from './workload.js';
export {
  checkPodTemplateSpec,
  mergePodTemplate,
  type PodTemplate,
  type PodTemplateCheck,
} from './pod-template.js';
export { vmcpService } from './service.js';
export {
  vmcpDiscoveredRules,
  vmcpImagePullSecrets,
  vmcpInlineRules,
  vmcpRbac,
  vmcpRules,
  vmcpServiceAccountName,
} from './rbac.js';
export { hmacSecret, hmacSecretKey, hmacSecretLength, hmacSecretProblem } from './hmac.js';
export {
  backendCount,
  vmcpPhase,
  vmcpPodState,
  vmcpPodView,
  type DiscoveredBackend,
  type VmcpPhase,
  type VmcpPhaseInputs,
  type VmcpPhaseResult,
  type VmcpPodView,
} from './phase.js';
export {
  caBundleBasePath,
  caBundleDefaultKey,
  caBundleMounts,
  caBundleVolumeName,
  headerForwardEnv,
  memberName,
  normalizeForEnvVar,
  staticBackend,
  type BackendTransport,
  type CABundleMount,
  type Member,
  type MemberKind,
  type StaticBackend,
  type StaticBackendResult,
} from './members.js';
export {
  buildVmcpConfig,
  goDuration,
  goFloat,
  renderConfigYaml,
  vmcpConfigKey,
  vmcpConfigLabels,
  vmcpConfigMap,
  type SkippedMember,
  type TelemetryInput,
  type VmcpConfig,
  type VmcpConfigInputs,
  type VmcpConfigMap,
} from './config.js';
export { marshalYaml, type YamlNode } from './goyaml.js';
