/**
 * ResourceRefs of the built-in kinds that controllers own or clean up. Versions are the ones every
 * supported apiserver (v1.20 and later) serves; nothing here is discovered at run time.
 */
import type { ResourceRef } from './client/resources.js';

const core = (plural: string, kind: string): ResourceRef => ({
  group: '',
  version: 'v1',
  plural,
  kind,
  namespaced: true,
});

export const configMapResource = core('configmaps', 'ConfigMap');
export const secretResource = core('secrets', 'Secret');
export const serviceResource = core('services', 'Service');
export const serviceAccountResource = core('serviceaccounts', 'ServiceAccount');
export const podResource = core('pods', 'Pod');

export const deploymentResource: ResourceRef = {
  group: 'apps',
  version: 'v1',
  plural: 'deployments',
  kind: 'Deployment',
  namespaced: true,
};

export const statefulSetResource: ResourceRef = {
  group: 'apps',
  version: 'v1',
  plural: 'statefulsets',
  kind: 'StatefulSet',
  namespaced: true,
};

export const roleResource: ResourceRef = {
  group: 'rbac.authorization.k8s.io',
  version: 'v1',
  plural: 'roles',
  kind: 'Role',
  namespaced: true,
};

export const roleBindingResource: ResourceRef = {
  group: 'rbac.authorization.k8s.io',
  version: 'v1',
  plural: 'rolebindings',
  kind: 'RoleBinding',
  namespaced: true,
};
