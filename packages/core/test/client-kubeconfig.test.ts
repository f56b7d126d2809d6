import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadKubeConfig, locateKubeConfig } from '../src/client/index.js';

const kubeconfigYaml = (server: string) => `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: '${server}'}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`;

describe('loadKubeConfig', () => {
  let home: string;
  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'kubeconfig-home-'));
    // An empty environment: no KUBECONFIG, not in a pod, a HOME without ~/.kube/config.
    vi.stubEnv('HOME', home);
    vi.stubEnv('USERPROFILE', home);
    vi.stubEnv('KUBECONFIG', '');
    vi.stubEnv('KUBERNETES_SERVICE_HOST', '');
    vi.stubEnv('KUBERNETES_SERVICE_PORT', '');
  });
  afterEach(async () => {
    vi.unstubAllEnvs();
    await rm(home, { recursive: true, force: true });
  });

  it('fails fast with no configuration at all, naming every place it looked', () => {
    // client-node alone falls back to http://localhost:8080 here, and a controller retries it forever.
    let thrown: unknown;
    try {
      loadKubeConfig();
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(Error);
    const message = (thrown as Error).message;
    expect(message).toContain('--kubeconfig');
    expect(message).toContain('KUBECONFIG');
    expect(message).toContain('KUBERNETES_SERVICE_HOST');
    expect(message).toContain('/var/run/secrets/kubernetes.io/serviceaccount/token');
    expect(message).toContain(join(home, '.kube', 'config'));
  });

  it('names the --kubeconfig file that does not exist', () => {
    const missing = join(home, 'nope.yaml');
    expect(() => loadKubeConfig(missing)).toThrow(missing);
  });

  it('takes --kubeconfig over KUBECONFIG over ~/.kube/config', async () => {
    await mkdir(join(home, '.kube'));
    await writeFile(join(home, '.kube', 'config'), kubeconfigYaml('https://home.example:6443'));
    expect(loadKubeConfig().getCurrentCluster()?.server).toBe('https://home.example:6443');
    const fromEnv = join(home, 'env.yaml');
    await writeFile(fromEnv, kubeconfigYaml('https://env.example:6443'));
    vi.stubEnv('KUBECONFIG', fromEnv);
    expect(loadKubeConfig().getCurrentCluster()?.server).toBe('https://env.example:6443');
    const fromFlag = join(home, 'flag.yaml');
    await writeFile(fromFlag, kubeconfigYaml('https://flag.example:6443'));
    expect(loadKubeConfig(fromFlag).getCurrentCluster()?.server).toBe('https://flag.example:6443');
  });

  it('says which source won, for the start-up line', async () => {
    await mkdir(join(home, '.kube'));
    const homeConfig = join(home, '.kube', 'config');
    await writeFile(homeConfig, kubeconfigYaml('https://home.example:6443'));
    expect(locateKubeConfig().source).toBe(homeConfig);
    const fromEnv = join(home, 'env.yaml');
    await writeFile(fromEnv, kubeconfigYaml('https://env.example:6443'));
    vi.stubEnv('KUBECONFIG', fromEnv);
    expect(locateKubeConfig().source).toBe(`KUBECONFIG=${fromEnv}`);
    expect(locateKubeConfig(fromEnv).source).toBe(`--kubeconfig ${fromEnv}`);
  });

  it('uses the in-cluster service account when the pod environment and its token are there', async () => {
    const sa = join(home, 'serviceaccount');
    await mkdir(sa);
    await writeFile(join(sa, 'token'), 'token');
    await writeFile(join(sa, 'ca.crt'), 'ca');
    await writeFile(join(sa, 'namespace'), 'ns');
    vi.stubEnv('KUBERNETES_SERVICE_HOST', '10.0.0.1');
    vi.stubEnv('KUBERNETES_SERVICE_PORT', '443');
    const kc = loadKubeConfig(undefined, { serviceAccountDir: sa });
    expect(kc.getCurrentCluster()?.server).toBe('https://10.0.0.1:443');
    expect(kc.getCurrentUser()?.authProvider).toMatchObject({ config: { tokenFile: join(sa, 'token') } });
    // The pod environment without its token (automountServiceAccountToken: false) is no configuration.
    await rm(join(sa, 'token'));
    expect(() => loadKubeConfig(undefined, { serviceAccountDir: sa })).toThrow(join(sa, 'token'));
  });

  it('merges a KUBECONFIG list, the first file naming the current context', async () => {
    const first = join(home, 'a.yaml');
    const second = join(home, 'b.yaml');
    await writeFile(first, kubeconfigYaml('https://a.example:6443'));
    await writeFile(
      second,
      `apiVersion: v1
kind: Config
clusters: [{name: c2, cluster: {server: 'https://b.example:6443'}}]
users: [{name: u2, user: {token: t}}]
contexts: [{name: y, context: {cluster: c2, user: u2}}]
current-context: y
`,
    );
    const kc = loadKubeConfig(undefined, { env: { KUBECONFIG: `${first}:${second}:` }, homeDir: home });
    expect(kc.getCurrentCluster()?.server).toBe('https://a.example:6443');
    expect(kc.getContexts().map((c) => c.name)).toEqual(['x', 'y']);
    expect(kc.getClusters().map((c) => c.server)).toEqual([
      'https://a.example:6443',
      'https://b.example:6443',
    ]);
    const missing = join(home, 'missing.yaml');
    expect(() => loadKubeConfig(undefined, { env: { KUBECONFIG: `${first}:${missing}` } })).toThrow(
      `cannot load the kubeconfig ${missing} (from KUBECONFIG): `,
    );
  });

  it('refuses a kubeconfig without a current cluster, naming where it came from', async () => {
    const file = join(home, 'no-context.yaml');
    await writeFile(file, kubeconfigYaml('https://a.example:6443').replace('current-context: x', ''));
    expect(() => loadKubeConfig(file)).toThrow(
      `the kubeconfig from --kubeconfig ${file} has no current cluster; set current-context in it`,
    );
    expect(() => loadKubeConfig(undefined, { env: { KUBECONFIG: file } })).toThrow(
      `the kubeconfig from KUBECONFIG=${file} has no current cluster`,
    );
    await mkdir(join(home, '.kube'));
    await writeFile(join(home, '.kube', 'config'), 'kind: Config\n');
    expect(() => loadKubeConfig(undefined, { env: {}, homeDir: home })).toThrow(
      `the kubeconfig from ${join(home, '.kube', 'config')} has no current cluster`,
    );
  });

  it('names a file that does not parse and its source', async () => {
    const file = join(home, 'broken.yaml');
    await writeFile(file, 'clusters: [unclosed');
    expect(() => loadKubeConfig(file)).toThrow(`cannot load the kubeconfig ${file} (from --kubeconfig): `);
  });

  it('builds the in-cluster server URL from the environment given: brackets for IPv6, http on plain ports', async () => {
    const sa = join(home, 'serviceaccount');
    await mkdir(sa);
    await writeFile(join(sa, 'token'), 'token');
    await writeFile(join(sa, 'ca.crt'), 'ca');
    const server = (host: string, port: string) =>
      loadKubeConfig(undefined, {
        env: { KUBERNETES_SERVICE_HOST: host, KUBERNETES_SERVICE_PORT: port },
        serviceAccountDir: sa,
      }).getCurrentCluster();
    expect(server('fd00::1', '443')?.server).toBe('https://[fd00::1]:443');
    expect(server('10.0.0.1', '6443')?.caFile).toBe(join(sa, 'ca.crt'));
    for (const port of ['80', '8080', '8001']) expect(server('h', port)?.server).toBe(`http://h:${port}`);
  });

  it('says what it found of a pod environment when the token is missing, and when there is no home', () => {
    const sa = join(home, 'no-token');
    let message = '';
    try {
      loadKubeConfig(undefined, {
        env: { KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' },
        serviceAccountDir: sa,
        homeDir: '',
      });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toBe(
      'no Kubernetes cluster configured; looked at: --kubeconfig: not given; KUBECONFIG: not set; ' +
        `in-cluster: KUBERNETES_SERVICE_HOST=10.0.0.1, ${join(sa, 'token')} missing; ` +
        '~/.kube/config (no home directory): missing. ' +
        'Pass --kubeconfig, set KUBECONFIG, or run in a pod with a mounted service account token.',
    );
  });

  it('is not in a pod with only one of host and port, even with a token', async () => {
    const sa = join(home, 'serviceaccount');
    await mkdir(sa);
    await writeFile(join(sa, 'token'), 'token');
    for (const env of [{ KUBERNETES_SERVICE_HOST: '10.0.0.1' }, { KUBERNETES_SERVICE_PORT: '443' }]) {
      expect(() => loadKubeConfig(undefined, { env, serviceAccountDir: sa, homeDir: home })).toThrow(
        `in-cluster: KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT not set, ${join(sa, 'token')} present;`,
      );
    }
  });

  it('finds ~ through HOME, then USERPROFILE', async () => {
    await mkdir(join(home, '.kube'));
    await writeFile(join(home, '.kube', 'config'), kubeconfigYaml('https://home.example:6443'));
    expect(loadKubeConfig(undefined, { env: { HOME: home } }).getCurrentCluster()?.server).toBe(
      'https://home.example:6443',
    );
    expect(
      loadKubeConfig(undefined, { env: { HOME: '', USERPROFILE: home } }).getCurrentCluster()?.server,
    ).toBe('https://home.example:6443');
  });
});
