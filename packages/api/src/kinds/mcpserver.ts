import { z } from 'zod';
import { audit, authServerRef, authzConfig, authzConfigRef, authzExclusive } from '../schema/auth.js';
import {
  cel,
  conditions,
  externalAuthConfigRef,
  freeform,
  groupRef,
  listAtomic,
  listMap,
  looseObjectRef,
  metricsConfig,
  observedGeneration,
  oidcConfigRef,
  port,
  prometheusConfig,
  replicas,
  resourceOverrides,
  resources,
  sessionStorage,
  telemetryConfigRef,
  tracingConfig,
  withRules,
} from '../schema/fields.js';
import { ageColumn, conditionCatalog, conditionColumn, defineKind } from '../schema/resource.js';
import {
  envVar,
  groupRefReasons,
  refReasons,
  rateLimiting,
  sessionAffinity,
  copiedHashes,
} from '../schema/workload.js';

export const mcpServerFinalizer = 'mcpserver.toolhive.stacklok.dev/finalizer';

export const mcpServerConditions = conditionCatalog({
  Ready: {
    description: 'Whether the proxy Deployment has ready replicas.',
    reasons: {
      Ready: { status: 'True', when: 'At least one replica is ready.' },
      NotReady: { status: 'False', when: 'No replica is ready yet.' },
      InvalidSpec: {
        status: 'False',
        when: 'The spec fails the schema or a CEL rule the apiserver did not enforce (it is older than 1.25, or the object predates the rule); the message lists the problems. Nothing is rolled out.',
      },
    },
  },
  ConfigReferencesSupported: {
    description:
      'Whether the spec names only configuration this project serves. A server that names other configuration is not rolled out: running it without that configuration would drop authentication or policy.',
    reasons: {
      ConfigReferencesSupported: {
        status: 'True',
        when: 'The spec names no kind mcp-controllers does not serve yet.',
      },
      UnsupportedConfigReference: {
        status: 'False',
        when: 'The spec names a kind mcp-controllers does not serve yet (MCPOIDCConfig, MCPAuthzConfig or inline authz, MCPExternalAuthConfig, MCPToolConfig, MCPWebhookConfig, an auth server); the message names each field. The server is not rolled out.',
      },
    },
  },
  GroupRefValidated: {
    description: 'Whether `spec.groupRef` names a ready MCPGroup.',
    reasons: groupRefReasons('GroupRefIsValid'),
  },
  TelemetryConfigRefValidated: {
    description:
      'Whether `spec.telemetryConfigRef` names a valid MCPTelemetryConfig. Absent when no reference is set.',
    reasons: refReasons('TelemetryConfigRef', 'MCPTelemetryConfig', 'TelemetryConfigRefError'),
  },
  ExternalAuthConfigValidated: {
    description: 'Whether `spec.externalAuthConfigRef` names an existing MCPExternalAuthConfig.',
    reasons: {
      ExternalAuthConfigValid: { status: 'True', when: 'The config exists.' },
      ExternalAuthConfigNotFound: { status: 'False', when: 'The config does not exist.' },
      ExternalAuthConfigFetchError: { status: 'False', when: 'The config could not be read; retried.' },
    },
  },
  PodTemplateValid: {
    description: 'Whether `spec.podTemplateSpec` is a valid pod template.',
    reasons: {
      ValidPodTemplateSpec: { status: 'True', when: 'The template parses.' },
      InvalidPodTemplateSpec: { status: 'False', when: 'The template does not parse; the message says why.' },
    },
  },
  StdioReplicaCapped: {
    description: 'Whether `replicas` was capped at 1 because stdio servers cannot be shared.',
    reasons: {
      StdioTransportCapAt1: { status: 'True', when: 'transport is stdio and replicas > 1.' },
      StdioReplicaCapNotActive: { status: 'False', when: 'No cap applies.' },
    },
  },
});

/**
 * ToolHive's inline `spec.telemetry` (MCPServer and MCPRemoteProxy), which ToolHive removed before
 * v1beta1 (#4819) in favour of `telemetryConfigRef`. Older manifests still carry it, so it is served
 * with ToolHive's old shape and defaults (v1alpha1 `TelemetryConfig`), and the server controller
 * honours it when no `telemetryConfigRef` is set.
 */
