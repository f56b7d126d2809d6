export {
  telemetryController,
  telemetryRefIndex,
  workloadResources,
  confirmRetryMs,
  type TelemetryControllerDeps,
} from './reconcile.js';
export {
  configHash,
  ownedConditionTypes,
  sortReferences,
  telemetryStatus,
  type WorkloadKind,
  type WorkloadRef,
} from './status.js';
export { caBundleNameMax, specProblems, validateTelemetryConfig, type Validation } from './validation.js';
