/**
 * MCPTelemetryConfig as its consumers see it: the validation ToolHive's consumers re-run themselves
 * (they call `Validate()` on the config they fetched rather than trusting its `Valid` condition), and
 * the runtime `telemetry.Config` object the proxy runner and vMCP read (ToolHive's
 * `NormalizeMCPTelemetryConfig`, plus the CA bundle path ToolHive's operator adds for proxies).
 *
 * Pure: no I/O. Every function takes a spec already parsed by `parseMCPTelemetryConfig` (CRD defaults
 * applied); `validateTelemetryConfig` takes the raw object and does that parse itself.
 */
import { mcpTelemetryConfig, type MCPTelemetryConfig } from './kinds/mcptelemetryconfig.js';
import { formatFieldErrors, parseResource } from './parse.js';

export type MCPTelemetryConfigSpec = MCPTelemetryConfig['spec'];

/** Volume name prefix of the OTLP CA bundle; the ConfigMap name follows it. */
export const telemetryCABundleVolumePrefix = 'otel-ca-bundle-';
/** Where the CA bundle ConfigMap is mounted in the workload container, one directory per ConfigMap. */
export const telemetryCABundleMountBase = '/config/certs/otel';
/** The ConfigMap key read when `caBundleRef.configMapRef.key` is empty. */
export const telemetryCABundleDefaultKey = 'ca.crt';

/** The CA-bundle ConfigMap is mounted as `otel-ca-bundle-<name>`, which must fit in 63 characters. */
export const caBundleNameMax = 63 - telemetryCABundleVolumePrefix.length;

/** Problems with a parsed spec that the CRD cannot express. Empty when valid. */
export function specProblems(spec: MCPTelemetryConfigSpec): string[] {
  const problems: string[] = [];
  const otel = spec.openTelemetry;
  if (!otel) return problems;
  if (otel.endpoint && !otel.tracing?.enabled && !otel.metrics?.enabled) {
    problems.push('spec.openTelemetry.endpoint requires at least one of tracing or metrics to be enabled');
  }
  const plain = new Set(Object.keys(otel.headers ?? {}));
  for (const header of otel.sensitiveHeaders ?? []) {
    if (plain.has(header.name)) {
      problems.push(`header ${header.name} is in both headers and sensitiveHeaders; keep it in one of them`);
    }
  }
  const ca = otel.caBundleRef;
  if (ca) {
    if (otel.insecure) {
      problems.push(
        'spec.openTelemetry.caBundleRef cannot be used with insecure: true (there is no TLS to verify)',
      );
    }
    const name = ca.configMapRef?.name;
    if (!name) {
      problems.push('spec.openTelemetry.caBundleRef.configMapRef.name is required');
    } else if (name.length > caBundleNameMax) {
      problems.push(
        `spec.openTelemetry.caBundleRef.configMapRef.name must be at most ${caBundleNameMax} characters (it has ${name.length})`,
      );
    }
  }
  return problems;
}

export type Validation = { valid: true; spec: MCPTelemetryConfigSpec } | { valid: false; problems: string[] };

// The CRD's CEL rule and the controller rule on header names say the same thing; say it once.
const headerOverlapRule = 'a header name cannot appear in both headers and sensitiveHeaders';

/**
 * Every problem with an MCPTelemetryConfig object: schema and CEL rules, then the controller's
 * rules. Never throws: a spec too malformed for the controller rules is reported by the schema
 * errors alone.
 */
export function validateTelemetryConfig(object: unknown): Validation {
  const parsed = parseResource(mcpTelemetryConfig, object);
  if (parsed.ok) {
    const problems = specProblems(parsed.value.spec);
    return problems.length ? { valid: false, problems } : { valid: true, spec: parsed.value.spec };
  }
  const problems = parsed.errors
    .filter((e) => e.message !== headerOverlapRule)
    .map((e) => formatFieldErrors([e]));
  try {
    // The raw spec failed the schema somewhere; the controller rules still name what they can.
    problems.push(...specProblems((object as { spec?: MCPTelemetryConfigSpec }).spec ?? {}));
  } catch {
    // A spec too malformed for these rules: the schema errors above already say why.
  }
  return { valid: false, problems };
}

/** A container env var as the telemetry wiring emits it: a value, or a reference into a Secret. */
export interface TelemetryEnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef: { name: string; key: string } };
}