export const deprecatedInlineTelemetry = z
  .object({
    openTelemetry: z
      .object({
        enabled: z.boolean().default(false).describe('Turns OTLP export on; when false the rest is ignored.'),
        endpoint: z
          .string()
          .optional()
          .describe('OTLP collector `host:port`; an `http://` or `https://` prefix is stripped.'),
        serviceName: z
          .string()
          .optional()
          .describe('OpenTelemetry `service.name`; defaults to the workload name.'),
        headers: listAtomic(
          z.string(),
          'Headers sent to the collector, as `key=value` strings (visible to anyone who can read the resource).',
        ).optional(),
        insecure: z.boolean().default(false).describe('Talk to the collector without TLS.'),
        metrics: metricsConfig.optional(),
        tracing: tracingConfig.optional(),
        useLegacyAttributes: z.boolean().default(true).describe('Also emit the pre-semconv attribute names.'),
      })
      .optional()
      .describe('OpenTelemetry (OTLP) export.'),
    prometheus: prometheusConfig.optional(),
  })
  .describe(
    'Deprecated: use `telemetryConfigRef` to reference a shared MCPTelemetryConfig. Inline telemetry settings, used only when `telemetryConfigRef` is not set; setting both is rejected.',
  );

/** Both telemetry sources at once is rejected, with ToolHive's message. */
export const telemetryExclusive = cel(
  '!(has(self.telemetry) && has(self.telemetryConfigRef))',
  'telemetry and telemetryConfigRef are mutually exclusive; migrate to telemetryConfigRef',
);

const perUserNeedsAuth = 'has(self.oidcConfigRef) || has(self.externalAuthConfigRef)';
const mcpServerSpec = withRules(
  z.object({
    image: z.string().describe('Container image of the MCP server.'),
    transport: z
      .enum(['stdio', 'streamable-http', 'sse'])
      .default('stdio')
      .describe('How the MCP server speaks: over stdin/stdout, or HTTP.'),
    proxyMode: z
      .enum(['sse', 'streamable-http'])
      .default('streamable-http')
      .describe('What the proxy offers clients for a stdio server.'),
    proxyPort: port('Port the proxy listens on.').default(8080),
    mcpPort: port('Port the MCP server listens on (HTTP transports).').optional(),
    args: listAtomic(z.string(), 'Arguments passed to the MCP server.').optional(),
    env: listMap(envVar, ['name'], 'Environment of the MCP server container.').optional(),
    volumes: listMap(
      z.object({
        name: z.string(),
        hostPath: z.string(),
        mountPath: z.string(),
        readOnly: z.boolean().default(false),
      }),
      ['name'],
      'Host paths mounted into the MCP server.',
    ).optional(),
    resources: resources.optional(),
    secrets: listMap(
      z.object({
        name: z.string().describe('Name of the Secret.'),
        key: z.string().describe('Key within the Secret.'),
        targetEnvName: z
          .string()
          .optional()
          .describe('Environment variable to expose it as; the key when empty.'),
      }),
      ['name'],
      'Secrets exposed to the MCP server as environment variables.',
    ).optional(),
    serviceAccount: z
      .string()
      .optional()
      .describe('ServiceAccount of the MCP server pod; one is created when empty.'),
    permissionProfile: z
      .object({
        type: z.enum(['builtin', 'configmap']).default('builtin'),
        name: z.string(),
        key: z.string().optional(),
      })
      .optional()
      .describe('Network and file-system permissions of the MCP server.'),
    podTemplateSpec: freeform(
      'Pod template merged over the generated one; the MCP container is named `mcp`.',
    ).optional(),
    resourceOverrides: resourceOverrides.optional(),
    oidcConfigRef: oidcConfigRef.optional(),
    authzConfig: authzConfig.optional(),
    authzConfigRef: authzConfigRef.optional(),
    audit: audit.optional(),
    toolConfigRef: looseObjectRef('MCPToolConfig')
      .optional()
      .describe('Tool filtering from an MCPToolConfig.'),
    externalAuthConfigRef: externalAuthConfigRef.optional(),
    webhookConfigRef: looseObjectRef('MCPWebhookConfig')
      .optional()
      .describe('Webhooks from an MCPWebhookConfig.'),
    authServerRef: authServerRef.optional(),
    telemetryConfigRef: telemetryConfigRef.optional(),
    telemetry: deprecatedInlineTelemetry.optional(),
    trustProxyHeaders: z.boolean().default(false).describe('Trust X-Forwarded-* headers from a front proxy.'),
    endpointPrefix: z.string().optional().describe('Path prefix the server is reached under.'),
    groupRef: groupRef.optional(),
    sessionAffinity,
    replicas: replicas(
      'Proxy replicas; when unset the Deployment’s replicas are left alone (HPA-friendly).',
    ).optional(),
    backendReplicas: replicas('MCP server replicas.').optional(),
    sessionStorage: sessionStorage.optional(),
    rateLimiting: rateLimiting.optional(),
  }),
  authzExclusive,
  telemetryExclusive,
  cel(
    "!has(self.rateLimiting) || (has(self.sessionStorage) && self.sessionStorage.provider == 'redis')",
    "rateLimiting requires sessionStorage with provider 'redis'",
  ),
  cel(
    `!(has(self.rateLimiting) && has(self.rateLimiting.perUser)) || ${perUserNeedsAuth}`,
    'rateLimiting.perUser requires authentication (oidcConfigRef or externalAuthConfigRef)',
  ),
  cel(
    `!has(self.rateLimiting) || !has(self.rateLimiting.tools) || self.rateLimiting.tools.all(t, !has(t.perUser)) || ${perUserNeedsAuth}`,
    'per-tool perUser rate limiting requires authentication (oidcConfigRef or externalAuthConfigRef)',
  ),
);

