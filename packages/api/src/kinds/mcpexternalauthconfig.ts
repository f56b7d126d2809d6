import { z } from 'zod';
import { setIffType } from '../schema/auth.js';
import { embeddedAuthServer } from '../schema/authserver.js';
import {
  cel,
  conditions,
  listAtomic,
  nonEmpty,
  patterned,
  observedGeneration,
  secretKeyRef,
  withRules,
} from '../schema/fields.js';
import {
  ageColumn,
  conditionCatalog,
  conditionColumn,
  defineKind,
  validCondition,
} from '../schema/resource.js';

export const mcpExternalAuthConfigFinalizer = 'mcpexternalauthconfig.toolhive.stacklok.dev/finalizer';

export const mcpExternalAuthConfigConditions = conditionCatalog({
  Valid: validCondition,
});

const authTypes = [
  'tokenExchange',
  'headerInjection',
  'bearerToken',
  'unauthenticated',
  'embeddedAuthServer',
  'awsSts',
  'upstreamInject',
  'obo',
  'xaa',
] as const;
/** Types with a sub-object of the same name; `unauthenticated` has none. */
const configuredTypes = authTypes.filter((t) => t !== 'unauthenticated');

const tokenExchange = z
  .object({
    tokenUrl: z.string().describe('OAuth 2.0 token endpoint that performs the RFC 8693 exchange.'),
    audience: z.string().describe('Audience of the token to obtain.'),
    clientId: z.string().optional().describe('OAuth client ID.'),
    clientSecretRef: secretKeyRef.optional().describe('Secret key holding the client secret.'),
    scopes: listAtomic(z.string(), 'Scopes to request.').optional(),
    subjectTokenType: z
      .string()
      .regex(/^(access_token|id_token|jwt|urn:ietf:params:oauth:token-type:(access_token|id_token|jwt))?$/)
      .optional()
      .describe('Type of the incoming token.'),
    externalTokenHeaderName: z
      .string()
      .optional()
      .describe('Send the new token in this header instead of Authorization.'),
    subjectProviderName: z.string().optional().describe('Upstream provider whose token is exchanged.'),
  })
  .describe('Exchange the caller’s token for one the backend accepts (RFC 8693).');

const headerInjection = z
  .object({
    headerName: nonEmpty('Header to set.'),
    valueSecretRef: secretKeyRef.describe('Secret key holding the header value.'),
  })
  .describe('Send a fixed header whose value comes from a Secret.');

const bearerToken = z
  .object({ tokenSecretRef: secretKeyRef.describe('Secret key holding the token.') })
  .describe('Send `Authorization: Bearer <token>` with a token from a Secret.');

const arnPattern = String.raw`^arn:(aws|aws-cn|aws-us-gov):iam::\d{12}:role/[\w+=,.@\-_/]+$`;
const awsSts = z
  .object({
    region: patterned(String.raw`^[a-z]{2}(-[a-z]+)+-\d+$`)
      .min(1)
      .describe('AWS region of the STS endpoint.'),
    service: z.string().default('aws-mcp').describe('Service name used when signing requests (SigV4).'),
    fallbackRoleArn: patterned(arnPattern).optional().describe('Role assumed when no mapping matches.'),
    roleMappings: listAtomic(
      z.object({
        claim: z.string().min(1).optional().describe('Claim value that selects the role.'),
        matcher: z.string().min(1).optional().describe('Expression over the claims that selects the role.'),
        roleArn: patterned(arnPattern).describe('Role to assume.'),
        priority: z.int32().min(0).optional().describe('Lower wins when several mappings match.'),
      }),
      'Rules choosing the IAM role from the caller’s claims.',
    ).optional(),
    roleClaim: z.string().default('groups').describe('Claim the mappings look at.'),
    sessionDuration: z
      .int32()
      .min(900)
      .max(43200)
      .default(3600)
      .describe('Lifetime of the temporary credentials, in seconds.'),
    sessionNameClaim: z.string().default('sub').describe('Claim used as the role session name.'),
    subjectProviderName: z.string().optional().describe('Upstream provider whose token is presented to STS.'),
  })
  .describe('Exchange the caller’s identity for temporary AWS credentials and sign requests with them.');

const upstreamInject = z
  .object({
    providerName: z
      .string()
      .min(1)
      .describe('Upstream provider (of the embedded auth server) whose token is sent.'),
  })
  .describe('Send the token the caller obtained from an upstream provider.');

