/**
 * The tests every controller chart must pass, registered with one call from the controller's
 * `test/chart.int.test.ts`. They cover each value the shared library chart (charts/controller-lib)
 * implements: render assertions on the objects, `helm lint --strict`, render failures with their
 * messages, the umbrella chart's toggles, schema and NOTES, and server-side dry-run of what is
 * rendered (default, every option on, Role-only mode, umbrella) against the test control plane.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { forTestControlPlane, prepareChartDryRun } from './chart-dry-run.js';
import { createNamespace } from './cluster.js';
import { flagValue, identities, labelsOf, ofKind, podOf, standardLabelKeys } from './chart-views.js';
import { buildChartDependencies, renderChart, renderNotes, type RenderedObject } from './charts.js';
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
  /** The kinds the controller watches, as its NOTES name them. */
  watches: string[];
  /**
   * Top-level values the chart adds to the library's reference values and schema (e.g. `runner` of
   * the server controller): the thin-chart test allows exactly these keys beyond the reference, and
   * requires each in both the values and the schema. None by default.
   */
  ownValues?: string[];
  /**
   * Reference values this chart sets otherwise, matching its binary's own flag defaults (e.g. the
   * server controller's `maxConcurrentReconciles: 4`): the thin-chart test expects them instead of
   * the reference's. None by default.
   */
  ownDefaults?: Record<string, unknown>;
  controlPlane: () => ControlPlane;
  /** Creates an object with server-side dry-run; returns what the apiserver answered. */
  dryRunCreate: (doc: RenderedObject) => Promise<RenderedObject>;
}

const digest = `sha256:${'ab12'.repeat(16)}`;
const priorityClass = 'mcp-chart-test';

/** Every optional value on at once: the dry-run applies this render too. */
const everythingOn = [
  'replicaCount=2',
  'podDisruptionBudget.enabled=true',
  'metrics.serviceMonitor.enabled=true',
  'metrics.serviceMonitor.labels.release=prom',
  `priorityClassName=${priorityClass}`,
  'topologySpreadConstraints[0].maxSkew=1',
  'topologySpreadConstraints[0].topologyKey=topology.kubernetes.io/zone',
  'topologySpreadConstraints[0].whenUnsatisfiable=ScheduleAnyway',
  'extraArgs={--kube-api-qps=50}',
  'extraEnv[0].name=NODE_OPTIONS',
  'extraEnv[0].value=--max-old-space-size=96',
  'extraVolumes[0].name=tmp',
  'extraVolumes[0].emptyDir.medium=Memory',
  'extraVolumeMounts[0].name=tmp',
  'extraVolumeMounts[0].mountPath=/tmp',
  `image.digest=${digest}`,
  'imagePullSecrets[0].name=regcred',
];

const libraryDir = (chart: string) => join(chart, '../../../charts/controller-lib');

