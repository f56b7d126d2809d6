/**
 * Selective enablement (issue 16): every subset of the five controllers in the umbrella chart, all
 * 2^5 = 32 combinations of `<key>.enabled`, renders, passes `helm lint --strict`, lists in its NOTES
 * exactly the controllers it runs, and installs with server-side dry-run on a control plane where
 * the CRDs chart was installed first (the order docs/operations.md gives). Each subset renders
 * exactly the enabled controllers' ServiceAccount, RBAC, metrics Service and Deployment, and no
 * object of a disabled one, not even a reference to it (a binding to its ServiceAccount).
 *
 * It lives in packages/api, next to the CRDs chart and umbrella tests, because charts/mcp-controllers
 * is not a vitest project (the root config runs packages/* only), and api owns the CRDs it installs.
 * Every subset is rendered once and shared by the tests below; helm runs two at a time.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { KubeClient, isNotFound } from '@mcp-controllers/core';
import {
  buildChartDependencies,
  createNamespace,
  helm,
  identities,
  installCRDs,
  renderChart,
  renderNotes,
  resourceOf,
  runConcurrently,
  type RenderedObject,
} from '@mcp-controllers/testkit';
import { useControlPlane } from '@mcp-controllers/testkit/vitest';
import { kinds } from '../src/index.js';

const umbrella = new URL('../../../charts/mcp-controllers', import.meta.url).pathname;
const crdsChart = new URL('../../../charts/crds', import.meta.url).pathname;
const controlPlane = useControlPlane();

/** The umbrella's values key of each controller subchart, and the controller it installs. */
const controllers = [
  { key: 'groupController', controller: 'group-controller' },
  { key: 'telemetryController', controller: 'telemetry-controller' },
  { key: 'entryController', controller: 'entry-controller' },
  { key: 'serverController', controller: 'server-controller' },
  { key: 'vmcpController', controller: 'vmcp-controller' },
] as const;
type Controller = (typeof controllers)[number]['controller'];

/** Bit i of the mask enables controllers[i]: masks 0..31 are every subset, the empty one too. */
const masks = Array.from({ length: 2 ** controllers.length }, (_, mask) => mask);
const enabledIn = (mask: number): Controller[] =>
  controllers.filter((_, i) => (mask & (1 << i)) !== 0).map((c) => c.controller);
const setsFor = (mask: number): string[] =>
  controllers.map((c, i) => `${c.key}.enabled=${String((mask & (1 << i)) !== 0)}`);
/** `{group-controller,entry-controller}`: the subset, readable in a failed assertion. */
const subsetName = (mask: number): string => `{${enabledIn(mask).join(',')}}`;

/** Two helm processes at a time: the machine has two cores and other test files share them. */
const helmConcurrency = 2;

/** Runs `task` for every subset, two at a time, and returns its answers keyed by subset name. */
async function forEverySubset<T>(task: (mask: number) => Promise<T>): Promise<Record<string, T>> {
  const answers: Record<string, T> = {};
  await runConcurrently(masks.length, helmConcurrency, async (i) => {
    const mask = masks[i] ?? 0;
    answers[subsetName(mask)] = await task(mask);
  });
  return answers;
}

/** Expected of every subset, keyed like forEverySubset's answers. */
const expectedForEverySubset = <T>(expected: (mask: number) => T): Record<string, T> =>
  Object.fromEntries(masks.map((mask) => [subsetName(mask), expected(mask)]));

/** What one controller's chart installs with default values in release `mcp`, namespace `ns`. */
const objectsOf = (controller: Controller, ns: string): string[] => [
  `ClusterRole /mcp-${controller}`,
  `ClusterRoleBinding /mcp-${controller}`,
  `Deployment ${ns}/mcp-${controller}`,
  `Role ${ns}/mcp-${controller}-leader-election`,
  `RoleBinding ${ns}/mcp-${controller}-leader-election`,
  `Service ${ns}/mcp-${controller}-metrics`,
  `ServiceAccount ${ns}/mcp-${controller}`,
];

/** The ServiceAccounts an object hands permissions or a pod identity to. */
function serviceAccountsNamedBy(doc: RenderedObject): string[] {
  const subjects = (doc as { subjects?: { kind: string; name: string; namespace?: string }[] }).subjects;
  const pod = (doc as { spec?: { template?: { spec?: { serviceAccountName?: string } } } }).spec?.template
    ?.spec;
  return [
    ...(subjects ?? [])
      .filter((s) => s.kind === 'ServiceAccount')
      .map((s) => `${s.namespace ?? ''}/${s.name}`),
    ...(pod?.serviceAccountName ? [`${doc.metadata.namespace ?? ''}/${pod.serviceAccountName}`] : []),
  ];
}

