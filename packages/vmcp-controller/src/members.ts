/**
 * The members of a VirtualMCPServer's group as the controller reads them from the cache (raw
 * MCPServer, MCPRemoteProxy and MCPServerEntry objects), and what each one contributes: a static
 * backend of `config.yaml` (operator-behaviour §9.3 "Backend discovery per workload type",
 * runtime-formats c.5), a CA-bundle mount and header-forward env vars for entries (§9.2).
 *
 * Pure: nothing here reads the cluster or throws. The raw objects are read defensively (a missing
 * or mistyped field counts as absent); a member that cannot be a backend is reported as `skipped`
 * with a reason a person can act on.
 */
import { createHash } from 'node:crypto';
import { goKeyOrder } from '@mcp-controllers/api';
import type { KubeObject } from '@mcp-controllers/core';
import type { EnvVar } from './types.js';

export type MemberKind = 'MCPServer' | 'MCPRemoteProxy' | 'MCPServerEntry';

/** A group member as cached: metadata (annotations included), spec and status, unparsed. */
export interface Member {
  kind: MemberKind;
  object: KubeObject;
}

export type BackendTransport = 'sse' | 'streamable-http';

/** One item of `config.yaml`'s `backends` (ToolHive's `StaticBackendConfig`), keys in Go order. */
export interface StaticBackend {
  name: string;
  url: string;
  transport: BackendTransport;
  /** `entry` for an MCPServerEntry (ToolHive omits it, and its own validator then rejects `caBundlePath`). */
  type?: 'entry';
  caBundlePath?: string;
  /** Keys in Go's order. Without `group`: `buildVmcpConfig` sets it, as the vMCP discoverer does. */
  metadata: Record<string, string>;
}

export type StaticBackendResult = { backend: StaticBackend } | { skipped: string };

/** Where entries' CA bundles are mounted in the vmcp container, one directory per entry. */
export const caBundleBasePath = '/etc/toolhive/ca-bundles';
/** The ConfigMap key read when `caBundleRef.configMapRef.key` is empty. */
export const caBundleDefaultKey = 'ca.crt';

// Annotations the vMCP discoverer leaves out of a backend's metadata (`isStandardK8sAnnotation`).
const standardAnnotationPrefixes = [
  'kubectl.kubernetes.io/',
  'kubernetes.io/',
  'deployment.kubernetes.io/',
  'k8s.io/',
];

const workloadTypes: Record<MemberKind, string> = {
  MCPServer: 'mcp_server',
  MCPRemoteProxy: 'remote_proxy',
  MCPServerEntry: 'server_entry',
};

/** The member's `metadata.name` ('' when absent). */
export function memberName(member: Member): string {
  return member.object.metadata.name ?? '';
}

/**
 * The backend a member makes, or why it makes none:
 * - MCPServer: `status.url` with the effective transport (an `sse` server stays `sse`; a stdio one
 *   uses `spec.proxyMode`, default `streamable-http`); skipped while `status.url` is empty (never a
 *   localhost fallback).
 * - MCPRemoteProxy: `status.url` with `spec.transport` (default `streamable-http`).
 * - MCPServerEntry: only while `status.phase` is `Valid`; `spec.remoteUrl` with `spec.transport`,
 *   `type: entry`, and `caBundlePath` `/etc/toolhive/ca-bundles/<entry>/<key|ca.crt>` when it has a
 *   `caBundleRef`.
 * Metadata: the member's annotations minus the standard Kubernetes prefixes, then the system keys
 * `tool_type`, `workload_type`, `workload_status` (the phase), `namespace` (the argument) and, for
 * proxies and entries, `remote_url`, which win over annotations of the same name.
 */
