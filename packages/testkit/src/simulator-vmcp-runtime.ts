/**
 * The I/O edge of the workload simulator's vmcp runtime (the computation is `simulator-vmcp.ts`; the
 * behaviour, failure modes and costs are described in `simulator.ts`'s module comment). One
 * evaluation per VirtualMCPServer `<namespace>/<name>` at a time, on its own keyed queue, from
 * stores (`simulator-store.ts`) kept by list-then-watch loops: the vMCPs and each member kind
 * (MCPServers, MCPRemoteProxies, MCPServerEntries) here, one loop per kind and watch scope; its Pods
 * and ConfigMap from the simulator's `WorkloadReads`. An evaluation sends no read while its kinds are
 * synced. While one is not synced for the namespace (its first list has not answered yet, its CRD is
 * absent, or its watch ended and the relist is pending) the evaluation reads that kind from the
 * apiserver instead (a GET of the vMCP, a LIST of a member kind or of the Pods), as before the
 * stores: never a partial copy taken for complete, and no wait. An event updates its store before
 * it queues the vMCPs it concerns, so the evaluation it causes sees it; the status patch's answer
 * goes into the vMCP store (a stale copy makes the resourceVersion-guarded patch fail with 409,
 * which requeues).
 */
import { CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import {
  httpCode,
  KeyedWorkQueue,
  startListWatchLoop,
  type RawObject,
  type WatchLoop,
} from './simulator-loop.js';
import type { SimulatorLog } from './simulator-api.js';
import type { WorkloadReads } from './simulator-reads.js';
import { ObjectStore } from './simulator-store.js';
import {
  groupRefName,
  isServingPod,
  memberPlurals,
  parseVmcpConfig,
  runtimeBackends,
  runtimeStatus,
  runtimeStatusPatch,
  toolhiveApi,
  vmcpConfigSuffix,
  vmcpKeyOf,
  vmcpOfConfigMap,
  vmcpPlural,
  vmcpPodSelector,
  type BackendHealth,
  type LooseObject,
  type VmcpMember,
  type VmcpMemberKind,
  type VmcpRuntimeMode,
} from './simulator-vmcp.js';

export interface VmcpRuntimeStats {
  /** VirtualMCPServer evaluations finished since start. */
  reconciles: number;
  /** Status patches sent since start. */
  writes: number;
  queued: number;
  inFlight: number;
}

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const memberKinds = Object.keys(memberPlurals) as VmcpMemberKind[];

/**
 * A log for the watches of the toolhive kinds: a 404 (the CRD is not installed) is expected on a
 * cluster without them, so the watch's "keeps failing" warning becomes debug; other errors stay warn.
 */
function quietWhenAbsent(log: SimulatorLog): SimulatorLog {
  return {
    debug: (fields, message) => {
      log.debug(fields, message);
    },
    info: (fields, message) => {
      log.info(fields, message);
    },
    warn: (fields, message) => {
      const error = (fields as { error?: unknown }).error;
      if (typeof error === 'string' && error.startsWith('404')) log.debug(fields, message);
      else log.warn(fields, message);
    },
  };
}

/** The work queue's log, saying what a failing vMCP evaluation needs (its own text is about Deployments). */
function queueLog(log: SimulatorLog): SimulatorLog {
  const subject = (fields: object) => ({ virtualMCPServer: (fields as { deployment?: unknown }).deployment });
  return {
    debug: (fields, message) => {
      log.debug(fields, message);
    },
    info: (fields) => {
      log.info(subject(fields), 'workload simulator: vmcp runtime evaluated again');
    },
    warn: (fields) => {
      log.warn(
        { ...subject(fields), error: (fields as { error?: unknown }).error },
        'workload simulator: vmcp runtime keeps failing; retrying with backoff (check that the apiserver is up and the kubeconfig may read VirtualMCPServers, MCPServers, MCPRemoteProxies, MCPServerEntries, Pods and ConfigMaps and patch virtualmcpservers/status)',
      );
    },
  };
}

export class VmcpRuntime {
  private readonly custom: CustomObjectsApi;
  private readonly queue: KeyedWorkQueue;
  /** vMCP names per namespace seen in events, so a member's change reaches them; 404 forgets one. */
  private readonly known = new Map<string, Set<string>>();
  /** `setBackendHealth`, per `<namespace>/<member>`. */
  private readonly health = new Map<string, BackendHealth>();
  private readonly modes = new Map<string, VmcpRuntimeMode>();
  private readonly vmcps = new ObjectStore<LooseObject>();
  private readonly members = Object.fromEntries(
    memberKinds.map((kind) => [kind, new ObjectStore<LooseObject>()]),
  ) as Record<VmcpMemberKind, ObjectStore<LooseObject>>;
  /** Config problems already logged, so an invalid config.yaml logs once. */
  private readonly warned = new Set<string>();
  private writes = 0;

  constructor(
    private readonly kubeConfig: KubeConfig,
    private readonly log: SimulatorLog,
    concurrency: number,
    private readonly reads: WorkloadReads,
  ) {
    this.custom = kubeConfig.makeApiClient(CustomObjectsApi);
    this.queue = new KeyedWorkQueue((key) => this.reconcile(key), queueLog(log), concurrency);
  }

  /** List-then-watch loops of VirtualMCPServers and the member kinds in `namespace` (all when undefined). */
  startWatches(namespace: string | undefined): Promise<WatchLoop>[] {
    const path = (plural: string) =>
      `/apis/${toolhiveApi.group}/${toolhiveApi.version}${namespace ? `/namespaces/${namespace}` : ''}/${plural}`;
    const quiet = quietWhenAbsent(this.log);
    const loop = (plural: string, store: ObjectStore<LooseObject>, told: (obj: LooseObject) => void) =>
      startListWatchLoop<LooseObject>(
        this.kubeConfig,
        { path: path(plural), list: () => this.listKind(plural, namespace) },
        {
          onList: (items) => {
            for (const obj of store.replace(namespace, items)) told(obj);
          },
          onEvent: (type, obj) => {
            store.apply(type, obj);
            told(obj);
          },
          onGap: () => {
            store.unsync(namespace);
          },
        },
        quiet,
      );
    const namespaceOf = (obj: LooseObject) => {
      if (obj.metadata?.namespace) this.enqueueNamespace(obj.metadata.namespace);
    };
    return [
      loop(vmcpPlural, this.vmcps, (obj) => {
        const { namespace: ns, name } = obj.metadata ?? {};
        if (ns && name) this.enqueue(ns, name);
      }),
      ...memberKinds.map((kind) => loop(memberPlurals[kind], this.members[kind], namespaceOf)),
    ];
  }

  /** A Deployment or Pod event: its vMCP, when labelled as one's. */
  onWorkload(obj: RawObject): void {
    const key = vmcpKeyOf(obj);
    if (!key) return;
    const [namespace, name] = key.split('/') as [string, string];
    this.enqueue(namespace, name);
  }

  onConfigMap(obj: RawObject): void {
    const vmcp = vmcpOfConfigMap(obj.metadata?.name);
    if (vmcp && obj.metadata?.namespace) this.enqueue(obj.metadata.namespace, vmcp);
  }

  setBackendHealth(namespace: string, member: string, health: BackendHealth | undefined): void {
    if (health) this.health.set(`${namespace}/${member}`, health);
    else this.health.delete(`${namespace}/${member}`);
    this.enqueueNamespace(namespace);
  }

  setMode(namespace: string, vmcp: string, mode: VmcpRuntimeMode): void {
    this.modes.set(`${namespace}/${vmcp}`, mode);
    this.enqueue(namespace, vmcp);
  }

  /** Queues every vMCP held by the store or seen in an event (no request). */
  resync(): void {
    for (const v of this.vmcps.all()) {
      if (v.metadata?.namespace && v.metadata.name) this.enqueue(v.metadata.namespace, v.metadata.name);
    }
    for (const [namespace, names] of this.known)
      for (const name of names) this.queue.add(`${namespace}/${name}`);
  }

  idle(): boolean {
    return this.queue.idle();
  }

  stats(): VmcpRuntimeStats {
    return { ...this.queue.stats(), writes: this.writes };
  }

  async stop(): Promise<void> {
    await this.queue.stop();
  }

  private enqueue(namespace: string, name: string): void {
    let names = this.known.get(namespace);
    if (!names) this.known.set(namespace, (names = new Set()));
    names.add(name);
    this.queue.add(`${namespace}/${name}`);
  }

  private enqueueNamespace(namespace: string): void {
    for (const name of this.known.get(namespace) ?? []) this.queue.add(`${namespace}/${name}`);
  }

  /** A loop's list of `plural` in `namespace` (all when undefined), with its resourceVersion. */
  private async listKind(
    plural: string,
    namespace: string | undefined,
  ): Promise<{ items: LooseObject[]; resourceVersion: string | undefined }> {
    const base = { ...toolhiveApi, plural };
    const list = (await (namespace
      ? this.custom.listNamespacedCustomObject({ ...base, namespace })
      : this.custom.listCustomObjectForAllNamespaces(base))) as {
      items?: unknown;
      metadata?: { resourceVersion?: unknown };
    };
    const version = list.metadata?.resourceVersion;
    return {
      items: Array.isArray(list.items) ? (list.items as LooseObject[]) : [],
      resourceVersion: typeof version === 'string' && version !== '' ? version : undefined,
    };
  }

  /** A list's items, or none when the kind is not served (404: its CRD is not installed). */
  private async absentAsEmpty(list: () => Promise<unknown>): Promise<LooseObject[]> {
    try {
      const items = ((await list()) as { items?: unknown }).items;
      return Array.isArray(items) ? (items as LooseObject[]) : [];
    } catch (err) {
      if (httpCode(err) === 404) return [];
      throw err;
    }
  }

  private async reconcile(key: string): Promise<void> {
    const [namespace, name] = key.split('/') as [string, string];
    if ((this.modes.get(key) ?? 'play') === 'absent') return;
    const vmcp = await this.readVmcp(namespace, name);
    if (!vmcp) {
      this.known.get(namespace)?.delete(name);
      return;
    }
    const pods = await this.reads.podsOf(namespace, vmcpPodSelector(name), (p) => vmcpKeyOf(p) === key);
    // A stopped runtime writes nothing: the status keeps what the last running one reported.
    if (!pods.some(isServingPod)) return;
    const cm = await this.reads.configMap(namespace, `${name}${vmcpConfigSuffix}`);
    const config = parseVmcpConfig(cm?.data?.['config.yaml']);
    if (config.mode === 'invalid') {
      if (!this.warned.has(`${key} ${config.problem}`)) {
        this.warned.add(`${key} ${config.problem}`);
        this.log.warn(
          { virtualMCPServer: key, problem: config.problem },
          'workload simulator: the vmcp runtime would exit on its config; no backends are reported until the ConfigMap is fixed',
        );
      }
      return;
    }
    const members: VmcpMember[] = [];
    for (const kind of memberKinds) {
      const items =
        this.members[kind].list(namespace) ??
        (await this.absentAsEmpty(() =>
          this.custom.listNamespacedCustomObject({ ...toolhiveApi, plural: memberPlurals[kind], namespace }),
        ));
      members.push(...items.map((object) => ({ kind, object })));
    }
    const overrides = new Map<string, BackendHealth>();
    for (const [k, health] of this.health) {
      if (k.startsWith(`${namespace}/`)) overrides.set(k.slice(namespace.length + 1), health);
    }
    const group = groupRefName(vmcp.spec);
    const backends = runtimeBackends({ group, config, members, overrides });
    const next = runtimeStatus(vmcp.status, backends, group, new Date());
    if (!next.changed) return;
    this.writes++;
    const patched: unknown = await this.custom.patchNamespacedCustomObjectStatus(
      {
        ...toolhiveApi,
        plural: vmcpPlural,
        namespace,
        name,
        body: runtimeStatusPatch(vmcp.metadata?.resourceVersion ?? '', next.status),
      },
      mergePatch,
    );
    this.vmcps.apply('MODIFIED', patched as LooseObject);
    this.log.debug(
      { virtualMCPServer: key, backends: backends.length, backendCount: next.status.backendCount },
      'workload simulator: vmcp runtime reported its backends',
    );
  }

  /** VirtualMCPServer `namespace/name` from the store, or a GET while it is not synced; undefined when absent. */
  private async readVmcp(namespace: string, name: string): Promise<LooseObject | undefined> {
    if (this.vmcps.isSynced(namespace)) return this.vmcps.get(namespace, name);
    try {
      return (await this.custom.getNamespacedCustomObject({
        ...toolhiveApi,
        plural: vmcpPlural,
        namespace,
        name,
      })) as LooseObject;
    } catch (err) {
      if (httpCode(err) === 404) return undefined;
      throw err;
    }
  }
}
