/**
 * The proxy runner's identity and rights for MCPServer `<n>` (runtime-formats b.1): ServiceAccount,
 * Role and RoleBinding `<n>-proxy-runner`, and the MCP server pod's ServiceAccount `<n>-sa` unless
 * `spec.serviceAccount` names one. Pure builders; owner references are added by the reconcile
 * (`withOwner`). Shapes are what the apiserver stores, so a steady state applies nothing.
 *
 * The Role holds exactly ToolHive's `defaultRBACRules`, in its order: the runner creates the
 * StatefulSet and Services of the MCP server, watches its pods, reads its logs, attaches to stdio
 * and reads its RunConfig. Kubernetes only lets us grant rules we hold ourselves (escalation
 * prevention), so the controller's own ClusterRole must cover `runnerRules`; the chart tests assert it.
 */
import { policyRule, type KubeObject, type PolicyRule } from '@mcp-controllers/core';
import { serverNames } from './names.js';
import type { Server } from './types.js';

const rule = (apiGroup: string, resource: string, verbs: string[]): PolicyRule =>
  policyRule(apiGroup, [resource], verbs);
const crud = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];

/** ToolHive's `defaultRBACRules` for the proxy runner, verbatim and in order. */
export const runnerRules: readonly PolicyRule[] = Object.freeze([
  rule('apps', 'statefulsets', crud),
  rule('', 'services', crud),
  rule('', 'pods', ['get', 'list', 'watch']),
  rule('', 'pods/log', ['get']),
  rule('', 'pods/attach', ['create', 'get']),
  rule('', 'configmaps', ['get', 'list', 'watch']),
]);

/**
 * `spec.resourceOverrides.proxyDeployment.imagePullSecrets` as stored: entries without a name are
 * dropped (the apiserver's list-map is keyed by name, and an unnamed pull secret pulls nothing),
 * duplicates keep their first place. Shared by both ServiceAccounts and the Deployment's pod spec.
 * ToolHive also merges in chart-wide defaults; this controller has none yet.
 */
export function imagePullSecrets(server: Pick<Server, 'spec'>): { name: string }[] {
  const names = (server.spec.resourceOverrides?.proxyDeployment?.imagePullSecrets ?? [])
    .map((ref) => ref.name)
    .filter((name): name is string => name !== undefined && name !== '');
  return [...new Set(names)].map((name) => ({ name }));
}

function serviceAccount(server: Server, name: string): KubeObject {
  const pullSecrets = imagePullSecrets(server);
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name, namespace: server.metadata.namespace },
    ...(pullSecrets.length > 0 ? { imagePullSecrets: pullSecrets } : {}),
  };
}

/** ServiceAccount `<n>-proxy-runner`, the proxy Deployment's identity. */
export function runnerServiceAccount(server: Server): KubeObject {
  return serviceAccount(server, serverNames(server.metadata.name).runner);
}

/** Role `<n>-proxy-runner` with `runnerRules`. */
export function runnerRole(server: Server): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: serverNames(server.metadata.name).runner, namespace: server.metadata.namespace },
    rules: runnerRules.map((rule) => ({
      apiGroups: [...rule.apiGroups],
      resources: [...rule.resources],
      verbs: [...rule.verbs],
    })),
  };
}

/** RoleBinding `<n>-proxy-runner`: Role `<n>-proxy-runner` to ServiceAccount `<n>-proxy-runner`. */
export function runnerRoleBinding(server: Server): KubeObject {
  const { name, namespace } = server.metadata;
  const runner = serverNames(name).runner;
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: runner, namespace },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: runner },
    subjects: [{ kind: 'ServiceAccount', name: runner, namespace }],
  };
}

/**
 * The MCP server pod's ServiceAccount `<n>-sa` (no Role bound), or undefined when
 * `spec.serviceAccount` names one. An empty `spec.serviceAccount` counts as unset here and in the
 * pod patch (ToolHive would make no account and leave the pod on `default`).
 */
export function mcpServiceAccount(server: Server): KubeObject | undefined {
  if (server.spec.serviceAccount) return undefined;
  return serviceAccount(server, serverNames(server.metadata.name).mcpServiceAccount);
}