export const mcpServer = defineKind({
  kind: 'MCPServer',
  plural: 'mcpservers',
  shortNames: ['mcpserver', 'mcpservers'],
  family: 'servers',
  description: 'An MCP server run in the cluster behind ToolHive’s proxy runner.',
  specRequired: true,
  spec: mcpServerSpec,
  status: z.object({
    observedGeneration: observedGeneration.optional(),
    phase: z
      .enum(['Pending', 'Ready', 'Failed', 'Terminating', 'Stopped'])
      .optional()
      .describe('Overall state.'),
    message: z.string().optional().describe('Human-readable detail about the phase.'),
    url: z.string().optional().describe('In-cluster URL of the proxy.'),
    readyReplicas: z.int32().min(0).optional().describe('Ready proxy replicas.'),
    ...copiedHashes({
      telemetryConfigHash: 'MCPTelemetryConfig',
      externalAuthConfigHash: 'MCPExternalAuthConfig',
      oidcConfigHash: 'MCPOIDCConfig',
      authzConfigHash: 'MCPAuthzConfig',
      toolConfigHash: 'MCPToolConfig',
      webhookConfigHash: 'MCPWebhookConfig',
      authServerConfigHash: 'auth server config',
    }),
    conditions: conditions.optional(),
  }),
  printerColumns: [
    { name: 'Status', type: 'string', jsonPath: '.status.phase' },
    conditionColumn('Ready', 'Ready'),
    { name: 'Replicas', type: 'integer', jsonPath: '.status.readyReplicas' },
    { name: 'URL', type: 'string', jsonPath: '.status.url' },
    ageColumn,
  ],
  conditions: mcpServerConditions,
  finalizer: mcpServerFinalizer,
  toolhiveDifferences: [
    'The deprecated inline `spec.telemetry` (removed from ToolHive’s CRD in #4819) is still served and' +
      ' honoured when `telemetryConfigRef` is not set, so older manifests keep their telemetry.',
    '`ConfigReferencesSupported` and the `Ready` reason `InvalidSpec` are ours: a server naming' +
      ' configuration this project does not serve yet is reported and not rolled out, rather than run' +
      ' without it.',
  ],
});
export type MCPServer = z.output<typeof mcpServer.object>;
