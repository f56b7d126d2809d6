/**
 * The vmcp pod's identity and rights for VirtualMCPServer `<n>` (operator-behaviour §8.6 step 4d):
 * ServiceAccount, Role and RoleBinding, all `<n>-vmcp`, unless `spec.serviceAccount` names an account
 * (then none are made, and the pod runs as that account). Pure builders; owner references are the
 * reconcile's (`withOwner`). Shapes are what the apiserver stores, so a steady state applies nothing.
 *
 * The Role holds ToolHive's rules verbatim and in order: `vmcpInlineRules` when
 * `spec.outgoingAuth.source` is `inline` (read its own VirtualMCPServer, write its status: the
 * runtime reports `discoveredBackends` there), `vmcpDiscoveredRules` otherwise (the default,
 * `discovered`: the runtime also discovers the group's backends and their auth itself). Kubernetes
 * only lets us grant rules we hold ourselves (escalation prevention), so the controller's own
 * ClusterRole must cover `vmcpDiscoveredRules` (a superset of the inline rules); the chart tests
 * should assert it. A switch of source changes the Role's rules in place (same name, same roleRef).
 *
 * DESIGN: an empty `spec.serviceAccount` counts as unset (an account and Role are made), as in the
 * server controller; ToolHive would make none and leave the pod on `default`, which cannot write
 * the status the runtime reports.
 */
import { policyRule as rule, type KubeObject, type PolicyRule } from '@mcp-controllers/core';
import { vmcpNames } from './names.js';
import type { VirtualServer } from './types.js';

const group = 'toolhive.stacklok.dev';
const read = ['get', 'list', 'watch'];
const ownObject: readonly PolicyRule[] = [
  rule(group, ['virtualmcpservers'], ['get']),
  rule(group, ['virtualmcpservers/status'], ['update', 'patch']),
];

/** ToolHive's `vmcpInlineRBACRules`, verbatim and in order. */
export const vmcpInlineRules: readonly PolicyRule[] = Object.freeze([...ownObject]);

/** ToolHive's `vmcpDiscoveredRBACRules`, verbatim and in order. */
export const vmcpDiscoveredRules: readonly PolicyRule[] = Object.freeze([
  rule('', ['configmaps', 'secrets'], read),
  rule(
    group,
    [
      'mcpgroups',
      'mcpservers',
      'mcpremoteproxies',
      'mcpserverentries',
      'mcpexternalauthconfigs',
      'mcptoolconfigs',
    ],
    read,
  ),
  ...ownObject,
]);

/** The rule set for the spec's outgoing-auth source (default `discovered`). */
export function vmcpRules(vmcp: Pick<VirtualServer, 'spec'>): readonly PolicyRule[] {
  return vmcp.spec.outgoingAuth?.source === 'inline' ? vmcpInlineRules : vmcpDiscoveredRules;
}

/**
 * `spec.imagePullSecrets` as stored: entries without a name are dropped (the list-map is keyed by
 * name, and an unnamed pull secret pulls nothing), duplicates keep their first place. Shared by the
 * ServiceAccount and the pod spec. ToolHive also merges in chart-wide defaults; this controller has
 * none yet.
 */
export function vmcpImagePullSecrets(vmcp: Pick<VirtualServer, 'spec'>): { name: string }[] {
  const names = (vmcp.spec.imagePullSecrets ?? [])
    .map((ref) => ref.name)
    .filter((name): name is string => name !== undefined && name !== '');
  return [...new Set(names)].map((name) => ({ name }));
}

/** The pod's ServiceAccount: `spec.serviceAccount`, or `<n>-vmcp` when that is unset or empty. */
export function vmcpServiceAccountName(vmcp: Pick<VirtualServer, 'metadata' | 'spec'>): string {
  return vmcp.spec.serviceAccount || vmcpNames(vmcp.metadata.name).serviceAccount;
}

/** [ServiceAccount, Role, RoleBinding] `<n>-vmcp`, or [] when `spec.serviceAccount` names an account. */
export function vmcpRbac(vmcp: VirtualServer): KubeObject[] {
  if (vmcp.spec.serviceAccount) return [];
  const { name, namespace } = vmcp.metadata;
  const names = vmcpNames(name);
  const pullSecrets = vmcpImagePullSecrets(vmcp);
  return [
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: names.serviceAccount, namespace },
      ...(pullSecrets.length > 0 ? { imagePullSecrets: pullSecrets } : {}),
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: names.role, namespace },
      rules: vmcpRules(vmcp).map((r) => ({
        apiGroups: [...r.apiGroups],
        resources: [...r.resources],
        verbs: [...r.verbs],
      })),
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: names.roleBinding, namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: names.role },
      subjects: [{ kind: 'ServiceAccount', name: names.serviceAccount, namespace }],
    },
  ];
}
