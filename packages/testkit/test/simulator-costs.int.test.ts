import { PatchStrategy, setHeaderOptions, type V1Deployment, type V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { eventually } from '../src/index.js';
import { backendsOf, condition, toolhive, useVmcpSimulator } from './simulator-vmcp-harness.js';

const {
  apis,
  namespace,
  toolhiveCRDs,
  startProxy,
  startSim,
  createDeployment,
  setStatus,
  mcpServer,
  createVmcp,
  readVmcp,
  vmcpWhen,
} = useVmcpSimulator('simcost');
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** An MCPServer's proxy Deployment (the labels the runner is played for), its template marked by `checksum`. */
function mcpDeployment(name: string, checksum: string): V1Deployment {
  const labels = {
    'app.kubernetes.io/name': 'mcpserver',
    'app.kubernetes.io/instance': name,
    toolhive: 'true',
    'toolhive-name': name,
  };
  return {
    metadata: { name, labels },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels, annotations: { 'example.com/checksum': checksum } },
        spec: {
          containers: [
            {
              name: 'toolhive',
              image: 'ghcr.io/stacklok/toolhive/proxyrunner:v0.44.0',
              args: ['run', 'ghcr.io/example/fetch:1.0.0'],
            },
          ],
        },
      },
    },
  };
}

const isReady = (p: V1Pod) =>
  p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