describe('the umbrella chart: every subset of controllers (selective enablement)', () => {
  let ns = '';
  const renders = new Map<number, RenderedObject[]>();

  beforeAll(async () => {
    const kc = controlPlane().kubeConfig;
    await buildChartDependencies(umbrella);
    // The CRDs chart first, as an operator installs it (once per cluster, before any umbrella).
    const crds = await renderChart(crdsChart, { release: 'mcp-crds', namespace: 'mcp-system' });
    expect(crds.map((d) => d.metadata.name).sort()).toEqual(
      kinds.map((k) => `${k.plural}.toolhive.stacklok.dev`).sort(),
    );
    await installCRDs(kc, crds);
    ns = await createNamespace(kc, 'mcp-system');
    const rendered = await forEverySubset((mask) =>
      renderChart(umbrella, { release: 'mcp', namespace: ns, set: setsFor(mask) }),
    );
    for (const mask of masks) renders.set(mask, rendered[subsetName(mask)] ?? []);
  }, 180_000);

  const renderOf = (mask: number): RenderedObject[] => {
    const docs = renders.get(mask);
    if (!docs) throw new Error(`subset ${subsetName(mask)} was not rendered`);
    return docs;
  };

  it('renders exactly the enabled controllers: ServiceAccount, RBAC, Service, Deployment each, nothing else', () => {
    const actual = Object.fromEntries(masks.map((mask) => [subsetName(mask), identities(renderOf(mask))]));
    const expected = expectedForEverySubset((mask) =>
      enabledIn(mask)
        .flatMap((c) => objectsOf(c, ns))
        .sort(),
    );
    expect(actual).toEqual(expected);
    // The subsets differ: the empty one renders nothing, the full one 5 x 7 objects.
    expect(renderOf(0)).toEqual([]);
    expect(renderOf(masks.length - 1)).toHaveLength(controllers.length * 7);
  });

  it('names no disabled controller anywhere, and binds each controller only to its own ServiceAccount', () => {
    const actual = Object.fromEntries(
      masks.map((mask) => {
        const docs = renderOf(mask);
        const text = JSON.stringify(docs);
        const disabled = controllers.map((c) => c.controller).filter((c) => !enabledIn(mask).includes(c));
        // Each object is labelled with its controller; its bindings and pods name that controller's SA.
        const foreignReferences = docs.flatMap((d) => {
          const own = (d.metadata['labels'] as Record<string, string> | undefined)?.[
            'app.kubernetes.io/name'
          ];
          return serviceAccountsNamedBy(d)
            .filter((sa) => sa !== `${ns}/mcp-${own ?? 'unlabelled'}`)
            .map((sa) => `${d.kind} ${d.metadata.name} -> ${sa}`);
        });
        return [
          subsetName(mask),
          {
            mentionsOfDisabled: disabled.filter((c) => text.includes(`mcp-${c}`)),
            foreignReferences,
          },
        ];
      }),
    );
    expect(actual).toEqual(expectedForEverySubset(() => ({ mentionsOfDisabled: [], foreignReferences: [] })));
  });

  it('passes helm lint --strict in every subset', async () => {
    // helm lint takes about as long as a render (0.3 s), so all 32 subsets are linted, not a sample.
    const actual = await forEverySubset(async (mask) => {
      const out = await helm(['lint', umbrella, '--strict', ...setsFor(mask).flatMap((s) => ['--set', s])]);
      return out.includes('1 chart(s) linted, 0 chart(s) failed');
    });
    expect(actual).toEqual(expectedForEverySubset(() => true));
  }, 180_000);

  it('lists in its NOTES exactly the enabled controllers, and says so when there are none', async () => {
    const actual = await forEverySubset(async (mask) => {
      const notes = await renderNotes(umbrella, { release: 'mcp', namespace: ns, set: setsFor(mask) });
      const listed = [...notes.matchAll(/^ {2}- mcp-([a-z]+-controller) watches /gm)].map((m) => m[1]);
      return { listed: listed.sort(), saysNone: notes.includes('controllers: none enabled') };
    });
    expect(actual).toEqual(
      expectedForEverySubset((mask) => ({
        listed: [...enabledIn(mask)].sort(),
        saysNone: mask === 0,
      })),
    );
  }, 180_000);

  it('installs every subset with server-side dry-run after the CRDs chart, creating nothing', async () => {
    const client = new KubeClient(controlPlane().kubeConfig);
    // Every object of every subset, in its subset's render order; dry-run creates never collide, so
    // the same object in two subsets is accepted twice. What the apiserver answered is recorded.
    const actual = await forEverySubset(async (mask) => {
      const accepted: string[] = [];
      for (const doc of renderOf(mask)) {
        const answer = await client
          .create<RenderedObject>(resourceOf(doc), doc, { query: { dryRun: 'All' } })
          .catch((err: unknown) => {
            throw new Error(`subset ${subsetName(mask)}: ${doc.kind} ${doc.metadata.name}: ${String(err)}`);
          });
        accepted.push(`${answer.kind} ${answer.metadata.namespace ?? ''}/${answer.metadata.name}`);
      }
      return accepted.sort();
    });
    expect(actual).toEqual(expectedForEverySubset((mask) => identities(renderOf(mask))));
    // A dry run persists nothing: the full subset's Deployments do not exist.
    const deploymentOf = resourceOf({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: '' } });
    for (const { controller } of controllers)
      await expect(client.get(deploymentOf, { namespace: ns, name: `mcp-${controller}` })).rejects.toSatisfy(
        isNotFound,
      );
  }, 180_000);
});
