// A kind the controller cannot read is "unknown", never "not found": the entry that needs it gets no
// status until the kind can be read again, entries that do not need it are validated meanwhile, and
// recovery needs no event on the entry. The controller talks to the apiserver through a fault proxy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatedCRDPaths, mcpServerEntry } from '@mcp-controllers/api';
import { KubeClient, secretResource, type KubeObject } from '@mcp-controllers/core';
import {
  createNamespace,
  eventually,
  installCRDs,
  startFaultProxy,
  type FaultProxy,
} from '@mcp-controllers/testkit';
import { useControlPlane } from '@mcp-controllers/testkit/vitest';
import { entry, entryReaches, groupWithPhase, startEntryController, type EntryView } from './harness.js';

const controlPlane = useControlPlane();
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

describe('Secrets that cannot be listed', () => {
  it('leave the entry that needs them unreported (not "not found"), and it turns Valid once they can be read', async () => {
    const ns = await createNamespace(controlPlane().kubeConfig, 'secrets-denied');
    await groupWithPhase(admin, ns, 'team', 'Ready');
    await admin.create(secretResource, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'api-key', namespace: ns },
      stringData: { token: 'x' },
    });
    const denied = proxy.inject({
      match: (r) => /\/secrets(\/|\?|$)/.test(r.path),
      status: 403,
      reason: 'Forbidden',
      message: 'secrets is forbidden',
    });
    const manager = await startEntryController(proxy.kubeConfig());
    try {
      await admin.create(
        mcpServerEntry.resource,
        entry(ns, 'needs-secret', {
          remoteUrl: 'https://a.example.com/mcp',
          headerForward: {
            addHeadersFromSecret: [
              { headerName: 'X-Key', valueSecretRef: { name: 'api-key', key: 'token' } },
            ],
          },
        }),
      );
      await admin.create(
        mcpServerEntry.resource,
        entry(ns, 'plain', { remoteUrl: 'https://a.example.com/mcp' }),
      );
      await entryReaches(
        admin,
        ns,
        'plain',
        (v) => v.status?.phase === 'Valid',
        'Valid while Secrets are denied',
      );
      // The entry that needs a Secret was tried and failed (retried with backoff), and wrote nothing.
      await eventually(
        async () => {
          const errors = (await manager.metrics.reconcileErrors.get()).values.reduce(
            (n, v) => n + v.value,
            0,
          );
          return errors > 0 ? true : undefined;
        },
        { what: 'a failed reconcile of the entry that needs the Secret' },
      );
      const unreported = await admin.get<KubeObject & EntryView>(mcpServerEntry.resource, {
        namespace: ns,
        name: 'needs-secret',
      });
      expect(unreported.status?.conditions).toBeUndefined();
      expect(denied.hits()).toBeGreaterThan(0);

      // The reflector keeps retrying its list; the first that succeeds re-queues every entry.
      denied.remove();
      const valid = await entryReaches(
        admin,
        ns,
        'needs-secret',
        (v) => v.status?.phase === 'Valid',
        'Valid once Secrets can be read',
        30_000,
      );
      expect(valid.status?.conditions?.find((c) => c.type === 'HeaderSecretRefsValidated')?.reason).toBe(
        'HeaderSecretsValid',
      );
    } finally {
      proxy.clear();
      await manager.stop();
    }
  });
});
