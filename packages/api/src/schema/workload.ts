import { z } from 'zod';
import { cel, listMap, nonEmpty, withRules } from './fields.js';
import type { ReasonSpec } from './resource.js';

// Pieces shared by the workload kinds (MCPServer, MCPRemoteProxy, VirtualMCPServer).

export const sessionAffinity = z
  .enum(['ClientIP', 'None'])
  .default('ClientIP')
  .describe('Service session affinity; keep `ClientIP` for stateful MCP sessions.');

export const envVar = z.object({
  name: z.string().describe('Variable name.'),
  value: z.string().describe('Value.'),
});

/** Reasons shared by the `<Ref>Validated` conditions of the workload kinds. */
export function refReasons(prefix: string, what: string, fetchError: string): Record<string, ReasonSpec> {
  return {
    [`${prefix}Valid`]: { status: 'True', when: `The ${what} exists and is valid.` },
    [`${prefix}NotFound`]: { status: 'False', when: `No ${what} of that name in the namespace.` },
    [`${prefix}Invalid`]: { status: 'False', when: `The ${what} exists but is not valid.` },
    [fetchError]: { status: 'False', when: `The ${what} could not be read; retried.` },
  };
}

export const groupRefReasons = (valid: string): Record<string, ReasonSpec> => ({
  [valid]: { status: 'True', when: 'The group exists and its phase is Ready.' },
  GroupRefNotFound: { status: 'False', when: 'No MCPGroup of that name in the namespace.' },
  GroupRefNotReady: { status: 'False', when: 'The group exists but is not Ready (or has no status yet).' },
});

/** Status fields that copy the `status.configHash` of referenced config objects, by kind. */
export function copiedHashes<const F extends string>(fields: Record<F, string>) {
  return Object.fromEntries(
    Object.entries<string>(fields).map(([field, kind]) => [
      field,
      z
        .string()
        .optional()
        .describe(`\`status.configHash\` of the referenced ${kind}; changes roll the workload.`),
    ]),
  ) as Record<F, z.ZodOptional<z.ZodString>>;
}

const bucket = z
  .object({
    maxTokens: z.int32().min(1).describe('Bucket size: requests allowed in a burst.'),
    refillPeriod: z.string().describe('Time to refill the whole bucket, e.g. `1m`.'),
  })
  .describe('A token bucket.');
/** Token-bucket request limits (MCPServer `spec.rateLimiting`, VirtualMCPServer `spec.config.rateLimiting`). */
export const rateLimiting = withRules(
  z
    .object({
      shared: bucket.optional().describe('One bucket for all callers.'),
      perUser: bucket.optional().describe('One bucket per authenticated caller.'),
      tools: listMap(
        withRules(
          z.object({
            name: nonEmpty('Tool name.'),
            shared: bucket.optional(),
            perUser: bucket.optional(),
          }),
          cel(
            'has(self.shared) || has(self.perUser)',
            'at least one of shared or perUser must be configured',
          ),
        ),
        ['name'],
        'Limits for single tools.',
      ).optional(),
    })
    .describe('Request rate limits; needs Redis session storage.'),
  cel(
    'has(self.shared) || has(self.perUser) || (has(self.tools) && size(self.tools) > 0)',
    'at least one of shared, perUser, or tools must be configured',
  ),
);
