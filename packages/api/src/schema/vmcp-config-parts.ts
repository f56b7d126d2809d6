import { z } from 'zod';
import { duration } from './authserver.js';
import { goInt, listAtomic, patterned } from './fields.js';

// The larger pieces of VirtualMCPServer `spec.config`, with ToolHive's fields and defaults:
// composite tools, and the runtime's own incoming/outgoing auth blocks (which the controller
// overwrites from `spec.incomingAuth` and `spec.outgoingAuth`, as ToolHive's operator does).

/** Any JSON value, kept as written (`x-kubernetes-preserve-unknown-fields` with no type). */
const anyValue = (description: string) =>
  z.unknown().meta({ description, 'x-kubernetes-preserve-unknown-fields': true });
/** A JSON object kept as written. */
const anyObject = (description: string) =>
  z.record(z.string(), z.unknown()).meta({ description, 'x-kubernetes-preserve-unknown-fields': true });

const toolAnnotations = z
  .object({
    title: z.string().optional(),
    readOnlyHint: z.boolean().optional(),
    destructiveHint: z.boolean().optional(),
    idempotentHint: z.boolean().optional(),
    openWorldHint: z.boolean().optional(),
  })
  .describe('MCP tool annotations.');

const stepOutcome = (actions: readonly [string, ...string[]], what: string) =>
  z
    .object({ action: z.enum(actions).default('abort').describe(`What to do when ${what}.`) })
    .describe(`Handling when ${what}.`);

const workflowStep = z.object({
  id: z.string().describe('Step ID, unique in the tool; other steps refer to it.'),
  type: z.enum(['tool', 'elicitation', 'forEach']).default('tool').describe('Kind of step.'),
  tool: z.string().optional().describe('Backend tool to call, as `workload.tool`.'),
  arguments: anyObject('Arguments of the call; values may be templates.').optional(),
  condition: z.string().optional().describe('Template; the step runs only when it renders true.'),
  dependsOn: z.array(z.string()).optional().describe('Steps that must finish first.'),
  onError: z
    .object({
      action: z.enum(['abort', 'continue', 'retry']).default('abort').describe('What to do on failure.'),
      retryCount: goInt().optional().describe('Retries when `action` is `retry`.'),
      retryDelay: duration('Pause between retries.').optional(),
    })
    .optional()
    .describe('Handling when the step fails.'),
  message: z.string().optional().describe('Question put to the user (elicitation).'),
  schema: anyObject('JSON Schema of the expected answer (elicitation).').optional(),
  timeout: duration('Time the step may take.').optional(),
  onDecline: stepOutcome(['skip_remaining', 'abort', 'continue'], 'the user declines').optional(),
  onCancel: stepOutcome(['skip_remaining', 'abort', 'continue'], 'the user cancels').optional(),
  defaultResults: anyValue('Results used when the step is skipped.').optional(),
  collection: z.string().optional().describe('Template giving the list to iterate (forEach).'),
  itemVar: z.string().optional().describe('Name of the loop variable (forEach).'),
  maxParallel: goInt().optional().describe('Iterations run at once (forEach).'),
  maxIterations: goInt().optional().describe('Most iterations (forEach).'),
  step: anyObject('The step run per item (forEach).').optional(),
});

export const compositeTool = z.object({
  name: z.string().describe('Tool name offered to clients.'),
  description: z.string().optional().describe('Tool description offered to clients.'),
  parameters: anyObject('JSON Schema of the tool’s input.').optional(),
  timeout: duration('Time the whole workflow may take.').optional(),
  steps: z.array(workflowStep).describe('The workflow.'),
  output: z
    .object({
      properties: z
        .record(
          z.string(),
          z.object({
            type: z
              .enum(['string', 'integer', 'number', 'boolean', 'object', 'array'])
              .describe('JSON type of the field.'),
            description: z.string().optional(),
            value: z.string().optional().describe('Template computing the field.'),
            properties: anyObject('Nested fields (objects).').optional(),
            default: anyValue('Value when the template gives none.').optional(),
          }),
        )
        .describe('Output fields.'),
      required: z.array(z.string()).optional().describe('Fields always present.'),
    })
    .optional()
    .describe('Shape of the tool’s result; the last step’s result when unset.'),
  annotations: toolAnnotations.optional(),
});