/** Prefix of the env vars carrying `sensitiveHeaders`; the runtime reads the header values from them. */
export const otelHeaderEnvPrefix = 'TOOLHIVE_OTEL_HEADER_';

/**
 * `TOOLHIVE_OTEL_HEADER_<NAME>`: `-` becomes `_`, then the name is upper-cased one character at a
 * time as Go's `strings.ToUpper` does (a character without a one-character upper case, such as `ß`,
 * is kept); nothing else is changed.
 */
export function otelHeaderEnvName(header: string): string {
  let upper = '';
  for (const c of header.replaceAll('-', '_')) {
    const u = c.toUpperCase();
    upper += [...u].length === 1 ? u : c;
  }
  return otelHeaderEnvPrefix + upper;
}

/** `OTEL_RESOURCE_ATTRIBUTES=service.name=<svc>,service.namespace=<ns>` (custom attributes are not here). */
export function otelResourceAttributesEnv(serviceName: string, namespace: string): TelemetryEnvVar {
  return {
    name: 'OTEL_RESOURCE_ATTRIBUTES',
    value: `service.name=${serviceName},service.namespace=${namespace}`,
  };
}

/**
 * The env a referenced MCPTelemetryConfig adds to a workload's container (the proxy runner's, or
 * vmcp's), in ToolHive's order: `OTEL_RESOURCE_ATTRIBUTES`, then one `TOOLHIVE_OTEL_HEADER_<NAME>`
 * per sensitive header, in spec order, as a `secretKeyRef` (the value is never read). Not gated on
 * `openTelemetry.enabled`, as ToolHive's.
 */
export function telemetryEnv(
  spec: MCPTelemetryConfigSpec,
  serviceName: string,
  namespace: string,
): TelemetryEnvVar[] {
  const env = [otelResourceAttributesEnv(serviceName, namespace)];
  for (const header of spec.openTelemetry?.sensitiveHeaders ?? []) {
    env.push({
      name: otelHeaderEnvName(header.name),
      valueFrom: { secretKeyRef: { name: header.secretKeyRef.name, key: header.secretKeyRef.key } },
    });
  }
  return env;
}

/** Where a config's OTLP CA bundle is mounted, or undefined when it names none. */
export interface TelemetryCABundle {
  configMap: string;
  key: string;
  /** `otel-ca-bundle-<configMap>`. */
  volumeName: string;
  /** `/config/certs/otel/<configMap>`. */
  mountPath: string;
  /** `<mountPath>/<key>`: the `caCertPath` of the runtime config. */
  filePath: string;
}

/**
 * The CA bundle mount of a config, as ToolHive's operator lays it out. Not gated on
 * `openTelemetry.enabled` (ToolHive mounts it either way). The config must have passed
 * `validateTelemetryConfig` (which requires the ConfigMap name); an absent name yields `''`, as
 * ToolHive's Go zero value would.
 */
export function telemetryCABundle(spec: MCPTelemetryConfigSpec): TelemetryCABundle | undefined {
  const ref = spec.openTelemetry?.caBundleRef?.configMapRef;
  if (!ref) return undefined;
  const configMap = ref.name ?? '';
  const key = ref.key || telemetryCABundleDefaultKey;
  const mountPath = `${telemetryCABundleMountBase}/${configMap}`;
  return {
    configMap,
    key,
    volumeName: telemetryCABundleVolumePrefix + configMap,
    mountPath,
    filePath: `${mountPath}/${key}`,
  };
}

/**
 * The runtime `telemetry.Config` (RunConfig `telemetry_config`, vMCP `telemetry`) for a referenced
 * MCPTelemetryConfig: ToolHive's `NormalizeMCPTelemetryConfig` followed by the operator's
 * `caCertPath`. `serviceName` is the reference's `serviceName`, or the workload's name when that is
 * empty (an empty string here leaves the key out).
 *
 * The OTLP part (`endpoint` with any `http://`/`https://` stripped, `insecure`, `headers`,
 * `customAttributes` = `resourceAttributes`, `useLegacyAttributes`, `tracingEnabled`, `samplingRate`,
 * `metricsEnabled`) is copied only when `openTelemetry.enabled`; `enablePrometheusMetricsPath` and
 * `caCertPath` are not gated. `samplingRate` is set only when `tracing.samplingRate` is non-empty and
 * parses as a float (the CRD defaults it to "0.05" whenever `tracing` is present); it is clamped to
 * [0, 1] and printed as Go's `strconv.FormatFloat(f, 'f', -1, 64)` would ("0.1", "1", "0.05").
 *
 * Keys are in the order of the Go struct's fields and `omitempty` is honoured (`tracingEnabled`,
 * `metricsEnabled` and `useLegacyAttributes` are always present), so `JSON.stringify` prints what Go
 * prints. Map members (`headers`, `customAttributes`) are inserted in byte order of their keys, as Go
 * sorts them; JavaScript moves integer-like keys ("1") to the front of an object, so a map with such a
 * key needs a serialiser that sorts maps itself.
 */
