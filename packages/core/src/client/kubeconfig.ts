import { KubeConfig } from '@kubernetes/client-node';
import { accessSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

export interface KubeConfigSources {
  /** The environment to read KUBECONFIG and KUBERNETES_SERVICE_HOST/PORT from; `process.env` by default. */
  env?: NodeJS.ProcessEnv;
  /** Where `~` is; `HOME` (or the OS's idea of it) by default. */
  homeDir?: string;
  /** The mounted service account folder; `/var/run/secrets/kubernetes.io/serviceaccount` by default. */
  serviceAccountDir?: string;
}

const defaultServiceAccountDir = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * Loads the cluster configuration in controller-runtime's order: the `--kubeconfig` flag, else
 * KUBECONFIG (a `:`-separated list, merged), else the in-cluster service account (both
 * KUBERNETES_SERVICE_HOST/PORT set and the token file mounted), else `~/.kube/config`.
 *
 * Failure modes: a named file that does not exist or does not parse throws naming it; when no source
 * exists at all it throws at once naming every place it looked, instead of client-node's fallback to
 * `http://localhost:8080` (which would make a controller retry a server that is not there forever).
 * The in-cluster user reads its token file on every credential refresh (see `transport.ts`), so
 * rotated tokens are picked up.
 */
export function loadKubeConfig(path?: string, sources: KubeConfigSources = {}): KubeConfig {
  return locateKubeConfig(path, sources).kubeConfig;
}

/** A loaded kubeconfig and where it came from (`--kubeconfig <path>`, `KUBECONFIG=...`, ...). */
export interface LocatedKubeConfig {
  kubeConfig: KubeConfig;
  source: string;
}

/** `loadKubeConfig`, also saying which source won (for a start-up line). */
export function locateKubeConfig(path?: string, sources: KubeConfigSources = {}): LocatedKubeConfig {
  const env = sources.env ?? process.env;
  const kc = new KubeConfig();
  if (path) {
    loadFile(kc, path, '--kubeconfig');
    return checked(kc, `--kubeconfig ${path}`);
  }
  const fromEnv = (env.KUBECONFIG ?? '').split(delimiter).filter((f) => f);
  if (fromEnv.length > 0) {
    loadFile(kc, fromEnv[0]!, 'KUBECONFIG');
    for (const file of fromEnv.slice(1)) {
      const more = new KubeConfig();
      loadFile(more, file, 'KUBECONFIG');
      kc.mergeConfig(more, true);
    }
    return checked(kc, `KUBECONFIG=${env.KUBECONFIG ?? ''}`);
  }
  const saDir = sources.serviceAccountDir ?? defaultServiceAccountDir;
  const tokenFile = join(saDir, 'token');
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  const inPod = Boolean(host && port);
  const hasToken = exists(tokenFile);
  if (inPod && hasToken) {
    // client-node reads KUBERNETES_SERVICE_HOST/PORT from process.env and the files below a prefix
    // of the default path; build the same configuration for any folder and environment.
    kc.loadFromCluster();
    const cluster = {
      ...kc.clusters[0]!,
      caFile: join(saDir, 'ca.crt'),
      server: inClusterServer(host!, port!),
    };
    const user = { ...kc.users[0]!, authProvider: { name: 'tokenFile', config: { tokenFile } } };
    kc.loadFromOptions({
      clusters: [cluster],
      users: [user],
      contexts: kc.contexts,
      currentContext: kc.currentContext,
    });
    return checked(kc, 'the in-cluster service account');
  }
  const home = sources.homeDir ?? homeDirOf(env);
  const homeConfig = home ? join(home, '.kube', 'config') : undefined;
  if (homeConfig && exists(homeConfig)) {
    loadFile(kc, homeConfig, '~/.kube/config');
    return checked(kc, homeConfig);
  }
  throw new Error(
    [
      'no Kubernetes cluster configured; looked at:',
      '--kubeconfig: not given;',
      'KUBECONFIG: not set;',
      `in-cluster: ${inPod ? `KUBERNETES_SERVICE_HOST=${host}` : 'KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT not set'}, ` +
        `${tokenFile} ${hasToken ? 'present' : 'missing'};`,
      `${homeConfig ?? '~/.kube/config (no home directory)'}: missing.`,
      'Pass --kubeconfig, set KUBECONFIG, or run in a pod with a mounted service account token.',
    ].join(' '),
  );
}

function loadFile(kc: KubeConfig, file: string, source: string): void {
  try {
    kc.loadFromFile(file);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(`cannot load the kubeconfig ${file} (from ${source}): ${why}`);
  }
}

function checked(kc: KubeConfig, source: string): LocatedKubeConfig {
  if (!kc.getCurrentCluster()) {
    throw new Error(`the kubeconfig from ${source} has no current cluster; set current-context in it`);
  }
  return { kubeConfig: kc, source };
}

function inClusterServer(host: string, port: string): string {
  const scheme = ['80', '8080', '8001'].includes(port) ? 'http' : 'https';
  return `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

function homeDirOf(env: NodeJS.ProcessEnv): string | undefined {
  return env.HOME || env.USERPROFILE || homedir() || undefined;
}

function exists(file: string): boolean {
  try {
    accessSync(file);
    return true;
  } catch {
    return false;
  }
}
