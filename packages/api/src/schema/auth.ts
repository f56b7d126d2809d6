import { z } from 'zod';
import { cel, listAtomic, nonEmpty, objectRef, withRules } from './fields.js';

/**
 * "`field` is set exactly when `type` says so": the rule shape ToolHive's CRDs use for unions. The
 * message is ToolHive's, which words it differently per kind: `setWhen` (authorization configs) or
 * `iff` (MCPExternalAuthConfig).
 */
export function setIffType(field: string, type: string, wording: 'setWhen' | 'iff' = 'setWhen') {
  return cel(
    `self.type == '${type}' ? has(self.${field}) : !has(self.${field})`,
    wording === 'iff'
      ? `${field} configuration must be set if and only if type is '${type}'`
      : `${field} must be set when type is '${type}', and must not be set otherwise`,
  );
}

export const authzConfig = withRules(
  z
    .object({
      type: z
        .enum(['configMap', 'inline'])
        .default('configMap')
        .describe('Where the Cedar policies come from.'),
      configMap: z
        .object({
          name: z.string().describe('Name of the ConfigMap.'),
          key: z.string().default('authz.json').describe('Key holding the authorization config.'),
        })
        .optional()
        .describe('Policies from a ConfigMap; set exactly when `type` is `configMap`.'),
      inline: z
        .object({
          policies: listAtomic(z.string(), 'Cedar policies.').min(1),
          entitiesJson: z.string().default('[]').describe('Cedar entities as a JSON array.'),
          primaryUpstreamProvider: z
            .string()
            .min(1)
            .max(63)
            .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/)
            .optional()
            .describe('Deprecated; has no effect.'),
        })
        .optional()
        .describe('Policies written in place; set exactly when `type` is `inline`.'),
      groupClaimName: z.string().max(253).optional().describe('Token claim holding the caller’s groups.'),
      roleClaimName: z.string().max(253).optional().describe('Token claim holding the caller’s roles.'),
      groupEntityType: z
        .string()
        .max(63)
        .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
        .optional()
        .describe('Cedar entity type for groups.'),
    })
    .describe('Cedar authorization for incoming requests.'),
  setIffType('configMap', 'configMap'),
  setIffType('inline', 'inline'),
);

export const authzConfigRef = objectRef('MCPAuthzConfig').describe('Authorization from an MCPAuthzConfig.');

export const authzExclusive = cel(
  '!(has(self.authzConfig) && has(self.authzConfigRef))',
  'authzConfig and authzConfigRef are mutually exclusive; use authzConfigRef to reference a shared MCPAuthzConfig',
);

export const authServerRef = z
  .object({
    kind: z
      .enum(['MCPExternalAuthConfig'])
      .default('MCPExternalAuthConfig')
      .describe('Kind of the referenced object.'),
    name: nonEmpty('Name of the referenced object.'),
  })
  .describe('An embedded authorization server configured by an MCPExternalAuthConfig.');

export const audit = z
  .object({ enabled: z.boolean().default(false).describe('Log an audit record per request.') })
  .describe('Audit logging.');
