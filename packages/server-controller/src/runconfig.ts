/**
 * The proxy runner's `runconfig.json` for an MCPServer, and the ConfigMap `<name>-runconfig` that
 * carries it, as ToolHive's operator writes them (`createRunConfigFromMCPServer`, the RunConfig
 * builder, `PopulateMiddlewareConfigs`, `ensureRunConfigConfigMap`). Pure: the reconcile fetches the
 * referenced MCPTelemetryConfig and passes its runtime object in; nothing here reads the cluster.
 *
 * What is deliberately not in the file:
 * - anything for OIDC, authorization (inline or referenced), external auth, tool configs, webhooks or
 *   an auth server: the controller refuses to roll out a server that names any of them (condition
 *   `ConfigReferencesSupported`), so the builder never sees one;
 * - the `usagemetrics` middleware, which ToolHive's operator adds unless told not to: it makes the
 *   proxy report usage to Stacklok, and this project does not phone home on a user's behalf;
 * - `secrets` and the pod patch (`spec.secrets` reach the MCP container through `--k8s-pod-patch`),
 *   and `group` (ToolHive never writes it either);
 * - the `TOOLHIVE_DEFAULT_REDIS_ADDR` fallback of ToolHive's operator for `scaling_config`.
 */
import { checksummedConfigMap, goKeyOrder, type ChecksummedConfigMap } from '@mcp-controllers/api';
import { marshalIndentGo, normalizeGoDuration } from './go.js';
import { effectiveProxyMode, serverNames } from './names.js';
import { permissionProfile, permissionProfileNameOrPath } from './permissions.js';
import type { Server, ServerSpec } from './types.js';

export { marshalIndentGo, normalizeGoDuration, parseGoDuration, formatGoDuration } from './go.js';
export {
  cleanPath,
  permissionProfile,
  permissionProfileNameOrPath,
  permissionProfileMountPath,
} from './permissions.js';
export type { PermissionProfile } from './permissions.js';

/** ToolHive's `CurrentSchemaVersion`. */
export const runConfigSchemaVersion = 'v0.1.0';
export const defaultProxyHost = '0.0.0.0';
/** ToolHive's `bodylimit.DefaultMaxRequestBodySize` (8 MiB). */
export const maxRequestBodyBytes = 8 << 20;
export const runConfigKey = 'runconfig.json';
/**
 * On the ConfigMap: the checksum of its content (the Deployment's pod template carries the same value
 * as `toolhive.stacklok.dev/runconfig-checksum`, workload.ts).
 */

export interface RunConfigOptions {
  /** The runtime telemetry object (`TelemetryWiring.runtime`); no telemetry when undefined. */
  telemetry?: Record<string, unknown>;
  /** The proxy's bind address (ToolHive: env `TOOLHIVE_PROXY_HOST`); `0.0.0.0` when empty. */
  host?: string;
}

/**
 * The RunConfig object, with the keys of ToolHive's `runner.RunConfig` in declaration order and
 * `omitempty` honoured (runtime-formats a.2 and a.4), ready for `renderRunConfig`. Deterministic: the
 * same server and options always give the same object.
 */
export function buildRunConfig(server: Server, options: RunConfigOptions): Record<string, unknown> {
  const { spec } = server;
  const { name, namespace } = server.metadata;
  const transport = spec.transport;
  const port = spec.proxyPort || 8080;
  // ToolHive's GetMCPPort: 8080 when unset; written for stdio too.
  const targetPort = spec.mcpPort || 8080;
  // The builder sanitises the name for file paths; a Kubernetes name only ever needs the 100-char cut.
  const containerName = name.slice(0, 100);
  const audit = spec.audit?.enabled ? { detectApplicationErrors: true, maxDataSize: 1024 } : undefined;
  const rateLimit = spec.rateLimiting ? goRateLimitConfig(spec.rateLimiting) : undefined;
  const scaling = scalingConfig(spec);

  const config: Record<string, unknown> = {
    schema_version: runConfigSchemaVersion,
    mcpserver_generation: server.metadata.generation || undefined,
    image: spec.image,
    cmd_args: spec.args?.length ? spec.args : undefined,
    name,
    container_name: containerName || undefined,
    base_name: containerName || undefined,
    transport,
    host: options.host || defaultProxyHost,
    port,
    target_port: targetPort,
    permission_profile_name_or_path: permissionProfileNameOrPath(spec),
    permission_profile: permissionProfile(spec),
    env_vars: envVars(spec, targetPort),
    volumes: spec.volumes?.length
      ? spec.volumes.map((v) => `${v.hostPath}:${v.mountPath}${v.readOnly ? ':ro' : ''}`)
      : undefined,
    container_labels: sortedMap({
      toolhive: 'true',
      'toolhive-name': containerName,
      'toolhive-basename': containerName,
      'toolhive-transport': transport,
      'toolhive-port': String(port),
    }),
    audit_config: audit,
    telemetry_config: options.telemetry,
    rate_limit_config: rateLimit,
    rate_limit_namespace: rateLimit ? namespace : undefined,
    trust_proxy_headers: spec.trustProxyHeaders || undefined,
    proxy_mode: effectiveProxyMode(spec),
    middleware_configs: middlewareConfigs({
      name,
      namespace,
      transport,
      audit,
      telemetry: options.telemetry,
      rateLimit,
      redis: scaling?.session_redis,
    }),
    endpoint_prefix: spec.endpointPrefix || undefined,
    scaling_config: scaling,
  };
  return defined(config);
}

