import { z } from 'zod';
import {
  caBundleSource,
  cel,
  conditions,
  listMap,
  metricsConfig,
  nonEmpty,
  observedGeneration,
  prometheusConfig,
  secretKeyRef,
  stringMap,
  tracingConfig,
  withRules,
} from '../schema/fields.js';
import { ageColumn, conditionCatalog, conditionColumn, defineKind } from '../schema/resource.js';

export const mcpTelemetryConfigFinalizer = 'mcptelemetryconfig.toolhive.stacklok.dev/finalizer';

export const mcpTelemetryConfigConditions = conditionCatalog({
  Valid: {
    description: 'Whether the spec passed validation.',
    reasons: {
      ValidationSucceeded: { status: 'True', when: 'Every rule passed.' },
      ValidationFailed: {
        status: 'False',
        when: 'At least one rule failed; the message lists every problem.',
      },
    },
  },
  DeletionBlocked: {
    description: 'Whether deletion waits because workloads still reference the config.',
    reasons: {
      ReferencedByWorkloads: {
        status: 'True',
        when: 'The config is being deleted while referenced; the message lists the `Kind/name`s.',
      },
      ReferencesUnknown: {
        status: 'True',
        when: 'The config is being deleted and a referencing kind cannot be listed (RBAC); the message says which.',
      },
    },
  },
});

const openTelemetry = withRules(
  z
    .object({
      enabled: z.boolean().default(false).describe('Turns OTLP export on; when false the rest is ignored.'),
      endpoint: z
        .string()
        .optional()
        .describe('OTLP collector `host:port`; an `http://` or `https://` prefix is stripped.'),
      insecure: z.boolean().default(false).describe('Talk to the collector without TLS.'),
      headers: stringMap('Headers sent to the collector, in clear text.').optional(),
      sensitiveHeaders: listMap(
        z.object({
          name: nonEmpty('Header name.'),
          secretKeyRef: secretKeyRef.describe('Secret key holding the header value.'),
        }),
        ['name'],
        'Headers whose values come from Secrets.',
      ).optional(),
      resourceAttributes: stringMap(
        'Extra OpenTelemetry resource attributes (not `service.name`).',
      ).optional(),
      metrics: metricsConfig.optional(),
      tracing: tracingConfig.optional(),
      useLegacyAttributes: z.boolean().default(true).describe('Also emit the pre-semconv attribute names.'),
      caBundleRef: caBundleSource.optional().describe('CA bundle for the collector’s TLS certificate.'),
    })
    .describe('OpenTelemetry (OTLP) export.'),
  cel(
    '!has(self.headers) || !has(self.sensitiveHeaders) || self.sensitiveHeaders.all(sh, !(sh.name in self.headers))',
    'a header name cannot appear in both headers and sensitiveHeaders',
  ),
);

export const mcpTelemetryConfig = defineKind({
  kind: 'MCPTelemetryConfig',
  plural: 'mcptelemetryconfigs',
  shortNames: ['mcpotel'],
  family: 'telemetry',
  description:
    'Shared OpenTelemetry and Prometheus settings that MCPServers, MCPRemoteProxies and VirtualMCPServers reference by name.',
  specRequired: false,
  spec: z.object({
    openTelemetry: openTelemetry.optional(),
    prometheus: prometheusConfig.optional(),
  }),
  status: z.object({
    observedGeneration: observedGeneration.optional(),
    configHash: z
      .string()
      .optional()
      .describe('Changes when and only when the spec changes; consumers copy it.'),
    referencingWorkloads: listMap(
      z.object({
        kind: z.enum(['MCPServer', 'MCPRemoteProxy', 'VirtualMCPServer']).describe('Kind of the workload.'),
        name: z.string().describe('Name of the workload.'),
      }),
      ['kind', 'name'],
      'Workloads in the namespace whose `spec.telemetryConfigRef` names this config, sorted by kind then name.',
    ).optional(),
    conditions: conditions.optional(),
  }),
  printerColumns: [
    { name: 'Endpoint', type: 'string', jsonPath: '.spec.openTelemetry.endpoint' },
    conditionColumn('Valid', 'Valid'),
    { name: 'Tracing', type: 'boolean', jsonPath: '.spec.openTelemetry.tracing.enabled' },
    { name: 'Metrics', type: 'boolean', jsonPath: '.spec.openTelemetry.metrics.enabled' },
    ageColumn,
  ],
  conditions: mcpTelemetryConfigConditions,
  finalizer: mcpTelemetryConfigFinalizer,
  toolhiveDifferences: [
    '`status.referencingWorkloads` is ours: ToolHive’s status has no such field (its operator lists' +
      ' referencing workloads only in the `DeletionBlocked` message).',
  ],
});
export type MCPTelemetryConfig = z.output<typeof mcpTelemetryConfig.object>;
