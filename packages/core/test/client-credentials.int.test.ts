import { KubeConfig, type User } from '@kubernetes/client-node';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '@mcp-controllers/testkit';
import { useControlPlane, useNamespace } from '@mcp-controllers/testkit/vitest';
import { ApiError, isNotFound, KubeClient, RequestError, statusCode } from '../src/client/index.js';
import type { KubeObject } from '../src/object.js';

const configMaps = { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', namespaced: true };
const serviceAccounts = {
  group: '',
  version: 'v1',
  plural: 'serviceaccounts',
  kind: 'ServiceAccount',
  namespaced: true,
};
const roleBindings = {
  group: 'rbac.authorization.k8s.io',
  version: 'v1',
  plural: 'rolebindings',
  kind: 'RoleBinding',
  namespaced: true,
};
const roles = { ...roleBindings, plural: 'roles', kind: 'Role' };
const controlPlane = useControlPlane();
const namespace = useNamespace(controlPlane);

/** A kubeconfig for the test cluster with `user` as its only user. */
function kubeConfigAs(user: User): KubeConfig {
  const cluster = controlPlane().kubeConfig.getCurrentCluster()!;
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ ...cluster, name: 'cluster' }],
    users: [user],
    contexts: [{ name: 'ctx', cluster: 'cluster', user: user.name }],
    currentContext: 'ctx',
  });
  return kc;
}

/** A ServiceAccount `reader` that may read the namespace's ConfigMaps, and a token for it. */
async function readerToken(admin: KubeClient, ns: string): Promise<string> {
  await admin
    .create(serviceAccounts, {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'reader', namespace: ns },
    })
    .catch((err: unknown) => {
      if (statusCode(err) !== 409) throw err;
    });
  // Not ClusterRole `view`: it is aggregated by the controller-manager, which the test cluster lacks.
  await admin
    .create(roles, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'reader', namespace: ns },
      rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] }],
    })
    .catch((err: unknown) => {
      if (statusCode(err) !== 409) throw err;
    });
  await admin
    .create(roleBindings, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'reader', namespace: ns },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' },
      subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace: ns }],
    })
    .catch((err: unknown) => {
      if (statusCode(err) !== 409) throw err;
    });
  const answer = await admin.request<{ status: { token: string } }>(
    'create',
    'POST',
    `/api/v1/namespaces/${ns}/serviceaccounts/reader/token`,
    {
      body: {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: { expirationSeconds: 3600 },
      },
      resource: 'serviceaccounts/token',
    },
  );
  const token = answer.status.token;
  // The authenticator and the authorizer read through caches that lag the writes above a little.
  const probe = new KubeClient(kubeConfigAs({ name: 'probe', token }), { qps: 0 });
  await eventually(() => probe.get(configMaps, { namespace: ns, name: 'probe' }).then(() => true), {
    what: 'the new token can read the namespace',
  });
  return token;
}

/** Deletes and re-creates the ServiceAccount: every token issued for it so far answers 401. */
async function invalidateTokens(admin: KubeClient, ns: string, old: string): Promise<string> {
  await admin.delete(serviceAccounts, { namespace: ns, name: 'reader' });
  const fresh = await readerToken(admin, ns);
  const probe = new KubeClient(kubeConfigAs({ name: 'old', token: old }), { qps: 0 });
  await eventually(
    () =>
      probe.get(configMaps, { namespace: ns, name: 'probe' }).then(
        () => undefined,
        (err: unknown) => (statusCode(err) === 401 ? true : undefined),
      ),
    { what: 'the old token answers 401', timeoutMs: 30_000 },
  );
  return fresh;
}

