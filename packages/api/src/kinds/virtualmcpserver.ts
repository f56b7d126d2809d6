import { z } from 'zod';
import { authzConfig, authzConfigRef, authzExclusive } from '../schema/auth.js';
import {
  cel,
  conditions,
  externalAuthConfigRef,
  freeform,
  groupRef,
  listAtomic,
  listMap,
  objectRef,
  observedGeneration,
  oidcConfigRef,
  replicas,
  sessionStorage,
  telemetryConfigRef,
  withRules,
} from '../schema/fields.js';
import {
  ageColumn,
  conditionCatalog,
  conditionColumn,
  defineKind,
  validCondition,
} from '../schema/resource.js';
import { groupRefReasons, refReasons, sessionAffinity, copiedHashes } from '../schema/workload.js';

export const virtualMCPServerConditions = conditionCatalog({
  Valid: validCondition,
  GroupRefValidated: {
    description: 'Whether `spec.groupRef` names a ready MCPGroup.',
    reasons: groupRefReasons('GroupRefValid'),
  },
  TelemetryConfigRefValidated: {
    description:
      'Whether `spec.telemetryConfigRef` names a valid MCPTelemetryConfig. Absent when no reference is set.',
    reasons: refReasons('TelemetryConfigRef', 'MCPTelemetryConfig', 'TelemetryConfigRefFetchError'),
  },
  PodTemplateSpecValid: {
    description: 'Whether `spec.podTemplateSpec` is a valid pod template.',
    reasons: {
      PodTemplateSpecValid: { status: 'True', when: 'The template parses.' },
      InvalidPodTemplateSpec: { status: 'False', when: 'The template does not parse; the message says why.' },
    },
  },
  Ready: {
    description: 'Whether the vMCP Deployment is ready and its backends are reachable.',
    reasons: {
      DeploymentReady: { status: 'True', when: 'Replicas are ready and backends are healthy.' },
      DeploymentNotReady: { status: 'False', when: 'No replica is ready yet.' },
      DeploymentFailed: { status: 'False', when: 'The Deployment failed.' },
      BackendsUnavailable: { status: 'False', when: 'No backend is routable.' },
      BackendsDegraded: { status: 'True', when: 'Some backends are unhealthy.' },
      BackendsUnknown: { status: 'Unknown', when: 'Backend health is not reported yet.' },
    },
  },
  BackendsDiscovered: {
    description: 'Written by the vMCP runtime: whether it found the group’s backends.',
    reasons: {
      BackendDiscoverySucceeded: { status: 'True', when: 'Backends were discovered.' },
      BackendDiscoveryFailed: { status: 'False', when: 'Discovery failed.' },
    },
  },
});

// ToolHive's CRD does not tie `type` to `externalAuthConfigRef`; the controller reports a missing ref.
const backendAuth = z
  .object({
    type: z
      .enum(['discovered', 'externalAuthConfigRef'])
      .describe('Use the backend’s own auth config, or a named one.'),
    externalAuthConfigRef: externalAuthConfigRef.optional(),
  })
  .describe('How vMCP authenticates to a backend.');

const incomingAuth = withRules(
  z
    .object({
      type: z.enum(['anonymous', 'oidc']).describe('Whether clients must present an OIDC token.'),
      oidcConfigRef: oidcConfigRef.optional(),
      authzConfig: authzConfig.optional(),
      authzConfigRef: authzConfigRef.optional(),
    })
    .describe('How clients authenticate to the vMCP.'),
  cel(
    "self.type == 'oidc' ? has(self.oidcConfigRef) : true",
    'spec.incomingAuth.oidcConfigRef is required when type is oidc',
  ),
  authzExclusive,
);

