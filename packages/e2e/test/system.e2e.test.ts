// The five controllers as processes, with the simulator, driven only through the API: the examples
// settle as the run command shows them, and each fault in the middle of the work (a controller killed
// -9 then replaced; a leader killed with a standby taking over; the apiserver restarted with etcd
// compacted, so watches resume with 410 Gone and relist) leads to the same final state (every status,
// every generated object) with nothing written twice that should have been written once.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { KubeClient, ResourceRef } from '@mcp-controllers/core';
import { configMapResource, secretResource } from '@mcp-controllers/core';
import { mcpGroup, mcpServerEntry, mcpTelemetryConfig } from '@mcp-controllers/api';
import { eventually, startFaultProxy, type FaultProxy } from '@mcp-controllers/testkit';
import {
  controllerNames,
  writeRequests,
  type ControllerName,
  type ControllerProcess,
} from './controllers.js';
import {
  applyExamples,
  currentStates,
  exampleNamespace,
  expectedStates,
  settleTo,
  waitSettled,
} from './examples.js';
import { useSystem } from './harness.js';
import { versions, type Snapshot } from './snapshot.js';
import { peersAwaited, settledAlone } from './alone.js';

const system = useSystem();
let baseline: Snapshot | undefined;
let baselineVersions: Record<string, string> = {};

/** The first write each controller makes for the examples: the moment to kill it, mid-work. */
const firstWrite: Record<ControllerName, { resource: ResourceRef; name: string; status: boolean }> = {
  group: { resource: mcpGroup.resource, name: 'engineering', status: true },
  telemetry: { resource: mcpTelemetryConfig.resource, name: 'shared-otel', status: true },
  entry: { resource: mcpServerEntry.resource, name: 'lab-tools', status: true },
  server: { resource: configMapResource, name: 'fetch-runconfig', status: false },
  vmcp: { resource: secretResource, name: 'engineering-tools-hmac-secret', status: false },
};

async function wroteFirst(client: KubeClient, name: ControllerName, namespace: string): Promise<boolean> {
  const { resource, name: object, status } = firstWrite[name];
  try {
    const o = await client.get<{ status?: unknown }>(resource, { namespace, name: object });
    return !status || o.status !== undefined;
  } catch {
    return false;
  }
}

/**
 * Starts creating the examples in `namespace` and resolves once the `name` controller made its first
 * write there: the moment for a fault, with work in flight. `applying` is the creation still going on.
 */
async function applyingUntilFirstWrite(
  name: ControllerName,
  namespace: string,
): Promise<{ applying: Promise<void> }> {
  const { client } = system();
  const applying = applyExamples(client, namespace);
  await eventually(() => wroteFirst(client, name, namespace).then((done) => done || undefined), {
    timeoutMs: 60_000,
    intervalMs: 10,
    what: `the ${name} controller's first write in ${namespace}`,
  });
  return { applying };
}

/**
 * The replica of `name` holding its Lease, once one does (a replacement waits for the old holder's
 * to expire; one that lost its Lease meanwhile was restarted by the harness).
 */
function leading(name: ControllerName, timeoutMs?: number): Promise<ControllerProcess> {
  return system().controllers.leader(name, timeoutMs);
}

/**
 * What every fault test ends with: `namespace` settles to the state reached without faults, the
 * recorder saw nothing there written twice that should have been written once, and no controller
 * exited for any reason but a lost Lease.
 */
async function expectSameFinalState(namespace: string, expected: Snapshot): Promise<void> {
  const { client, controllers, recorder } = system();
  expect(await settleTo(client, namespace, expected, { controllers }), namespace).toEqual(expected);
  expect(recorder.problems([namespace])).toEqual([]);
  expect(controllers.unexpectedExits()).toEqual([]);
}

function settledBaseline(): Snapshot {
  if (!baseline) throw new Error('the baseline test did not settle; see its failure');
  return baseline;
}

