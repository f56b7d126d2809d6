import { z } from 'zod';
import { audit, authServerRef, authzConfig, authzConfigRef, authzExclusive } from '../schema/auth.js';
import {
  allowPrivateEndpoint,
  conditions,
  externalAuthConfigRef,
  freeform,
  groupRef,
  headerForward,
  looseObjectRef,
  observedGeneration,
  oidcConfigRef,
  port,
  remoteUrl,
  replicas,
  resourceOverrides,
  resources,
  sessionStorage,
  telemetryConfigRef,
  withRules,
} from '../schema/fields.js';
import { ageColumn, conditionCatalog, conditionColumn, defineKind } from '../schema/resource.js';
import { groupRefReasons, refReasons, sessionAffinity, copiedHashes } from '../schema/workload.js';
import { deprecatedInlineTelemetry, telemetryExclusive } from './mcpserver.js';

export const mcpRemoteProxyConditions = conditionCatalog({
  Ready: {
    description: 'Whether the proxy Deployment has ready replicas.',
    reasons: {
      DeploymentReady: { status: 'True', when: 'At least one replica is ready.' },
      DeploymentNotReady: { status: 'False', when: 'No replica is ready yet.' },
      NotReady: { status: 'False', when: 'The proxy could not be set up; see the other conditions.' },
    },
  },
  GroupRefValidated: {
    description: 'Whether `spec.groupRef` names a ready MCPGroup. Absent when no group is set.',
    reasons: groupRefReasons('GroupRefIsValid'),
  },
  TelemetryConfigRefValidated: {
    description:
      'Whether `spec.telemetryConfigRef` names a valid MCPTelemetryConfig. Absent when no reference is set.',
    reasons: refReasons('TelemetryConfigRef', 'MCPTelemetryConfig', 'TelemetryConfigRefFetchError'),
  },
  ConfigurationValid: {
    description: 'Whether the spec and what it references make a usable configuration.',
    reasons: {
      ConfigurationValid: { status: 'True', when: 'Everything checks out.' },
      RemoteURLInvalid: {
        status: 'False',
        when: '`spec.remoteUrl` is malformed or points at a blocked address.',
      },
      HeaderSecretNotFound: { status: 'False', when: 'A Secret named in `headerForward` is missing.' },
      ExternalAuthConfigNotFound: {
        status: 'False',
        when: 'The referenced MCPExternalAuthConfig is missing.',
      },
    },
  },
});

export const mcpRemoteProxy = defineKind({
  kind: 'MCPRemoteProxy',
  plural: 'mcpremoteproxies',
  shortNames: ['rp', 'mcprp'],
  family: 'servers',
  description:
    'A proxy in the cluster in front of a remote MCP server, adding authentication, authorization and telemetry.',
  specRequired: true,
  spec: withRules(
    z.object({
      remoteUrl,
      allowPrivateEndpoint,
      proxyPort: port('Port the proxy listens on.').default(8080),
      transport: z
        .enum(['sse', 'streamable-http'])
        .default('streamable-http')
        .describe('MCP transport of the remote server.'),
      oidcConfigRef: oidcConfigRef.optional(),
      externalAuthConfigRef: externalAuthConfigRef.optional(),
      authServerRef: authServerRef.optional(),
      headerForward: headerForward.optional(),
      authzConfig: authzConfig.optional(),
      authzConfigRef: authzConfigRef.optional(),
      audit: audit.optional(),
      toolConfigRef: looseObjectRef('MCPToolConfig')
        .optional()
        .describe('Tool filtering from an MCPToolConfig.'),
      telemetryConfigRef: telemetryConfigRef.optional(),
      telemetry: deprecatedInlineTelemetry.optional(),
      resources: resources.optional(),
      serviceAccount: z
        .string()
        .optional()
        .describe('ServiceAccount of the proxy pod; one is created when empty.'),
      podTemplateSpec: freeform(
        'Pod template merged over the generated one; the container is named `toolhive`.',
      ).optional(),
      trustProxyHeaders: z
        .boolean()
        .default(false)
        .describe('Trust X-Forwarded-* headers from a front proxy.'),
      endpointPrefix: z.string().optional().describe('Path prefix the proxy is reached under.'),
      resourceOverrides: resourceOverrides.optional(),
      groupRef: groupRef.optional(),
      sessionAffinity,
      replicas: replicas('Proxy replicas; when unset the Deployment’s replicas are left alone.').optional(),
      sessionStorage: sessionStorage.optional(),
    }),
    authzExclusive,
    telemetryExclusive,
  ),
  status: z.object({
    observedGeneration: observedGeneration.optional(),
    phase: z.enum(['Pending', 'Ready', 'Failed', 'Terminating']).optional().describe('Overall state.'),
    message: z.string().optional().describe('Human-readable detail about the phase.'),
    url: z.string().optional().describe('In-cluster URL of the proxy.'),
    externalUrl: z.string().optional().describe('URL from outside the cluster, when exposed.'),
    ...copiedHashes({
      telemetryConfigHash: 'MCPTelemetryConfig',
      externalAuthConfigHash: 'MCPExternalAuthConfig',
      oidcConfigHash: 'MCPOIDCConfig',
      authzConfigHash: 'MCPAuthzConfig',
      toolConfigHash: 'MCPToolConfig',
      authServerConfigHash: 'auth server config',
    }),
    conditions: conditions.optional(),
  }),
  printerColumns: [
    { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
    { name: 'Remote URL', type: 'string', jsonPath: '.spec.remoteUrl' },
    { name: 'URL', type: 'string', jsonPath: '.status.url' },
    conditionColumn('Ready', 'Ready'),
    ageColumn,
  ],
  conditions: mcpRemoteProxyConditions,
  toolhiveDifferences: [
    'The deprecated inline `spec.telemetry` (removed from ToolHive’s CRD in #4819) is still served, so' +
      ' older manifests are accepted unchanged.',
  ],
});
export type MCPRemoteProxy = z.output<typeof mcpRemoteProxy.object>;
