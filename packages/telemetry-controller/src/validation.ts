/**
 * MCPTelemetryConfig validation: the CRD's own rules (through `parseMCPTelemetryConfig`, so an old
 * apiserver that skips CEL changes nothing) plus the rules ToolHive checks in its controller.
 */
import { formatFieldErrors, parseMCPTelemetryConfig, type MCPTelemetryConfig } from '@mcp-controllers/api';

export type TelemetrySpec = MCPTelemetryConfig['spec'];

/** The CA-bundle ConfigMap is mounted as `otel-ca-bundle-<name>`, which must fit in 63 characters. */
export const caBundleNameMax = 63 - 'otel-ca-bundle-'.length;

/** Problems with a parsed spec that the CRD cannot express. Empty when valid. */
export function specProblems(spec: TelemetrySpec): string[] {
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

export type Validation = { valid: true; spec: TelemetrySpec } | { valid: false; problems: string[] };

// The CRD's CEL rule and the controller rule on header names say the same thing; say it once.
const headerOverlapRule = 'a header name cannot appear in both headers and sensitiveHeaders';

/** Every problem with an MCPTelemetryConfig: schema and CEL rules, then the controller's rules. */
export function validateTelemetryConfig(object: unknown): Validation {
  const parsed = parseMCPTelemetryConfig(object);
  if (parsed.ok) {
    const problems = specProblems(parsed.value.spec);
    return problems.length ? { valid: false, problems } : { valid: true, spec: parsed.value.spec };
  }
  const problems = parsed.errors
    .filter((e) => e.message !== headerOverlapRule)
    .map((e) => formatFieldErrors([e]));
  try {
    // The raw spec failed the schema somewhere; the controller rules still name what they can.
    problems.push(...specProblems((object as { spec?: TelemetrySpec }).spec ?? {}));
  } catch {
    // A spec too malformed for these rules: the schema errors above already say why.
  }
  return { valid: false, problems };
}
