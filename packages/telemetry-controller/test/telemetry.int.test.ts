import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  mcpRemoteProxy,
  mcpServer,
  mcpTelemetryConfig,
  virtualMCPServer,
  generatedCRDPaths,
} from '@mcp-controllers/api';
import { KubeClient, type KubeObject } from '@mcp-controllers/core';
import { controllerSettles, installCRDs } from '@mcp-controllers/testkit';
import { useControlPlane, useNamespace } from '@mcp-controllers/testkit/vitest';
import {
  condition,
  configGone,
  configReaches,
  sameRefs,
  startTelemetryController,
  telemetryConfig,
  workload,
  type RunningTelemetryController,
  type TelemetryView,
  type WorkloadKind,
} from './harness.js';
import { configHash, validateTelemetryConfig } from '../src/index.js';

const controlPlane = useControlPlane();
const namespace = useNamespace(controlPlane);
let client: KubeClient;
let manager: RunningTelemetryController;
const finalizer = 'mcptelemetryconfig.toolhive.stacklok.dev/finalizer';

beforeAll(async () => {
  await installCRDs(controlPlane().kubeConfig, generatedCRDPaths());
  client = new KubeClient(controlPlane().kubeConfig);
  manager = await startTelemetryController(controlPlane().kubeConfig);
});
afterAll(async () => {
  await manager.stop();
});

const resources = {
  MCPServer: mcpServer,
  MCPRemoteProxy: mcpRemoteProxy,
  VirtualMCPServer: virtualMCPServer,
};
const otel = (endpoint: string, extra: Record<string, unknown> = {}) => ({
  openTelemetry: { enabled: true, endpoint, tracing: { enabled: true }, ...extra },
});
const key = (name: string) => ({ namespace: namespace(), name });
const setSpec = (name: string, spec: Record<string, unknown>) =>
  client.patch(mcpTelemetryConfig.resource, key(name), 'merge', { spec });
async function replaceSpec(name: string, spec: Record<string, unknown>) {
  const current = await client.get<KubeObject>(mcpTelemetryConfig.resource, key(name));
  await client.replace(mcpTelemetryConfig.resource, { ...current, spec });
}