/** A copy without the `undefined` members, which stand for keys Go's `omitempty` leaves out. */
function defined<T extends Record<string, unknown>>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as T;
}

/** `spec.env`, then what ToolHive's `SetTransportEnvironmentVariables` sets over it. */
function envVars(spec: ServerSpec, targetPort: number): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { name, value } of spec.env ?? []) env[name] = value;
  env.MCP_TRANSPORT = spec.transport;
  if (spec.transport !== 'stdio' && targetPort > 0) {
    env.MCP_PORT = String(targetPort);
    env.FASTMCP_PORT = String(targetPort);
  }
  return sortedMap(env);
}

type RateLimiting = NonNullable<ServerSpec['rateLimiting']>;
type Bucket = NonNullable<RateLimiting['shared']>;

/**
 * `spec.rateLimiting` as ToolHive's `RateLimitConfig` serialises it: `refillPeriod` is a
 * `metav1.Duration`, so it is written back in Go's form ("1m" -> "1m0s"). A period Go cannot parse
 * is kept as written (ToolHive could not even decode such an object; `runConfigProblems` names it).
 */
function goRateLimitConfig(limits: RateLimiting): Record<string, unknown> {
  const bucket = (b: Bucket | undefined) =>
    b && { maxTokens: b.maxTokens, refillPeriod: normalizeGoDuration(b.refillPeriod) ?? b.refillPeriod };
  return defined({
    shared: bucket(limits.shared),
    perUser: bucket(limits.perUser),
    tools: limits.tools?.length
      ? limits.tools.map((t) =>
          defined({ name: t.name, shared: bucket(t.shared), perUser: bucket(t.perUser) }),
        )
      : undefined,
  });
}

interface SessionRedis {
  address?: string;
  db?: number;
  key_prefix?: string;
}

/** ToolHive's `populateScalingConfig` (without the operator-wide default Redis address). */
function scalingConfig(
  spec: ServerSpec,
): { backend_replicas?: number; session_redis?: SessionRedis } | undefined {
  const storage = spec.sessionStorage?.provider === 'redis' ? spec.sessionStorage : undefined;
  if (spec.backendReplicas === undefined && !storage) return undefined;
  return defined({
    backend_replicas: spec.backendReplicas,
    session_redis:
      storage &&
      defined({
        address: storage.address || undefined,
        db: storage.db || undefined,
        key_prefix: storage.keyPrefix || undefined,
      }),
  });
}

interface MiddlewareInputs {
  name: string;
  namespace: string;
  transport: string;
  audit?: Record<string, unknown>;
  telemetry?: Record<string, unknown>;
  rateLimit?: Record<string, unknown>;
  redis?: SessionRedis;
}

/**
 * ToolHive's `PopulateMiddlewareConfigs` for what this builder can produce, outermost first:
 * bodylimit, audit, auth (anonymous), mcp-parser, telemetry, ratelimit, recovery. `usagemetrics` is
 * left out on purpose (see the module comment). The CRD requires Redis session storage for rate
 * limiting, so a parsed spec always has the Redis address here.
 */
