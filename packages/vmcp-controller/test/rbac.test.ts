import { formatFieldErrors, parseVirtualMCPServer } from '@mcp-controllers/api';
import { describe, expect, it } from 'vitest';
import { vmcpDiscoveredRules, vmcpInlineRules, vmcpRbac, vmcpRules } from '../src/rbac.js';
import type { VirtualServer } from '../src/types.js';

function parsedVmcp(spec: Record<string, unknown> = {}): VirtualServer {
  const parsed = parseVirtualMCPServer({
    apiVersion: 'toolhive.stacklok.dev/v1beta1',
    kind: 'VirtualMCPServer',
    metadata: { name: 'demo', namespace: 'team-a', uid: 'uid-1' },
    spec: { groupRef: { name: 'engineering' }, incomingAuth: { type: 'anonymous' }, ...spec },
  });
  if (!parsed.ok) throw new Error(`fixture does not parse: ${formatFieldErrors(parsed.errors)}`);
  return { ...parsed.value, metadata: { ...parsed.value.metadata, name: 'demo', namespace: 'team-a' } };
}

const thv = 'toolhive.stacklok.dev';
// ToolHive's vmcpInlineRBACRules and vmcpDiscoveredRBACRules (virtualmcpserver_deployment.go), verbatim.
const inline = [
  { apiGroups: [thv], resources: ['virtualmcpservers'], verbs: ['get'] },
  { apiGroups: [thv], resources: ['virtualmcpservers/status'], verbs: ['update', 'patch'] },
];
const discovered = [
  { apiGroups: [''], resources: ['configmaps', 'secrets'], verbs: ['get', 'list', 'watch'] },
  {
    apiGroups: [thv],
    resources: [
      'mcpgroups',
      'mcpservers',
      'mcpremoteproxies',
      'mcpserverentries',
      'mcpexternalauthconfigs',
      'mcptoolconfigs',
    ],
    verbs: ['get', 'list', 'watch'],
  },
  ...inline,
];

describe('rule sets', () => {
  it("are ToolHive's, verbatim and in order", () => {
    expect(vmcpInlineRules).toEqual(inline);
    expect(vmcpDiscoveredRules).toEqual(discovered);
  });

  it('pick by outgoingAuth.source, discovered by default', () => {
    expect(vmcpRules(parsedVmcp())).toBe(vmcpDiscoveredRules);
    expect(vmcpRules(parsedVmcp({ outgoingAuth: { source: 'discovered' } }))).toBe(vmcpDiscoveredRules);
    expect(vmcpRules(parsedVmcp({ outgoingAuth: { source: 'inline' } }))).toBe(vmcpInlineRules);
  });

  it('cannot be changed by a caller', () => {
    expect(Object.isFrozen(vmcpDiscoveredRules)).toBe(true);
    expect(vmcpDiscoveredRules.every((r) => Object.isFrozen(r) && Object.isFrozen(r.verbs))).toBe(true);
  });
});

describe('vmcpRbac', () => {
  it('makes ServiceAccount, Role and RoleBinding <n>-vmcp (discovered rules by default)', () => {
    expect(vmcpRbac(parsedVmcp())).toEqual([
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'demo-vmcp', namespace: 'team-a' } },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: 'demo-vmcp', namespace: 'team-a' },
        rules: discovered,
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'demo-vmcp', namespace: 'team-a' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'demo-vmcp' },
        subjects: [{ kind: 'ServiceAccount', name: 'demo-vmcp', namespace: 'team-a' }],
      },
    ]);
  });

  it('grants only the inline rules for source inline, as plain (unfrozen) JSON', () => {
    const role = vmcpRbac(parsedVmcp({ outgoingAuth: { source: 'inline' } }))[1];
    expect(role?.rules).toEqual(inline);
    expect(Object.isFrozen((role?.rules as unknown[])[0])).toBe(false);
  });

  it('puts spec.imagePullSecrets on the ServiceAccount', () => {
    const [account] = vmcpRbac(parsedVmcp({ imagePullSecrets: [{ name: 'regcred' }, { name: '' }] }));
    expect(account?.imagePullSecrets).toEqual([{ name: 'regcred' }]);
  });

  it('makes nothing when spec.serviceAccount names an account; an empty one counts as unset', () => {
    expect(vmcpRbac(parsedVmcp({ serviceAccount: 'custom' }))).toEqual([]);
    expect(vmcpRbac(parsedVmcp({ serviceAccount: '' })).map((o) => o.kind)).toEqual([
      'ServiceAccount',
      'Role',
      'RoleBinding',
    ]);
  });
});
