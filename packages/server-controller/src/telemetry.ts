/**
 * What an MCPServer's telemetry adds to its generated objects: the RunConfig `telemetry_config`, the
 * proxy container's env and the CA bundle volume. Computed once per reconcile from one source, so the
 * three always agree. Pure: the reconcile fetches (and validates) the referenced MCPTelemetryConfig and
 * passes its spec in; Secret values are never read (sensitive headers become `secretKeyRef` env).
 *
 * Sources, in ToolHive's order of precedence:
 * 1. `spec.telemetryConfigRef` (the caller passes the referenced config's spec and the reference's
 *    `serviceName`): ToolHive's `NormalizeMCPTelemetryConfig` plus the operator's wiring (§9.4).
 * 2. The deprecated inline `spec.telemetry` (ToolHive before #4819): its `ConvertTelemetryConfig`, no
 *    volumes and no sensitive headers (the old shape had neither).
 * 3. Neither: undefined.
 */
import {
  goKeyOrder,
  normalizeSamplingRate,
  otelResourceAttributesEnv,
  runtimeTelemetryConfig,
  stripScheme,
  telemetryCABundle,
  telemetryEnv,
  type TelemetryRef,
} from '@mcp-controllers/api';
import type { EnvVar, Server, ServerSpec, TelemetryWiring } from './types.js';

/** A referenced config, already fetched and validated (`readTelemetryRef`). */
export type { TelemetryRef };

export function telemetryWiring(server: Server, ref?: TelemetryRef): TelemetryWiring | undefined {
  const { name, namespace } = server.metadata;
  if (ref) {
    const serviceName = ref.serviceName || name;
    const env: EnvVar[] = telemetryEnv(ref.spec, serviceName, namespace);
    const ca = telemetryCABundle(ref.spec);
    return {
      runtime: runtimeTelemetryConfig(ref.spec, serviceName),
      env,
      volumes: ca
        ? [{ name: ca.volumeName, configMap: { name: ca.configMap, items: [{ key: ca.key, path: ca.key }] } }]
        : [],
      volumeMounts: ca ? [{ name: ca.volumeName, mountPath: ca.mountPath, readOnly: true }] : [],
    };
  }
  const inline = server.spec.telemetry;
  if (!inline) return undefined;
  const otel = inline.openTelemetry;
  return {
    runtime: inlineRuntimeTelemetry(inline, name),
    // ToolHive's old GenerateOpenTelemetryEnvVars: whenever `openTelemetry` is present, enabled or not.
    env: otel ? [otelResourceAttributesEnv(otel.serviceName || name, namespace)] : [],
    volumes: [],
    volumeMounts: [],
  };
}

type InlineTelemetry = NonNullable<ServerSpec['telemetry']>;

/**
 * ToolHive's old `ConvertTelemetryConfig` + `MaybeMakeConfig` + `NormalizeTelemetryConfig`: undefined
 * (no telemetry) when there is no endpoint and Prometheus is off. The OTLP part is read only when
 * `openTelemetry.enabled`; the sampling rate defaults to 0.05 (also when it does not parse) and is
 * always written; `headers` (`key=value` strings, split at the first `=`, entries without one
 * dropped, a later key winning) become a map; `useLegacyAttributes` is true unless an enabled
 * `openTelemetry` says otherwise. Keys in the Go struct's order.
 */
export function inlineRuntimeTelemetry(
  inline: InlineTelemetry,
  serverName: string,
): Record<string, unknown> | undefined {
  const otel = inline.openTelemetry?.enabled ? inline.openTelemetry : undefined;
  const endpoint = otel?.endpoint ? stripScheme(otel.endpoint) : '';
  const prometheus = inline.prometheus?.enabled ?? false;
  if (!endpoint && !prometheus) return undefined;
  const rawRate = otel?.tracing?.samplingRate;
  const headers = new Map<string, string>();
  for (const header of otel?.headers ?? []) {
    const at = header.indexOf('=');
    if (at >= 0) headers.set(header.slice(0, at), header.slice(at + 1));
  }
  const out: Record<string, unknown> = {};
  if (endpoint) out.endpoint = endpoint;
  out.serviceName = otel?.serviceName || serverName;
  out.tracingEnabled = otel?.tracing?.enabled ?? false;
  out.metricsEnabled = otel?.metrics?.enabled ?? false;
  out.samplingRate = (rawRate ? normalizeSamplingRate(rawRate) : undefined) ?? '0.05';
  if (headers.size) out.headers = Object.fromEntries([...headers].sort(([a], [b]) => goKeyOrder(a, b)));
  if (otel?.insecure) out.insecure = true;
  if (prometheus) out.enablePrometheusMetricsPath = true;
  out.useLegacyAttributes = otel ? otel.useLegacyAttributes : true;
  return out;
}
