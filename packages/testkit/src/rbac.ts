/**
 * Runs code as a chart's ServiceAccount: creates exactly the RBAC objects `helm template` rendered
 * (ServiceAccount, Roles, ClusterRoles and their bindings; nothing else) and returns a KubeConfig
 * whose credentials are a token for that ServiceAccount (TokenRequest API).
 */
import { CoreV1Api, KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import type { RenderedObject } from './charts.js';

const rbacKinds = new Set(['ServiceAccount', 'Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding']);

export async function kubeConfigAsChartServiceAccount(
  admin: KubeConfig,
  rendered: RenderedObject[],
): Promise<KubeConfig> {
  const objects = rendered.filter((d) => rbacKinds.has(d.kind));
  const accounts = objects.filter((d) => d.kind === 'ServiceAccount');
  const account = accounts[0];
  if (accounts.length !== 1 || !account?.metadata.namespace) {
    throw new Error(`expected one namespaced ServiceAccount in the rendered chart, found ${accounts.length}`);
  }
  const api = KubernetesObjectApi.makeApiClient(admin);
  for (const obj of objects) await api.create(obj);
  const token = await admin.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({
    name: account.metadata.name,
    namespace: account.metadata.namespace,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  const cluster = admin.getCurrentCluster();
  if (!cluster) throw new Error('the admin kubeconfig has no current cluster');
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ ...cluster, name: 'cluster' }],
    users: [{ name: account.metadata.name, token: token.status?.token }],
    contexts: [{ name: 'service-account', cluster: 'cluster', user: account.metadata.name }],
    currentContext: 'service-account',
  });
  return kc;
}
