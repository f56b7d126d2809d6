/**
 * The kernel shared by every controller binary; it knows nothing about MCP kinds.
 * One concept per module: client, reflector/store/cache, queue, controller, conditions, status,
 * finalizers, hash, election, events, manager.
 */
export * from './client/index.js';
export { Backoff, delay } from './backoff.js';
export { Cache, Informer, type CacheOptions, type IndexLookup } from './cache.js';
export * from './conditions.js';
export * from './controller.js';
export { describeListFailure } from './reflector.js';
export { leaseResource, LeaderElector, type LeaderElectionOptions } from './election.js';
export * from './events.js';
export * from './finalizers.js';
export { FlagError, flagNames, parseFlags, usage, type FlagDefaults, type ManagerFlags } from './flags.js';
export * from './hash.js';
export { createLogger, errorFields, silentLogger, type Logger } from './log.js';
export { Manager, runManager, type ControllerDeps, type ManagerOptions } from './manager.js';
export { KernelMetrics } from './metrics.js';
export type * from './object.js';
export { WorkQueue, type QueueObserver, type WorkQueueOptions } from './queue.js';
export {
  Reflector,
  type ReflectorHandlers,
  type ReflectorOptions,
  type ReflectorStats,
} from './reflector.js';
export * from './status.js';
export {
  ownerUidIndex,
  ownerUidIndexer,
  referrersOf,
  refIndexer,
  specRefIndexer,
  Store,
  type Indexer,
  type StoreDelta,
} from './store.js';
export { ApiReader, type ApiListOptions } from './api-reader.js';
export * from './kinds.js';
export * from './rbac.js';
export * from './owner.js';
export * from './drift.js';
export * from './apply.js';
export * from './children.js';
export * from './apply-order.js';
export * from './cleanup.js';
export { newerResourceVersion, writeThrough } from './write-through.js';
export { isExpectedError, RepeatFilter } from './log.js';
export { type ElectionClock } from './election.js';
export { BindError } from './servers.js';
export { defaultHealthGraceMs, worstHealth, type InformerHealth } from './health.js';
export {
  configMapKeysOnly,
  defaultTransform,
  isCoreConfigMaps,
  isCoreSecrets,
  lastAppliedAnnotation,
  metadataOnly,
  ownedChildrenTransform,
  secretKeysOnly,
  stripForCache,
  type OwnedChildrenTransformOptions,
  type Transform,
} from './transform.js';
export { listAllPages, type ListResult, type PageQuery } from './pager.js';
export { canonicalQuantity, isQuantity } from './quantity.js';
export {
  canonicalPodTemplateSpec,
  checkPodTemplateSpec,
  type PodTemplateCheck,
  type PodTemplateCheckOptions,
} from './pod-template.js';
export {
  restrictedContainerSecurityContext,
  restrictedPodSecurityContext,
  restrictedUser,
  type RestrictedContainerSecurityContext,
  type RestrictedPodSecurityContext,
} from './pod-security.js';
export { httpGetProbe, type HttpGetProbe, type ProbeTiming } from './probe.js';
export { podStatusView, type PodView, type PodViewOptions } from './pod-view.js';
export { lastValuePerName, type EnvVar } from './env.js';
