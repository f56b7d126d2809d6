/**
 * vMCP's `config.yaml` for a VirtualMCPServer (and, re-exported from config-map.ts, the ConfigMap
 * `<name>-vmcp-config` that carries it), as ToolHive's operator builds them (its converter
 * `Convert`, `processOutgoingAuth`, `ensureVmcpConfigConfigMap`; operator-behaviour §9.3,
 * runtime-formats c). Pure: the reconcile reads the group's members and the referenced
 * MCPTelemetryConfig from the cache and passes them in.
 *
 * `buildVmcpConfig` never throws. What cannot be expressed is returned, never dropped in silence:
 * - `problems`: fields that need kinds this controller does not serve yet (OIDC, authorization
 *   ConfigMaps and MCPAuthzConfigs, MCPExternalAuthConfig references, MCPToolConfigs, composite
 *   tool definitions, EmbeddingServers, the embedded auth server) and duplicate composite tool
 *   names. The reconcile should not roll out a config that has problems;
 * - `noBackends`: an inline (static) vMCP with no usable backend, which the runtime would refuse;
 * - `skipped`: inline-mode members that make no backend, each with a reason.
 *
 * Differences from ToolHive, on purpose: entry backends carry `type: entry` (ToolHive omits it and
 * its own validator then rejects `caBundlePath`, §11 #12); an `sse` MCPServer stays `sse` (§11 #13);
 * `telemetry.caCertPath` is set when the MCPTelemetryConfig names a CA bundle (§11 #11);
 * `spec.config.backends` is never passed through (discovered mode writes none).
 */
import { goKeyOrder, runtimeTelemetryConfig, type TelemetryRef } from '@mcp-controllers/api';
import { configKeys, configNode } from './config-shape.js';
import { marshalYaml } from './goyaml.js';
import {
  memberName,
  record,
  staticBackend,
  text,
  type Member,
  type MemberKind,
  type StaticBackend,
} from './members.js';
import type { VirtualServer, VirtualSpec } from './types.js';

export { goDuration, goFloat } from './go-text.js';
export { vmcpConfigKey, vmcpConfigLabels, vmcpConfigMap, type VmcpConfigMap } from './config-map.js';

/** The referenced MCPTelemetryConfig, read and validated (`readTelemetryRef`). */
export type TelemetryInput = TelemetryRef;

export interface VmcpConfigInputs {
  /** Every MCPServer, MCPRemoteProxy and MCPServerEntry of the group, in any order. */
  members: readonly Member[];
  /** Absent: no `telemetry` block (no reference, or the referenced config is missing or invalid). */
  telemetry?: TelemetryInput;
}

export interface SkippedMember {
  name: string;
  kind: MemberKind;
  reason: string;
}

export interface VmcpConfig {
  config: Record<string, unknown>;
  /** Inline mode only: members that make no backend, sorted by name then kind. */
  skipped: SkippedMember[];
  /** Each names the field and says what to do; empty when the spec can be used as written. */
  problems: string[];
  /**
   * Inline mode with no usable backend (every member skipped, or none): a config the runtime would
   * refuse. Not a spec problem: it clears as members become ready.
   */
  noBackends?: string;
}

type Config = Record<string, unknown>;
type BackendAuth = NonNullable<NonNullable<VirtualSpec['outgoingAuth']>['default']>;

const defaultPrefixFormat = '{workload}_';
const kindOrder: MemberKind[] = ['MCPServer', 'MCPRemoteProxy', 'MCPServerEntry'];

/**
 * The vMCP `Config` object: a copy of `spec.config` (unknown top-level keys kept, for a newer
 * runtime: `vmcp serve` refuses keys it does not know) with the
 * controller's fields set over it — `name`, `groupRef`, `passthroughHeaders` (the top-level spec
 * field when non-empty), `incomingAuth`, `outgoingAuth` (`{source: discovered}` by default),
 * `aggregation` (prefix strategy with `{workload}_` by default), `operational` (ToolHive's defaults
 * merged into unset fields), `telemetry` (from `inputs.telemetry` only; `spec.config.telemetry` is
 * ignored, as ToolHive ignores it), `audit` (only when enabled; `component` defaults to the name),
 * `sessionStorage` (Redis only, never a password) and `backends` (inline mode: every usable member,
 * sorted by name; discovered mode: none, the runtime discovers them).
 */