export function staticBackend(member: Member, namespace: string): StaticBackendResult {
  const name = memberName(member);
  const spec = record(member.object.spec);
  const status = record(member.object.status);
  const phase = text(status.phase);
  const what = `${member.kind} ${name}`;
  let url: string;
  let transport: BackendTransport | undefined;
  let remoteUrl: string | undefined;
  switch (member.kind) {
    case 'MCPServer': {
      url = text(status.url);
      const declared = text(spec.transport) || 'stdio';
      transport = serverTransport(declared, text(spec.proxyMode));
      if (!transport) {
        return {
          skipped: `${what} has transport "${declared}"; only stdio, sse and streamable-http can be served`,
        };
      }
      if (!url) return { skipped: noURL(what, phase, member.kind) };
      break;
    }
    case 'MCPRemoteProxy': {
      url = text(status.url);
      remoteUrl = text(spec.remoteUrl);
      const declared = text(spec.transport) || 'streamable-http';
      transport = httpTransport(declared);
      if (!transport) {
        return { skipped: `${what} has transport "${declared}"; only sse and streamable-http can be served` };
      }
      if (!url) return { skipped: noURL(what, phase, member.kind) };
      break;
    }
    case 'MCPServerEntry': {
      if (phase !== 'Valid') {
        return {
          skipped: phase
            ? `${what} is in phase ${phase}, not Valid; its conditions say what to fix`
            : `${what} is not validated yet (no status); is mcp-entry-controller running?`,
        };
      }
      url = text(spec.remoteUrl);
      remoteUrl = url;
      const declared = text(spec.transport);
      transport = httpTransport(declared);
      if (!transport) {
        return {
          skipped: `${what} has transport "${declared}"; set spec.transport to sse or streamable-http`,
        };
      }
      if (!/^https?:\/\/\S/.test(url)) {
        return {
          skipped: `${what} has no usable spec.remoteUrl ("${url}"); it must start with http:// or https://`,
        };
      }
      break;
    }
  }
  const system: Record<string, string> = {
    tool_type: 'mcp',
    workload_type: workloadTypes[member.kind],
    workload_status: phase,
  };
  if (remoteUrl !== undefined) system.remote_url = remoteUrl;
  if (namespace) system.namespace = namespace;
  const backend: StaticBackend = { name, url, transport, metadata: backendMetadata(member, system) };
  if (member.kind === 'MCPServerEntry') {
    backend.type = 'entry';
    const ca = entryCABundle(member);
    if (ca) backend.caBundlePath = ca.filePath;
  }
  return { backend };
}

/**
 * Why a member without `status.url` is not a backend. Without any status its controller is probably
 * not running: the message names it (remote proxies have none in this project yet).
 */
function noURL(what: string, phase: string, kind: MemberKind): string {
  if (!phase) {
    return kind === 'MCPRemoteProxy'
      ? `${what} has no status yet: mcp-controllers does not run remote proxies; ToolHive's operator must`
      : `${what} has no status yet; is mcp-server-controller running?`;
  }
  return `${what} has no status.url yet (phase ${phase}); it becomes a backend once its controller publishes the URL`;
}

/** ToolHive's `GetEffectiveProxyMode`: the transport itself, or for stdio the proxy mode. */
function serverTransport(transport: string, proxyMode: string): BackendTransport | undefined {
  if (transport === 'stdio') return proxyMode === 'sse' ? 'sse' : 'streamable-http';
  return httpTransport(transport);
}

function httpTransport(transport: string): BackendTransport | undefined {
  return transport === 'sse' || transport === 'streamable-http' ? transport : undefined;
}

function backendMetadata(member: Member, system: Record<string, string>): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const [key, value] of Object.entries(member.object.metadata.annotations ?? {})) {
    if (!standardAnnotationPrefixes.some((prefix) => key.startsWith(prefix))) merged[key] = value;
  }
  Object.assign(merged, system);
  return sortedRecord(merged);
}

/**
 * A CA bundle an entry asks for, laid out as ToolHive's operator mounts it (a workload.ts
 * `ConfigMapVolume` as it stands).
 */
export interface CABundleMount {
  /** The MCPServerEntry's name. */
  entry: string;
  /** The volume: `ca-bundle-<entry>`, or the hash-suffixed form when that is longer than 63 characters. */
  name: string;
  /** The ConfigMap holding the bundle; the volume projects only `key`, to a file of the same name. */
  configMap: string;
  key: string;
  /** `/etc/toolhive/ca-bundles/<entry>`, mounted read-only. */
  mountPath: string;
  /** `<mountPath>/<key>`: the backend's `caBundlePath`. */
  filePath: string;
}

function entryCABundle(member: Member): CABundleMount | undefined {
  const ref = record(record(record(member.object.spec).caBundleRef).configMapRef);
  if (Object.keys(ref).length === 0) return undefined;
  const entry = memberName(member);
  const key = text(ref.key) || caBundleDefaultKey;
  const mountPath = `${caBundleBasePath}/${entry}`;
  return {
    entry,
    name: caBundleVolumeName(entry),
    configMap: text(ref.name),
    key,
    mountPath,
    filePath: `${mountPath}/${key}`,
  };
}