describe('workload simulator: what it costs the apiserver', () => {
  it('serves Deployment reconciles from its stores: rollouts and pod churn cost no GET or LIST', async () => {
    await toolhiveCRDs();
    const proxy = await startProxy();
    const s = await startSim([], proxy.kubeConfig());
    const ns = namespace();
    const readPath = new RegExp(`/namespaces/${ns}/(deployments|pods|configmaps)(/[^/]+)?$`);
    const reads = () => proxy.requests((r) => !r.watch && r.method === 'GET' && readPath.test(r.path)).length;
    const runnerApplies = () =>
      proxy.requests((r) => r.method === 'PATCH' && r.path.endsWith(`/namespaces/${ns}/statefulsets/f`))
        .length;
    const { apps, core } = apis();
    /** The one Pod of f once it is ready, of template `checksum`, and not `previous` (by uid). */
    const podWhen = async (checksum: string, previous: string | undefined, what: string): Promise<V1Pod> => {
      const pod = await eventually(
        async () => {
          const pods = (await core.listNamespacedPod({ namespace: ns, labelSelector: 'toolhive-name=f' }))
            .items;
          const only = pods.length === 1 ? pods[0] : undefined;
          return only &&
            isReady(only) &&
            only.metadata?.annotations?.['example.com/checksum'] === checksum &&
            only.metadata.uid !== previous
            ? only
            : undefined;
        },
        { what, timeoutMs: 15_000 },
      );
      await eventually(
        async () => {
          const d = await apps.readNamespacedDeployment({ namespace: ns, name: 'f' });
          return d.status?.observedGeneration === d.metadata?.generation && d.status?.readyReplicas === 1
            ? true
            : undefined;
        },
        { what: `${what}: Deployment status` },
      );
      return pod;
    };

    await core.createNamespacedConfigMap({
      namespace: ns,
      body: {
        metadata: { name: 'f-runconfig' },
        data: { 'runconfig.json': JSON.stringify({ transport: 'streamable-http', target_port: 8080 }) },
      },
    });
    await apps.createNamespacedDeployment({ namespace: ns, body: mcpDeployment('f', '0') });
    let pod = await podWhen('0', undefined, 'first pod ready');
    await eventually(() => (s.idle() ? true : undefined), { what: 'simulator idle' });
    const before = { reads: reads(), applies: runnerApplies(), reconciles: s.stats().reconciles };
    // One LIST per kind by its loop at least (so the pattern above matches requests).
    expect(before.reads).toBeGreaterThanOrEqual(3);
    expect(before.applies).toBe(1);

    // Rollouts: each template change replaces the Pod, and the runner plays again (its RunConfig read).
    const rollouts = 3;
    for (let i = 1; i <= rollouts; i++) {
      await apps.patchNamespacedDeployment(
        {
          namespace: ns,
          name: 'f',
          body: { spec: { template: { metadata: { annotations: { 'example.com/checksum': String(i) } } } } },
        },
        mergePatch,
      );
      pod = await podWhen(String(i), pod.metadata?.uid, `rollout ${i}`);
    }
    // Pod churn: a Pod deleted gracefully (no kubelet confirms it: the simulator must) or at once
    // comes back under the same name, a new Pod.
    const churn = 4;
    for (let i = 1; i <= churn; i++) {
      const name = pod.metadata?.name ?? '';
      await core.deleteNamespacedPod({ namespace: ns, name, ...(i % 2 ? {} : { gracePeriodSeconds: 0 }) });
      pod = await podWhen(String(rollouts), pod.metadata?.uid, `churn ${i}`);
      expect(pod.metadata?.name).toBe(name);
    }
    await eventually(() => (s.idle() ? true : undefined), { what: 'simulator idle' });
    expect(runnerApplies() - before.applies).toBe(rollouts + churn);
    expect(s.stats().reconciles - before.reconciles).toBeGreaterThanOrEqual(2 * (rollouts + churn));
    // Before the stores: per reconcile a GET of the Deployment and a LIST of its Pods, and a GET of
    // the RunConfig per new Pod.
    expect(reads()).toBe(before.reads);
  });

  it('sends nothing in a steady state, over several resyncs: no write, no read', async () => {
    await toolhiveCRDs();
    const proxy = await startProxy();
    const s = await startSim([], proxy.kubeConfig());
    const requests = () => proxy.requests((r) => !r.watch).length;
    await mcpServer('fetch', 'g', { phase: 'Ready', url: 'http://fetch.svc/mcp' });
    await mcpServer('slow', 'g', { phase: 'Pending', url: 'http://slow.svc/mcp' });
    await createVmcp('v', 'g');
    await createDeployment('v');
    await vmcpWhen('v', (v) => v.status?.backendCount === 1, 'backends reported');
    await eventually(() => (s.idle() ? true : undefined), { what: 'simulator idle' });
    const before = {
      ...s.stats().vmcp,
      deploymentReconciles: s.stats().reconciles,
      requests: requests(),
      resourceVersion: (await readVmcp('v')).metadata.resourceVersion,
    };
    expect(before.writes).toBeGreaterThan(0);
    // Resyncs every 500 ms re-evaluate the vMCP and reconcile its Deployment; five evaluations span
    // at least two resyncs.
    await eventually(() => (s.stats().vmcp.reconciles >= before.reconciles + 5 ? true : undefined), {
      what: 'five more evaluations',
    });
    expect(s.stats().reconciles).toBeGreaterThan(before.deploymentReconciles);
    expect(s.stats().vmcp.writes).toBe(before.writes);
    // Before the stores: a GET of the vMCP, a LIST of its Pods and a GET of its ConfigMap per
    // evaluation, a GET of the Deployment and a LIST of its Pods per reconcile, LISTs per resync.
    expect(proxy.requests((r) => !r.watch).slice(before.requests)).toEqual([]);
    expect((await readVmcp('v')).metadata.resourceVersion).toBe(before.resourceVersion);
  });

  it('serves members from its watches: member changes cost no member LIST, a relist drops the deleted', async () => {
    await toolhiveCRDs();
    const proxy = await startProxy();
    const s = await startSim([], proxy.kubeConfig());
    const memberPath = new RegExp(
      `/namespaces/${namespace()}/(mcpservers|mcpremoteproxies|mcpserverentries)$`,
    );
    const memberLists = () => proxy.requests((r) => !r.watch && memberPath.test(r.path)).length;
    await mcpServer('m', 'g', { phase: 'Ready', url: 'http://m.svc/mcp/0' });
    await createVmcp('v', 'g');
    await createDeployment('v');
    await vmcpWhen('v', (v) => backendsOf(v).length === 1, 'backends reported');
    await eventually(() => (s.idle() ? true : undefined), { what: 'simulator idle' });
    const reads = () => proxy.requests((r) => !r.watch && r.method === 'GET').length;
    const before = { lists: memberLists(), reads: reads(), evaluations: s.stats().vmcp.reconciles };
    // One list per member kind by its watch loop at least (so the pattern above matches requests).
    expect(before.lists).toBeGreaterThanOrEqual(3);

    // N member changes, each reported (so each was evaluated), an addition and a deletion included.
    const changes = 6;
    for (let i = 1; i <= changes; i++) {
      await setStatus('mcpservers', 'm', { phase: 'Ready', url: `http://m.svc/mcp/${i}` });
      await vmcpWhen('v', (v) => backendsOf(v)[0] === `m=ready@http://m.svc/mcp/${i}`, `change ${i}`);
    }
    await mcpServer('n', 'g', { phase: 'Ready', url: 'http://n.svc/mcp' });
    await vmcpWhen('v', (v) => backendsOf(v).length === 2, 'n added');
    await apis().custom.deleteNamespacedCustomObject({
      ...toolhive,
      plural: 'mcpservers',
      namespace: namespace(),
      name: 'm',
    });
    const afterDelete = await vmcpWhen('v', (v) => backendsOf(v).length === 1, 'm deleted');
    expect(backendsOf(afterDelete)).toEqual(['n=ready@http://n.svc/mcp']);
    expect(s.stats().vmcp.reconciles - before.evaluations).toBeGreaterThanOrEqual(changes + 2);
    // Before the stores: 3 LISTs (one per member kind), a GET of the vMCP, a LIST of its Pods and a
    // GET of its ConfigMap per evaluation.
    expect(memberLists()).toBe(before.lists);
    expect(reads()).toBe(before.reads);

    // A member deleted while the watches are down is gone after they come back (a relist, not
    // events); the MCPServer watch is answered 410 once on the way, and relists again.
    const watches = (plural: string) =>
      proxy.requests((r) => r.watch && r.path.endsWith(`/namespaces/${namespace()}/${plural}`)).length;
    const plurals = ['mcpservers', 'mcpremoteproxies', 'mcpserverentries'];
    const watchesBefore = plurals.map(watches);
    const gone = proxy.inject({
      status: 410,
      message: 'too old resource version (forced by the test)',
      times: 1,
      match: (r) => r.watch && r.path.endsWith(`/namespaces/${namespace()}/mcpservers`),
    });
    proxy.cut();
    await apis().custom.deleteNamespacedCustomObject({
      ...toolhive,
      plural: 'mcpservers',
      namespace: namespace(),
      name: 'n',
    });
    proxy.restore();
    const afterCut = await vmcpWhen(
      'v',
      (v) => backendsOf(v).length === 0 && v.status?.backendCount === 0,
      'n dropped after the reconnect',
    );
    expect(condition(afterCut, 'BackendsDiscovered')?.status).toBe('False');
    // Every member watch is back (each watch request follows its list, so the copy is synced):
    // one more member again costs no LIST.
    await eventually(
      () =>
        plurals.every((p, i) => watches(p) >= watchesBefore[i]! + (p === 'mcpservers' ? 2 : 1)) && s.idle()
          ? true
          : undefined,
      { what: 'member watches back after the cut and the 410' },
    );
    expect(gone.hits()).toBe(1);
    const listsAfterCut = memberLists();
    await mcpServer('o', 'g', { phase: 'Ready', url: 'http://o.svc/mcp' });
    // Exactly o: a stale n kept by a relist would show here.
    await vmcpWhen('v', (v) => backendsOf(v).join() === 'o=ready@http://o.svc/mcp', 'o added');
    expect(memberLists()).toBe(listsAfterCut);
  });
});
