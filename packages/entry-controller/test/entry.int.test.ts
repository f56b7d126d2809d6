import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatedCRDPaths, mcpExternalAuthConfig, mcpGroup, mcpServerEntry } from '@mcp-controllers/api';
import { configMapResource, KubeClient, secretResource, type KubeObject } from '@mcp-controllers/core';
import { controllerSettles, installCRDs } from '@mcp-controllers/testkit';
import { useControlPlane, useNamespace } from '@mcp-controllers/testkit/vitest';
import {
  condition,
  entry,
  entryReaches,
  groupWithPhase,
  setGroupPhase,
  startEntryController,
  summary,
  type RunningEntryController,
} from './harness.js';

const controlPlane = useControlPlane();
const namespace = useNamespace(controlPlane);
let client: KubeClient;
let manager: RunningEntryController;

beforeAll(async () => {
  await installCRDs(controlPlane().kubeConfig, generatedCRDPaths());
  client = new KubeClient(controlPlane().kubeConfig);
  manager = await startEntryController(controlPlane().kubeConfig);
});
afterAll(async () => {
  await manager.stop();
});

const isValid = (v: { status?: { phase?: string } }) => v.status?.phase === 'Valid';
const isFailed = (v: { status?: { phase?: string } }) => v.status?.phase === 'Failed';
const configMap = (name: string, data: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: namespace() },
  data,
});
const secret = (name: string, data: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, namespace: namespace() },
  stringData: data,
});
const authConfig = (name: string): KubeObject => ({
  apiVersion: 'toolhive.stacklok.dev/v1beta1',
  kind: 'MCPExternalAuthConfig',
  metadata: { name, namespace: namespace() },
  spec: { type: 'unauthenticated' },
});
const version = (obj: unknown) => (obj as KubeObject).metadata.resourceVersion;
const cachedVersion = (resource: Parameters<KubeClient['get']>[0], name: string) =>
  manager.cache.store(resource).get(`${namespace()}/${name}`)?.metadata.resourceVersion;
const statusPatches = () =>
  manager.client.tally.count({ verb: 'patch', resource: 'mcpserverentries.toolhive.stacklok.dev/status' });

