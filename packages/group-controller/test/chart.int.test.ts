import { describe, expect, it } from 'vitest';
import { KubeClient } from '@mcp-controllers/core';
import {
  buildChartDependencies,
  createNamespace,
  helm,
  renderChart,
  resourceOf,
  type RenderedObject,
} from '@mcp-controllers/testkit';
import { useControlPlane } from '@mcp-controllers/testkit/vitest';

const subchart = new URL('../chart', import.meta.url).pathname;
const umbrella = new URL('../../../charts/mcp-controllers', import.meta.url).pathname;
const controlPlane = useControlPlane();

const find = (docs: RenderedObject[], kind: string) => docs.filter((d) => d.kind === kind);
type Container = {
  args: string[];
  securityContext: Record<string, unknown>;
  livenessProbe: { httpGet: { path: string } };
  readinessProbe: { httpGet: { path: string } };
  resources: { requests?: unknown; limits?: unknown };
  ports: { name: string }[];
};
type DeploymentView = {
  spec: { template: { spec: { securityContext: Record<string, unknown>; containers: Container[] } } };
};

describe('group-controller chart', () => {
  it('passes helm lint, alone and inside the umbrella chart', async () => {
    await buildChartDependencies(umbrella);
    expect(await helm(['lint', subchart, '--strict'])).toContain('0 chart(s) failed');
    expect(await helm(['lint', umbrella, '--strict'])).toContain('0 chart(s) failed');
  });

  it('renders a locked-down Deployment with probes, metrics and leader election on by default', async () => {
    const docs = await renderChart(subchart, { release: 'mcp', namespace: 'mcp-system' });
    const [deployment] = find(docs, 'Deployment') as unknown as DeploymentView[];
    const pod = deployment!.spec.template.spec;
    const container = pod.containers[0]!;
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
    expect(container.readinessProbe.httpGet.path).toBe('/readyz');
    expect(container.resources.requests).toBeDefined();
    expect(container.ports.map((p) => p.name)).toEqual(['metrics', 'health']);
    expect(container.args).toContain('--leader-elect=true');
    expect(container.args.some((a) => a.startsWith('--watch-namespace'))).toBe(false);
    expect(find(docs, 'Service')).toHaveLength(1);
    expect(find(docs, 'ClusterRoleBinding')).toHaveLength(1);
  });

  it('maps watchNamespaces to --watch-namespace and to RoleBindings instead of a ClusterRoleBinding', async () => {
    const docs = await renderChart(subchart, {
      release: 'mcp',
      namespace: 'mcp-system',
      set: ['watchNamespaces={team-a,team-b}'],
    });
    const [deployment] = find(docs, 'Deployment') as unknown as DeploymentView[];
    expect(deployment!.spec.template.spec.containers[0]!.args).toContain('--watch-namespace=team-a,team-b');
    expect(find(docs, 'ClusterRoleBinding')).toHaveLength(0);
    expect(
      find(docs, 'RoleBinding')
        .map((b) => b.metadata.namespace)
        .sort(),
    ).toEqual(['mcp-system', 'team-a', 'team-b']);
    await expect(renderChart(subchart, { set: ['watchNamespaces={Not_A_Namespace}'] })).rejects.toThrow(
      /watchNamespaces/,
    );
  });

  it('the umbrella chart renders the subchart only when groupController.enabled', async () => {
    await buildChartDependencies(umbrella);
    const on = await renderChart(umbrella, { release: 'mcp', namespace: 'mcp-system' });
    expect(find(on, 'Deployment').map((d) => d.metadata.name)).toEqual(['mcp-group-controller']);
    expect(find(on, 'CustomResourceDefinition').length).toBe(7);
    const off = await renderChart(umbrella, { set: ['groupController.enabled=false', 'crds.enabled=false'] });
    expect(off).toEqual([]);
  });

  it('rendered manifests (subchart and umbrella) apply with server-side dry-run', async () => {
    const client = new KubeClient(controlPlane().kubeConfig);
    const ns = await createNamespace(controlPlane().kubeConfig, 'release');
    await buildChartDependencies(umbrella);
    for (const chart of [subchart, umbrella]) {
      const docs = await renderChart(chart, { release: 'mcp', namespace: ns });
      expect(docs.length).toBeGreaterThan(5);
      for (const doc of docs) {
        const answer = await client.create<RenderedObject>(resourceOf(doc), doc, {
          query: { dryRun: 'All' },
        });
        expect(answer.metadata.name).toBe(doc.metadata.name);
      }
    }
  });
});
