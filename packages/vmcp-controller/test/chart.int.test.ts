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
import { vmcpDiscoveredRules, vmcpInlineRules } from '../src/rbac.js';

const controlPlane = useControlPlane();
const chart = new URL('../chart', import.meta.url).pathname;
const umbrella = new URL('../../../charts/mcp-controllers', import.meta.url).pathname;

/** The kinds the controller watches, with the resource its cache lists and watches for each. */
const watched = {
  VirtualMCPServer: 'toolhive.stacklok.dev virtualmcpservers',
  MCPGroup: 'toolhive.stacklok.dev mcpgroups',
  MCPServer: 'toolhive.stacklok.dev mcpservers',
  MCPRemoteProxy: 'toolhive.stacklok.dev mcpremoteproxies',
  MCPServerEntry: 'toolhive.stacklok.dev mcpserverentries',
  MCPTelemetryConfig: 'toolhive.stacklok.dev mcptelemetryconfigs',
  Deployment: 'apps deployments',
  Service: ' services',
  ConfigMap: ' configmaps',
  Secret: ' secrets',
  ServiceAccount: ' serviceaccounts',
  Role: 'rbac.authorization.k8s.io roles',
  RoleBinding: 'rbac.authorization.k8s.io rolebindings',
  Pod: ' pods',
};

describeControllerChart({
  chart,
  umbrella,
  binary: 'mcp-vmcp-controller',
  umbrellaKey: 'vmcpController',
  watches: Object.keys(watched),
  ownValues: ['vmcp'],
  controlPlane,
  dryRunCreate: (doc) =>
    new KubeClient(controlPlane().kubeConfig).create<RenderedObject>(resourceOf(doc), doc, {
      query: { dryRun: 'All' },
    }),
});

const render = (...set: string[]) => renderChart(chart, { release: 'mcp', namespace: 'mcp-system', set });
const envOf = async (docs: Promise<RenderedObject[]>, deployment = 'mcp-vmcp-controller') =>
  containerEnv(await docs, deployment);

