import { describe, expect, it } from 'vitest';
import {
  isForbidden,
  KubeClient,
  roleBindingResource,
  roleResource,
  type PolicyRule,
} from '@mcp-controllers/core';
import {
  chartRelease,
  containerEnv,
  controllerRules,
  createNamespace,
  grants,
  renderChart,
  resourceOf,
  type RenderedObject,
} from '@mcp-controllers/testkit';
import { useControlPlane } from '@mcp-controllers/testkit/vitest';
import { describeControllerChart } from '@mcp-controllers/testkit/vitest-charts';
import { runnerRules } from '../src/rbac.js';
import { serverFlagDefaults } from '../src/reconcile.js';

const controlPlane = useControlPlane();
const chart = new URL('../chart', import.meta.url).pathname;
const umbrella = new URL('../../../charts/mcp-controllers', import.meta.url).pathname;

describeControllerChart({
  chart,
  umbrella,
  binary: 'mcp-server-controller',
  umbrellaKey: 'serverController',
  // The binary's own default, which the chart's values must render as its flag.
  ownDefaults: { maxConcurrentReconciles: serverFlagDefaults.maxConcurrentReconciles },
  watches: [
    'MCPServer',
    'MCPGroup',
    'MCPTelemetryConfig',
    'Deployment',
    'Service',
    'ConfigMap',
    'ServiceAccount',
    'Role',
    'RoleBinding',
    'StatefulSet',
    'Pod',
  ],
  ownValues: ['runner'],
  controlPlane,
  dryRunCreate: (doc) =>
    new KubeClient(controlPlane().kubeConfig).create<RenderedObject>(resourceOf(doc), doc, {
      query: { dryRun: 'All' },
    }),
});

const render = (...set: string[]) => renderChart(chart, { release: 'mcp', namespace: 'mcp-system', set });
const envOf = async (docs: Promise<RenderedObject[]>, deployment = 'mcp-server-controller') =>
  containerEnv(await docs, deployment);

describe('mcp-server-controller chart: the proxy runner', () => {
  it("grants every rule of the runner's Role, so the controller may create that Role (RBAC escalation prevention)", async () => {
    const wanted = grants(runnerRules);
    expect(wanted.length).toBeGreaterThan(10);
    for (const docs of [await render(), await render('watchNamespaces={team-a,team-b}')]) {
      const roles = controllerRules(docs);
      expect(roles.length).toBeGreaterThan(0);
      for (const rules of roles) expect(grants(rules)).toEqual(expect.arrayContaining(wanted));
    }
  });

  it("the chart's ServiceAccount can create and bind the runner's Role; the apiserver refuses one rule more", async () => {
    const admin = controlPlane().kubeConfig;
    const asChart = await chartRelease(admin, chart, { release: 'rbac', namespacePrefix: 'mcp-system' });
    const client = new KubeClient(asChart.kubeConfig);
    const ns = await createNamespace(admin, 'runner');
    const role = (name: string, rules: readonly PolicyRule[]) => ({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name, namespace: ns },
      rules,
    });
    // As the controller writes it: server-side apply, which creates the object.
    await client.patch(
      roleResource,
      { namespace: ns, name: 'yardstick-proxy-runner' },
      'apply',
      role('yardstick-proxy-runner', runnerRules),
      {
        fieldManager: 'mcp-server-controller',
        force: true,
      },
    );
    await client.patch(
      roleBindingResource,
      { namespace: ns, name: 'yardstick-proxy-runner' },
      'apply',
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'yardstick-proxy-runner', namespace: ns },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'yardstick-proxy-runner' },
        subjects: [{ kind: 'ServiceAccount', name: 'yardstick-proxy-runner', namespace: ns }],
      },
      { fieldManager: 'mcp-server-controller', force: true },
    );
    const created = await client.get<{ rules: PolicyRule[] }>(roleResource, {
      namespace: ns,
      name: 'yardstick-proxy-runner',
    });
    expect(grants(created.rules).sort()).toEqual(grants(runnerRules).sort());
    // Escalation prevention is on: a rule the controller does not hold (Secrets) is refused.
    const escalating = role('escalating', [
      ...runnerRules,
      { apiGroups: [''], resources: ['secrets'], verbs: ['get'] },
    ]);
    const refusal = await client.create(roleResource, escalating).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(isForbidden(refusal), String(refusal)).toBe(true);
  });

  it('passes runner.image to the controller as TOOLHIVE_RUNNER_IMAGE, before extraEnv, alone and in the umbrella', async () => {
    expect(await envOf(render())).toEqual([
      { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'TOOLHIVE_RUNNER_IMAGE', value: 'ghcr.io/stacklok/toolhive/proxyrunner:v0.44.0' },
    ]);
    const pinned = `ghcr.io/example/proxyrunner@sha256:${'0'.repeat(64)}`;
    const env = await envOf(render(`runner.image=${pinned}`, 'extraEnv[0].name=A', 'extraEnv[0].value=b'));
    expect(env.map((e) => e.name)).toEqual(['POD_NAMESPACE', 'TOOLHIVE_RUNNER_IMAGE', 'A']);
    expect(env[1]?.value).toBe(pinned);
    const inUmbrella = renderChart(umbrella, {
      release: 'mcp',
      namespace: 'mcp-system',
      set: ['serverController.runner.image=registry.local/proxyrunner:dev'],
    });
    expect(await envOf(inUmbrella)).toContainEqual({
      name: 'TOOLHIVE_RUNNER_IMAGE',
      value: 'registry.local/proxyrunner:dev',
    });
    // Only the server controller gets it.
    expect((await envOf(inUmbrella, 'mcp-entry-controller')).map((e) => e.name)).not.toContain(
      'TOOLHIVE_RUNNER_IMAGE',
    );
  });

  it('rejects an empty or spaced runner.image and unknown runner keys', async () => {
    await expect(render('runner.image=')).rejects.toThrow(/runner/);
    await expect(render('runner.image=a b')).rejects.toThrow(/runner/);
    await expect(render('runner.tag=v1')).rejects.toThrow(/runner/);
  });
});