describe('KubeClient credentials under failure', () => {
  let dir: string;
  let admin: KubeClient;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'client-credentials-'));
    admin = new KubeClient(controlPlane().kubeConfig, { qps: 0 });
    await admin.create(configMaps, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'probe', namespace: namespace() },
      data: { seen: 'yes' },
    });
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('runs a failed exec plugin again on the next request, and again after a 401', async () => {
    const ns = namespace();
    const tokenFile = join(dir, 'token');
    await writeFile(tokenFile, await readerToken(admin, ns));
    const plugin = join(dir, 'plugin.mjs');
    // Fails its first run (as a plugin does when its identity provider is briefly unreachable), then
    // prints the token in the file with an expiry an hour ahead (so client-node caches it).
    await writeFile(
      plugin,
      `import { appendFileSync, readFileSync } from 'node:fs';
const dir = process.argv[2];
appendFileSync(dir + '/runs', 'x');
if (readFileSync(dir + '/runs', 'utf8').length === 1) {
  console.error('plugin: identity provider unreachable');
  process.exit(1);
}
const token = readFileSync(dir + '/token', 'utf8').trim();
const expirationTimestamp = new Date(Date.now() + 3600_000).toISOString();
process.stdout.write(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1beta1', kind: 'ExecCredential', status: { token, expirationTimestamp } }));
`,
    );
    const client = new KubeClient(
      kubeConfigAs({
        name: 'plugin-user',
        exec: {
          apiVersion: 'client.authentication.k8s.io/v1beta1',
          command: process.execPath,
          args: [plugin, dir],
        },
      }),
      { qps: 0 },
    );
    const runs = async () => (await readFile(join(dir, 'runs'), 'utf8')).length;
    const key = { namespace: ns, name: 'probe' };

    const first = await client.get(configMaps, key).catch((err: unknown) => err);
    expect(first).toBeInstanceOf(RequestError);
    expect((first as RequestError).code).toBe('ECREDENTIALS');
    expect((first as RequestError).message).toContain('identity provider unreachable');

    const second = await client.get<KubeObject>(configMaps, key);
    expect(second.data).toEqual({ seen: 'yes' });
    expect(await runs()).toBe(2);

    // The token the plugin handed out is revoked; the plugin now has a new one.
    const old = (await readFile(tokenFile, 'utf8')).trim();
    await writeFile(tokenFile, await invalidateTokens(admin, ns, old));
    const third = await client.get<KubeObject>(configMaps, key);
    expect(third.data).toEqual({ seen: 'yes' });
    expect(await runs()).toBe(3);
    expect(client.tally.count({ verb: 'get', code: 401 })).toBe(1);
    expect(client.tally.count({ verb: 'get', code: 200 })).toBe(2);
    await client.close();
  });

  it('reads a token file again on the next request after it was missing', async () => {
    const ns = namespace();
    const tokenFile = join(dir, 'token');
    const client = new KubeClient(
      kubeConfigAs({ name: 'in-cluster', authProvider: { name: 'tokenFile', config: { tokenFile } } }),
      { qps: 0 },
    );
    const key = { namespace: ns, name: 'probe' };
    const missing = await client.get(configMaps, key).catch((err: unknown) => err);
    expect((missing as RequestError).code).toBe('ECREDENTIALS');
    expect((missing as RequestError).message).toContain(tokenFile);

    await writeFile(tokenFile, await readerToken(admin, ns));
    expect((await client.get<KubeObject>(configMaps, key)).data).toEqual({ seen: 'yes' });
    await client.close();
  });

  it('on a 401 reads a rotated token file at once and sends the request again, once', async () => {
    const ns = namespace();
    const tokenFile = join(dir, 'token');
    await writeFile(tokenFile, 'not-a-token');
    const client = new KubeClient(
      kubeConfigAs({ name: 'in-cluster', authProvider: { name: 'tokenFile', config: { tokenFile } } }),
      { qps: 0 },
    );
    const key = { namespace: ns, name: 'probe' };
    // A bad token that stays bad: one 401, no pointless second send with the same credentials.
    const rejected = await client.get(configMaps, key).catch((err: unknown) => err);
    expect(rejected).toBeInstanceOf(ApiError);
    expect(statusCode(rejected)).toBe(401);
    expect(client.tally.count({ verb: 'get', code: 401 })).toBe(1);

    const token = await readerToken(admin, ns);
    await writeFile(tokenFile, token);
    expect((await client.get<KubeObject>(configMaps, key)).data).toEqual({ seen: 'yes' });
    expect(client.tally.count({ verb: 'get', code: 401 })).toBe(2);

    // Rotation as the kubelet does it: the old token stops working, the file has the new one.
    await writeFile(tokenFile, await invalidateTokens(admin, ns, token));
    expect((await client.get<KubeObject>(configMaps, key)).data).toEqual({ seen: 'yes' });
    expect(client.tally.count({ verb: 'get', code: 401 })).toBe(3);
    expect(client.tally.count({ verb: 'get', code: 200 })).toBe(2);
    expect(
      isNotFound(await client.get(configMaps, { namespace: ns, name: 'absent' }).catch((e: unknown) => e)),
    ).toBe(true);
    await client.close();
  });
});