const discoveredBackend = z.object({
  name: z.string().describe('Backend (workload) name.'),
  url: z.string().optional().describe('URL vMCP uses to reach it.'),
  // A free string, as the vMCP runtime writes it: ready, degraded, unavailable, unauthenticated, unknown.
  status: z.string().optional().describe('Health as the runtime sees it.'),
  authConfigRef: z.string().optional(),
  authType: z.string().optional(),
  lastHealthCheck: z.string().meta({ format: 'date-time' }).optional(),
  message: z.string().optional(),
  circuitBreakerState: z.enum(['closed', 'open', 'half-open']).optional(),
  circuitLastChanged: z.string().meta({ format: 'date-time' }).optional(),
  consecutiveFailures: z.int32().min(0).optional(),
  mcpRevision: z.string().optional(),
});

export const virtualMCPServer = defineKind({
  kind: 'VirtualMCPServer',
  plural: 'virtualmcpservers',
  shortNames: ['vmcp', 'virtualmcp'],
  family: 'virtualServers',
  description: 'One MCP endpoint that aggregates the tools of every member of an MCPGroup.',
  specRequired: true,
  spec: z.object({
    groupRef: groupRef.describe('The MCPGroup whose members become backends.'),
    incomingAuth: incomingAuth,
    outgoingAuth: z
      .object({
        source: z
          .enum(['discovered', 'inline'])
          .default('discovered')
          .describe('Take backend auth from each workload, or from `default`/`backends` here.'),
        default: backendAuth.optional().describe('Auth for backends not listed in `backends`.'),
        backends: z.record(z.string(), backendAuth).optional().describe('Auth per backend name.'),
      })
      .optional()
      .describe('How vMCP authenticates to its backends.'),
    passthroughHeaders: listAtomic(z.string(), 'Client headers forwarded to backends.').optional(),
    serviceType: z
      .enum(['ClusterIP', 'NodePort', 'LoadBalancer'])
      .default('ClusterIP')
      .describe('Type of the Service.'),
    sessionAffinity,
    serviceAccount: z
      .string()
      .optional()
      .describe('ServiceAccount of the vMCP pod; when empty one is created with the Role it needs.'),
    podTemplateSpec: freeform(
      'Pod template merged over the generated one; the container is named `vmcp`.',
    ).optional(),
    config: freeform(
      'vMCP runtime configuration (aggregation, composite tools, operational settings).',
    ).optional(),
    telemetryConfigRef: telemetryConfigRef.optional(),
    embeddingServerRef: objectRef('EmbeddingServer')
      .optional()
      .describe('Embedding server for the tool optimizer.'),
    authServerConfig: freeform('Embedded OAuth authorization server (ToolHive’s schema).').optional(),
    replicas: replicas('vMCP replicas; when unset the Deployment’s replicas are left alone.').optional(),
    sessionStorage: sessionStorage.optional(),
    imagePullSecrets: listAtomic(
      z.object({ name: z.string() }),
      'Pull secrets for the vMCP image.',
    ).optional(),
  }),
  status: z.object({
    observedGeneration: observedGeneration.optional(),
    phase: z.enum(['Pending', 'Ready', 'Degraded', 'Failed']).default('Pending').describe('Overall state.'),
    message: z.string().optional().describe('Human-readable detail about the phase.'),
    url: z.string().optional().describe('In-cluster URL of the vMCP.'),
    discoveredBackends: listMap(
      discoveredBackend,
      ['name'],
      'Backends as the vMCP runtime sees them.',
    ).optional(),
    backendCount: z.int32().min(0).optional().describe('Routable backends (ready or unauthenticated).'),
    ...copiedHashes({
      telemetryConfigHash: 'MCPTelemetryConfig',
      oidcConfigHash: 'MCPOIDCConfig',
      authzConfigHash: 'MCPAuthzConfig',
    }),
    conditions: conditions.optional(),
    runtime: freeform('Status as the vMCP runtime last reported it.').optional(),
  }),
  printerColumns: [
    { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
    { name: 'URL', type: 'string', jsonPath: '.status.url' },
    { name: 'Backends', type: 'integer', jsonPath: '.status.backendCount' },
    ageColumn,
    conditionColumn('Ready', 'Ready'),
  ],
  conditions: virtualMCPServerConditions,
});
export type VirtualMCPServer = z.output<typeof virtualMCPServer.object>;
