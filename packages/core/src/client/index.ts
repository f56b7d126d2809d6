export * from './errors.js';
export * from './http.js';
export * from './resources.js';
export * from './time.js';
export { loadKubeConfig } from './kubeconfig.js';