describe('MCPServerEntry validation', () => {
  it('all references valid: phase Valid, every condition True with ToolHive reasons and messages', async () => {
    const ns = namespace();
    await groupWithPhase(client, ns, 'team', 'Ready');
    await client.create(configMapResource, configMap('lab-ca', { 'ca.crt': 'PEM' }));
    await client.create(secretResource, secret('api-key', { token: 's3cr3t-value' }));
    await client.create(mcpExternalAuthConfig.resource, authConfig('auth'));
    await client.create(
      mcpServerEntry.resource,
      entry(ns, 'full', {
        remoteUrl: 'https://tools.example.com/mcp',
        externalAuthConfigRef: { name: 'auth' },
        caBundleRef: { configMapRef: { name: 'lab-ca', key: 'ca.crt' } },
        headerForward: {
          addHeadersFromSecret: [
            { headerName: 'X-API-Key', valueSecretRef: { name: 'api-key', key: 'token' } },
          ],
        },
      }),
    );
    const view = await entryReaches(client, ns, 'full', isValid, 'Valid');
    expect(summary(view)).toEqual([
      'CABundleRefValidated=True/CABundleRefValid',
      'ExternalAuthConfigValidated=True/AuthConfigValid',
      'GroupRefValidated=True/GroupRefIsValid',
      'HeaderSecretRefsValidated=True/HeaderSecretsValid',
      'RemoteURLValidated=True/RemoteURLValid',
      'Valid=True/ConfigValid',
    ]);
    expect(condition(view, 'Valid')?.message).toBe('All referenced resources are valid');
    expect(condition(view, 'GroupRefValidated')?.message).toBe('Referenced MCPGroup exists and is ready');
    expect(condition(view, 'HeaderSecretRefsValidated')?.message).toBe(
      'All referenced header Secrets exist with required keys',
    );
    // The Secret's value never reaches the cache.
    expect(JSON.stringify(manager.cache.store(secretResource).list(ns))).not.toContain('s3cr3t');
    expect(JSON.stringify(manager.cache.store(configMapResource).list(ns))).not.toContain('PEM');
  });

  it('optional references absent: NotConfigured reasons and no header-secret condition', async () => {
    const ns = namespace();
    await groupWithPhase(client, ns, 'team', 'Ready');
    await client.create(
      mcpServerEntry.resource,
      entry(ns, 'plain', { remoteUrl: 'https://a.example.com/mcp' }),
    );
    const view = await entryReaches(client, ns, 'plain', isValid, 'Valid');
    expect(summary(view)).toEqual([
      'CABundleRefValidated=True/CABundleRefNotConfigured',
      'ExternalAuthConfigValidated=True/AuthConfigNotConfigured',
      'GroupRefValidated=True/GroupRefIsValid',
      'RemoteURLValidated=True/RemoteURLValid',
      'Valid=True/ConfigValid',
    ]);
  });

  it('group missing, then created and Ready: the entry turns Valid with no other change', async () => {
    const ns = namespace();
    await client.create(mcpServerEntry.resource, entry(ns, 'e', { remoteUrl: 'https://a.example.com/mcp' }));
    const missing = await entryReaches(client, ns, 'e', isFailed, 'Failed');
    expect(condition(missing, 'GroupRefValidated')).toMatchObject({
      status: 'False',
      reason: 'GroupRefNotFound',
      message: `MCPGroup 'team' not found in namespace '${ns}'`,
    });
    expect(condition(missing, 'Valid')).toMatchObject({
      status: 'False',
      reason: 'ConfigInvalid',
      message: 'One or more referenced resources are missing or invalid',
    });
    await groupWithPhase(client, ns, 'team', undefined);
    const notReady = await entryReaches(
      client,
      ns,
      'e',
      (v) => condition(v, 'GroupRefValidated')?.reason === 'GroupRefNotReady',
      'GroupRefNotReady',
    );
    expect(condition(notReady, 'GroupRefValidated')?.message).toBe(
      "MCPGroup 'team' is not ready (it has no status yet; is mcp-group-controller running?)",
    );
    await setGroupPhase(client, ns, 'team', 'Failed');
    await entryReaches(
      client,
      ns,
      'e',
      (v) =>
        condition(v, 'GroupRefValidated')?.message === "MCPGroup 'team' is not ready (current phase: Failed)",
      'not ready (Failed)',
    );
    await setGroupPhase(client, ns, 'team', 'Ready');
    await entryReaches(client, ns, 'e', isValid, 'Valid once the group is Ready');
  });

  it('auth config missing, then created', async () => {
    const ns = namespace();
    await groupWithPhase(client, ns, 'team', 'Ready');
    await client.create(
      mcpServerEntry.resource,
      entry(ns, 'e', { remoteUrl: 'https://a.example.com/mcp', externalAuthConfigRef: { name: 'auth' } }),
    );
    const view = await entryReaches(client, ns, 'e', isFailed, 'Failed');
    expect(condition(view, 'ExternalAuthConfigValidated')).toMatchObject({
      status: 'False',
      reason: 'AuthConfigNotFound',
      message: 'Referenced MCPExternalAuthConfig not found',
    });
    await client.create(mcpExternalAuthConfig.resource, authConfig('auth'));
    await entryReaches(client, ns, 'e', isValid, 'Valid');
  });

  it('CA bundle: ConfigMap missing, then present without the key, then with it', async () => {
    const ns = namespace();
    await groupWithPhase(client, ns, 'team', 'Ready');
    await client.create(
      mcpServerEntry.resource,
      entry(ns, 'e', {
        remoteUrl: 'https://a.example.com/mcp',
        caBundleRef: { configMapRef: { name: 'lab-ca', key: 'bundle.pem' } },
      }),
    );
    const missing = await entryReaches(client, ns, 'e', isFailed, 'Failed');
    expect(condition(missing, 'CABundleRefValidated')).toMatchObject({
      status: 'False',
      reason: 'CABundleRefNotFound',
      message: 'Referenced CA bundle ConfigMap not found',
    });
    await client.create(configMapResource, configMap('lab-ca', { 'ca.crt': 'PEM' }));
    const noKey = await entryReaches(
      client,
      ns,
      'e',
      (v) => condition(v, 'CABundleRefValidated')?.message.includes("no key 'bundle.pem'") === true,
      'the key is named',
    );
    expect(noKey.status?.phase).toBe('Failed');
    expect(condition(noKey, 'CABundleRefValidated')?.reason).toBe('CABundleRefNotFound');
    await client.patch(configMapResource, { namespace: ns, name: 'lab-ca' }, 'merge', {
      data: { 'bundle.pem': 'PEM' },
    });
    const ok = await entryReaches(client, ns, 'e', isValid, 'Valid');
    expect(condition(ok, 'CABundleRefValidated')?.reason).toBe('CABundleRefValid');
  });

  it.each([
    ['http://127.0.0.1:8080/mcp', 'IP address 127.0.0.1 falls within blocked range 127.0.0.0/8'],
    ['http://169.254.169.254/latest', 'IP address 169.254.169.254 falls within blocked range 169.254.0.0/16'],
    ['https://kubernetes.default.svc/api', 'matches blocked internal hostname "kubernetes.default.svc"'],
    ['http://10.1.2.3/mcp', 'IP address 10.1.2.3 falls within blocked range 10.0.0.0/8'],
  ])('rejects %s', async (url, problem) => {
    const ns = namespace();
    await groupWithPhase(client, ns, 'team', 'Ready');
    await client.create(mcpServerEntry.resource, entry(ns, 'e', { remoteUrl: url }));
    const view = await entryReaches(client, ns, 'e', isFailed, 'Failed');
    expect(condition(view, 'RemoteURLValidated')).toMatchObject({
      status: 'False',
      reason: 'RemoteURLInvalid',
    });
    expect(condition(view, 'RemoteURLValidated')?.message).toContain(problem);
    expect(condition(view, 'RemoteURLValidated')?.message).toMatch(/^remote URL host is not allowed: /);
  });

  it('accepts a private endpoint with allowPrivateEndpoint, and turns Failed when it is cleared', async () => {
    const ns = namespace();
    await groupWithPhase(client, ns, 'team', 'Ready');
    await client.create(
      mcpServerEntry.resource,
      entry(ns, 'e', {
        remoteUrl: 'http://mcp.tools.svc.cluster.local:8080/mcp',
        allowPrivateEndpoint: true,
      }),
    );
    await entryReaches(client, ns, 'e', isValid, 'Valid');
    await client.patch(mcpServerEntry.resource, { namespace: ns, name: 'e' }, 'merge', {
      spec: { allowPrivateEndpoint: false },
    });
    const view = await entryReaches(client, ns, 'e', isFailed, 'Failed at generation 2');
    expect(view.status?.observedGeneration).toBe(2);
    expect(condition(view, 'RemoteURLValidated')?.message).toContain(
      'blocked internal hostname "cluster.local"',
    );
  });

  it('header Secrets: every failure joined, in spec order; fixing them all turns it Valid', async () => {
    const ns = namespace();
    await groupWithPhase(client, ns, 'team', 'Ready');
    await client.create(secretResource, secret('present', { other: 'x' }));
    await client.create(
      mcpServerEntry.resource,
      entry(ns, 'e', {
        remoteUrl: 'https://a.example.com/mcp',
        headerForward: {
          addHeadersFromSecret: [
            { headerName: 'X-Missing', valueSecretRef: { name: 'absent', key: 'token' } },
            { headerName: 'X-No-Key', valueSecretRef: { name: 'present', key: 'token' } },
          ],
        },
      }),
    );
    const view = await entryReaches(client, ns, 'e', isFailed, 'Failed');
    expect(condition(view, 'HeaderSecretRefsValidated')).toMatchObject({
      status: 'False',
      reason: 'HeaderSecretNotFound',
      message:
        'Secret "absent" referenced for header "X-Missing" not found; Secret "present" has no key "token" referenced for header "X-No-Key"',
    });
    await client.create(secretResource, secret('absent', { token: 'a' }));
    await entryReaches(
      client,
      ns,
      'e',
      (v) => condition(v, 'HeaderSecretRefsValidated')?.message.startsWith('Secret "present"') === true,
      'one failure left',
    );
    await client.patch(secretResource, { namespace: ns, name: 'present' }, 'merge', {
      stringData: { token: 'b' },
    });
    await entryReaches(client, ns, 'e', isValid, 'Valid');
    // Dropping the header removes the condition (as ToolHive does).
    await client.patch(mcpServerEntry.resource, { namespace: ns, name: 'e' }, 'merge', {
      spec: { headerForward: null },
    });
    const cleared = await entryReaches(
      client,
      ns,
      'e',
      (v) => condition(v, 'HeaderSecretRefsValidated') === undefined,
      'condition removed',
    );
    expect(cleared.status?.phase).toBe('Valid');
  });

  it('writes nothing when nothing changed, and ignores value-only edits of referenced objects', async () => {
    const ns = namespace();
    await groupWithPhase(client, ns, 'team', 'Ready');
    await client.create(configMapResource, configMap('lab-ca', { 'ca.crt': 'PEM' }));
    await client.create(secretResource, secret('api-key', { token: 'v1' }));
    await client.create(
      mcpServerEntry.resource,
      entry(ns, 'quiet', {
        remoteUrl: 'https://a.example.com/mcp',
        caBundleRef: { configMapRef: { name: 'lab-ca', key: 'ca.crt' } },
        headerForward: {
          addHeadersFromSecret: [{ headerName: 'X-Key', valueSecretRef: { name: 'api-key', key: 'token' } }],
        },
      }),
    );
    const valid = await entryReaches(client, ns, 'quiet', isValid, 'Valid');
    await controllerSettles(
      manager,
      () => cachedVersion(mcpServerEntry.resource, 'quiet') === version(valid),
    );
    const before = statusPatches();
    const reconciles = () => manager.metrics.reconcileTotal.get();
    const reconcilesBefore = JSON.stringify(await reconciles());
    // Value-only edits: filtered out before they reach the queue.
    const cm = await client.patch(configMapResource, { namespace: ns, name: 'lab-ca' }, 'merge', {
      data: { 'ca.crt': 'PEM2' },
    });
    const sec = await client.patch(secretResource, { namespace: ns, name: 'api-key' }, 'merge', {
      stringData: { token: 'v2' },
    });
    // A group label edit does reach the entry, which finds nothing to write.
    const grp = await client.patch(mcpGroup.resource, { namespace: ns, name: 'team' }, 'merge', {
      metadata: { labels: { touched: 'yes' } },
    });
    await controllerSettles(
      manager,
      () =>
        cachedVersion(configMapResource, 'lab-ca') === version(cm) &&
        cachedVersion(secretResource, 'api-key') === version(sec) &&
        cachedVersion(mcpGroup.resource, 'team') === version(grp),
    );
    expect(statusPatches()).toBe(before);
    expect(JSON.stringify(await reconciles())).not.toBe(reconcilesBefore); // the group edit was seen
  });

  it('an entry deleted right after it is created leaves no error behind', async () => {
    const ns = namespace();
    await groupWithPhase(client, ns, 'team', 'Ready');
    const errorsBefore = JSON.stringify(await manager.metrics.reconcileErrors.get());
    for (let i = 0; i < 5; i++) {
      await client.create(
        mcpServerEntry.resource,
        entry(ns, `gone-${i}`, { remoteUrl: 'https://a.example.com/' }),
      );
      await client.delete(mcpServerEntry.resource, { namespace: ns, name: `gone-${i}` });
    }
    await controllerSettles(
      manager,
      () => manager.cache.store(mcpServerEntry.resource).list(ns).length === 0,
    );
    expect(JSON.stringify(await manager.metrics.reconcileErrors.get())).toBe(errorsBefore);
  });
});
