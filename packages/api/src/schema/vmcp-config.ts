import { z } from 'zod';
import { duration } from './authserver.js';
import { cel, goInt, listAtomic, patterned, stringMap, withRules } from './fields.js';
import { compositeTool, runtimeIncomingAuth, runtimeOutgoingAuth } from './vmcp-config-parts.js';
import { rateLimiting } from './workload.js';

// VirtualMCPServer `spec.config`: the vMCP runtime's configuration, with ToolHive's fields,
// defaults and rules. Like ToolHive we keep `x-kubernetes-preserve-unknown-fields` on `config`
// itself, so the apiserver keeps fields this schema does not list (newer runtime settings); the
// objects listed here are pruned and defaulted exactly like ToolHive's.

const toolOverride = z.object({
  name: z.string().optional().describe('New tool name.'),
  description: z.string().optional().describe('New tool description.'),
  annotations: z
    .object({
      title: z.string().optional(),
      readOnlyHint: z.boolean().optional(),
      destructiveHint: z.boolean().optional(),
      idempotentHint: z.boolean().optional(),
      openWorldHint: z.boolean().optional(),
    })
    .optional()
    .describe('MCP tool annotations to set.'),
});

const aggregation = z
  .object({
    conflictResolution: z
      .enum(['prefix', 'priority', 'manual'])
      .default('prefix')
      .describe('What to do when two backends offer a tool of the same name.'),
    conflictResolutionConfig: z
      .object({
        prefixFormat: z
          .string()
          .default('{workload}_')
          .describe('Prefix put before tool names; `{workload}` is the backend name.'),
        priorityOrder: z.array(z.string()).optional().describe('Backends in order of precedence.'),
      })
      .optional()
      .describe('Settings of the chosen strategy.'),
    tools: z
      .array(
        z.object({
          workload: z.string().describe('Backend the settings apply to.'),
          toolConfigRef: z
            .object({ name: z.string().describe('Name of the MCPToolConfig.') })
            .optional()
            .describe('Filtering and overrides from an MCPToolConfig.'),
          filter: z.array(z.string()).optional().describe('Tools to expose; all when empty.'),
          overrides: z.record(z.string(), toolOverride).optional().describe('Changes per tool name.'),
          excludeAll: z.boolean().optional().describe('Hide every tool of this backend.'),
        }),
      )
      .optional()
      .describe('Per-backend tool settings.'),
    excludeAllTools: z.boolean().optional().describe('Hide every backend tool (composite tools only).'),
    defaultToolVisibility: z.enum(['allow', 'deny']).optional().describe('Visibility of unlisted tools.'),
  })
  .describe('How the backends’ tools are merged into one list.');

const failureHandling = z
  .object({
    healthCheckInterval: duration('Time between backend health checks.').default('30s'),
    healthCheckTimeout: duration('Time a health check may take.').default('10s'),
    unhealthyThreshold: goInt().default(3).describe('Failed checks before a backend is unhealthy.'),
    statusReportingInterval: duration('Time between status reports to the resource.').default('30s'),
    partialFailureMode: z
      .enum(['fail', 'best_effort'])
      .default('fail')
      .describe('Fail requests when a backend is down, or answer with what is available.'),
    circuitBreaker: z
      .object({
        enabled: z.boolean().default(false).describe('Stop calling a failing backend for a while.'),
        failureThreshold: goInt().min(1).default(5).describe('Failures that open the circuit.'),
        timeout: withRules(
          duration('How long the circuit stays open.').default('60s'),
          cel("self == '' || duration(self) >= duration('1s')", 'timeout must be >= 1s'),
        ),
      })
      .optional()
      .describe('Circuit breaker per backend.'),
  })
  .describe('Backend health checks and what failures do.');

const operational = z
  .object({
    logLevel: z.enum(['debug']).optional().describe('Set to `debug` for verbose logs.'),
    timeouts: z
      .object({
        default: duration('Timeout of a backend call.').default('30s'),
        perWorkload: z
          .record(z.string(), duration('Timeout for that backend.'))
          .optional()
          .describe('Timeouts per backend name.'),
      })
      .optional()
      .describe('Backend call timeouts.'),
    failureHandling: failureHandling.optional(),
  })
  .describe('Timeouts, health checks and failure handling.');

const ratio = patterned('^([0-9]*[.])?[0-9]+$');
const optimizer = withRules(
  z
    .object({
      embeddingProvider: z
        .enum(['tei', 'openai'])
        .default('tei')
        .describe('Embedding API: a TEI server, or an OpenAI-compatible one.'),
      embeddingService: z.string().optional().describe('URL of the embedding service.'),
      embeddingModel: z.string().optional().describe('Model name (OpenAI-compatible provider).'),
      embeddingHeaders: z
        .record(
          z.string(),
          patterned(String.raw`^[^\x00-\x08\x0A-\x1F\x7F]*$`)
            .min(1)
            .max(8192),
        )
        .optional()
        .describe('Extra headers sent to an OpenAI-compatible embedding service.'),
      embeddingServiceTimeout: duration('Timeout of an embedding call.').default('30s'),
      maxToolsToReturn: goInt().min(1).max(50).optional().describe('Most tools a search returns.'),
      hybridSearchSemanticRatio: ratio.optional().describe('Weight of semantic against keyword search, 0–1.'),
      semanticDistanceThreshold: ratio.optional().describe('Largest distance a match may have.'),
    })
    .describe('Tool optimizer: expose a search tool instead of every tool.'),
  cel(
    "!has(self.embeddingHeaders) || (has(self.embeddingProvider) && self.embeddingProvider == 'openai')",
    "embeddingHeaders is only supported when embeddingProvider is 'openai'",
  ),
  cel(
    String.raw`!has(self.embeddingHeaders) || self.embeddingHeaders.all(k, k.matches('^[!#$%&\\x27*+.^_\\x60|~0-9A-Za-z-]+$') && !(k.lowerAscii() in ['authorization', 'content-type']))`,
    'embeddingHeaders names must be valid HTTP header names and must not include Authorization or Content-Type',
  ),
);