it('the examples settle as the run command shows them', async () => {
  const { client, controllers, recorder } = system();
  await applyExamples(client);
  baseline = await waitSettled(client, exampleNamespace, { controllers });

  expect(await currentStates(client, exampleNamespace)).toEqual(expectedStates);
  // What the controllers generate, by name (their content is what the other tests compare).
  expect(Object.keys(baseline)).toEqual(
    expect.arrayContaining([
      'ConfigMap/fetch-runconfig',
      'Deployment/fetch',
      'Service/mcp-fetch-proxy',
      'ConfigMap/research-inline-vmcp-config',
      'Deployment/engineering-tools',
      'Service/vmcp-engineering-tools',
      'Role/engineering-tools-vmcp',
      'Secret/engineering-tools-hmac-secret',
      'Secret/research-inline-hmac-secret',
      'Secret/research-tools-hmac-secret',
    ]),
  );
  expect(baseline['Secret/research-tools-hmac-secret']).toMatchObject({ keys: ['hmac-secret'] });
  baselineVersions = await versions(client, exampleNamespace);
  expect(recorder.seen('Secret', exampleNamespace)).toContain(
    `Secret/${exampleNamespace}/engineering-tools-hmac-secret`,
  );
  expect(recorder.problems()).toEqual([]);
  expect(controllers.unexpectedExits()).toEqual([]);
}, 180_000);

for (const name of controllerNames) {
  it(`kill -9 of the ${name} controller in the middle of the work: same final state, nothing written twice`, async () => {
    const expected = settledBaseline();
    const victim = await leading(name);
    const namespace = `kill-${name}`;
    // Created while the controller works on what came first: it is killed between two writes.
    const { applying } = await applyingUntilFirstWrite(name, namespace);
    await victim.kill9();
    await applying;
    await system().restart(name);
    // Until it leads (the killed leader's Lease must expire first) nothing does its work, and the
    // state could look settled, quiet for a while, without being final.
    const replacement = await leading(name);

    await expectSameFinalState(namespace, expected);
    console.log(
      `kill -9 ${name}: the replacement sent ${writeRequests(await replacement.metrics())} writes (all namespaces)`,
    );
  }, 150_000);
}

for (const name of controllerNames) {
  it(`two ${name} replicas: the leader killed mid-work, the standby takes over and the state converges`, async () => {
    const expected = settledBaseline();
    const { controllers, running } = system();
    const leader = await leading(name);
    const standby = await controllers.start(name);
    expect(await standby.isLeader()).toBe(false);

    const namespace = `failover-${name}`;
    const { applying } = await applyingUntilFirstWrite(name, namespace);
    await leader.kill9();
    await applying;
    running.set(name, standby);
    expect((await leading(name)).pid).toBe(standby.pid);

    await expectSameFinalState(namespace, expected);
  }, 150_000);
}

it('each controller alone says in a condition which absent peer it waits for; together they reach the same final state', async () => {
  const expected = settledBaseline();
  const { client, controllers } = system();
  // A stopped leader hands its Lease over: the next one leads at once.
  await Promise.all(controllerNames.map((name) => controllers.stopReplicas(name)));
  const awaited: Partial<Record<ControllerName, string[]>> = {};
  for (const name of controllerNames) {
    await system().restart(name);
    await leading(name);
    const namespace = `alone-${name}`;
    await applyExamples(client, namespace);
    const states = await settledAlone(client, namespace, name);
    awaited[name] = peersAwaited(states);
    // What differs from the final state is explained by a peer named in a condition.
    const unexplained = Object.entries(states).filter(
      ([key, { state, waiting }]) =>
        state !== expectedStates[key] && peersAwaited({ [key]: { state, waiting } }).length === 0,
    );
    expect(unexplained, `${name} alone`).toEqual([]);
    await controllers.stopReplicas(name);
  }
  // Entries are not validated and servers run ungrouped without group status; a vMCP names every peer
  // it misses (the group, and the entries and servers its inline backends would be).
  expect(awaited).toEqual({
    group: [],
    telemetry: [],
    entry: ['group'],
    server: ['group'],
    vmcp: ['entry', 'group', 'server'],
  });

  await Promise.all(controllerNames.map((name) => system().restart(name)));
  await Promise.all(controllerNames.map((name) => leading(name)));
  for (const name of controllerNames) {
    const namespace = `alone-${name}`;
    await expectSameFinalState(namespace, expected);
  }
}, 300_000);

