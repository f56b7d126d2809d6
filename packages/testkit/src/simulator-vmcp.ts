/**
 * The pure half of the workload simulator's vmcp runtime (`simulator-vmcp-runtime.ts` does the I/O):
 * which backends ToolHive's `vmcp serve` would report for a VirtualMCPServer, and the
 * `status.discoveredBackends` / `status.backendCount` / `BackendsDiscovered` condition it writes.
 * Nothing here does I/O; the clock is passed in. Raw objects (custom resources, the `config.yaml`
 * text) are read defensively: a missing or mistyped field counts as absent, never throws.
 *
 * Backends (runtime-formats d.1, with simulator simplifications):
 * - inline mode (`config.yaml` has a non-empty `backends` list): exactly those names and urls;
 * - discovered mode (no `backends`): every MCPServer, MCPRemoteProxy and MCPServerEntry whose
 *   `spec.groupRef.name` (or a bare string `spec.groupRef`) is the vMCP's group; url = `status.url`
 *   (entries: `spec.remoteUrl`); members without a url are left out, and so are entries whose phase
 *   is not `Valid` (ToolHive's runtime skips them, where a server or proxy with a url is kept).
 * Health: an override (`setBackendHealth`) wins; else the member of that name's phase: MCPServer or
 * MCPRemoteProxy `Ready`, MCPServerEntry `Valid` => `ready`, anything else (no member of that name
 * included) => `unavailable`. ToolHive's runtime probes the urls instead; the simulator cannot.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { timestamp } from './simulator-objects.js';

/** Health of one backend, as ToolHive's runtime writes it into `discoveredBackends[].status`. */
export type BackendHealth = 'ready' | 'unavailable' | 'degraded' | 'unknown' | 'unauthenticated';
/** Whether the simulator plays the vmcp runtime for a VirtualMCPServer (default `play`). */
export type VmcpRuntimeMode = 'play' | 'absent';
export type VmcpMemberKind = 'MCPServer' | 'MCPRemoteProxy' | 'MCPServerEntry';

export const toolhiveApi = { group: 'toolhive.stacklok.dev', version: 'v1beta1' } as const;
export const vmcpPlural = 'virtualmcpservers';
export const memberPlurals: Record<VmcpMemberKind, string> = {
  MCPServer: 'mcpservers',
  MCPRemoteProxy: 'mcpremoteproxies',
  MCPServerEntry: 'mcpserverentries',
};
/** The labels ToolHive's operator puts on a vMCP's Deployment and pods (`labelsForVirtualMCPServer`). */
export const vmcpNameLabel = { key: 'app.kubernetes.io/name', value: 'virtualmcpserver' } as const;
export const vmcpInstanceLabel = 'app.kubernetes.io/instance';
/** The vMCP's config ConfigMap is `<name>-vmcp-config`, key `config.yaml`. */
export const vmcpConfigSuffix = '-vmcp-config';
export const backendsDiscovered = 'BackendsDiscovered';

/** A custom object as the API returns it, every field possibly missing. */
export interface LooseObject {
  metadata?: {
    name?: string;
    namespace?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
  };
  spec?: unknown;
  status?: unknown;
}

export interface VmcpMember {
  kind: VmcpMemberKind;
  object: LooseObject;
}

/** One `status.discoveredBackends` item as the simulated runtime writes it. */
export interface SimulatedBackend {
  name: string;
  url?: string;
  status: BackendHealth;
  lastHealthCheck?: string;
  message?: string;
}

export type VmcpConfigView =
  | { mode: 'discovered' }
  | { mode: 'inline'; backends: { name: string; url?: string }[] }
  | { mode: 'invalid'; problem: string };

/** The status fields the runtime owns: the merge patch carries exactly these (and resourceVersion). */
export interface VmcpRuntimeStatus {
  discoveredBackends: SimulatedBackend[];
  backendCount: number;
  /** The stored conditions with only `BackendsDiscovered` replaced or added. */
  conditions: unknown[];
}

const record = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/** `<namespace>/<vmcp>` for a vMCP's Deployment or Pod (by its labels), else undefined. */
export function vmcpKeyOf(obj: {
  metadata?: { namespace?: string; labels?: Record<string, string> };
}): string | undefined {
  const metadata = obj.metadata;
  const labels = metadata?.labels ?? {};
  const instance = labels[vmcpInstanceLabel];
  if (labels[vmcpNameLabel.key] !== vmcpNameLabel.value || !instance || !metadata?.namespace)
    return undefined;
  return `${metadata.namespace}/${instance}`;
}