const telemetry = z
  .object({
    endpoint: z.string().optional().describe('OTLP collector `host:port`.'),
    serviceName: z.string().optional().describe('OpenTelemetry `service.name`.'),
    serviceVersion: z.string().optional().describe('OpenTelemetry `service.version`.'),
    tracingEnabled: z.boolean().default(false).describe('Export traces.'),
    metricsEnabled: z.boolean().default(false).describe('Export metrics over OTLP.'),
    samplingRate: z.string().default('0.05').describe('Fraction of traces sampled.'),
    headers: stringMap('Headers sent to the collector.').optional(),
    insecure: z.boolean().default(false).describe('Talk to the collector without TLS.'),
    enablePrometheusMetricsPath: z.boolean().default(false).describe('Serve `/metrics`.'),
    environmentVariables: z
      .array(z.string())
      .optional()
      .describe('Environment variables added as attributes.'),
    customAttributes: stringMap('Extra resource attributes.').optional(),
    useLegacyAttributes: z.boolean().default(true).describe('Also emit the pre-semconv attribute names.'),
    caCertPath: z.string().optional().describe('CA bundle file for the collector.'),
    metricsOnTransportPort: z.boolean().optional().describe('Serve metrics on the MCP port.'),
    prometheusPort: goInt().optional().describe('Separate port for `/metrics`.'),
  })
  .describe('Telemetry; the controller fills it from `spec.telemetryConfigRef`.');

const audit = z
  .object({
    enabled: z.boolean().default(false).describe('Write audit events.'),
    component: z.string().optional().describe('Component name in the events.'),
    eventTypes: z.array(z.string()).optional().describe('Event types to record; all when empty.'),
    excludeEventTypes: z.array(z.string()).optional().describe('Event types never recorded.'),
    includeRequestData: z.boolean().default(false).describe('Record request bodies.'),
    includeResponseData: z.boolean().default(false).describe('Record response bodies.'),
    maxDataSize: goInt().default(1024).describe('Bytes of request or response data kept.'),
    detectApplicationErrors: z.boolean().default(true).describe('Mark MCP error answers as failures.'),
    maxDelegationDepth: goInt().min(1).default(10).describe('Deepest delegation chain recorded.'),
    logFile: z.string().optional().describe('File to write to; standard output when empty.'),
  })
  .describe('Audit logging of MCP calls.');

const codeMode = z
  .object({
    enabled: z.boolean().optional().describe('Offer a code-execution tool over the backends’ tools.'),
    toolCallTimeout: duration('Timeout of one tool call from code.').default('30s'),
    stepLimit: z.int().min(1).default(100000).describe('Most interpreter steps per run.'),
    parallelMaxConcurrency: goInt().min(1).default(10).describe('Most tool calls at once.'),
  })
  .describe('Code mode.');

export const vmcpConfig = z
  .object({
    name: z.string().optional().describe('Set by the controller to the resource name.'),
    groupRef: z.string().optional().describe('Set by the controller from `spec.groupRef`.'),
    incomingAuth: runtimeIncomingAuth.optional(),
    outgoingAuth: runtimeOutgoingAuth.optional(),
    backends: z
      .array(
        z.object({
          name: z.string().describe('Backend name.'),
          url: patterned('^https?://').describe('Backend URL.'),
          transport: z.enum(['sse', 'streamable-http']).describe('MCP transport of the backend.'),
          type: z.enum(['entry', '']).optional().describe('`entry` for an MCPServerEntry.'),
          caBundlePath: z.string().optional().describe('CA bundle file for the backend.'),
          metadata: stringMap('Labels of the backend.').optional(),
        }),
      )
      .optional()
      .describe('Static backends; the controller fills this from the group.'),
    aggregation: aggregation.optional(),
    compositeTools: z
      .array(compositeTool)
      .optional()
      .describe('Tools that run a workflow over backend tools.'),
    compositeToolRefs: z
      .array(z.object({ name: z.string().describe('Name of the VirtualMCPCompositeToolDefinition.') }))
      .optional()
      .describe('Composite tools defined in their own resources.'),
    operational: operational.optional(),
    metadata: stringMap('Free labels of this vMCP.').optional(),
    telemetry: telemetry.optional(),
    audit: audit.optional(),
    optimizer: optimizer.optional(),
    sessionStorage: z
      .object({
        provider: z.enum(['memory', 'redis']).describe('Session store.'),
        address: z.string().optional().describe('Redis `host:port`.'),
        db: z.int32().min(0).default(0).describe('Redis database number.'),
        keyPrefix: z.string().optional().describe('Prefix for session keys.'),
      })
      .optional()
      .describe('Session storage; the controller fills it from `spec.sessionStorage`.'),
    rateLimiting: rateLimiting.optional(),
    passthroughHeaders: listAtomic(z.string(), 'Client headers forwarded to backends.').optional(),
    codeMode: codeMode.optional(),
  })
  .catchall(z.unknown())
  .meta({ 'x-kubernetes-preserve-unknown-fields': true })
  .describe('Configuration of the vMCP runtime (aggregation, operational settings, optimizer, …).');