export function describeControllerChart(spec: ControllerChartSpec): void {
  const { chart, umbrella, binary, umbrellaKey } = spec;
  const controller = binary.replace(/^mcp-/, '');
  const render = (...set: string[]) => renderChart(chart, { release: 'mcp', namespace: 'mcp-system', set });
  const renderUmbrella = (...set: string[]) =>
    renderChart(umbrella, { release: 'mcp', namespace: 'mcp-system', set });

  describe(`${binary} chart`, () => {
    it('passes helm lint --strict, alone and inside the umbrella chart', async () => {
      await buildChartDependencies(umbrella);
      expect(await helm(['lint', chart, '--strict'])).toContain('0 chart(s) failed');
      expect(await helm(['lint', chart, '--strict', ...everythingOn.flatMap((s) => ['--set', s])])).toContain(
        '0 chart(s) failed',
      );
      expect(await helm(['lint', umbrella, '--strict'])).toContain('0 chart(s) failed');
    });

    it('is a thin chart over controller-lib: reference values and schema, no templates of its own', () => {
      const lib = libraryDir(chart);
      expect(readdirSync(join(chart, 'templates')).sort()).toEqual([
        'NOTES.txt',
        '_controller.tpl',
        'controller.yaml',
      ]);
      const own = spec.ownValues ?? [];
      const schemaText = readFileSync(join(chart, 'values.schema.json'), 'utf8');
      const referenceSchemaText = readFileSync(join(lib, 'controller-values.schema.json'), 'utf8');
      if (own.length === 0) expect(schemaText).toBe(referenceSchemaText);
      else {
        const schema = JSON.parse(schemaText) as { properties: Record<string, unknown> };
        for (const key of own) expect(schema.properties[key], `values.schema.json: ${key}`).toBeDefined();
        expect({ ...schema, properties: without(schema.properties, own) }).toEqual(
          JSON.parse(referenceSchemaText),
        );
      }
      type Values = { image: { repository?: string } } & Record<string, unknown>;
      const values = parse(readFileSync(join(chart, 'values.yaml'), 'utf8')) as Values;
      const reference = parse(readFileSync(join(lib, 'controller-values.yaml'), 'utf8')) as Values;
      expect(values.image.repository).toBe(`ghcr.io/mcp-controllers/${controller}`);
      delete values.image.repository;
      delete reference.image.repository;
      for (const key of own) expect(values[key], `values.yaml: ${key}`).toBeDefined();
      expect(without(values, own)).toEqual({ ...reference, ...spec.ownDefaults });
      const meta = parse(readFileSync(join(chart, 'Chart.yaml'), 'utf8')) as Record<string, unknown>;
      expect(meta).toMatchObject({ name: controller, kubeVersion: '>= 1.25.0-0' });
      const library = parse(readFileSync(join(lib, 'Chart.yaml'), 'utf8')) as { version: string };
      expect(meta.dependencies).toEqual([
        {
          name: 'controller-lib',
          version: library.version,
          repository: 'file://../../../charts/controller-lib',
        },
      ]);
    });

    it('renders a locked-down Deployment with probes, TCP ports and leader election on by default', async () => {
      const docs = await render();
      const { pod, container } = podOf(docs);
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
      expect(container.ports).toEqual([
        { name: 'metrics', containerPort: 8080, protocol: 'TCP' },
        { name: 'health', containerPort: 8081, protocol: 'TCP' },
      ]);
      const [service] = ofKind(docs, 'Service') as unknown as { spec: { ports: { protocol: string }[] } }[];
      expect(service?.spec.ports.map((p) => p.protocol)).toEqual(['TCP']);
      expect(container.image).toBe(`ghcr.io/mcp-controllers/${controller}:0.1.0`);
      expect(container.args).toContain('--leader-elect=true');
      const workers = Number(spec.ownDefaults?.maxConcurrentReconciles ?? 1);
      expect(flagValue(container, 'max-concurrent-reconciles')).toBe(String(workers));
      expect(flagValue(container, 'watch-namespace')).toBeUndefined();
      expect(pod.imagePullSecrets).toBeUndefined();
      expect(pod.priorityClassName).toBeUndefined();
      expect(identities(docs, 'PodDisruptionBudget', 'ServiceMonitor')).toEqual([]);
      expect(identities(docs, 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding')).toEqual([
        `ClusterRole /mcp-${controller}`,
        `ClusterRoleBinding /mcp-${controller}`,
        `Role mcp-system/mcp-${controller}-leader-election`,
        `RoleBinding mcp-system/mcp-${controller}-leader-election`,
      ]);
    });

    it('puts the standard app.kubernetes.io labels on every object and on the pods', async () => {
      const docs = await render(...everythingOn);
      const expected = {
        'app.kubernetes.io/name': controller,
        'app.kubernetes.io/instance': 'mcp',
        'app.kubernetes.io/version': '0.1.0',
        'app.kubernetes.io/component': 'controller',
        'app.kubernetes.io/part-of': 'mcp-controllers',
        'app.kubernetes.io/managed-by': 'Helm',
      };
      expect(docs.length).toBeGreaterThan(8);
      for (const doc of docs)
        expect(labelsOf(doc), `${doc.kind} ${doc.metadata.name}`).toMatchObject(expected);
      expect(Object.keys(podOf(docs).podLabels)).toEqual(expect.arrayContaining(standardLabelKeys));
    });

    it('gives each release its own Lease (leaderElection.id), passed as --leader-election-id', async () => {
      const id = async (release: string, ...set: string[]) =>
        flagValue(
          podOf(await renderChart(chart, { release, namespace: 'mcp-system', set })).container,
          'leader-election-id',
        );
      expect(await id('one')).toBe(`one-${controller}`);
      expect(await id('two')).toBe(`two-${controller}`);
      expect(await id('one', 'leaderElection.id=my-lease')).toBe('my-lease');
      await expect(render('leaderElection.id=Not_A_Name')).rejects.toThrow(/leaderElection/);
    });

    it('pins image.digest over the tag, and rejects a malformed digest', async () => {
      expect(podOf(await render(`image.digest=${digest}`, 'image.tag=9.9.9')).container.image).toBe(
        `ghcr.io/mcp-controllers/${controller}@${digest}`,
      );
      expect(podOf(await render('image.tag=9.9.9')).container.image).toBe(
        `ghcr.io/mcp-controllers/${controller}:9.9.9`,
      );
      await expect(render('image.digest=latest')).rejects.toThrow(/digest/);
    });

    it('merges global.imagePullSecrets with its own, alone and in the umbrella for every controller', async () => {
      const { pod } = podOf(
        await render('global.imagePullSecrets[0].name=shared', 'imagePullSecrets[0].name=own'),
      );
      expect(pod.imagePullSecrets).toEqual([{ name: 'shared' }, { name: 'own' }]);
      const deduplicated = podOf(
        await render('global.imagePullSecrets[0].name=same', 'imagePullSecrets[0].name=same'),
      );
      expect(deduplicated.pod.imagePullSecrets).toEqual([{ name: 'same' }]);
      const all = ofKind(
        await renderUmbrella('global.imagePullSecrets[0].name=shared'),
        'Deployment',
      ) as unknown as {
        metadata: { name: string };
        spec: { template: { spec: { imagePullSecrets?: unknown } } };
      }[];
      expect(all.length).toBeGreaterThan(1);
      for (const d of all)
        expect(d.spec.template.spec.imagePullSecrets, d.metadata.name).toEqual([{ name: 'shared' }]);
    });

    it('adds extraArgs, extraEnv, extraVolumes and extraVolumeMounts', async () => {
      const { pod, container } = podOf(await render(...everythingOn));
      expect(container.args.at(-1)).toBe('--kube-api-qps=50');
      expect(container.env).toContainEqual({ name: 'NODE_OPTIONS', value: '--max-old-space-size=96' });
      expect(container.env.map((e) => e.name)).toContain('POD_NAMESPACE');
      expect(pod.volumes).toEqual([{ name: 'tmp', emptyDir: { medium: 'Memory' } }]);
      expect(container.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
      await expect(render('extraArgs={kube-api-qps=50}')).rejects.toThrow(/extraArgs/);
    });

    it('sets priorityClassName and topologySpreadConstraints, selecting its own pods by default', async () => {
      const { pod } = podOf(
        await render(
          ...everythingOn,
          'topologySpreadConstraints[1].maxSkew=1',
          'topologySpreadConstraints[1].topologyKey=kubernetes.io/hostname',
          'topologySpreadConstraints[1].whenUnsatisfiable=DoNotSchedule',
          'topologySpreadConstraints[1].labelSelector.matchLabels.team=a',
        ),
      );
      expect(pod.priorityClassName).toBe(priorityClass);
      expect(pod.topologySpreadConstraints).toEqual([
        {
          maxSkew: 1,
          topologyKey: 'topology.kubernetes.io/zone',
          whenUnsatisfiable: 'ScheduleAnyway',
          labelSelector: {
            matchLabels: { 'app.kubernetes.io/name': controller, 'app.kubernetes.io/instance': 'mcp' },
          },
        },
        {
          maxSkew: 1,
          topologyKey: 'kubernetes.io/hostname',
          whenUnsatisfiable: 'DoNotSchedule',
          labelSelector: { matchLabels: { team: 'a' } },
        },
      ]);
    });

    it('renders a PodDisruptionBudget when podDisruptionBudget.enabled', async () => {
      const pdb = async (...set: string[]) =>
        ofKind(
          await render('podDisruptionBudget.enabled=true', ...set),
          'PodDisruptionBudget',
        ) as unknown as {
          apiVersion: string;
          spec: Record<string, unknown>;
        }[];
      const [byDefault] = await pdb();
      expect(byDefault).toMatchObject({ apiVersion: 'policy/v1' });
      expect(byDefault?.spec).toEqual({
        minAvailable: 1,
        selector: {
          matchLabels: { 'app.kubernetes.io/name': controller, 'app.kubernetes.io/instance': 'mcp' },
        },
      });
      expect((await pdb('podDisruptionBudget.maxUnavailable=1'))[0]?.spec).toMatchObject({
        maxUnavailable: 1,
      });
      expect((await pdb('podDisruptionBudget.minAvailable=50%'))[0]?.spec).toMatchObject({
        minAvailable: '50%',
      });
      await expect(
        pdb('podDisruptionBudget.minAvailable=1', 'podDisruptionBudget.maxUnavailable=1'),
      ).rejects.toThrow(/set minAvailable or maxUnavailable, not both/);
    });

    it('renders a ServiceMonitor for the metrics Service when metrics.serviceMonitor.enabled', async () => {
      const docs = await render(
        'metrics.serviceMonitor.enabled=true',
        'metrics.serviceMonitor.interval=15s',
        'metrics.serviceMonitor.labels.release=prom',
      );
      const [monitor] = ofKind(docs, 'ServiceMonitor') as unknown as {
        metadata: { labels: Record<string, string> };
        spec: { selector: { matchLabels: Record<string, string> }; endpoints: unknown[] };
      }[];
      const [service] = ofKind(docs, 'Service');
      expect(monitor?.metadata.labels.release).toBe('prom');
      expect(labelsOf(service!)).toMatchObject(monitor?.spec.selector.matchLabels ?? { missing: 'selector' });
      expect(monitor?.spec.endpoints).toEqual([{ port: 'metrics', path: '/metrics', interval: '15s' }]);
      await expect(
        render('metrics.serviceMonitor.enabled=true', 'metrics.service.enabled=false'),
      ).rejects.toThrow(/metrics.serviceMonitor.enabled needs metrics.service.enabled/);
    });

    it('renders no RBAC at all with rbac.create=false', async () => {
      const docs = await render('rbac.create=false');
      expect(identities(docs, 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding')).toEqual([]);
      expect(ofKind(docs, 'ServiceAccount')).toHaveLength(1);
    });

    it('with watchNamespaces: the flag, a Role and RoleBinding per namespace, nothing cluster-scoped', async () => {
      const docs = await render('watchNamespaces={team-a,team-b}');
      expect(flagValue(podOf(docs).container, 'watch-namespace')).toBe('team-a,team-b');
      expect(docs.filter((d) => d.metadata.namespace === undefined).map((d) => d.kind)).toEqual([]);
      expect(identities(docs, 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding')).toEqual([
        `Role mcp-system/mcp-${controller}-leader-election`,
        `Role team-a/mcp-${controller}`,
        `Role team-b/mcp-${controller}`,
        `RoleBinding mcp-system/mcp-${controller}-leader-election`,
        `RoleBinding team-a/mcp-${controller}`,
        `RoleBinding team-b/mcp-${controller}`,
      ]);
      const clusterRules = (ofKind(await render(), 'ClusterRole')[0] as { rules?: unknown } | undefined)
        ?.rules;
      for (const role of ofKind(docs, 'Role').filter((r) => !r.metadata.name.endsWith('-leader-election')))
        expect((role as { rules?: unknown }).rules).toEqual(clusterRules);
      await expect(render('watchNamespaces={Not_A_Namespace}')).rejects.toThrow(/watchNamespaces/);
    });

    it('fails to render replicas without leader election, or equal metrics and probe ports', async () => {
      await expect(render('replicaCount=2', 'leaderElection.enabled=false')).rejects.toThrow(
        /replicaCount is 2 but leaderElection.enabled is false/,
      );
      expect(deploymentsReplicas(await render('replicaCount=2'))).toBe(2);
      expect(deploymentsReplicas(await render('replicaCount=1', 'leaderElection.enabled=false'))).toBe(1);
      await expect(render('metrics.port=9000', 'healthProbe.port=9000')).rejects.toThrow(
        /metrics.port and healthProbe.port are both 9000/,
      );
    });

    it(`the umbrella chart renders it only when ${umbrellaKey}.enabled, and rejects unknown keys`, async () => {
      const names = async (...set: string[]) =>
        ofKind(await renderUmbrella(...set), 'Deployment').map((d) => d.metadata.name);
      expect(await names()).toContain(binary);
      expect(await names(`${umbrellaKey}.enabled=false`)).not.toContain(binary);
      // A misspelt key used to be ignored silently, leaving the controller installed.
      await expect(renderUmbrella(`${umbrellaKey.slice(0, -1)}.enabled=false`)).rejects.toThrow(
        /additional properties .* not allowed/,
      );
      await expect(renderUmbrella(`${umbrellaKey}.replicas=2`)).rejects.toThrow(/replicas/);
      expect(ofKind(await renderUmbrella(), 'CustomResourceDefinition')).toEqual([]);
    });

    it('NOTES say what it watches and where, alone and in the umbrella', async () => {
      const summary = `${binary} watches ${spec.watches.join(', ')} in`;
      const own = await renderNotes(chart, { release: 'mcp', namespace: 'mcp-system' });
      expect(own).toContain(`${summary} all namespaces`);
      expect(own).toContain(`Lease mcp-${controller}`);
      const umbrellaNotes = (...set: string[]) =>
        renderNotes(umbrella, { release: 'mcp', namespace: 'mcp-system', set });
      expect(await umbrellaNotes(`${umbrellaKey}.watchNamespaces={team-a,team-b}`)).toContain(
        `${summary} namespaces team-a, team-b`,
      );
      expect(await umbrellaNotes(`${umbrellaKey}.enabled=false`)).not.toContain(binary);
    });

    it('rendered manifests apply with server-side dry-run: default, every option, Role-only, umbrella', async () => {
      const kc = spec.controlPlane().kubeConfig;
      await prepareChartDryRun(kc, priorityClass);
      const ns = await createNamespace(kc, 'release');
      const watched = [await createNamespace(kc, 'watched'), await createNamespace(kc, 'watched')];
      const renders = [
        await renderChart(chart, { release: 'mcp', namespace: ns }),
        await renderChart(chart, { release: 'mcp', namespace: ns, set: everythingOn }),
        await renderChart(chart, {
          release: 'mcp',
          namespace: ns,
          set: [`watchNamespaces={${watched.join(',')}}`],
        }),
        await renderChart(umbrella, { release: 'mcp', namespace: ns, set: ['crds.enabled=true'] }),
      ];
      const kinds = new Set(renders.flat().map((d) => d.kind));
      expect([...kinds].sort()).toEqual(
        [
          'ClusterRole',
          'ClusterRoleBinding',
          'CustomResourceDefinition',
          'Deployment',
          'PodDisruptionBudget',
          'Role',
          'RoleBinding',
          'Service',
          'ServiceAccount',
          'ServiceMonitor',
        ].sort(),
      );
      for (const doc of renders.flat()) {
        const answer = await spec.dryRunCreate(forTestControlPlane(doc));
        expect(answer.metadata.name, `${doc.kind} ${doc.metadata.name}`).toBe(doc.metadata.name);
      }
    });
  });
}

/** A copy of `obj` without `keys`. */
function without(obj: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).filter(([key]) => !keys.includes(key)));
}

function deploymentsReplicas(docs: RenderedObject[]): number | undefined {
  return (ofKind(docs, 'Deployment')[0] as { spec?: { replicas?: number } } | undefined)?.spec?.replicas;
}