describe('validation and hash', () => {
  it('each controller rule gives Valid=False with the problem; fixing it flips back and updates the hash', async () => {
    await client.create(
      mcpTelemetryConfig.resource,
      telemetryConfig(namespace(), 'otel', otel('collector:4318')),
    );
    const good = await configReaches(
      client,
      namespace(),
      'otel',
      (v) => condition(v, 'Valid')?.status === 'True',
      'valid',
    );
    expect(condition(good, 'Valid')).toMatchObject({
      reason: 'ValidationSucceeded',
      message: 'Spec validation passed',
    });
    expect(good.metadata.finalizers).toEqual([finalizer]);
    expect(good.status?.observedGeneration).toBe(good.metadata.generation);
    const goodHash = good.status?.configHash;
    expect(goodHash).toMatch(/^[0-9a-f]{16}$/);

    const broken: [Record<string, unknown>, string][] = [
      [{ openTelemetry: { tracing: { enabled: false } } }, 'requires at least one of tracing or metrics'],
      [
        {
          openTelemetry: {
            headers: { 'x-a': '1' },
            sensitiveHeaders: [{ name: 'x-a', secretKeyRef: { name: 's', key: 'k' } }],
          },
        },
        'x-a is in both headers and sensitiveHeaders',
      ],
      [
        { openTelemetry: { insecure: true, caBundleRef: { configMapRef: { name: 'ca', key: 'ca.crt' } } } },
        'cannot be used with insecure: true',
      ],
      [
        {
          openTelemetry: {
            insecure: false,
            caBundleRef: { configMapRef: { name: 'c'.repeat(49), key: 'ca.crt' } },
          },
        },
        'at most 48 characters',
      ],
    ];
    for (const [spec, message] of broken) {
      await setSpec('otel', spec);
      const invalid = await configReaches(
        client,
        namespace(),
        'otel',
        (v) =>
          condition(v, 'Valid')?.status === 'False' && v.status?.observedGeneration === v.metadata.generation,
        `invalid: ${message}`,
      );
      expect(condition(invalid, 'Valid')).toMatchObject({ reason: 'ValidationFailed' });
      expect(condition(invalid, 'Valid')?.message).toContain(message);
      expect(invalid.status?.configHash, 'an invalid spec keeps the last good hash').toBe(goodHash);
      // Undo this spec's change before the next case.
      await replaceSpec('otel', otel('collector:4318'));
      await configReaches(
        client,
        namespace(),
        'otel',
        (v) =>
          condition(v, 'Valid')?.status === 'True' && v.status?.observedGeneration === v.metadata.generation,
        'valid again',
      );
    }
    await setSpec('otel', { openTelemetry: { endpoint: 'collector-2:4318' } });
    const fixed = await configReaches(
      client,
      namespace(),
      'otel',
      (v) =>
        condition(v, 'Valid')?.status === 'True' && v.status?.observedGeneration === v.metadata.generation,
      'valid with a new endpoint',
    );
    expect(fixed.status?.configHash).not.toBe(goodHash);
  });

  it('the hash ignores field order and re-applying; it changes with the spec', async () => {
    const ns = namespace();
    const spec = {
      prometheus: { enabled: true },
      openTelemetry: { tracing: { samplingRate: '0.2', enabled: true }, endpoint: 'c:4318' },
    };
    const reordered = {
      openTelemetry: { endpoint: 'c:4318', tracing: { enabled: true, samplingRate: '0.2' } },
      prometheus: { enabled: true },
    };
    await client.create(mcpTelemetryConfig.resource, telemetryConfig(ns, 'a', spec));
    await client.create(mcpTelemetryConfig.resource, telemetryConfig(ns, 'b', reordered));
    const valid = (v: Parameters<typeof condition>[0]) =>
      condition(v, 'Valid')?.status === 'True' && v.status?.observedGeneration === v.metadata.generation;
    const a = await configReaches(client, ns, 'a', valid, 'valid');
    const b = await configReaches(client, ns, 'b', valid, 'valid');
    expect(b.status?.configHash).toBe(a.status?.configHash);

    const cached = (name: string) =>
      manager.cache.store<KubeObject & TelemetryView>(mcpTelemetryConfig.resource).get(`${ns}/${name}`);
    const cachedHash = (name: string, hash: string | undefined) => {
      const view = cached(name);
      return view !== undefined && valid(view) && view.status?.configHash === hash;
    };
    await controllerSettles(
      manager,
      () => cachedHash('a', a.status?.configHash) && cachedHash('b', b.status?.configHash),
    );

    // Re-applying the same spec (server-side apply, a no-op) keeps the hash and writes no status.
    const writes = manager.client.tally.count({
      verb: 'patch',
      resource: 'mcptelemetryconfigs.toolhive.stacklok.dev/status',
    });
    await client.patch(
      mcpTelemetryConfig.resource,
      { namespace: ns, name: 'a' },
      'apply',
      telemetryConfig(ns, 'a', spec),
      { fieldManager: 'test', force: true },
    );
    await setSpec('b', { prometheus: { enabled: false } });
    const changed = await configReaches(
      client,
      ns,
      'b',
      (v) => valid(v) && v.status?.configHash !== a.status?.configHash,
      'hash changed',
    );
    // The hash published is the hash of the merged spec, not merely a different one.
    const merged = validateTelemetryConfig(
      telemetryConfig(ns, 'b', { ...reordered, prometheus: { enabled: false } }),
    );
    expect(merged.valid).toBe(true);
    expect(changed.status?.configHash).toBe(merged.valid ? configHash(merged.spec) : undefined);
    await controllerSettles(manager, () => cachedHash('b', changed.status?.configHash));
    const again = await configReaches(client, ns, 'a', valid, 'valid');
    expect(again.status?.configHash).toBe(a.status?.configHash);
    // b's spec change is the only status write in this window.
    expect(
      manager.client.tally.count({
        verb: 'patch',
        resource: 'mcptelemetryconfigs.toolhive.stacklok.dev/status',
      }) - writes,
    ).toBe(1);
  });
});