export const runtimeIncomingAuth = z
  .object({
    type: z.string().describe('`anonymous`, `local` or `oidc`.'),
    oidc: z
      .object({
        issuer: patterned('^https?://').describe('OIDC issuer.'),
        clientId: z.string(),
        clientSecretEnv: z.string().optional(),
        audience: z.string(),
        resource: z.string().optional(),
        scopes: z.array(z.string()).optional(),
        jwksUrl: z.string().optional(),
        introspectionUrl: z.string().optional(),
        caBundlePath: z.string().optional(),
        insecureAllowHttp: z.boolean().optional(),
        jwksAllowPrivateIp: z.boolean().optional(),
        protectedResourceAllowPrivateIp: z.boolean().optional(),
      })
      .optional()
      .describe('Token validation.'),
    authz: z
      .object({
        type: z.string(),
        policies: z.array(z.string()).optional(),
        entitiesJson: z.string().optional(),
        primaryUpstreamProvider: z.string().optional(),
        groupClaimName: z.string().optional(),
        roleClaimName: z.string().optional(),
        groupEntityType: z.string().optional(),
      })
      .optional()
      .describe('Cedar authorization.'),
  })
  .describe('Client authentication as the runtime reads it; set by the controller.');

const scopes = listAtomic(z.string(), 'Scopes to request.').optional();
/** The client side of an OAuth token endpoint: what token exchange and on-behalf-of share. */
const tokenEndpoint = z.object({
  tokenUrl: z.string(),
  clientId: z.string().optional(),
  clientSecret: z.string().optional(),
  clientSecretEnv: z.string().optional(),
  audience: z.string().optional(),
  scopes,
});
const backendStrategy = z.object({
  type: z.string().describe('Strategy name.'),
  headerInjection: z
    .object({
      headerName: z.string(),
      headerValue: z.string().optional(),
      headerValueEnv: z.string().optional(),
    })
    .optional(),
  tokenExchange: tokenEndpoint
    .extend({
      subjectTokenType: z.string().optional(),
      subjectProviderName: z.string().optional(),
    })
    .optional(),
  upstreamInject: z.object({ providerName: z.string() }).optional(),
  awsSts: z
    .object({
      region: z.string(),
      service: z.string().optional(),
      fallbackRoleArn: z.string().optional(),
      roleMappings: listAtomic(
        z.object({
          claim: z.string().optional(),
          matcher: z.string().optional(),
          roleArn: z.string(),
          priority: goInt().optional(),
        }),
        'Claim-to-role rules.',
      ).optional(),
      roleClaim: z.string().optional(),
      sessionDuration: z.int32().optional(),
      sessionNameClaim: z.string().optional(),
      subjectProviderName: z.string().optional(),
    })
    .optional(),
  obo: tokenEndpoint
    .extend({
      subjectTokenProviderName: z.string().optional(),
      cacheSkewSeconds: z.int32().optional(),
    })
    .optional(),
  xaa: z
    .object({
      idpTokenUrl: z.string(),
      idpClientId: z.string().optional(),
      idpClientSecret: z.string().optional(),
      idpClientSecretEnv: z.string().optional(),
      targetTokenUrl: z.string(),
      targetAudience: z.string(),
      targetResource: z.string().optional(),
      targetClientId: z.string().optional(),
      targetClientSecret: z.string().optional(),
      targetClientSecretEnv: z.string().optional(),
      scopes,
      subjectTokenType: z.string().optional(),
      subjectProviderName: z.string().optional(),
      insecureTargetTokenUrl: z.boolean().optional(),
    })
    .optional(),
});

export const runtimeOutgoingAuth = z
  .object({
    source: z.string().describe('`inline` or `discovered`.'),
    default: backendStrategy.optional().describe('Strategy for backends not in `backends`.'),
    backends: z.record(z.string(), backendStrategy).optional().describe('Strategy per backend.'),
  })
  .describe('Backend authentication as the runtime reads it; set by the controller.');