function middlewareConfigs(inputs: MiddlewareInputs): { type: string; parameters: unknown }[] {
  const chain: { type: string; parameters: unknown }[] = [
    { type: 'bodylimit', parameters: { max_bytes: maxRequestBodyBytes } },
  ];
  if (inputs.audit) {
    chain.push({
      type: 'audit',
      parameters: { config_data: inputs.audit, transport_type: inputs.transport },
    });
  }
  chain.push({ type: 'auth', parameters: {} }, { type: 'mcp-parser', parameters: {} });
  if (inputs.telemetry) {
    chain.push({
      type: 'telemetry',
      parameters: { config: inputs.telemetry, server_name: inputs.name, transport: inputs.transport },
    });
  }
  if (inputs.rateLimit) {
    chain.push({
      type: 'ratelimit',
      parameters: defined({
        namespace: inputs.namespace,
        server_name: inputs.name,
        config: inputs.rateLimit,
        redis_addr: inputs.redis?.address,
        redis_db: inputs.redis?.db,
      }),
    });
  }
  chain.push({ type: 'recovery', parameters: null });
  return chain;
}

/**
 * What ToolHive would refuse to write for this spec (its `validateRunConfig`, its mount parser, and
 * Go's decoding of `refillPeriod`), one message each, for a caller that wants to report them (as
 * `Ready=False InvalidSpec`) rather than roll out a file the runner rejects. `buildRunConfig` does not
 * call it and still builds a file for such a spec. Empty when the spec is fine.
 */
export function runConfigProblems(spec: ServerSpec): string[] {
  const problems: string[] = [];
  for (const { name, value } of spec.env ?? []) {
    if (name === '' || /[=\r\n]/.test(name))
      problems.push(`spec.env: invalid variable name ${JSON.stringify(name)}`);
    else if (/[\r\n]/.test(value)) problems.push(`spec.env: the value of ${name} contains a line break`);
  }
  for (const volume of spec.volumes ?? []) {
    const paths = [volume.hostPath, volume.mountPath];
    if (paths.some((p) => p === ''))
      problems.push(`spec.volumes: ${volume.name} needs both hostPath and mountPath`);
    else if (paths.some((p) => p.includes(':'))) {
      problems.push(`spec.volumes: ${volume.name}: a path cannot contain ':'`);
    } else if (paths.some((p) => /[$&;|`\0]/.test(p))) {
      problems.push(`spec.volumes: ${volume.name}: a path cannot contain $ & ; | \` or NUL`);
    }
  }
  const limits = spec.rateLimiting;
  const buckets: [string, Bucket | undefined][] = [
    ['spec.rateLimiting.shared', limits?.shared],
    ['spec.rateLimiting.perUser', limits?.perUser],
    ...(limits?.tools ?? []).flatMap((t, i): [string, Bucket | undefined][] => [
      [`spec.rateLimiting.tools[${i}].shared`, t.shared],
      [`spec.rateLimiting.tools[${i}].perUser`, t.perUser],
    ]),
  ];
  for (const [path, bucket] of buckets) {
    if (bucket && normalizeGoDuration(bucket.refillPeriod) === undefined) {
      problems.push(
        `${path}.refillPeriod: ${JSON.stringify(bucket.refillPeriod)} is not a duration such as 1m or 30s`,
      );
    }
  }
  return problems;
}

/** The file as ToolHive writes it: Go's `json.MarshalIndent(runConfig, "", "  ")`. */
export function renderRunConfig(runConfig: Record<string, unknown>): string {
  return marshalIndentGo(runConfig);
}

/** The RunConfig ConfigMap's labels (runtime-formats a.1). */
export function runConfigLabels(serverName: string): Record<string, string> {
  return {
    'toolhive.stacklok.io/component': 'run-config',
    'toolhive.stacklok.io/mcp-server': serverName,
    'toolhive.stacklok.io/managed-by': 'toolhive-operator',
  };
}

/** The RunConfig ConfigMap as built. */
export type RunConfigConfigMap = ChecksummedConfigMap;

/**
 * ConfigMap `<name>-runconfig` holding `json` under `runconfig.json`, with a.1's labels and the
 * content-checksum annotation. No owner reference: the reconcile adds it.
 */
export function runConfigConfigMap(server: Server, json: string): RunConfigConfigMap {
  const { name, namespace } = server.metadata;
  return checksummedConfigMap(
    { name: serverNames(name).runConfig, namespace, labels: runConfigLabels(name) },
    { [runConfigKey]: json },
  );
}

/** A copy with keys in Go's map order (as far as JavaScript keeps it; see `marshalIndentGo`). */
function sortedMap(map: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.keys(map)
      .sort(goKeyOrder)
      .map((k) => [k, map[k] ?? '']),
  );
}
