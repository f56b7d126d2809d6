// The five controllers as processes, with the simulator, driven only through the API: the examples
// settle as the run command shows them, and each fault in the middle of the work (a controller killed
// -9 then replaced; a leader killed with a standby taking over; the apiserver restarted with etcd
// compacted, so watches resume with 410 Gone and relist) leads to the same final state (every status,
// every generated object) with nothing written twice that should have been written once.
import { expect, it } from 'vitest';
import type { KubeClient, ResourceRef } from '@mcp-controllers/core';
import { configMapResource, secretResource } from '@mcp-controllers/core';
import { mcpGroup, mcpServerEntry, mcpTelemetryConfig } from '@mcp-controllers/api';
import { eventually } from '@mcp-controllers/testkit';
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
  useSystem,
  waitSettled,
} from './harness.js';
import { versions, type Snapshot } from './snapshot.js';

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

/** Waits until the process holds its Lease (a replacement waits for the old holder's to expire). */
async function leading(controller: ControllerProcess): Promise<void> {
  await eventually(() => controller.isLeader().then((leader) => leader || undefined), {
    timeoutMs: 45_000,
    intervalMs: 200,
    what: `the ${controller.name} controller (pid ${controller.pid}) leading`,
  });
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
    const { client, controllers, recorder, running } = system();
    const victim = running.get(name)!;
    await leading(victim);
    const namespace = `kill-${name}`;
    // Created while the controller works on what came first: it is killed between two writes.
    const applying = applyExamples(client, namespace);
    await eventually(() => wroteFirst(client, name, namespace).then((done) => done || undefined), {
      timeoutMs: 60_000,
      intervalMs: 10,
      what: `the ${name} controller's first write in ${namespace}`,
    });
    await victim.kill9();
    await applying;
    const replacement = await system().restart(name);
    // Until it leads (the killed leader's Lease must expire first) nothing does its work, and the
    // state could look settled, quiet for a while, without being final.
    await leading(replacement);

    expect(await settleTo(client, namespace, expected, { controllers })).toEqual(expected);
    expect(recorder.problems([namespace])).toEqual([]);
    expect(controllers.unexpectedExits()).toEqual([]);
    console.log(
      `kill -9 ${name}: the replacement sent ${writeRequests(await replacement.metrics())} writes (all namespaces)`,
    );
  }, 150_000);
}

it('two replicas: the leader killed mid-work, the standby takes over and the state converges', async () => {
  const expected = settledBaseline();
  const { client, controllers, recorder, running } = system();
  const name: ControllerName = 'vmcp';
  const leader = running.get(name)!;
  const standby = await controllers.start(name);
  expect(await leader.isLeader()).toBe(true);
  expect(await standby.isLeader()).toBe(false);

  const namespace = 'failover-vmcp';
  const applying = applyExamples(client, namespace);
  await eventually(() => wroteFirst(client, name, namespace).then((done) => done || undefined), {
    timeoutMs: 60_000,
    intervalMs: 10,
    what: `the ${name} controller's first write in ${namespace}`,
  });
  await leader.kill9();
  await applying;
  running.set(name, standby);
  await leading(standby);

  expect(await settleTo(client, namespace, expected, { controllers })).toEqual(expected);
  expect(recorder.problems([namespace])).toEqual([]);
  expect(controllers.unexpectedExits()).toEqual([]);
}, 150_000);

it('the apiserver restarted mid-work with etcd compacted (every watch relists after 410): same final state', async () => {
  const expected = settledBaseline();
  const { client, controllers, controlPlane, recorder, running } = system();
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

  // A leader that could not renew its Lease while the apiserver was away exits, and its pod would be
  // restarted: do what the kubelet would. Any other exit is a failure.
  // Each one either leads again or is gone (one exiting now is not running by the deadline); the
  // gone ones are replaced at once, in parallel, each waiting for its old Lease to expire.
  await Promise.all(
    controllerNames.map(async (name) => {
      const current = running.get(name)!;
      const outcome = await eventually(
        async () =>
          !current.isRunning() ? 'exited' : (await current.isLeader().catch(() => false)) || undefined,
        { timeoutMs: 45_000, intervalMs: 200, what: `the ${name} controller leading again or exited` },
      );
      if (outcome === 'exited') await leading(await system().restart(name));
    }),
  );
  const exits = controllers.takeExits();
  expect(exits.filter((e) => !e.includes('leader election lost'))).toEqual([]);
  console.log(`apiserver restart: ${exits.length} controllers lost their lease and were restarted`);

  expect(await settleTo(client, namespace, expected, { controllers })).toEqual(expected);
  expect(recorder.problems([namespace])).toEqual([]);
  expect(controllers.unexpectedExits()).toEqual([]);
}, 180_000);

it('the settled namespace saw no write through every kill and restart', async () => {
  const { client, recorder } = system();
  // Each replacement relisted everything and reconciled mcp-demo again: a steady state costs no write.
  expect(await versions(client, exampleNamespace)).toEqual(baselineVersions);
  expect(await waitSettled(client, exampleNamespace, { quietMs: 0 })).toEqual(settledBaseline());
  expect(recorder.problems()).toEqual([]);
  // The Deployments exist once each: the recorder saw every generated object created exactly once.
  expect(recorder.seen('Deployment', exampleNamespace).length).toBeGreaterThan(0);
}, 120_000);
