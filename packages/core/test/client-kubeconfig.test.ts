import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadKubeConfig } from '../src/client/index.js';

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
});
