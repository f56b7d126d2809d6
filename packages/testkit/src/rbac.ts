/**
 * Runs code as a chart's ServiceAccount: creates exactly the RBAC objects `helm template` rendered
 * (ServiceAccount, Roles, ClusterRoles and their bindings; nothing else) and returns a KubeConfig
 * whose credentials are a token for that ServiceAccount (TokenRequest API).
 */
import { CoreV1Api, KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { chartArgs, renderChart, type RenderedObject } from './charts.js';
import { createNamespace } from './cluster.js';

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

export interface ChartRelease {
  /** The namespace the release was rendered into (the ServiceAccount and the Lease live there). */
  namespace: string;
  /** Everything `helm template` rendered. */
  docs: RenderedObject[];
  /** Credentials of the chart's ServiceAccount, bound to exactly the chart's RBAC. */
  kubeConfig: KubeConfig;
  /**
   * The flags the chart's Deployment passes that matter outside a pod (leader election, Lease id,
   * watched namespaces), plus the Lease namespace a pod would take from POD_NAMESPACE.
   */
  args: string[];
}

/**
 * Renders `chart` as release `release` into a fresh namespace (`<prefix>-xxxxx`) with `set`, creates
 * its RBAC, and returns what a controller needs to run as the chart's pod would: its ServiceAccount's
 * credentials and the chart's own flags. RBAC tests start the controller with exactly these.
 */
export async function chartRelease(
  admin: KubeConfig,
  chart: string,
  options: { release: string; namespacePrefix: string; set?: string[] },
): Promise<ChartRelease> {
  const namespace = await createNamespace(admin, options.namespacePrefix);
  const set = options.set ?? [];
  const docs = await renderChart(chart, { release: options.release, namespace, set });
  const scoped = set.some((s) => s.startsWith('watchNamespaces='));
  return {
    namespace,
    docs,
    kubeConfig: await kubeConfigAsChartServiceAccount(admin, docs),
    args: [
      ...chartArgs(docs, 'leader-elect', 'leader-election-id', ...(scoped ? ['watch-namespace'] : [])),
      `--leader-election-namespace=${namespace}`,
    ],
  };
}
