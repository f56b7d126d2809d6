/**
 * Where the kube-apiserver and etcd binaries come from.
 *
 * Order (the first complete pair wins): `KUBEBUILDER_ASSETS` (the envtest convention: a folder with
 * `kube-apiserver` and `etcd`), `TEST_ASSET_KUBE_APISERVER` + `TEST_ASSET_ETCD`, the project's cache,
 * and last the project's build script, which fills the cache (Debian only, about 5 minutes).
 */
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const CONTROL_PLANE_VERSION = 'v1.20.2';

export interface ControlPlaneBinaries {
  kubeApiServer: string;
  etcd: string;
  /** Where they came from, for log lines a person reads. */
  source: 'KUBEBUILDER_ASSETS' | 'TEST_ASSET_*' | 'cache' | 'built';
}

type Env = Record<string, string | undefined>;

export function defaultCacheDir(env: Env = process.env): string {
  if (env.MCP_CONTROL_PLANE_CACHE) return env.MCP_CONTROL_PLANE_CACHE;
  const base = env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  return join(base, 'mcp-controllers', 'control-plane', CONTROL_PLANE_VERSION);
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Resolves the binaries from the environment and the cache only (no build). Throws with an
 * actionable message when an explicit setting is wrong, returns undefined when nothing is configured
 * and the cache is empty.
 */
export function findBinaries(
  env: Env = process.env,
  executable: (path: string) => boolean = isExecutable,
): ControlPlaneBinaries | undefined {
  const assets = env.KUBEBUILDER_ASSETS;
  if (assets) {
    const pair = { kubeApiServer: join(assets, 'kube-apiserver'), etcd: join(assets, 'etcd') };
    if (!executable(pair.kubeApiServer) || !executable(pair.etcd)) {
      throw new Error(
        `KUBEBUILDER_ASSETS=${assets} must contain executable kube-apiserver and etcd; fix the path or unset it`,
      );
    }
    return { ...pair, source: 'KUBEBUILDER_ASSETS' };
  }
  const apiserver = env.TEST_ASSET_KUBE_APISERVER;
  const etcd = env.TEST_ASSET_ETCD;
  if (apiserver || etcd) {
    if (!apiserver || !etcd || !executable(apiserver) || !executable(etcd)) {
      throw new Error(
        'set both TEST_ASSET_KUBE_APISERVER and TEST_ASSET_ETCD to executable files ' +
          `(got ${apiserver ?? '<unset>'} and ${etcd ?? '<unset>'})`,
      );
    }
    return { kubeApiServer: apiserver, etcd, source: 'TEST_ASSET_*' };
  }
  const cache = defaultCacheDir(env);
  const cached = { kubeApiServer: join(cache, 'kube-apiserver'), etcd: join(cache, 'etcd') };
  if (executable(cached.kubeApiServer) && executable(cached.etcd)) return { ...cached, source: 'cache' };
  return undefined;
}

/** The project's build script; the same file whether this module runs from src/ or dist/. */
export const ensureBinariesScript = fileURLToPath(
  new URL('../../../scripts/control-plane/ensure-binaries.sh', import.meta.url),
);

/** Finds the binaries, building them into the cache with the project's script if needed. */
export async function ensureBinaries(env: Env = process.env): Promise<ControlPlaneBinaries> {
  const found = findBinaries(env);
  if (found) return found;
  process.stderr.write(
    `[testkit] no kube-apiserver/etcd found; building ${CONTROL_PLANE_VERSION} with ${ensureBinariesScript}\n`,
  );
  const run = promisify(execFile);
  try {
    const child = run('bash', [ensureBinariesScript], {
      env: { ...process.env, ...env },
      maxBuffer: 64 * 1024 * 1024,
      timeout: 30 * 60_000,
    });
    child.child.stderr?.pipe(process.stderr);
    await child;
  } catch (err) {
    throw new Error(
      `building the control plane failed (${(err as Error).message.split('\n')[0] ?? ''}); ` +
        'see the output above, or set KUBEBUILDER_ASSETS to a folder with kube-apiserver and etcd',
      { cause: err },
    );
  }
  const built = findBinaries(env);
  if (!built) throw new Error(`the build script finished but ${defaultCacheDir(env)} has no binaries`);
  return { ...built, source: 'built' };
}
