/**
 * The VirtualMCPServer controller: turns each VirtualMCPServer into what ToolHive's vmcp image needs
 * to aggregate the backends of its MCPGroup (RBAC, the session HMAC Secret, the `config.yaml`
 * ConfigMap, the Deployment and its Service) and reports its state from its pods and from the
 * backends the vmcp runtime discovered. The builders are pure (config.ts, workload.ts, rbac.ts,
 * service.ts, hmac.ts, desired.ts); this module reads the cache, applies their output and writes
 * status (status.ts).
 *
 * One reconcile, in order:
 * 1. Read every input once from the cache: the MCPGroup (`status.phase`), the group's members
 *    (MCPServers, MCPRemoteProxies and MCPServerEntries naming it in `spec.groupRef`), the
 *    MCPTelemetryConfig (re-validated as its own controller does), the pods. No finalizer: every
 *    object made is owned, and the garbage collector removes them with the VirtualMCPServer.
 * 2. Unless a blocker forbids it (status.ts): create the HMAC Secret once (never overwritten; an
 *    existing one is validated from one uncached read per resourceVersion, a problem is a condition
 *    and a Warning Event), then apply each owned object that drifted (zero requests otherwise). The
 *    ConfigMap's checksum is a pod annotation, so a new `config.yaml` rolls the pods.
 * 3. Write the status fields and conditions it owns when they differ. The vmcp runtime writes
 *    `discoveredBackends` and the `BackendsDiscovered` condition into the same status: they are
 *    read (for the phase) and never written.
 * While the group is missing or not ready, the reconcile is repeated every 10 s (a fixed delay, not a
 * growing backoff: the group's own events also wake it). An input that cannot be read now (a failing
 * list of the group's, a member kind's or the telemetry config's kind) is never taken for "absent":
 * nothing is rolled out, the conditions say so or keep their last value, and the reconcile is retried
 * with backoff.
 *
 * Watches: the VirtualMCPServer (spec changes, and the runtime's `discoveredBackends`), the owned
 * kinds (by controller reference), the vmcp Pods (by labels), MCPGroups and MCPTelemetryConfigs
 * (through indexes on the vMCPs naming them), and the members: an event on an MCPServer,
 * MCPRemoteProxy or MCPServerEntry reaches the vMCPs of the group it names (before and after the
 * change) and of every group whose status lists it.
 */
import { randomBytes as cryptoRandomBytes } from 'node:crypto';
import {
  formatFieldErrors,
  mcpGroup,
  mcpTelemetryConfig,
  parseVirtualMCPServer,
  readGroupRef,
  readTelemetryRef,
  toolhivePodOwnerKeys,
  virtualMCPServer,
} from '@mcp-controllers/api';
import {
  applyChildren,
  Controller,
  InputUnknownError,
  EventRecorder,
  generationChanged,
  podResource,
  referrersOf,
  replaceConditions,
  semanticEqual,
  specRefIndexer,
  writeStatus,
  writeThrough,
  type Condition,
  type ControllerDeps,
  type DesiredChildren,
  type EventFilter,
  type KubeObject,
} from '@mcp-controllers/core';
import { ownedResources } from './cache-transform.js';
import { GroupMembers, groupRefName, memberKinds, type RawGroup } from './group-members.js';
import { HmacSecrets } from './hmac-secret.js';
import { buildVmcpConfig, type VmcpConfig } from './config.js';
import { desiredObjects } from './desired.js';
import { vmcpURL } from './names.js';
import { vmcpPhase, type DiscoveredBackend, type VmcpPodView } from './phase.js';
import { checkPodTemplateSpec } from './pod-template.js';
import { ownedConditionTypes, vmcpStatus, type HmacView, type VmcpStatusInputs } from './status.js';
import type { VirtualServer } from './types.js';

/** How soon a vMCP whose group is missing or not ready is looked at again (fixed, no backoff). */
export const groupWaitRequeueMs = 10_000;

export const vmcpIndexes = {
  group: 'spec.groupRef.name',
  telemetry: 'spec.telemetryConfigRef.name',
  pods: 'vmcp-pods-by-instance',
  members: 'members-by-group',
  listedIn: 'groups-by-listed-member',
} as const;

export interface VmcpControllerOptions {
  /** The vmcp image (`VMCP_IMAGE`). */
  image: string;
  /** The field manager of every apply and patch. */
  fieldManager?: string;
  /** The fixed delay between looks while the group is missing or not ready (tests); default 10 s. */
  groupWaitMs?: number;
  /** The HMAC key's source (tests); default `crypto.randomBytes`. */
  randomBytes?: (size: number) => Uint8Array;
}

export type VmcpControllerDeps = ControllerDeps;

type RawVmcp = KubeObject & {
  spec?: Record<string, unknown>;
  status?: {
    telemetryConfigHash?: string;
    discoveredBackends?: DiscoveredBackend[];
    conditions?: Condition[];
  };
};
type TelemetryConfig = KubeObject & { status?: { configHash?: string } };