export function buildVmcpConfig(vmcp: VirtualServer, inputs: VmcpConfigInputs): VmcpConfig {
  const { spec } = vmcp;
  const { name, namespace } = vmcp.metadata;
  const group = spec.groupRef.name;
  const problems: string[] = [];
  const config: Config = structuredClone((spec.config ?? {}) as Config);

  config.name = name;
  config.groupRef = group;
  if (spec.passthroughHeaders?.length) config.passthroughHeaders = [...spec.passthroughHeaders];
  config.incomingAuth = incomingAuth(spec, problems);
  const source = spec.outgoingAuth?.source ?? 'discovered';
  config.outgoingAuth = outgoingAuth(spec, problems);
  config.aggregation = aggregation(config.aggregation, problems);
  checkCompositeTools(config, problems);
  config.operational = withOperationalDefaults(config.operational);
  delete config.telemetry;
  if (inputs.telemetry) {
    config.telemetry = runtimeTelemetryConfig(inputs.telemetry.spec, inputs.telemetry.serviceName || name);
  }
  const audit = record(config.audit);
  delete config.audit;
  if (audit.enabled === true) config.audit = { ...audit, component: text(audit.component) || name };
  delete config.sessionStorage;
  if (spec.sessionStorage?.provider === 'redis') {
    const { address, db, keyPrefix } = spec.sessionStorage;
    config.sessionStorage = { provider: 'redis', address, db, keyPrefix };
  }
  if (spec.embeddingServerRef) {
    problems.push(
      `spec.embeddingServerRef (EmbeddingServer ${spec.embeddingServerRef.name}) is not supported yet; set config.optimizer.embeddingService to the embedding service URL instead`,
    );
  }
  if (spec.authServerConfig) {
    problems.push(
      'spec.authServerConfig (the embedded authorization server) is not supported yet; remove it',
    );
  }

  delete config.backends;
  let skipped: SkippedMember[] = [];
  if (source === 'inline') {
    const built = staticBackends(inputs.members, group, namespace);
    skipped = built.skipped;
    if (built.backends.length > 0) config.backends = built.backends;
    else {
      const noBackends = `static mode requires at least one backend with valid transport ([sse streamable-http]), but none were discovered in group ${group}`;
      return { config: ordered(config), skipped, problems, noBackends };
    }
  }
  return { config: ordered(config), skipped, problems };
}

function incomingAuth(spec: VirtualSpec, problems: string[]): Config {
  const incoming = spec.incomingAuth;
  const out: Config = { type: incoming.type };
  if (incoming.type === 'oidc' || incoming.oidcConfigRef) {
    problems.push(
      `spec.incomingAuth.oidcConfigRef (MCPOIDCConfig ${incoming.oidcConfigRef?.name ?? ''}) is not supported yet; use incomingAuth.type anonymous`,
    );
  }
  if (incoming.authzConfigRef) {
    problems.push(
      `spec.incomingAuth.authzConfigRef (MCPAuthzConfig ${incoming.authzConfigRef.name}) is not supported yet; write the Cedar policies in incomingAuth.authzConfig.inline`,
    );
  }
  const authz = incoming.authzConfig;
  if (authz?.type === 'configMap') {
    problems.push(
      `spec.incomingAuth.authzConfig.configMap (ConfigMap ${authz.configMap?.name ?? ''}) is not supported yet; write the Cedar policies in incomingAuth.authzConfig.inline`,
    );
  } else if (authz?.type === 'inline') {
    out.authz = {
      type: 'cedar',
      policies: authz.inline?.policies,
      entitiesJson: authz.inline?.entitiesJson,
      groupClaimName: authz.groupClaimName,
      roleClaimName: authz.roleClaimName,
      groupEntityType: authz.groupEntityType,
    };
  }
  return out;
}