export function runtimeTelemetryConfig(
  spec: MCPTelemetryConfigSpec,
  serviceName: string,
): Record<string, unknown> {
  const otel = spec.openTelemetry?.enabled ? spec.openTelemetry : undefined;
  const endpoint = otel?.endpoint ? stripScheme(otel.endpoint) : '';
  const rawRate = otel?.tracing?.samplingRate;
  const samplingRate = rawRate ? normalizeSamplingRate(rawRate) : undefined;
  const out: Record<string, unknown> = {};
  if (endpoint) out.endpoint = endpoint;
  if (serviceName) out.serviceName = serviceName;
  out.tracingEnabled = otel?.tracing?.enabled ?? false;
  out.metricsEnabled = otel?.metrics?.enabled ?? false;
  if (samplingRate !== undefined) out.samplingRate = samplingRate;
  const headers = sortedMap(otel?.headers);
  if (headers) out.headers = headers;
  if (otel?.insecure) out.insecure = true;
  if (spec.prometheus?.enabled) out.enablePrometheusMetricsPath = true;
  const attributes = sortedMap(otel?.resourceAttributes);
  if (attributes) out.customAttributes = attributes;
  out.useLegacyAttributes = otel?.useLegacyAttributes ?? false;
  const ca = telemetryCABundle(spec);
  if (ca) out.caCertPath = ca.filePath;
  return out;
}

/** ToolHive's endpoint normalisation: OTLP clients want `host:port`. */
export function stripScheme(endpoint: string): string {
  const https = endpoint.startsWith('https://') ? endpoint.slice('https://'.length) : endpoint;
  return https.startsWith('http://') ? https.slice('http://'.length) : https;
}

/**
 * A sampling rate string as ToolHive stores it: parsed as Go's `strconv.ParseFloat` would (plain
 * decimals with an optional sign and exponent, and `Inf`/`Infinity`/`NaN` in any case; hexadecimal
 * floats are not recognised, the CRD pattern admits only plain decimals), clamped to [0, 1] and
 * printed by `formatGoFloat`. Undefined when it does not parse or overflows, where Go reports an
 * error and ToolHive leaves the rate unset.
 */
export function normalizeSamplingRate(raw: string): string | undefined {
  const rate = parseGoFloat(raw);
  if (rate === undefined) return undefined;
  // NaN fails both comparisons and stays NaN, as in Go.
  const clamped = rate < 0 ? 0 : rate > 1 ? 1 : rate;
  return formatGoFloat(clamped);
}

function parseGoFloat(raw: string): number | undefined {
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(raw);
  if (special) {
    if (special[2]?.toLowerCase() === 'nan') return Number.NaN;
    return special[1] === '-' ? -Infinity : Infinity;
  }
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(raw)) return undefined;
  const value = Number(raw);
  // Go returns ±Inf with ErrRange for a finite literal beyond float64.
  return Number.isFinite(value) ? value : undefined;
}

/**
 * Go's `strconv.FormatFloat(f, 'f', -1, 64)`: the shortest decimal that reads back as `f`, never in
 * exponent notation ("0.0000001", not "1e-7"); "-0" for negative zero, "NaN", "+Inf", "-Inf".
 */
export function formatGoFloat(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  if (Object.is(value, -0)) return '-0';
  // Number#toString gives the shortest round-tripping digits too, but switches to exponent form.
  const text = String(value);
  const match = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!match) return text;
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = match;
  const digits = whole + fraction;
  const point = whole.length + Number(exponent);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return sign + digits + '0'.repeat(point - digits.length);
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** Go's order of map keys: byte order of their UTF-8 encoding. */
export function goKeyOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** A copy with keys inserted in Go's order; undefined when empty (Go's `omitempty`). */
function sortedMap(map: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!map) return undefined;
  const keys = Object.keys(map).sort(goKeyOrder);
  if (keys.length === 0) return undefined;
  return Object.fromEntries(keys.map((k) => [k, map[k] ?? '']));
}