describe('references', () => {
  for (const kind of Object.keys(resources) as WorkloadKind[]) {
    it(`${kind}: adding, changing and removing telemetryConfigRef updates both configs`, async () => {
      const ns = namespace();
      const resource = resources[kind].resource;
      await client.create(mcpTelemetryConfig.resource, telemetryConfig(ns, 'one', otel('c:1')));
      await client.create(mcpTelemetryConfig.resource, telemetryConfig(ns, 'two', otel('c:2')));
      await client.create(resource, workload(kind, ns, 'w', 'one'));
      await client.create(resource, workload(kind, ns, 'other'));
      await configReaches(
        client,
        ns,
        'one',
        (v) => sameRefs(v, [`${kind}/w`]),
        `one referenced by ${kind}/w`,
      );
      await configReaches(
        client,
        ns,
        'two',
        (v) => sameRefs(v, []) && v.status?.referencingWorkloads !== undefined,
        'two unreferenced',
      );

      await client.patch(resource, { namespace: ns, name: 'w' }, 'merge', {
        spec: { telemetryConfigRef: { name: 'two' } },
      });
      await client.patch(resource, { namespace: ns, name: 'other' }, 'merge', {
        spec: { telemetryConfigRef: { name: 'two' } },
      });
      await configReaches(client, ns, 'one', (v) => sameRefs(v, []), 'one no longer referenced');
      await configReaches(
        client,
        ns,
        'two',
        (v) => sameRefs(v, [`${kind}/other`, `${kind}/w`]),
        'two referenced by both',
      );

      await client.patch(resource, { namespace: ns, name: 'w' }, 'merge', {
        spec: { telemetryConfigRef: null },
      });
      await client.delete(resource, { namespace: ns, name: 'other' });
      await configReaches(client, ns, 'two', (v) => sameRefs(v, []), 'two unreferenced again');
    });
  }

  it('lists references of every kind sorted by kind, then name', async () => {
    const ns = namespace();
    await client.create(mcpTelemetryConfig.resource, telemetryConfig(ns, 'shared', otel('c:1')));
    await client.create(virtualMCPServer.resource, workload('VirtualMCPServer', ns, 'vmcp', 'shared'));
    await client.create(mcpServer.resource, workload('MCPServer', ns, 'b', 'shared'));
    await client.create(mcpServer.resource, workload('MCPServer', ns, 'a', 'shared'));
    await client.create(mcpRemoteProxy.resource, workload('MCPRemoteProxy', ns, 'proxy', 'shared'));
    await configReaches(
      client,
      ns,
      'shared',
      (v) => sameRefs(v, ['MCPRemoteProxy/proxy', 'MCPServer/a', 'MCPServer/b', 'VirtualMCPServer/vmcp']),
      'all four',
    );
  });
});

describe('deletion', () => {
  it('is blocked while referenced and completes within 2 s of removing the last reference', async () => {
    const ns = namespace();
    await client.create(mcpTelemetryConfig.resource, telemetryConfig(ns, 'in-use', otel('c:1')));
    await client.create(mcpServer.resource, workload('MCPServer', ns, 'server', 'in-use'));
    await client.create(virtualMCPServer.resource, workload('VirtualMCPServer', ns, 'vmcp', 'in-use'));
    await configReaches(
      client,
      ns,
      'in-use',
      (v) => sameRefs(v, ['MCPServer/server', 'VirtualMCPServer/vmcp']),
      'referenced',
    );

    await client.delete(mcpTelemetryConfig.resource, { namespace: ns, name: 'in-use' });
    const blocked = await configReaches(
      client,
      ns,
      'in-use',
      (v) => condition(v, 'DeletionBlocked')?.status === 'True',
      'DeletionBlocked',
    );
    expect(blocked.metadata.deletionTimestamp).toBeDefined();
    expect(condition(blocked, 'DeletionBlocked')).toMatchObject({ reason: 'ReferencedByWorkloads' });
    expect(condition(blocked, 'DeletionBlocked')?.message).toContain(
      'MCPServer/server, VirtualMCPServer/vmcp',
    );

    await client.delete(virtualMCPServer.resource, { namespace: ns, name: 'vmcp' });
    await configReaches(
      client,
      ns,
      'in-use',
      (v) => condition(v, 'DeletionBlocked')?.message.includes('VirtualMCPServer') === false,
      'one reference left',
    );
    await client.patch(mcpServer.resource, { namespace: ns, name: 'server' }, 'merge', {
      spec: { telemetryConfigRef: null },
    });
    const took = await configGone(client, ns, 'in-use');
    expect(took).toBeLessThan(2_000);
  });

  it('an unreferenced config is deleted at once', async () => {
    const ns = namespace();
    await client.create(mcpTelemetryConfig.resource, telemetryConfig(ns, 'unused', otel('c:1')));
    await configReaches(
      client,
      ns,
      'unused',
      (v) => (v.metadata.finalizers ?? []).includes(finalizer) && v.status !== undefined,
      'finalizer added',
    );
    await client.delete(mcpTelemetryConfig.resource, { namespace: ns, name: 'unused' });
    expect(await configGone(client, ns, 'unused')).toBeLessThan(2_000);
  });
});
