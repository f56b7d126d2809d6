import { z } from 'zod';
import { setIffType } from '../schema/auth.js';
import {
  cel,
  conditions,
  freeform,
  listAtomic,
  nonEmpty,
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
      embeddedAuthServer: freeform(
        'An authorization server run inside the proxy (ToolHive’s schema).',
      ).optional(),
      awsSts: freeform('AWS STS credentials (ToolHive’s schema).').optional(),
      upstreamInject: freeform('Tokens from an upstream provider (ToolHive’s schema).').optional(),
      obo: freeform('On-behalf-of flow (ToolHive’s schema).').optional(),
      xaa: freeform('Cross-app access (ToolHive’s schema).').optional(),
    }),
    ...configuredTypes.map((t) => setIffType(t, t)),
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