/** The vMCP whose config ConfigMap this is, else undefined. */
export function vmcpOfConfigMap(name: string | undefined): string | undefined {
  return name?.endsWith(vmcpConfigSuffix) && name.length > vmcpConfigSuffix.length
    ? name.slice(0, -vmcpConfigSuffix.length)
    : undefined;
}

/** The label selector of the simulated pods of vMCP `name` (the simulator's carry `pod-template-hash`). */
export function vmcpPodSelector(name: string): string {
  return `${vmcpNameLabel.key}=${vmcpNameLabel.value},${vmcpInstanceLabel}=${name},pod-template-hash`;
}

/** A pod the runtime runs in: its `Ready` condition is `True` and it is not being deleted. */
export function isServingPod(pod: V1Pod): boolean {
  return (
    !pod.metadata?.deletionTimestamp &&
    (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True')
  );
}

/**
 * The mode `config.yaml` puts the runtime in. No text (no ConfigMap, or no key) is discovered mode;
 * text that is not YAML, not a mapping, a `backends` that is not a list, or an item without a `name`
 * is `invalid` (the real binary exits at config validation).
 */
export function parseVmcpConfig(yamlText: string | undefined): VmcpConfigView {
  if (yamlText === undefined) return { mode: 'discovered' };
  let value: unknown;
  try {
    value = parse(yamlText);
  } catch {
    return { mode: 'invalid', problem: 'config.yaml is not YAML' };
  }
  if (value !== null && (typeof value !== 'object' || Array.isArray(value))) {
    return { mode: 'invalid', problem: 'config.yaml is not a mapping' };
  }
  const backends = record(value).backends;
  if (backends === undefined || backends === null) return { mode: 'discovered' };
  if (!Array.isArray(backends)) return { mode: 'invalid', problem: 'config.yaml backends is not a list' };
  if (backends.length === 0) return { mode: 'discovered' };
  const items: { name: string; url?: string }[] = [];
  for (const [i, item] of backends.entries()) {
    const name = text(record(item).name);
    if (!name) return { mode: 'invalid', problem: `config.yaml backends[${i}] has no name` };
    const url = text(record(item).url);
    items.push(url ? { name, url } : { name });
  }
  return { mode: 'inline', backends: items };
}

/** `spec.groupRef.name`, or `spec.groupRef` itself when it is a string. */
export function groupRefName(spec: unknown): string | undefined {
  const ref = record(spec).groupRef;
  return typeof ref === 'string' ? text(ref) : text(record(ref).name);
}

/** The url a member is reached at: `status.url`, or an entry's `spec.remoteUrl`. */
export function memberUrl(member: VmcpMember): string | undefined {
  return member.kind === 'MCPServerEntry'
    ? text(record(member.object.spec).remoteUrl)
    : text(record(member.object.status).url);
}

/** The member's health from its phase, with the phase in the message when it is not ready. */
export function memberHealth(member: VmcpMember): { status: BackendHealth; message?: string } {
  const phase = text(record(member.object.status).phase);
  const healthy = member.kind === 'MCPServerEntry' ? 'Valid' : 'Ready';
  if (phase === healthy) return { status: 'ready' };
  const name = member.object.metadata?.name ?? '';
  return {
    status: 'unavailable',
    message: `${member.kind} ${name} ${phase ? `is ${phase}` : 'has no phase yet'}`,
  };
}

export interface RuntimeBackendsInput {
  /** The vMCP's `spec.groupRef` name (undefined: discovered mode finds nothing). */
  group: string | undefined;
  config: Exclude<VmcpConfigView, { mode: 'invalid' }>;
  /** Every MCPServer, MCPRemoteProxy and MCPServerEntry of the vMCP's namespace. */
  members: readonly VmcpMember[];
  /** Health set per member name (`setBackendHealth`). */
  overrides: ReadonlyMap<string, BackendHealth>;
}

/** The backends the runtime reports, sorted by name, without times (see `runtimeStatus`). */
export function runtimeBackends(input: RuntimeBackendsInput): Omit<SimulatedBackend, 'lastHealthCheck'>[] {
  const order: VmcpMemberKind[] = ['MCPServer', 'MCPRemoteProxy', 'MCPServerEntry'];
  const byName = new Map<string, VmcpMember>();
  // The first kind wins a name shared across kinds, so the pick does not depend on list order.
  for (const kind of order) {
    for (const m of input.members) {
      const name = m.object.metadata?.name;
      if (m.kind === kind && name && !byName.has(name)) byName.set(name, m);
    }
  }
  const found: { name: string; url?: string }[] =
    input.config.mode === 'inline'
      ? input.config.backends
      : [...byName.entries()]
          .filter(([, m]) => input.group !== undefined && groupRefName(m.object.spec) === input.group)
          .filter(([, m]) => m.kind !== 'MCPServerEntry' || record(m.object.status).phase === 'Valid')
          .map(([name, m]) => ({ name, url: memberUrl(m) }))
          .filter((b) => b.url !== undefined);
  const backends = found.map((b) => {
    const override = input.overrides.get(b.name);
    const member = byName.get(b.name);
    const health: { status: BackendHealth; message?: string } = override
      ? override === 'ready'
        ? { status: 'ready' }
        : { status: override, message: `health set to ${override} in the workload simulator` }
      : member
        ? memberHealth(member)
        : {
            status: 'unavailable',
            message: `no MCPServer, MCPRemoteProxy or MCPServerEntry named ${b.name}`,
          };
    return { name: b.name, ...(b.url === undefined ? {} : { url: b.url }), ...health };
  });
  return backends.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** JSON with sorted keys: the apiserver re-orders object keys, so plain stringify would differ. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The runtime's status after a pass that found `backends`, given the vMCP's stored `status`, and
 * whether it differs from what is stored. Times move only on change: a backend's `lastHealthCheck`
 * when its status (or url) changes or it first appears, the condition's `lastTransitionTime` when its
 * status flips; so the same inputs against the status written before give `changed: false`.
 */
export function runtimeStatus(
  stored: unknown,
  backends: readonly Omit<SimulatedBackend, 'lastHealthCheck'>[],
  group: string | undefined,
  now: Date,
): { status: VmcpRuntimeStatus; changed: boolean } {
  const at = timestamp(now);
  const current = record(stored);
  const storedBackends = Array.isArray(current.discoveredBackends) ? current.discoveredBackends : undefined;
  const previous = new Map<string, Record<string, unknown>>();
  for (const b of storedBackends ?? []) {
    const name = text(record(b).name);
    if (name) previous.set(name, record(b));
  }
  const discoveredBackends = backends.map((b): SimulatedBackend => {
    const before = previous.get(b.name);
    const same = before?.status === b.status && before.url === b.url;
    const checked = same ? text(before.lastHealthCheck) : undefined;
    return { ...b, lastHealthCheck: checked ?? at };
  });
  const backendCount = discoveredBackends.filter(
    (b) => b.status === 'ready' || b.status === 'unauthenticated',
  ).length;
  const storedConditions: unknown[] = Array.isArray(current.conditions) ? current.conditions : [];
  const index = storedConditions.findIndex((c) => record(c).type === backendsDiscovered);
  const old = index >= 0 ? record(storedConditions[index]) : undefined;
  const found = discoveredBackends.length > 0;
  const status = found ? 'True' : 'False';
  const condition = {
    type: backendsDiscovered,
    status,
    reason: found ? 'BackendDiscoverySucceeded' : 'BackendDiscoveryFailed',
    message: found
      ? `Discovered ${discoveredBackends.length} backends`
      : group
        ? `No backends discovered in group ${group}`
        : 'No backends discovered: spec.groupRef names no group',
    lastTransitionTime: (old?.status === status ? text(old.lastTransitionTime) : undefined) ?? at,
  };
  const conditions =
    index >= 0
      ? storedConditions.map((c, i) => (i === index ? condition : c))
      : [...storedConditions, condition];
  const changed =
    canonical(storedBackends) !== canonical(discoveredBackends) ||
    current.backendCount !== backendCount ||
    canonical(old) !== canonical(condition);
  return { status: { discoveredBackends, backendCount, conditions }, changed };
}

/**
 * The JSON merge patch for the `status` subresource: the runtime's fields only, and the read's
 * resourceVersion, so a write racing another writer's (the controller's conditions) fails with 409
 * instead of overwriting the conditions list.
 */
export function runtimeStatusPatch(resourceVersion: string, status: VmcpRuntimeStatus): object {
  return { metadata: { resourceVersion }, status };
}