/**
 * Updates of a VirtualMCPServer that need a reconcile: a new generation or deletion, or new
 * `discoveredBackends` (the runtime's report, which decides the phase). Our own status writes pass
 * nothing else through.
 */
export const vmcpUpdateFilter: EventFilter = (old, obj) =>
  generationChanged(old, obj) ||
  !semanticEqual(
    (old.status as RawVmcp['status'])?.discoveredBackends,
    (obj.status as RawVmcp['status'])?.discoveredBackends,
  );

export function vmcpController(deps: VmcpControllerDeps, options: VmcpControllerOptions): Controller {
  const { cache, client } = deps;
  const fieldManager = options.fieldManager ?? 'mcp-vmcp-controller';
  const groupWaitMs = options.groupWaitMs ?? groupWaitRequeueMs;
  const random = options.randomBytes ?? ((size: number) => cryptoRandomBytes(size));
  const events = new EventRecorder(client, 'mcp-vmcp-controller', deps.log ? { log: deps.log } : {});
  const resource = virtualMCPServer.resource;
  const vmcpInformer = cache.informer<RawVmcp>(resource);
  const vmcps = vmcpInformer.store;
  if (!vmcps.hasIndex(vmcpIndexes.group)) vmcps.addIndexer(vmcpIndexes.group, specRefIndexer('groupRef'));
  if (!vmcps.hasIndex(vmcpIndexes.telemetry)) {
    vmcps.addIndexer(vmcpIndexes.telemetry, specRefIndexer('telemetryConfigRef'));
  }
  const groups = cache.informer<RawGroup>(mcpGroup.resource);
  const groupMembers = new GroupMembers(cache, groups.store);
  const telemetryConfigs = cache.informer<TelemetryConfig>(mcpTelemetryConfig.resource);
  const pods = cache.informer<KubeObject & VmcpPodView>(podResource);
  if (!pods.store.hasIndex(vmcpIndexes.pods)) pods.store.addIndexer(vmcpIndexes.pods, vmcpPodOwner);
  /** The last config and objects built for each vMCP, with the versions of the inputs they came from. */
  const built = new Map<string, { inputsVersion: string; config?: VmcpConfig; desired?: DesiredChildren }>();
  const hmacSecrets = new HmacSecrets({ client, cache, events, fieldManager, random });

  const controller = new Controller({
    name: 'virtualmcpserver',
    for: resource,
    filter: vmcpUpdateFilter,
    reconcile: async ({ key, namespace, name }, ctx) => {
      const raw = vmcps.get(key);
      if (!raw || namespace === undefined) {
        hmacSecrets.forget(key);
        built.delete(key);
        return;
      }
      // Owned objects go with it (garbage collector); a status written now would only be lost.
      if (raw.metadata.deletionTimestamp) return;

      const parsed = parseVirtualMCPServer(raw);
      const spec = (parsed.ok ? parsed.value.spec : (raw.spec ?? {})) as VirtualServer['spec'];
      const { status: _status, ...rest } = raw;
      const vmcp: VirtualServer = { ...rest, metadata: { ...raw.metadata, name, namespace }, spec };
      const groupName = groupRefName(raw);
      const group = readGroupRef(groups.lookupKey(`${namespace}/${groupName}`));
      const telemetryName = spec.telemetryConfigRef?.name || undefined;
      const telemetry = telemetryName
        ? readTelemetryRef(
            telemetryConfigs.lookupKey(`${namespace}/${telemetryName}`),
            spec.telemetryConfigRef?.serviceName,
          )
        : undefined;
      const found = groupMembers.read(namespace, groupName, group.object);
      const podTemplate = checkPodTemplateSpec(spec.podTemplateSpec);
      // The config and the objects are a function of the spec, the members and the telemetry config:
      // rebuilt only when one of them changed (rendering 1,000 backends costs tens of ms, and pod,
      // Deployment and status events reconcile far more often than the inputs change).
      const inputsVersion = [
        raw.metadata.uid,
        raw.metadata.generation,
        telemetry?.version ?? '',
        spec.telemetryConfigRef?.serviceName ?? '',
        ...found.members
          .map((m) => `${m.kind}/${m.object.metadata.name ?? ''}@${m.object.metadata.resourceVersion ?? ''}`)
          .sort(),
      ].join('|');
      let memo = built.get(key);
      if (memo?.inputsVersion !== inputsVersion) {
        memo = {
          inputsVersion,
          ...(parsed.ok
            ? {
                config: buildVmcpConfig(vmcp, {
                  members: found.members,
                  ...(telemetry?.ref ? { telemetry: telemetry.ref } : {}),
                }),
              }
            : {}),
        };
        built.set(key, memo);
      }
      const config = memo.config;
      const discoveredBackends = raw.status?.discoveredBackends;
      const inline = spec.outgoingAuth?.source === 'inline';
      const inputs: VmcpStatusInputs = {
        namespace,
        specProblems: parsed.ok ? (config?.problems ?? []) : parsed.errors.map((e) => formatFieldErrors([e])),
        ...(podTemplate.ok ? {} : { podTemplateProblem: podTemplate.message }),
        groupName,
        group: group.view,
        ...(telemetryName && telemetry ? { telemetryName, telemetry: telemetry.view } : {}),
        ...(found.unknown !== undefined ? { membersUnknown: found.unknown } : {}),
        ...(inline && config
          ? {
              inline: {
                backends: backendNames(config.config),
                skipped: config.skipped,
                ...(config.noBackends !== undefined ? { noBackends: config.noBackends } : {}),
              },
            }
          : {}),
        hmac: { state: 'unchecked' },
        observed: vmcpPhase({ pods: vmcpPods(namespace, name), discoveredBackends }),
        discoveredBackends,
        url: vmcpURL(vmcp),
        previous: raw.status ?? {},
      };

      let hmac: HmacView = { state: 'unchecked' };
      let applyProblem: string | undefined;
      if (vmcpStatus(inputs).rollout && config) {
        hmac = await hmacSecrets.ensure(raw, vmcp, ctx.log);
        if (hmac.state === 'valid') {
          memo.desired ??= desiredObjects(vmcp, {
            config,
            members: found.members,
            ...(telemetry?.ref ? { telemetry: telemetry.ref } : {}),
            image: options.image,
          });
          const desired = memo.desired;
          const conflicts = await applyChildren({
            client,
            cache,
            owner: raw,
            ownerResource: resource,
            children: desired.objects,
            replicas: desired.replicas,
            fieldManager,
            log: ctx.log,
          });
          if (conflicts.length > 0) applyProblem = conflicts.map((c) => c.message).join('; ');
        }
      }

      const result = vmcpStatus({
        ...inputs,
        hmac,
        ...(applyProblem !== undefined ? { applyProblem } : {}),
      });
      const generation = raw.metadata.generation;
      await writeStatus<RawVmcp>({
        client,
        resource,
        object: raw,
        ownedConditionTypes,
        desired: (current) => {
          const stored = current.status?.conditions;
          const kept = (stored ?? []).filter((c) => result.keep.includes(c.type));
          return {
            fields: {
              phase: result.phase,
              message: result.message,
              url: result.url,
              backendCount: result.backendCount,
              telemetryConfigHash: result.telemetryConfigHash,
              observedGeneration: generation,
            },
            conditions: [...replaceConditions(stored, result.conditions, generation), ...kept],
          };
        },
        onWritten: (written) => {
          writeThrough(vmcpInformer, written);
        },
      });

      const unknown = [
        group.view.state === 'unknown' ? `MCPGroup ${groupName}: ${group.view.cause}` : undefined,
        telemetry?.view.state === 'unknown'
          ? `MCPTelemetryConfig ${telemetryName ?? ''}: ${telemetry.view.cause}`
          : undefined,
        found.unknown,
      ].filter((u): u is string => u !== undefined);
      if (unknown.length > 0) {
        throw new InputUnknownError(
          `cannot read ${unknown.join('; ')}; nothing is rolled out until it can be read`,
        );
      }
      return result.waitingForGroup ? { requeueAfterMs: groupWaitMs } : undefined;
    },
  });

  function vmcpPods(namespace: string, name: string): VmcpPodView[] {
    return pods.store.byIndex(vmcpIndexes.pods, `${namespace}/${name}`);
  }

  // Events on other kinds re-queue exactly the vMCPs they concern.
  const vmcpsOfGroups = (namespace: string, groupNames: readonly string[]): string[] => {
    const keys = new Set<string>();
    for (const g of groupNames) {
      if (!g) continue;
      for (const v of vmcps.byIndex(vmcpIndexes.group, `${namespace}/${g}`)) {
        keys.add(`${v.metadata.namespace ?? ''}/${v.metadata.name ?? ''}`);
      }
    }
    return [...keys];
  };
  for (const owned of ownedResources) controller.owns(owned);
  controller
    .watches(podResource, vmcpPodOwner)
    .watches(mcpGroup.resource, referrersOf(vmcps, vmcpIndexes.group), { optional: true })
    .watches(mcpTelemetryConfig.resource, referrersOf(vmcps, vmcpIndexes.telemetry), { optional: true });
  for (const { kind, resource: memberResource } of memberKinds) {
    controller.watches(memberResource, groupMembers.mapper(kind, vmcpsOfGroups), { optional: true });
  }
  return controller;
}

/** The key of the VirtualMCPServer a vmcp pod belongs to (labelsForVirtualMCPServer); none otherwise. */
function vmcpPodOwner(pod: KubeObject): string[] {
  return toolhivePodOwnerKeys(pod, 'virtualmcpserver');
}

/** The backend names of a built config (inline mode), in config order. */
function backendNames(config: Record<string, unknown>): string[] {
  const backends = config.backends;
  return Array.isArray(backends)
    ? backends.map((b) => (b as { name?: unknown }).name).filter((n): n is string => typeof n === 'string')
    : [];
}