const obo = z
  .object({
    authority: patterned(String.raw`^https://[^\s?#@]+[^/\s?#@]$`)
      .optional()
      .describe('Identity provider base URL.'),
    tenantId: patterned(
      String.raw`^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]{2,})$`,
    )
      .max(253)
      .optional()
      .describe('Directory (tenant) ID or domain.'),
    clientId: z.string().optional().describe('Client ID of this proxy at the provider.'),
    clientSecretRef: secretKeyRef.optional().describe('Secret key holding the client secret.'),
    audience: z.string().optional().describe('Audience of the token to obtain.'),
    scopes: listAtomic(z.string().min(1).max(256), 'Scopes to request.').max(20).optional(),
    subjectTokenProviderName: patterned('^[a-z0-9]([a-z0-9-]*[a-z0-9])?$')
      .min(1)
      .max(63)
      .optional()
      .describe('Upstream provider whose token is exchanged.'),
    cacheSkew: z.string().optional().describe('Renew cached tokens this long before they expire.'),
  })
  .describe('On-behalf-of exchange: trade the caller’s token for one issued to this proxy for them.');

const xaa = z
  .object({
    idpTokenUrl: patterned('^https://.*$').describe('Token endpoint of the enterprise identity provider.'),
    idpClientId: z.string().optional().describe('Client ID at the identity provider.'),
    idpClientSecretRef: secretKeyRef.optional().describe('Secret key holding that client’s secret.'),
    targetTokenUrl: z.string().describe('Token endpoint of the target’s authorization server.'),
    targetAudience: z.string().describe('Audience of the identity assertion.'),
    targetResource: z.string().optional().describe('Resource indicator of the target.'),
    targetClientId: z.string().optional().describe('Client ID at the target.'),
    targetClientSecretRef: secretKeyRef.optional().describe('Secret key holding that client’s secret.'),
    scopes: listAtomic(z.string(), 'Scopes to request.').optional(),
    subjectTokenType: z
      .enum(['urn:ietf:params:oauth:token-type:id_token'])
      .optional()
      .describe('Type of the subject token.'),
    subjectProviderName: z.string().optional().describe('Upstream provider whose token is the subject.'),
    insecureTargetTokenUrl: z.boolean().optional().describe('Allow a plain-HTTP target token URL.'),
  })
  .describe('Cross-app access: get an identity assertion from the IdP and trade it at the target.');

export const mcpExternalAuthConfig = defineKind({
  kind: 'MCPExternalAuthConfig',
  plural: 'mcpexternalauthconfigs',
  shortNames: ['extauth', 'mcpextauth'],
  family: 'externalAuth',
  description:
    'How a proxy or vMCP authenticates to a backend MCP server. Referenced by `externalAuthConfigRef`.',
  specRequired: true,
  spec: withRules(
    z.object({
      type: z
        .enum(authTypes)
        .describe('Which kind of authentication; the sub-object of the same name configures it.'),
      tokenExchange: tokenExchange.optional(),
      headerInjection: headerInjection.optional(),
      bearerToken: bearerToken.optional(),
      embeddedAuthServer: embeddedAuthServer.optional(),
      awsSts: awsSts.optional(),
      upstreamInject: upstreamInject.optional(),
      obo: obo.optional(),
      xaa: xaa.optional(),
    }),
    ...configuredTypes.map((t) => setIffType(t, t, 'iff')),
    cel(
      `self.type == 'unauthenticated' ? (${configuredTypes.map((t) => `!has(self.${t})`).join(' && ')}) : true`,
      "no configuration must be set when type is 'unauthenticated'",
    ),
  ),
  status: z.object({
    observedGeneration: observedGeneration.optional(),
    configHash: z.string().optional().describe('Changes when and only when the spec changes.'),
    conditions: conditions.optional(),
  }),
  printerColumns: [
    { name: 'Type', type: 'string', jsonPath: '.spec.type' },
    conditionColumn('Valid', 'Valid'),
    ageColumn,
  ],
  conditions: mcpExternalAuthConfigConditions,
  finalizer: mcpExternalAuthConfigFinalizer,
});
export type MCPExternalAuthConfig = z.output<typeof mcpExternalAuthConfig.object>;
