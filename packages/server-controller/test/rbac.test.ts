import { describe, expect, it } from 'vitest';
import {
  mcpServiceAccount,
  runnerRole,
  runnerRoleBinding,
  runnerRules,
  runnerServiceAccount,
} from '../src/rbac.js';
import { parsedServer, yardstickSpec } from './builder-fixture.js';

const crud = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
// ToolHive's chainsaw assertion test/e2e/chainsaw/operator/.../common/proxyrunner-role.yaml, verbatim.
const toolhiveRules = [
  { apiGroups: ['apps'], resources: ['statefulsets'], verbs: crud },
  { apiGroups: [''], resources: ['services'], verbs: crud },
  { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
  { apiGroups: [''], resources: ['pods/attach'], verbs: ['create', 'get'] },
  { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] },
];

describe('proxy runner RBAC', () => {
  const server = parsedServer(yardstickSpec);

  it('gives the runner exactly ToolHive’s rules, in order', () => {
    expect(runnerRules).toEqual(toolhiveRules);
    expect(runnerRole(server)).toEqual({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'yardstick-proxy-runner', namespace: 'toolhive-system' },
      rules: toolhiveRules,
    });
  });

  it('binds the Role to the runner’s ServiceAccount', () => {
    expect(runnerServiceAccount(server)).toEqual({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'yardstick-proxy-runner', namespace: 'toolhive-system' },
    });
    expect(runnerRoleBinding(server)).toEqual({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'yardstick-proxy-runner', namespace: 'toolhive-system' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'yardstick-proxy-runner' },
      subjects: [{ kind: 'ServiceAccount', name: 'yardstick-proxy-runner', namespace: 'toolhive-system' }],
    });
  });

  it('hands out copies: changing a built Role leaves runnerRules alone', () => {
    const rules = runnerRole(server).rules as { verbs: string[] }[];
    rules[0]?.verbs.push('escalate');
    expect(runnerRules[0]?.verbs).toEqual(crud);
    expect(Object.isFrozen(runnerRules[0]?.verbs)).toBe(true);
  });

  it('makes <n>-sa for the MCP pod unless spec.serviceAccount names one', () => {
    expect(mcpServiceAccount(server)).toEqual({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'yardstick-sa', namespace: 'toolhive-system' },
    });
    expect(mcpServiceAccount(parsedServer({ ...yardstickSpec, serviceAccount: 'mine' }))).toBeUndefined();
    // Empty counts as unset, as in the pod patch (which then names yardstick-sa).
    expect(mcpServiceAccount(parsedServer({ ...yardstickSpec, serviceAccount: '' }))?.metadata.name).toBe(
      'yardstick-sa',
    );
  });

  it('puts the named pull secrets of resourceOverrides on both ServiceAccounts', () => {
    const withSecrets = parsedServer({
      ...yardstickSpec,
      resourceOverrides: {
        proxyDeployment: { imagePullSecrets: [{ name: 'regcred' }, {}, { name: '' }, { name: 'regcred' }] },
      },
    });
    expect(runnerServiceAccount(withSecrets).imagePullSecrets).toEqual([{ name: 'regcred' }]);
    expect(mcpServiceAccount(withSecrets)?.imagePullSecrets).toEqual([{ name: 'regcred' }]);
  });

  it('leaves owner references to the reconcile', () => {
    for (const obj of [
      runnerServiceAccount(server),
      runnerRole(server),
      runnerRoleBinding(server),
      mcpServiceAccount(server),
    ]) {
      expect(obj?.metadata.ownerReferences).toBeUndefined();
    }
  });
});