it('the apiserver restarted mid-work with etcd compacted (every watch relists after 410): same final state', async () => {
  const expected = settledBaseline();
  const { client, controllers, controlPlane, recorder } = system();
  const namespace = 'apiserver-restart';
  await applyExamples(client, namespace);
  // Work is in flight: the objects were just created, the Deployments' pods not ready yet.
  await controlPlane.stopApiServer();
  await controlPlane.compactEtcd();
  await controlPlane.startApiServer();
  await eventually(() => recorder.relists.length > 0 || undefined, {
    timeoutMs: 30_000,
    what: 'a watch answered 410 Gone after the compaction',
  });

  // A leader that could not renew its Lease while the apiserver was away exited and was restarted.
  await Promise.all(controllerNames.map((name) => leading(name, 60_000)));
  console.log(`apiserver restart: ${controllers.lostLeases().length} Lease losses so far, each restarted`);

  await expectSameFinalState(namespace, expected);
}, 180_000);

it('a 410 Gone forced on every watch mid-work, no restart: each controller relists and the state converges', async () => {
  const expected = settledBaseline();
  const { controllers, controlPlane, logDir } = system();
  // One fault proxy per controller, so that each one's watches, 410s and relists can be told apart.
  const proxies = new Map<ControllerName, FaultProxy>();
  const gone = new Map<ControllerName, Set<string>>();
  try {
    await Promise.all(controllerNames.map((name) => controllers.stopReplicas(name)));
    await Promise.all(
      controllerNames.map(async (name) => {
        const proxy = await startFaultProxy(controlPlane.kubeConfig);
        proxies.set(name, proxy);
        const kubeconfigPath = join(logDir, `${name}-via-proxy.kubeconfig`);
        await writeFile(kubeconfigPath, proxy.kubeConfig().exportConfig());
        await system().restart(name, kubeconfigPath);
        await leading(name);
      }),
    );
    const namespace = 'forced-410';
    const { applying } = await applyingUntilFirstWrite('vmcp', namespace);
    // Every watch, dropped, comes back to a 410 once (its resource version is "too old"): as after an
    // etcd compaction, without the apiserver going away.
    const marks = new Map<ControllerName, number>();
    for (const [name, proxy] of proxies) {
      const answered = new Set<string>();
      gone.set(name, answered);
      marks.set(name, proxy.requests().length);
      proxy.inject({
        status: 410,
        message: 'too old resource version (forced by the test)',
        match: (r) => {
          if (!r.watch || answered.has(r.path)) return false;
          answered.add(r.path);
          return true;
        },
      });
      proxy.cut();
      proxy.restore();
    }
    await applying;

    for (const [name, proxy] of proxies) {
      const watched = new Set(proxy.requests((r) => r.watch).map((r) => r.path));
      // Each path watched came back after the cut, was answered 410, and was listed again.
      await eventually(
        () => {
          const after = proxy.requests().slice(marks.get(name));
          const relisted = new Set(after.filter((r) => !r.watch && r.method === 'GET').map((r) => r.path));
          return [...watched].every((path) => gone.get(name)!.has(path) && relisted.has(path)) || undefined;
        },
        { timeoutMs: 30_000, what: `every watch of the ${name} controller answered 410 and relisted` },
      );
    }
    await Promise.all(controllerNames.map((name) => leading(name)));
    await expectSameFinalState(namespace, expected);
  } finally {
    // Back to talking to the apiserver directly, for the tests after this one.
    await Promise.all(controllerNames.map((name) => controllers.stopReplicas(name)));
    await Promise.all([...proxies.values()].map((proxy) => proxy.close()));
    await Promise.all(controllerNames.map((name) => system().restart(name)));
    await Promise.all(controllerNames.map((name) => leading(name)));
  }
}, 240_000);

it('the settled namespace saw no write through every kill and restart', async () => {
  const { client, recorder } = system();
  // Each replacement relisted everything and reconciled mcp-demo again: a steady state costs no write.
  expect(await versions(client, exampleNamespace)).toEqual(baselineVersions);
  expect(await waitSettled(client, exampleNamespace, { quietMs: 0 })).toEqual(settledBaseline());
  expect(recorder.problems()).toEqual([]);
  // The Deployments exist once each: the recorder saw every generated object created exactly once.
  expect(recorder.seen('Deployment', exampleNamespace).length).toBeGreaterThan(0);
}, 120_000);