/**
 * One mount per MCPServerEntry member with a `caBundleRef`, whatever its phase (ToolHive mounts them
 * all), sorted by entry name so the pod template does not change with cache order.
 */
export function caBundleMounts(members: readonly Member[]): CABundleMount[] {
  return members
    .filter((m) => m.kind === 'MCPServerEntry')
    .map(entryCABundle)
    .filter((m): m is CABundleMount => m !== undefined)
    .sort((a, b) => goKeyOrder(a.entry, b.entry));
}

/**
 * `ca-bundle-<entry>` when that fits a 63-character volume name; otherwise the entry name cut to 44
 * characters, trailing `-` trimmed, then `-` and the first 8 hex digits of SHA-256(entry).
 */
export function caBundleVolumeName(entry: string): string {
  const name = `ca-bundle-${entry}`;
  if (name.length <= 63) return name;
  const suffix = createHash('sha256').update(entry, 'utf8').digest('hex').slice(0, 8);
  const truncated = entry.slice(0, 44).replace(/-+$/, '');
  return `ca-bundle-${truncated}-${suffix}`;
}

/** ToolHive's `NormalizeForEnvVar`: uppercase, `-` to `_`, anything outside `[A-Z0-9_]` to `_`. */
export function normalizeForEnvVar(value: string): string {
  return value
    .replaceAll('-', '_')
    .toUpperCase()
    .replace(/[^A-Z0-9_]/g, '_');
}

/**
 * The header-forward env vars of the vmcp container (§9.2), for every MCPServerEntry member with a
 * `headerForward`, whatever its phase: `TOOLHIVE_HEADER_FORWARD_<ENTRY>` holding the JSON manifest
 * `{"addPlaintextHeaders":{…},"addHeadersFromSecret":{"<Header>":"HEADER_FORWARD_<H>_<ENTRY>"}}`
 * (left out when both maps are empty), and per secret-backed header
 * `TOOLHIVE_SECRET_HEADER_FORWARD_<H>_<ENTRY>` from its `secretKeyRef`. Secret values never appear.
 * Sorted by name, as ToolHive sorts them (cache order must not reorder the pod template).
 */
export function headerForwardEnv(members: readonly Member[]): EnvVar[] {
  const env: EnvVar[] = [];
  for (const member of members) {
    if (member.kind !== 'MCPServerEntry') continue;
    const forward = record(record(member.object.spec).headerForward);
    if (Object.keys(forward).length === 0) continue;
    const owner = normalizeForEnvVar(memberName(member));
    const plaintext = stringRecord(forward.addPlaintextHeaders);
    const fromSecret: Record<string, string> = {};
    const secretEnv: EnvVar[] = [];
    for (const item of Array.isArray(forward.addHeadersFromSecret) ? forward.addHeadersFromSecret : []) {
      const header = text(record(item).headerName);
      const ref = record(record(item).valueSecretRef);
      if (Object.keys(ref).length === 0) continue;
      const identifier = `HEADER_FORWARD_${normalizeForEnvVar(header)}_${owner}`;
      fromSecret[header] = identifier;
      secretEnv.push({
        name: `TOOLHIVE_SECRET_${identifier}`,
        valueFrom: { secretKeyRef: { name: text(ref.name), key: text(ref.key) } },
      });
    }
    const manifest: Record<string, Record<string, string>> = {};
    if (Object.keys(plaintext).length > 0) manifest.addPlaintextHeaders = sortedRecord(plaintext);
    if (Object.keys(fromSecret).length > 0) manifest.addHeadersFromSecret = sortedRecord(fromSecret);
    if (Object.keys(manifest).length > 0) {
      env.push({ name: `TOOLHIVE_HEADER_FORWARD_${owner}`, value: goJSON(manifest) });
    }
    env.push(...secretEnv);
  }
  return env.sort((a, b) => goKeyOrder(a.name, b.name));
}

/** Go's `json.Marshal` of nested string maps: compact, keys in insertion order, `<>&` escaped. */
function goJSON(value: Record<string, Record<string, string>>): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Members of a raw object as a record; anything that is not a plain object reads as empty. */
export function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/** A raw field as a string; anything else reads as ''. */
export function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function stringRecord(value: unknown): Record<string, string> {
  return Object.fromEntries(
    Object.entries(record(value)).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}

function sortedRecord(map: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.keys(map)
      .sort(goKeyOrder)
      .map((k) => [k, map[k] ?? '']),
  );
}
