/**
 * The workload simulator's reads of Deployments, Pods and ConfigMaps, served from stores
 * (`simulator-store.ts`) fed by one list-then-watch loop per kind and watch scope, as a kubelet or a
 * runner reads from informers: a reconcile sends no GET or LIST while its kind is synced. Pods are
 * only those carrying `pod-template-hash` (every simulated Pod does); ConfigMaps only those named
 * `*-runconfig` or `*-vmcp-config` (Secrets are never read). Objects are client-node models as its
 * typed API reads them: watch events are decoded into the same models as the lists' items, so a
 * Deployment's template hashes alike whichever way it arrived.
 *
 * Failure modes: while a kind is not synced for the namespace (its first list has not answered, its
 * watch ended and the relist is pending, or the list fails, e.g. forbidden) a read goes to the
 * apiserver instead (a GET, or a LIST by label selector), as before the stores: never a partial
 * copy taken for complete, and no wait. A store may lag the apiserver by the events in flight; the
 * simulator puts what the apiserver answered to its own writes into the stores (and takes its own
 * deletes out), and a write based on a lagging read fails on 409 or 404 (or is idempotent) and the
 * event that follows queues the object again. Every change a list or an event brings is handed to
 * `WorkloadEvents` after the store took it, so the reconcile it queues sees it.
 */
import {
  AppsV1Api,
  CoreV1Api,
  type KubeConfig,
  type V1ConfigMap,
  type V1Deployment,
  type V1Pod,
} from '@kubernetes/client-node';
// The typed models' decoder, which client-node's index does not re-export (its typed API uses it).
import { ObjectSerializer } from '@kubernetes/client-node/dist/gen/models/ObjectSerializer.js';
import type { SimulatorLog } from './simulator-api.js';
import { httpCode, startListWatchLoop, type WatchLoop } from './simulator-loop.js';
import { templateHashLabel } from './simulator-objects.js';
import { ObjectStore } from './simulator-store.js';
import { vmcpConfigSuffix } from './simulator-vmcp.js';

/** Told of every object a list or a watch event changed (deleted ones included). */
export interface WorkloadEvents {
  onDeployment(deployment: V1Deployment): void;
  onPod(pod: V1Pod): void;
  onConfigMap(configMap: V1ConfigMap): void;
}

export const runConfigSuffix = '-runconfig';

/** The ConfigMaps the simulator reads: a runner's RunConfig and a vmcp runtime's config. */
export function isSimulatedConfigMap(configMap: V1ConfigMap): boolean {
  const name = configMap.metadata?.name ?? '';
  return name.endsWith(runConfigSuffix) || name.endsWith(vmcpConfigSuffix);
}

/** A watch event's plain JSON as the typed model `type` (what the typed API's reads return). */
function decode(raw: unknown, type: 'V1Deployment' | 'V1Pod' | 'V1ConfigMap'): unknown {
  return ObjectSerializer.deserialize(raw, type, '');
}

const listed = <T>(list: { items: T[]; metadata?: { resourceVersion?: string } }) => ({
  items: list.items,
  resourceVersion: list.metadata?.resourceVersion ? list.metadata.resourceVersion : undefined,
});

export class WorkloadReads {
  readonly deployments = new ObjectStore<V1Deployment>();
  readonly pods = new ObjectStore<V1Pod>();
  readonly configMaps = new ObjectStore<V1ConfigMap>();
  private readonly apps: AppsV1Api;
  private readonly core: CoreV1Api;

  constructor(
    private readonly kubeConfig: KubeConfig,
    private readonly log: SimulatorLog,
    private readonly events: WorkloadEvents,
  ) {
    this.apps = kubeConfig.makeApiClient(AppsV1Api);
    this.core = kubeConfig.makeApiClient(CoreV1Api);
  }

  /** The list-then-watch loops of the three kinds in `namespace` (all when undefined). */
  startWatches(namespace: string | undefined): Promise<WatchLoop>[] {
    const path = (group: string, plural: string) =>
      `${group}${namespace ? `/namespaces/${namespace}` : ''}/${plural}`;
    const feed = <T extends V1Deployment | V1Pod | V1ConfigMap>(
      store: ObjectStore<T>,
      told: (obj: T) => void,
      keep: (obj: T) => boolean = () => true,
    ) => ({
      onList: (items: T[]) => {
        for (const obj of store.replace(namespace, items.filter(keep))) told(obj);
      },
      onEvent: (type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: T) => {
        if (!keep(obj)) return;
        store.apply(type, obj);
        told(obj);
      },
      onGap: () => {
        store.unsync(namespace);
      },
    });
    return [
      startListWatchLoop<V1Deployment>(
        this.kubeConfig,
        {
          path: path('/apis/apps/v1', 'deployments'),
          list: async () =>
            listed(
              namespace
                ? await this.apps.listNamespacedDeployment({ namespace })
                : await this.apps.listDeploymentForAllNamespaces(),
            ),
          decode: (raw) => decode(raw, 'V1Deployment') as V1Deployment,
        },
        feed(this.deployments, (d) => {
          this.events.onDeployment(d);
        }),
        this.log,
      ),
      startListWatchLoop<V1Pod>(
        this.kubeConfig,
        {
          path: path('/api/v1', 'pods'),
          query: { labelSelector: templateHashLabel },
          list: async () =>
            listed(
              namespace
                ? await this.core.listNamespacedPod({ namespace, labelSelector: templateHashLabel })
                : await this.core.listPodForAllNamespaces({ labelSelector: templateHashLabel }),
            ),
          decode: (raw) => decode(raw, 'V1Pod') as V1Pod,
        },
        feed(this.pods, (p) => {
          this.events.onPod(p);
        }),
        this.log,
      ),
      startListWatchLoop<V1ConfigMap>(
        this.kubeConfig,
        {
          path: path('/api/v1', 'configmaps'),
          list: async () =>
            listed(
              namespace
                ? await this.core.listNamespacedConfigMap({ namespace })
                : await this.core.listConfigMapForAllNamespaces(),
            ),
          decode: (raw) => decode(raw, 'V1ConfigMap') as V1ConfigMap,
        },
        feed(
          this.configMaps,
          (c) => {
            this.events.onConfigMap(c);
          },
          isSimulatedConfigMap,
        ),
        this.log,
      ),
    ];
  }

  /** Deployment `namespace/name`, undefined when it does not exist. */
  async deployment(namespace: string, name: string): Promise<V1Deployment | undefined> {
    if (this.deployments.isSynced(namespace)) return this.deployments.get(namespace, name);
    return absentAsUndefined(() => this.apps.readNamespacedDeployment({ namespace, name }));
  }

  /**
   * The simulated Pods of `namespace` that `keep` accepts. `selector` narrows the apiserver's LIST
   * when the store is not synced; it must accept every Pod `keep` does.
   */
  async podsOf(namespace: string, selector: string, keep: (pod: V1Pod) => boolean): Promise<V1Pod[]> {
    const held = this.pods.list(namespace);
    if (held) return held.filter(keep);
    const list = await this.core.listNamespacedPod({ namespace, labelSelector: selector });
    return list.items.filter(keep);
  }

  /** ConfigMap `namespace/name` (one `isSimulatedConfigMap` accepts), undefined when it does not exist. */
  async configMap(namespace: string, name: string): Promise<V1ConfigMap | undefined> {
    if (this.configMaps.isSynced(namespace)) return this.configMaps.get(namespace, name);
    return absentAsUndefined(() => this.core.readNamespacedConfigMap({ namespace, name }));
  }
}

async function absentAsUndefined<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (err) {
    if (httpCode(err) === 404) return undefined;
    throw err;
  }
}
