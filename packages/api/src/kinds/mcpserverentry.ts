import { z } from 'zod';
import {
  allowPrivateEndpoint,
  caBundleSource,
  conditions,
  externalAuthConfigRef,
  groupRef,
  headerForward,
  observedGeneration,
  remoteUrl,
} from '../schema/fields.js';
import { ageColumn, conditionCatalog, defineKind } from '../schema/resource.js';

export const mcpServerEntryConditions = conditionCatalog({
  RemoteURLValidated: {
    description: 'Whether `spec.remoteUrl` passed the SSRF rules.',
    reasons: {
      RemoteURLValid: { status: 'True', when: 'The URL is allowed.' },
      RemoteURLInvalid: { status: 'False', when: 'The URL is malformed or points at a blocked address.' },
    },
  },
  GroupRefValidated: {
    description: 'Whether the referenced MCPGroup exists and is ready.',
    reasons: {
      GroupRefIsValid: { status: 'True', when: 'The group exists and its phase is Ready.' },
      GroupRefNotFound: { status: 'False', when: 'No MCPGroup of that name in the namespace.' },
      GroupRefNotReady: { status: 'False', when: 'The group exists but is not Ready.' },
    },
  },
  ExternalAuthConfigValidated: {
    description: 'Whether the referenced MCPExternalAuthConfig exists.',
    reasons: {
      AuthConfigNotConfigured: { status: 'True', when: 'No reference is set.' },
      AuthConfigValid: { status: 'True', when: 'The config exists.' },
      AuthConfigNotFound: { status: 'False', when: 'The config does not exist.' },
    },
  },
  CABundleRefValidated: {
    description: 'Whether the CA bundle ConfigMap exists and holds the key the entry names.',
    reasons: {
      CABundleRefNotConfigured: { status: 'True', when: 'No reference is set.' },
      CABundleRefValid: { status: 'True', when: 'The ConfigMap exists and holds `configMapRef.key`.' },
      CABundleRefNotFound: {
        status: 'False',
        when: 'The ConfigMap does not exist, or lacks `configMapRef.key` (ToolHive checks only the ConfigMap; the message names the key).',
      },
    },
  },
  HeaderSecretRefsValidated: {
    description: 'Whether every Secret key named in `headerForward.addHeadersFromSecret` exists.',
    reasons: {
      HeaderSecretsValid: { status: 'True', when: 'Every Secret and key exists.' },
      HeaderSecretNotFound: { status: 'False', when: 'A Secret or key is missing; the message lists each.' },
    },
  },
  Valid: {
    description: 'Summary of the other conditions.',
    reasons: {
      ConfigValid: { status: 'True', when: 'All referenced resources are valid.' },
      ConfigInvalid: { status: 'False', when: 'One or more referenced resources are missing or invalid.' },
    },
  },
});

export const mcpServerEntry = defineKind({
  kind: 'MCPServerEntry',
  plural: 'mcpserverentries',
  shortNames: ['mcpentry'],
  family: 'entries',
  description:
    'A catalog entry for a remote MCP server that a VirtualMCPServer reaches directly; nothing is deployed for it.',
  specRequired: true,
  spec: z.object({
    remoteUrl,
    allowPrivateEndpoint,
    transport: z
      .enum(['sse', 'streamable-http'])
      .describe('MCP transport of the remote server (no default).'),
    groupRef: groupRef,
    externalAuthConfigRef: externalAuthConfigRef.optional(),
    headerForward: headerForward.optional(),
    caBundleRef: caBundleSource.optional().describe('CA bundle for the remote server’s TLS certificate.'),
  }),
  status: z.object({
    observedGeneration: observedGeneration.optional(),
    phase: z.enum(['Valid', 'Pending', 'Failed']).default('Pending').describe('Overall state of the entry.'),
    conditions: conditions.optional(),
  }),
  printerColumns: [
    { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
    { name: 'Transport', type: 'string', jsonPath: '.spec.transport' },
    { name: 'Remote URL', type: 'string', jsonPath: '.spec.remoteUrl' },
    { name: 'Group', type: 'string', jsonPath: '.spec.groupRef.name' },
    ageColumn,
  ],
  conditions: mcpServerEntryConditions,
});
export type MCPServerEntry = z.output<typeof mcpServerEntry.object>;
