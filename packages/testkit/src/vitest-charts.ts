/**
 * The tests every controller chart must pass, registered with one call from the controller's
 * `test/chart.int.test.ts`: helm lint (alone and in the umbrella chart), a locked-down Deployment
 * with probes and metrics, `watchNamespaces` mapped to the flag and to RoleBindings, the umbrella's
 * `<key>.enabled` toggle, and server-side dry-run of everything rendered.
 */
import { describe, expect, it } from 'vitest';
import { createNamespace } from './cluster.js';
import { buildChartDependencies, renderChart, type RenderedObject } from './charts.js';
import type { ControlPlane } from './control-plane.js';
import { helm } from './helm.js';

export interface ControllerChartSpec {
  /** Path of the controller's chart directory. */
  chart: string;
  /** Path of charts/mcp-controllers. */
  umbrella: string;
  /** Binary and Deployment name suffix, e.g. `mcp-group-controller`. */
  binary: string;
  /** The umbrella chart's values key, e.g. `groupController`. */
  umbrellaKey: string;
  controlPlane: () => ControlPlane;
  /** Creates an object with server-side dry-run; returns what the apiserver answered. */
  dryRunCreate: (doc: RenderedObject) => Promise<RenderedObject>;
}

interface Container {
  args: string[];
  securityContext: Record<string, unknown>;
  livenessProbe: { httpGet: { path: string } };
  readinessProbe: { httpGet: { path: string } };
  resources: { requests?: unknown };
  ports: { name: string }[];
}
type DeploymentView = {
  spec: { template: { spec: { securityContext: Record<string, unknown>; containers: Container[] } } };
};

const ofKind = (docs: RenderedObject[], kind: string) => docs.filter((d) => d.kind === kind);
const firstContainer = (docs: RenderedObject[]) => {
  const [deployment] = ofKind(docs, 'Deployment') as unknown as DeploymentView[];
  if (!deployment) throw new Error('the chart rendered no Deployment');
  return { pod: deployment.spec.template.spec, container: deployment.spec.template.spec.containers[0]! };
};

export function describeControllerChart(spec: ControllerChartSpec): void {
  const { chart, umbrella, binary, umbrellaKey } = spec;
  describe(`${binary} chart`, () => {
    it('passes helm lint, alone and inside the umbrella chart', async () => {
      await buildChartDependencies(umbrella);
      expect(await helm(['lint', chart, '--strict'])).toContain('0 chart(s) failed');
      expect(await helm(['lint', umbrella, '--strict'])).toContain('0 chart(s) failed');
    });

    it('renders a locked-down Deployment with probes, metrics and leader election on by default', async () => {
      const docs = await renderChart(chart, { release: 'mcp', namespace: 'mcp-system' });
      const { pod, container } = firstContainer(docs);
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
      expect(ofKind(docs, 'Service')).toHaveLength(1);
      expect(ofKind(docs, 'ClusterRoleBinding')).toHaveLength(1);
    });

    it('maps watchNamespaces to --watch-namespace and to RoleBindings instead of a ClusterRoleBinding', async () => {
      const docs = await renderChart(chart, {
        release: 'mcp',
        namespace: 'mcp-system',
        set: ['watchNamespaces={team-a,team-b}'],
      });
      expect(firstContainer(docs).container.args).toContain('--watch-namespace=team-a,team-b');
      expect(ofKind(docs, 'ClusterRoleBinding')).toHaveLength(0);
      expect(
        ofKind(docs, 'RoleBinding')
          .map((b) => b.metadata.namespace)
          .sort(),
      ).toEqual(['mcp-system', 'team-a', 'team-b']);
      await expect(renderChart(chart, { set: ['watchNamespaces={Not_A_Namespace}'] })).rejects.toThrow(
        /watchNamespaces/,
      );
    });

    it(`the umbrella chart renders it only when ${umbrellaKey}.enabled`, async () => {
      await buildChartDependencies(umbrella);
      const names = async (...set: string[]) =>
        ofKind(
          await renderChart(umbrella, { release: 'mcp', namespace: 'mcp-system', set }),
          'Deployment',
        ).map((d) => d.metadata.name);
      expect(await names()).toContain(binary);
      expect(await names(`${umbrellaKey}.enabled=false`)).not.toContain(binary);
    });

    it('rendered manifests (chart and umbrella) apply with server-side dry-run', async () => {
      const ns = await createNamespace(spec.controlPlane().kubeConfig, 'release');
      await buildChartDependencies(umbrella);
      for (const c of [chart, umbrella]) {
        const docs = await renderChart(c, { release: 'mcp', namespace: ns });
        expect(docs.length).toBeGreaterThan(5);
        for (const doc of docs) expect((await spec.dryRunCreate(doc)).metadata.name).toBe(doc.metadata.name);
      }
    });
  });
}