/** ToolHive's outgoing auth: `discovered` on a backend means unauthenticated towards it. */
function outgoingAuth(spec: VirtualSpec, problems: string[]): Config {
  const outgoing = spec.outgoingAuth;
  const out: Config = { source: outgoing?.source ?? 'discovered' };
  if (!outgoing) return out;
  if (outgoing.default) {
    const strategy = backendStrategy(outgoing.default, 'spec.outgoingAuth.default', problems);
    if (strategy) out.default = strategy;
  }
  const backends: Config = {};
  for (const key of Object.keys(outgoing.backends ?? {}).sort(goKeyOrder)) {
    const auth = outgoing.backends?.[key];
    if (!auth) continue;
    const strategy = backendStrategy(auth, `spec.outgoingAuth.backends.${key}`, problems);
    if (strategy) backends[key] = strategy;
  }
  if (Object.keys(backends).length > 0) out.backends = backends;
  return out;
}

function backendStrategy(auth: BackendAuth, field: string, problems: string[]): Config | undefined {
  if (auth.type === 'discovered') return { type: 'unauthenticated' };
  const ref = auth.externalAuthConfigRef?.name;
  problems.push(
    ref
      ? `${field}.externalAuthConfigRef (MCPExternalAuthConfig ${ref}) is not supported yet; use type discovered`
      : `${field}: externalAuthConfigRef type requires externalAuthConfigRef field`,
  );
  return undefined;
}

/** ToolHive's `convertAggregation`: a field-by-field copy with the strategy's defaults. */
function aggregation(value: unknown, problems: string[]): Config {
  if (value === undefined || value === null) {
    return { conflictResolution: 'prefix', conflictResolutionConfig: { prefixFormat: defaultPrefixFormat } };
  }
  const source = record(value);
  const strategy = text(source.conflictResolution) || 'prefix';
  const given = source.conflictResolutionConfig;
  const resolution =
    given !== undefined && given !== null
      ? { prefixFormat: record(given).prefixFormat, priorityOrder: record(given).priorityOrder }
      : strategy === 'prefix'
        ? { prefixFormat: defaultPrefixFormat }
        : {};
  const out: Config = {
    conflictResolution: strategy,
    conflictResolutionConfig: resolution,
    excludeAllTools: source.excludeAllTools,
    defaultToolVisibility: source.defaultToolVisibility,
  };
  if (Array.isArray(source.tools) && source.tools.length > 0) {
    out.tools = source.tools.map((item: unknown, i) => {
      const tool = record(item);
      const ref = text(record(tool.toolConfigRef).name);
      if (tool.toolConfigRef !== undefined) {
        problems.push(
          `spec.config.aggregation.tools[${i}].toolConfigRef (MCPToolConfig ${ref}) is not supported yet; write filter and overrides in the tools entry itself`,
        );
      }
      return {
        workload: tool.workload,
        filter: tool.filter,
        overrides: tool.overrides,
        excludeAll: tool.excludeAll,
      };
    });
  }
  return out;
}

function checkCompositeTools(config: Config, problems: string[]): void {
  const refs = Array.isArray(config.compositeToolRefs) ? config.compositeToolRefs : [];
  for (const [i, ref] of refs.entries()) {
    problems.push(
      `spec.config.compositeToolRefs[${i}] (VirtualMCPCompositeToolDefinition ${text(record(ref).name)}) is not supported yet; define the tool in config.compositeTools`,
    );
  }
  const seen = new Set<string>();
  for (const tool of Array.isArray(config.compositeTools) ? config.compositeTools : []) {
    const toolName = text(record(tool).name);
    if (seen.has(toolName))
      problems.push(`spec.config.compositeTools: duplicate composite tool name: "${toolName}"`);
    seen.add(toolName);
  }
}

/** ToolHive's `DefaultOperationalConfig`, merged into unset (zero) fields as `mergo.Merge` does. */
const operationalDefaults: Config = {
  timeouts: { default: '30s' },
  failureHandling: {
    healthCheckInterval: '30s',
    unhealthyThreshold: 3,
    statusReportingInterval: '30s',
    partialFailureMode: 'fail',
    circuitBreaker: { enabled: false, failureThreshold: 5, timeout: '60s' },
  },
};

