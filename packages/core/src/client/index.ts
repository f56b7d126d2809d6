export * from './errors.js';
export * from './http.js';
export * from './resources.js';
export * from './time.js';
export {
  loadKubeConfig,
  locateKubeConfig,
  type KubeConfigSources,
  type LocatedKubeConfig,
} from './kubeconfig.js';
export { TokenBucket, retryAfterMs, defaultQps, defaultBurst } from './rate-limit.js';
