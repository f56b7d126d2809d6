/** Helpers that set a control plane up for a test: CRDs installed and Established, fresh namespaces. */
import {
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseAllDocuments } from 'yaml';

function httpCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** Reads every CustomResourceDefinition from YAML files (multi-document files allowed). */
export async function readCRDs(paths: string[]): Promise<V1CustomResourceDefinition[]> {
  const crds: V1CustomResourceDefinition[] = [];
  for (const path of paths) {
    for (const doc of parseAllDocuments(await readFile(path, 'utf8'))) {
      const value = doc.toJS() as V1CustomResourceDefinition | null;
      if (value?.kind === 'CustomResourceDefinition') crds.push(value);
    }
  }
  return crds;
}

/** What `installCRDs` does with a CRD that already exists. */
export type ExistingCRDPolicy =
  /** Replace its spec with ours, keeping every label and annotation others put on it. */
  | 'update'
  /** Leave it exactly as it is (a cluster where Helm or another operator owns the CRDs). */
  | 'keep';

export interface InstallCRDsOptions {
  timeoutMs?: number;
  existing?: ExistingCRDPolicy;
}

/** One CRD's outcome: created, updated in place, or kept untouched. */
export interface InstalledCRD {
  name: string;
  action: 'created' | 'updated' | 'kept';
  /** The annotations and labels the CRD carries afterwards (Helm's ownership among them). */
  metadata: { labels: Record<string, string>; annotations: Record<string, string> };
}

/**
 * Creates the CRDs that do not exist, handles the existing ones by `existing` (default `update`), and
 * waits until each is `Established`, so objects of the new kinds can be created right after this
 * resolves. An update never strips labels or annotations others wrote (Helm's
 * `meta.helm.sh/release-name` and `helm.sh/resource-policy: keep` survive): ours are laid over theirs.
 * Returns the names; `installCRDsReport` returns what happened to each.
 */
export async function installCRDs(
  kc: KubeConfig,
  crdsOrPaths: (V1CustomResourceDefinition | object | string)[],
  options: number | InstallCRDsOptions = {},
): Promise<string[]> {
  return (await installCRDsReport(kc, crdsOrPaths, options)).map((c) => c.name);
}

export async function installCRDsReport(
  kc: KubeConfig,
  crdsOrPaths: (V1CustomResourceDefinition | object | string)[],
  options: number | InstallCRDsOptions = {},
): Promise<InstalledCRD[]> {
  const { timeoutMs = 30_000, existing = 'update' } =
    typeof options === 'number' ? { timeoutMs: options } : options;
  // CRDs go through the raw-JSON custom-objects client: the typed ApiextensionsV1Api serializer maps
  // model properties (`_default`, `xKubernetes...`) and silently drops the JSON names read from YAML.
  const api = kc.makeApiClient(CustomObjectsApi);
  const crdApi = { group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions' };
  const read = async (name: string) =>
    (await api.getClusterCustomObject({ ...crdApi, name })) as V1CustomResourceDefinition;
  const paths = crdsOrPaths.filter((c): c is string => typeof c === 'string');
  const crds = crdsOrPaths.filter((c) => typeof c !== 'string') as V1CustomResourceDefinition[];
  crds.push(...(await readCRDs(paths)));
  const installed: InstalledCRD[] = [];
  for (const crd of crds) {
    const name = crd.metadata?.name;
    if (!name) throw new Error('a CustomResourceDefinition without metadata.name cannot be installed');
    let result: V1CustomResourceDefinition;
    let action: InstalledCRD['action'] = 'created';
    try {
      result = (await api.createClusterCustomObject({ ...crdApi, body: crd })) as V1CustomResourceDefinition;
    } catch (err) {
      if (httpCode(err) !== 409) throw err;
      const current = await read(name);
      if (existing === 'keep') {
        result = current;
        action = 'kept';
      } else {
        result = (await api.replaceClusterCustomObject({
          ...crdApi,
          name,
          body: { ...crd, metadata: mergedMetadata(current, crd) },
        })) as V1CustomResourceDefinition;
        action = 'updated';
      }
    }
    installed.push({
      name,
      action,
      metadata: { labels: result.metadata?.labels ?? {}, annotations: result.metadata?.annotations ?? {} },
    });
  }
  const deadline = Date.now() + timeoutMs;
  for (const { name } of installed) {
    for (;;) {
      const crd = await read(name);
      const established = crd.status?.conditions?.find((c) => c.type === 'Established');
      if (established?.status === 'True') break;
      if (Date.now() > deadline) {
        throw new Error(
          `CRD ${name} not Established within ${timeoutMs} ms: ${JSON.stringify(crd.status?.conditions)}`,
        );
      }
      await sleep(50);
    }
  }
  return installed;
}

/**
 * Our metadata over the existing CRD's: labels and annotations are merged, not replaced, and its
 * finalizers are kept (a PUT without them would drop the apiserver's clean-up finalizer).
 */
function mergedMetadata(
  current: V1CustomResourceDefinition,
  ours: V1CustomResourceDefinition,
): V1CustomResourceDefinition['metadata'] {
  return {
    ...ours.metadata,
    finalizers: current.metadata?.finalizers,
    labels: { ...current.metadata?.labels, ...ours.metadata?.labels },
    annotations: { ...current.metadata?.annotations, ...ours.metadata?.annotations },
    resourceVersion: current.metadata?.resourceVersion,
  };
}

/** Creates a namespace with a unique name (`<prefix>-xxxxx`) and returns the name. */
export async function createNamespace(kc: KubeConfig, prefix = 'test'): Promise<string> {
  const api = kc.makeApiClient(CoreV1Api);
  const ns = await api.createNamespace({ body: { metadata: { generateName: `${prefix}-` } } });
  const name = ns.metadata?.name;
  if (!name) throw new Error('the apiserver returned a namespace without a name');
  return name;
}

/**
 * Polls `probe` until it returns a value other than undefined, or fails with the last observation.
 * Tests wait for observable state with this, never with a fixed sleep.
 */
export async function eventually<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  options: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const { timeoutMs = 10_000, intervalMs = 50, what = 'condition' } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const detail = lastError instanceof Error ? `: last error ${lastError.message}` : '';
      throw new Error(`${what} not reached within ${timeoutMs} ms${detail}`);
    }
    await sleep(intervalMs);
  }
}

/** Runs `task(0..count-1)` with at most `concurrency` in flight, like `kubectl apply` of a big file. */
export async function runConcurrently(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      for (let i = next++; i < count; i = next++) await task(i);
    }),
  );
}

/**
 * Waits until a controller running in this process has converged: its own cache shows what it wrote
 * (`cached`) and its queue has nothing queued, in flight or delayed. Before that, a reconcile started
 * from a stale cache may still send a write (answered 409), which a test counting writes would see.
 */
export async function controllerSettles(
  running: { controller: { queue: { idle(): boolean } } },
  cached: () => boolean,
  timeoutMs = 15_000,
): Promise<void> {
  await eventually(() => (cached() && running.controller.queue.idle() ? true : undefined), {
    timeoutMs,
    what: 'controller settled',
  });
}
