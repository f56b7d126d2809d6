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
  looseObjectRef,
  localObjectReference,
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
import { embeddedAuthServer } from '../schema/authserver.js';
import { vmcpConfig } from '../schema/vmcp-config.js';

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
    description:
      'Whether the vMCP serves with every backend healthy. As in ToolHive, any unhealthy backend makes it `False` (phase `Degraded`).',
    reasons: {
      DeploymentReady: {
        status: 'True',
        when: 'A replica is ready and every discovered backend is routable (or none is discovered yet).',
      },
      DeploymentNotReady: { status: 'False', when: 'No replica is ready yet.' },
      DeploymentFailed: { status: 'False', when: 'No replica is ready and a pod failed.' },
      BackendsUnavailable: { status: 'False', when: 'A replica is ready but no backend is routable.' },
      BackendsDegraded: { status: 'False', when: 'A replica is ready but some backends are unhealthy.' },
      BackendsUnknown: {
        status: 'False',
        when: 'A replica is ready but the backends’ health cannot be determined.',
      },
      AuthServerConfigInvalid: { status: 'False', when: '`spec.authServerConfig` cannot be used.' },
      InvalidSpec: {
        status: 'False',
        when: 'mcp-controllers: the spec cannot be used as written (`Valid` or `PodTemplateSpecValid` says why); nothing is rolled out.',
      },
      GroupNotReady: {
        status: 'False',
        when: 'mcp-controllers: the MCPGroup is missing (phase `Failed`) or not ready (phase `Pending`); nothing is rolled out until it is.',
      },
      NotRolledOut: {
        status: 'False',
        when: 'mcp-controllers: a reference, the HMAC Secret, an object owned by someone else, or (inline mode) the lack of a usable backend stops the rollout; the message says which. What runs keeps running.',
      },
    },
  },
  HMACSecretValid: {
    description:
      'mcp-controllers: whether the session HMAC Secret `<name>-hmac-secret` can be used (created once, never overwritten).',
    reasons: {
      HMACSecretValid: { status: 'True', when: 'The Secret is ours and holds a 32-byte key.' },
      HMACSecretInvalid: {
        status: 'False',
        when: 'The Secret is not controlled by this VirtualMCPServer, or its key is missing or malformed; the message says how to replace it.',
      },
    },
  },
  BackendsConfigured: {
    description:
      'mcp-controllers, inline mode (`outgoingAuth.source: inline`): which group members are backends of `config.yaml`, and why each other one is not. In either mode while the members cannot be read.',
    reasons: {
      BackendsConfigured: {
        status: 'True',
        when: 'At least one member is a backend; the message lists them and those left out.',
      },
      NoUsableBackends: {
        status: 'False',
        when: 'No member can be a backend yet (none has a URL, or none is Valid); phase `Pending`.',
      },
      MembersUnreadable: {
        status: 'False',
        when: 'In either mode: a member kind the group lists cannot be read now (RBAC, CRD); nothing is rolled out until it can be.',
      },
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

// ToolHive's spec-level rules: they tie `config` to `sessionStorage`, `incomingAuth` and
// `embeddingServerRef`.
const vmcpSpecRules = [
  cel(
    "!has(self.config) || !has(self.config.rateLimiting) || (has(self.sessionStorage) && self.sessionStorage.provider == 'redis')",
    "config.rateLimiting requires sessionStorage with provider 'redis'",
  ),
  cel(
    "!(has(self.config) && has(self.config.rateLimiting) && has(self.config.rateLimiting.perUser)) || (has(self.incomingAuth) && self.incomingAuth.type == 'oidc')",
    'config.rateLimiting.perUser requires incomingAuth.type oidc',
  ),
  cel(
    "!has(self.config) || !has(self.config.rateLimiting) || !has(self.config.rateLimiting.tools) || self.config.rateLimiting.tools.all(t, !has(t.perUser)) || (has(self.incomingAuth) && self.incomingAuth.type == 'oidc')",
    'per-tool perUser rate limiting requires incomingAuth.type oidc',
  ),
  cel(
    "!(has(self.embeddingServerRef) && has(self.config) && has(self.config.optimizer) && has(self.config.optimizer.embeddingProvider) && self.config.optimizer.embeddingProvider == 'openai')",
    "embeddingServerRef provisions a managed TEI server and cannot be combined with optimizer.embeddingProvider 'openai'; openai mode uses embeddingService directly",
  ),
];

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
  spec: withRules(
    z.object({
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
      config: vmcpConfig.optional(),
      telemetryConfigRef: telemetryConfigRef.optional(),
      embeddingServerRef: looseObjectRef('EmbeddingServer')
        .optional()
        .describe('Embedding server for the tool optimizer.'),
      authServerConfig: embeddedAuthServer.optional(),
      replicas: replicas('vMCP replicas; when unset the Deployment’s replicas are left alone.').optional(),
      sessionStorage: sessionStorage.optional(),
      imagePullSecrets: listAtomic(localObjectReference, 'Pull secrets for the vMCP image.').optional(),
    }),
    ...vmcpSpecRules,
  ),
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
  toolhiveDifferences: [
    '`status.runtime` is ours (free-form): ToolHive’s status has no such field.',
    'ToolHive’s operator also writes the condition types `CompositeToolRefsValidated`,' +
      ' `EmbeddingServerReady`, `AuthServerConfigValidated`, `AuthzUpstreamSelectionWarning`,' +
      ' `SessionStorageWarning`, `OIDCConfigRefValidated`, `AuthzConfigRefValidated`, `AuthConfigured`,' +
      ' `DefaultAuthConfig`, `DiscoveredAuthConfig-<backend>` and `BackendAuthConfig-<backend>`; they' +
      ' are not in this catalog yet.',
  ],
});
export type VirtualMCPServer = z.output<typeof virtualMCPServer.object>;