describe('mcp-vmcp-controller chart: RBAC', () => {
  it("grants every rule of the vmcp's Role, discovered and inline, so the controller may create that Role (RBAC escalation prevention)", async () => {
    const discovered = grants(vmcpDiscoveredRules);
    const inline = grants(vmcpInlineRules);
    expect(discovered.length).toBeGreaterThan(20);
    expect(inline.length).toBeGreaterThan(0);
    for (const docs of [await render(), await render('watchNamespaces={team-a,team-b}')]) {
      const roles = controllerRules(docs);
      expect(roles.length).toBeGreaterThan(0);
      for (const rules of roles) {
        expect(grants(rules)).toEqual(expect.arrayContaining(discovered));
        expect(grants(rules)).toEqual(expect.arrayContaining(inline));
      }
    }
  });

  it('lists and watches every kind it watches, and never patches a VirtualMCPServer (no finalizer)', async () => {
    const rules = grants(controllerRules(await render())[0] ?? []);
    for (const [kind, resource] of Object.entries(watched)) {
      expect(rules, kind).toContain(`${resource} list`);
      expect(rules, kind).toContain(`${resource} watch`);
    }
    expect(rules).not.toContain('toolhive.stacklok.dev virtualmcpservers patch');
    expect(rules).not.toContain('toolhive.stacklok.dev virtualmcpservers update');
    // The HMAC Secret is created once and never rewritten or deleted by the controller.
    expect(rules).not.toContain(' secrets update');
    expect(rules).not.toContain(' secrets delete');
  });

  it("the chart's ServiceAccount can create, switch and bind the vmcp's Role; the apiserver refuses one rule more", async () => {
    const admin = controlPlane().kubeConfig;
    const asChart = await chartRelease(admin, chart, { release: 'rbac', namespacePrefix: 'mcp-system' });
    const client = new KubeClient(asChart.kubeConfig);
    const ns = await createNamespace(admin, 'vmcp');
    const role = (name: string, rules: readonly PolicyRule[]) => ({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name, namespace: ns },
      rules,
    });
    const applied = async (rules: readonly PolicyRule[]) => {
      // As the controller writes it: server-side apply, which creates the object the first time.
      await client.patch(
        roleResource,
        { namespace: ns, name: 'agg-vmcp' },
        'apply',
        role('agg-vmcp', rules),
        {
          fieldManager: 'mcp-vmcp-controller',
          force: true,
        },
      );
      const stored = await client.get<{ rules: PolicyRule[] }>(roleResource, {
        namespace: ns,
        name: 'agg-vmcp',
      });
      return grants(stored.rules).sort();
    };
    expect(await applied(vmcpDiscoveredRules)).toEqual(grants(vmcpDiscoveredRules).sort());
    // outgoingAuth.source switched to inline: the same Role, its rules replaced in place.
    expect(await applied(vmcpInlineRules)).toEqual(grants(vmcpInlineRules).sort());
    await client.patch(
      roleBindingResource,
      { namespace: ns, name: 'agg-vmcp' },
      'apply',
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'agg-vmcp', namespace: ns },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'agg-vmcp' },
        subjects: [{ kind: 'ServiceAccount', name: 'agg-vmcp', namespace: ns }],
      },
      { fieldManager: 'mcp-vmcp-controller', force: true },
    );
    const binding = await client.get<{ roleRef: { name: string } }>(roleBindingResource, {
      namespace: ns,
      name: 'agg-vmcp',
    });
    expect(binding.roleRef.name).toBe('agg-vmcp');
    // Escalation prevention is on: a rule the controller does not hold (writing Secrets) is refused.
    const escalating = role('escalating', [
      ...vmcpDiscoveredRules,
      { apiGroups: [''], resources: ['secrets'], verbs: ['update'] },
    ]);
    const refusal = await client.create(roleResource, escalating).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(isForbidden(refusal), String(refusal)).toBe(true);
  });
});

describe('mcp-vmcp-controller chart: the vmcp image', () => {
  it('passes vmcp.image to the controller as VMCP_IMAGE, before extraEnv, alone and in the umbrella', async () => {
    expect(await envOf(render())).toEqual([
      { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'VMCP_IMAGE', value: 'ghcr.io/stacklok/toolhive/vmcp:v0.44.0' },
    ]);
    const pinned = `ghcr.io/example/vmcp@sha256:${'0'.repeat(64)}`;
    const env = await envOf(render(`vmcp.image=${pinned}`, 'extraEnv[0].name=A', 'extraEnv[0].value=b'));
    expect(env.map((e) => e.name)).toEqual(['POD_NAMESPACE', 'VMCP_IMAGE', 'A']);
    expect(env[1]?.value).toBe(pinned);
    const inUmbrella = renderChart(umbrella, {
      release: 'mcp',
      namespace: 'mcp-system',
      set: ['vmcpController.vmcp.image=registry.local/vmcp:dev'],
    });
    expect(await envOf(inUmbrella)).toContainEqual({ name: 'VMCP_IMAGE', value: 'registry.local/vmcp:dev' });
    expect((await envOf(inUmbrella)).map((e) => e.name)).not.toContain('TOOLHIVE_RUNNER_IMAGE');
    // Only the vmcp controller gets it.
    expect((await envOf(inUmbrella, 'mcp-server-controller')).map((e) => e.name)).not.toContain('VMCP_IMAGE');
  });

  it('rejects an empty or spaced vmcp.image and unknown vmcp keys', async () => {
    // The chart's name contains "vmcp" too: match the schema's path, not the word.
    await expect(render('vmcp.image=')).rejects.toThrow(/at '\/vmcp\/image'/);
    await expect(render('vmcp.image=a b')).rejects.toThrow(/at '\/vmcp\/image'/);
    await expect(render('vmcp.tag=v1')).rejects.toThrow(/at '\/vmcp': additional properties 'tag'/);
  });
});
