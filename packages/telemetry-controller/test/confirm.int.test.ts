// Irreversible decisions under a cache that lags or fails after its first sync: the controller talks
// to the apiserver through a fault proxy, so a test can freeze or deny one workload kind's watch
// while the controller runs, and create references the cache does not see.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mcpRemoteProxy, mcpServer, mcpTelemetryConfig, generatedCRDPaths } from '@mcp-controllers/api';
import { KubeClient } from '@mcp-controllers/core';
import {
  createNamespace,
  eventually,
  installCRDs,
  startFaultProxy,
  type FaultProxy,
} from '@mcp-controllers/testkit';
import { useControlPlane } from '@mcp-controllers/testkit/vitest';
import { confirmRetryMs } from '../src/index.js';
import {
  condition,
  configGone,
  configReaches,
  startTelemetryController,
  telemetryConfig,
  workload,
} from './harness.js';

const controlPlane = useControlPlane();
const finalizer = 'mcptelemetryconfig.toolhive.stacklok.dev/finalizer';
let proxy: FaultProxy;
let admin: KubeClient;

beforeAll(async () => {
  const kc = controlPlane().kubeConfig;
  await installCRDs(kc, generatedCRDPaths());
  admin = new KubeClient(kc);
  proxy = await startFaultProxy(kc);
});
afterAll(async () => {
  await proxy.close();
});

const servers = /\/mcpservers(\/|$)/;
const proxies = /\/mcpremoteproxies(\/|$)/;
const otel = { openTelemetry: { endpoint: 'c:4318', metrics: { enabled: true } } };

async function configWithFinalizer(ns: string, name: string) {
  await admin.create(mcpTelemetryConfig.resource, telemetryConfig(ns, name, otel));
  await configReaches(
    admin,
    ns,
    name,
    (v) => (v.metadata.finalizers ?? []).includes(finalizer) && condition(v, 'Valid')?.status === 'True',
    'finalizer added and validated',
  );
}

describe('finalizer removal', () => {
  it('a reference a lagging cache has not seen keeps the finalizer: the removal is confirmed uncached', async () => {
    const ns = await createNamespace(controlPlane().kubeConfig, 'lagging');
    // A long grace period: the frozen watch must look healthy (a lagging cache does not know it lags).
    const manager = await startTelemetryController(proxy.kubeConfig(), [], { healthGraceMs: 120_000 });
    try {
      await configWithFinalizer(ns, 'c');
      // The MCPServer watch stops delivering: the open one is dropped and every new one hangs.
      const frozen = proxy.inject({ match: (r) => r.watch && servers.test(r.path), hang: true });
      proxy.cut();
      proxy.restore();
      await eventually(() => (frozen.hits() > 0 ? true : undefined), {
        what: 'the MCPServer watch re-opened into the hang',
      });
      await admin.create(mcpServer.resource, workload('MCPServer', ns, 'late', 'c'));
      const uncachedLists = () =>
        proxy.requests((r) => !r.watch && r.method === 'GET' && servers.test(r.path)).length;
      const listsBefore = uncachedLists();

      await admin.delete(mcpTelemetryConfig.resource, { namespace: ns, name: 'c' });
      const blocked = await configReaches(
        admin,
        ns,
        'c',
        (v) => condition(v, 'DeletionBlocked')?.status === 'True',
        'deletion blocked by the reference the cache missed',
      );
      expect(condition(blocked, 'DeletionBlocked')).toMatchObject({ reason: 'ReferencedByWorkloads' });
      expect(condition(blocked, 'DeletionBlocked')?.message).toContain('MCPServer/late');
      expect(blocked.metadata.finalizers).toEqual([finalizer]);
      // The cache really lagged, and the apiserver was asked.
      expect(manager.cache.store(mcpServer.resource).get(`${ns}/late`)).toBeUndefined();
      expect(uncachedLists()).toBeGreaterThan(listsBefore);

      // The reference goes; the cache still lags and brings no event, the re-check finds it gone.
      await admin.patch(mcpServer.resource, { namespace: ns, name: 'late' }, 'merge', {
        spec: { telemetryConfigRef: null },
      });
      await configGone(admin, ns, 'c', confirmRetryMs + 15_000);
      expect(manager.cache.store(mcpServer.resource).get(`${ns}/late`)).toBeUndefined();
    } finally {
      proxy.clear();
      await manager.stop();
    }
  });

  it('a workload kind denied after the first sync blocks deletion with ReferencesUnknown until it is listable', async () => {
    const ns = await createNamespace(controlPlane().kubeConfig, 'denied-later');
    const manager = await startTelemetryController(proxy.kubeConfig());
    try {
      await configWithFinalizer(ns, 'c');
      const denied = proxy.inject({
        match: (r) => proxies.test(r.path),
        status: 403,
        reason: 'Forbidden',
        message: 'mcpremoteproxies.toolhive.stacklok.dev is forbidden',
      });
      proxy.cut();
      proxy.restore();
      await eventually(
        () =>
          manager.cache.informer(mcpRemoteProxy.resource).health().state === 'failing' ? true : undefined,
        {
          what: 'MCPRemoteProxy informer failing',
        },
      );
      await admin.delete(mcpTelemetryConfig.resource, { namespace: ns, name: 'c' });
      const blocked = await configReaches(
        admin,
        ns,
        'c',
        (v) => condition(v, 'DeletionBlocked')?.status === 'True',
        'deletion blocked: references unknown',
      );
      expect(condition(blocked, 'DeletionBlocked')).toMatchObject({ reason: 'ReferencesUnknown' });
      expect(condition(blocked, 'DeletionBlocked')?.message).toContain('MCPRemoteProxy: access denied (403)');
      expect(blocked.metadata.finalizers).toEqual([finalizer]);

      denied.remove();
      await configGone(admin, ns, 'c', 20_000);
    } finally {
      proxy.clear();
      await manager.stop();
    }
  });
});
