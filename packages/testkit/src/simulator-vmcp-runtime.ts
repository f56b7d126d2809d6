/**
 * The I/O edge of the workload simulator's vmcp runtime (the computation is `simulator-vmcp.ts`; the
 * behaviour, failure modes and costs are described in `simulator.ts`'s module comment). One
 * evaluation per VirtualMCPServer `<namespace>/<name>` at a time, on its own keyed queue, from fresh
 * reads.
 */
import {
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
} from '@kubernetes/client-node';
import {
  httpCode,
  KeyedWorkQueue,
  startWatchLoop,
  type RawObject,
  type WatchLoop,
} from './simulator-loop.js';
import type { SimulatorLog } from './simulator-api.js';
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
  private readonly core: CoreV1Api;
  private readonly queue: KeyedWorkQueue;
  /** vMCP names per namespace seen in events, so a member's change reaches them; 404 forgets one. */
  private readonly known = new Map<string, Set<string>>();
  /** `setBackendHealth`, per `<namespace>/<member>`. */
  private readonly health = new Map<string, BackendHealth>();
  private readonly modes = new Map<string, VmcpRuntimeMode>();
  /** Config problems already logged, so an invalid config.yaml logs once. */
  private readonly warned = new Set<string>();
  private writes = 0;

  constructor(
    private readonly kubeConfig: KubeConfig,
    private readonly log: SimulatorLog,
    concurrency: number,
  ) {
    this.custom = kubeConfig.makeApiClient(CustomObjectsApi);
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.queue = new KeyedWorkQueue((key) => this.reconcile(key), queueLog(log), concurrency);
  }

  /** Watches of VirtualMCPServers and the member kinds in `namespace` (all when undefined). */
  startWatches(namespace: string | undefined): Promise<WatchLoop>[] {
    const path = (plural: string) =>
      `/apis/${toolhiveApi.group}/${toolhiveApi.version}${namespace ? `/namespaces/${namespace}` : ''}/${plural}`;
    const quiet = quietWhenAbsent(this.log);
    return [
      startWatchLoop(
        this.kubeConfig,
        path(vmcpPlural),
        {},
        (obj) => {
          const { namespace: ns, name } = obj.metadata ?? {};
          if (ns && name) this.enqueue(ns, name);
        },
        quiet,
      ),
      ...memberKinds.map((kind) =>
        startWatchLoop(
          this.kubeConfig,
          path(memberPlurals[kind]),
          {},
          (obj) => {
            if (obj.metadata?.namespace) this.enqueueNamespace(obj.metadata.namespace);
          },
          quiet,
        ),
      ),
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

  /** Lists the VirtualMCPServers of each scope (none while the CRD is absent) and queues them. */
  async resync(scopes: (string | undefined)[]): Promise<void> {
    for (const namespace of scopes) {
      const base = { ...toolhiveApi, plural: vmcpPlural };
      const list = await this.absentAsEmpty(() =>
        namespace
          ? this.custom.listNamespacedCustomObject({ ...base, namespace })
          : this.custom.listCustomObjectForAllNamespaces(base),
      );
      for (const v of list) {
        if (v.metadata?.namespace && v.metadata.name) this.enqueue(v.metadata.namespace, v.metadata.name);
      }
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
    let vmcp: LooseObject;
    try {
      vmcp = (await this.custom.getNamespacedCustomObject({
        ...toolhiveApi,
        plural: vmcpPlural,
        namespace,
        name,
      })) as LooseObject;
    } catch (err) {
      if (httpCode(err) !== 404) throw err;
      this.known.get(namespace)?.delete(name);
      return;
    }
    const pods = await this.core.listNamespacedPod({ namespace, labelSelector: vmcpPodSelector(name) });
    // A stopped runtime writes nothing: the status keeps what the last running one reported.
    if (!pods.items.some(isServingPod)) return;
    let configText: string | undefined;
    try {
      const cm = await this.core.readNamespacedConfigMap({ name: `${name}${vmcpConfigSuffix}`, namespace });
      configText = cm.data?.['config.yaml'];
    } catch (err) {
      if (httpCode(err) !== 404) throw err;
    }
    const config = parseVmcpConfig(configText);
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
      const items = await this.absentAsEmpty(() =>
        this.custom.listNamespacedCustomObject({ ...toolhiveApi, plural: memberPlurals[kind], namespace }),
      );
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
    await this.custom.patchNamespacedCustomObjectStatus(
      {
        ...toolhiveApi,
        plural: vmcpPlural,
        namespace,
        name,
        body: runtimeStatusPatch(vmcp.metadata?.resourceVersion ?? '', next.status),
      },
      mergePatch,
    );
    this.log.debug(
      { virtualMCPServer: key, backends: backends.length, backendCount: next.status.backendCount },
      'workload simulator: vmcp runtime reported its backends',
    );
  }
}
