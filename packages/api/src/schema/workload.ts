import { z } from 'zod';
import { metricsConfig, nonEmpty, prometheusConfig, tracingConfig } from './fields.js';
import type { ReasonSpec } from './resource.js';

// Pieces shared by the workload kinds (MCPServer, MCPRemoteProxy, VirtualMCPServer).

export const sessionAffinity = z
  .enum(['ClientIP', 'None'])
  .default('ClientIP')
  .describe('Service session affinity; keep `ClientIP` for stateful MCP sessions.');

/** The inline telemetry block ToolHive deprecated in favour of `telemetryConfigRef`. */
export const inlineTelemetry = z
  .object({
    openTelemetry: z
      .object({
        enabled: z.boolean().default(false).describe('Turns OTLP export on.'),
        endpoint: z.string().optional().describe('OTLP collector `host:port`.'),
        headers: z.array(z.string()).optional().describe('Headers as `key=value` strings.'),
        insecure: z.boolean().default(false).describe('Talk to the collector without TLS.'),
        serviceName: z.string().optional().describe('OpenTelemetry `service.name`.'),
        metrics: metricsConfig.optional(),
        tracing: tracingConfig.optional(),
      })
      .optional()
      .describe('OpenTelemetry export.'),
    prometheus: prometheusConfig.optional(),
  })
  .describe('Deprecated: use `telemetryConfigRef`. Cannot be combined with it.');

export const envVar = z.object({ name: nonEmpty('Variable name.'), value: z.string().describe('Value.') });

/** Reasons shared by the `<Ref>Validated` conditions of the workload kinds. */
export function refReasons(prefix: string, what: string, fetchError: string): Record<string, ReasonSpec> {
  return {
    [`${prefix}Valid`]: { status: 'True', when: `The ${what} exists and is valid.` },
    [`${prefix}NotFound`]: { status: 'False', when: `No ${what} of that name in the namespace.` },
    [`${prefix}Invalid`]: { status: 'False', when: `The ${what} exists but is not valid.` },
    [fetchError]: { status: 'False', when: `The ${what} could not be read; retried.` },
  };
}

export const groupRefReasons = (valid: string): Record<string, ReasonSpec> => ({
  [valid]: { status: 'True', when: 'The group exists and its phase is Ready.' },
  GroupRefNotFound: { status: 'False', when: 'No MCPGroup of that name in the namespace.' },
  GroupRefNotReady: { status: 'False', when: 'The group exists but is not Ready (or has no status yet).' },
});

/** Status fields that copy the `status.configHash` of referenced config objects, by kind. */
export function copiedHashes<const F extends string>(fields: Record<F, string>) {
  return Object.fromEntries(
    Object.entries<string>(fields).map(([field, kind]) => [
      field,
      z
        .string()
        .optional()
        .describe(`\`status.configHash\` of the referenced ${kind}; changes roll the workload.`),
    ]),
  ) as Record<F, z.ZodOptional<z.ZodString>>;
}