function withOperationalDefaults(value: unknown): Config {
  return mergeZero(structuredClone(record(value)), operationalDefaults);
}

function mergeZero(target: Config, defaults: Config): Config {
  for (const [key, fallback] of Object.entries(defaults)) {
    const current = target[key];
    const nested = record(current);
    if (typeof fallback === 'object' && fallback !== null && Object.keys(nested).length > 0) {
      target[key] = mergeZero(nested, fallback as Config);
    } else if (isZeroValue(current)) {
      target[key] = structuredClone(fallback);
    }
  }
  return target;
}

function isZeroValue(value: unknown): boolean {
  if (value === undefined || value === null || value === '' || value === 0 || value === false) return true;
  if (typeof value === 'object') return Object.keys(value).length === 0;
  // A zero duration ("0s", "0m0s") is Go's zero value too.
  return typeof value === 'string' && /^(0+(\.0+)?(ns|us|µs|μs|ms|s|m|h))+$/.test(value);
}

interface StaticBackends {
  backends: StaticBackend[];
  skipped: SkippedMember[];
}

/**
 * Inline mode's backends: one per usable member, sorted by name, each with metadata `group`.
 * A member of another group, one with an `externalAuthConfigRef` (which this controller cannot
 * resolve; ToolHive drops such a backend too, rather than call it without its credentials), or a
 * second member with a name already taken is skipped with its reason.
 */
function staticBackends(members: readonly Member[], group: string, namespace: string): StaticBackends {
  const sorted = [...members].sort(
    (a, b) =>
      goKeyOrder(memberName(a), memberName(b)) || kindOrder.indexOf(a.kind) - kindOrder.indexOf(b.kind),
  );
  const backends: StaticBackend[] = [];
  const skipped: SkippedMember[] = [];
  const taken = new Map<string, MemberKind>();
  for (const member of sorted) {
    const name = memberName(member);
    const skip = (reason: string) => skipped.push({ name, kind: member.kind, reason });
    const spec = record(member.object.spec);
    const memberGroup = text(record(spec.groupRef).name);
    if (memberGroup !== group) {
      skip(`${member.kind} ${name} belongs to group "${memberGroup}", not "${group}"`);
      continue;
    }
    const authRef = text(record(spec.externalAuthConfigRef).name);
    if (authRef) {
      skip(
        `${member.kind} ${name} uses externalAuthConfigRef ${authRef}, which this controller cannot resolve yet; it is left out rather than called without its credentials`,
      );
      continue;
    }
    const owner = taken.get(name);
    if (owner) {
      skip(
        `${member.kind} ${name} has the same name as ${owner} ${name}, which already provides backend ${name}; rename one`,
      );
      continue;
    }
    const result = staticBackend(member, namespace);
    if ('skipped' in result) {
      skip(result.skipped);
      continue;
    }
    taken.set(name, member.kind);
    const metadata = { ...result.backend.metadata, group };
    backends.push({ ...result.backend, metadata: sortKeys(metadata) });
  }
  return { backends, skipped };
}

function sortKeys(map: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.keys(map)
      .sort(goKeyOrder)
      .map((k) => [k, map[k] ?? '']),
  );
}

/** The config with its keys in the order `config.yaml` prints them (for readable logs and diffs). */
function ordered(config: Config): Config {
  const out: Config = {};
  for (const key of configKeys) if (config[key] !== undefined) out[key] = config[key];
  for (const key of Object.keys(config).sort(goKeyOrder)) if (!(key in out)) out[key] = config[key];
  return out;
}

/**
 * `config.yaml` as ToolHive's operator writes it with yaml.v3 (config-shape.ts, goyaml.ts):
 * deterministic, so the same config always gives the same bytes and the same checksum.
 */
export function renderConfigYaml(config: Record<string, unknown>): string {
  return marshalYaml(configNode(config));
}
