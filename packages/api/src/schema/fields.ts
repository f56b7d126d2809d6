import { z } from 'zod';
import type { CelRule } from './openapi.js';

// Building blocks shared by several kinds. Field names, bounds and defaults follow ToolHive's CRDs so
// that manifests written for its operator are accepted unchanged.

/** A CEL rule with the message the apiserver (and `parse<Kind>()`) reports when it fails. */
export function cel(rule: string, message: string): CelRule {
  return { rule, message };
}

/** Attaches `x-kubernetes-validations` rules to an object schema. */
export function withRules<T extends z.ZodType>(schema: T, ...rules: CelRule[]): T {
  return schema.meta({ 'x-kubernetes-validations': rules });
}

/** An object whose fields the apiserver keeps without checking (`x-kubernetes-preserve-unknown-fields`). */
export function freeform(description: string) {
  return z
    .record(z.string(), z.unknown())
    .meta({ description, 'x-kubernetes-preserve-unknown-fields': true });
}

/** A list whose entries are identified by `keys` (`x-kubernetes-list-type: map`). */
export function listMap<T extends z.ZodType>(item: T, keys: string[], description: string) {
  return z
    .array(item)
    .meta({ description, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': keys });
}

/** A list of unique scalars (`x-kubernetes-list-type: set`). */
export function listSet<T extends z.ZodType>(item: T, description: string) {
  return z.array(item).meta({ description, 'x-kubernetes-list-type': 'set' });
}

/** A list replaced as a whole on merge (`x-kubernetes-list-type: atomic`). */
export function listAtomic<T extends z.ZodType>(item: T, description: string) {
  return z.array(item).meta({ description, 'x-kubernetes-list-type': 'atomic' });
}

/**
 * A string matching `pattern`. The CRD carries the text verbatim (the apiserver reads it as Go RE2),
 * so it stays byte-for-byte ToolHive's; `js` is the same language for zod where RE2 syntax differs.
 */
export function patterned(pattern: string, js: RegExp = new RegExp(pattern)) {
  return z.string().regex(js).meta({ pattern });
}

/** A Go `int` field: an integer with no declared width, as controller-gen emits it. */
export const goInt = () => z.int().meta({ format: '' });

export const port = (description: string) => z.int32().min(1).max(65535).describe(description);
export const replicas = (description: string) => z.int32().min(0).describe(description);
export const nonEmpty = (description: string) => z.string().min(1).describe(description);
export const stringMap = (description: string) => z.record(z.string(), z.string()).describe(description);

export const objectRef = (what: string) =>
  z.object({ name: nonEmpty(`Name of the ${what} in the same namespace.`) });
/** A reference whose name ToolHive's CRD does not require to be non-empty (the controller reports it). */
export const looseObjectRef = (what: string) =>
  z.object({ name: z.string().describe(`Name of the ${what} in the same namespace.`) });

// ToolHive's CRDs default these `name`s to "" (Go's zero value). kube-apiserver 1.20 rejects an
// empty-string default in a CRD, so ours leave `name` optional without one; consumers read an absent
// name as empty, which is what ToolHive's Go code sees.

/** `corev1.LocalObjectReference`: an atomic map with an optional `name`. */
export const localObjectReference = z
  .object({ name: z.string().optional().describe('Name of the object in the same namespace.') })
  .meta({ 'x-kubernetes-map-type': 'atomic' });

// A remote MCP server's address, shared by MCPServerEntry and MCPRemoteProxy (same SSRF rules).
export const remoteUrl = patterned('^https?://').describe(
  'URL of the remote MCP server (`http://` or `https://`).',
);
export const allowPrivateEndpoint = z
  .boolean()
  .default(false)
  .describe('Allow private (RFC 1918, ULA) addresses and `*.cluster.local` hosts.');

export const groupRef = objectRef('MCPGroup').describe(
  'The MCPGroup this resource belongs to (same namespace). Membership is declared here, not on the group.',
);

export const telemetryConfigRef = z
  .object({
    name: nonEmpty('Name of the MCPTelemetryConfig in the same namespace.'),
    serviceName: z
      .string()
      .optional()
      .describe('OpenTelemetry `service.name` for this workload; defaults to the workload name.'),
  })
  .describe('Shared telemetry settings from an MCPTelemetryConfig.');

export const externalAuthConfigRef = looseObjectRef('MCPExternalAuthConfig').describe(
  'Outgoing authentication from an MCPExternalAuthConfig.',
);

export const oidcConfigRef = z
  .object({
    name: nonEmpty('Name of the MCPOIDCConfig in the same namespace.'),
    audience: nonEmpty('Audience the incoming tokens must carry.'),
    scopes: listAtomic(z.string(), 'Scopes advertised to clients; `openid` when empty.').optional(),
    resourceUrl: z.string().optional().describe('Public URL of the protected resource.'),
  })
  .describe('Incoming OIDC authentication from an MCPOIDCConfig.');

export const secretKeyRef = z
  .object({
    name: z.string().describe('Name of the Secret.'),
    key: z.string().describe('Key within the Secret.'),
  })
  .describe('A key of a Secret in the same namespace.');

export const configMapKeySelector = z
  .object({
    name: z.string().optional().describe('Name of the ConfigMap.'),
    key: z.string().describe('Key within the ConfigMap.'),
    optional: z.boolean().optional().describe('Whether the ConfigMap or key may be missing.'),
  })
  .meta({ 'x-kubernetes-map-type': 'atomic' })
  .describe('A key of a ConfigMap in the same namespace.');

export const caBundleSource = z
  .object({ configMapRef: configMapKeySelector.optional() })
  .describe('Where to find a PEM CA bundle.');

export const headerForward = z
  .object({
    addPlaintextHeaders: stringMap(
      'Headers added to every request, in clear text (visible to anyone who can read the resource).',
    ).optional(),
    addHeadersFromSecret: listMap(
      z.object({
        headerName: z.string().min(1).max(255).describe('HTTP header name.'),
        valueSecretRef: secretKeyRef.describe('Secret key holding the header value.'),
      }),
      ['headerName'],
      'Headers whose values come from Secrets.',
    ).optional(),
  })
  .describe('Headers injected into requests to the remote server.');

export const sessionStorage = withRules(
  z
    .object({
      provider: z.enum(['memory', 'redis']).describe('Session store.'),
      address: z.string().min(1).optional().describe('Redis address `host:port`.'),
      db: z.int32().min(0).default(0).describe('Redis database number.'),
      keyPrefix: z.string().optional().describe('Prefix for session keys.'),
      passwordRef: secretKeyRef.optional().describe('Secret key holding the Redis password.'),
    })
    .describe('Where sessions are kept when there is more than one replica.'),
  cel("self.provider == 'redis' ? has(self.address) : true", 'address is required'),
);

const quantity = z.string().describe('A Kubernetes quantity, e.g. `100m` or `128Mi`.');
const cpuMemory = z.object({ cpu: quantity.optional(), memory: quantity.optional() });
export const resources = z
  .object({
    limits: cpuMemory.optional().describe('Upper bounds.'),
    requests: cpuMemory.optional().describe('Guaranteed amounts.'),
  })
  .describe('CPU and memory for the container.');

const metadataOverrides = z.object({
  annotations: stringMap('Annotations to add.').optional(),
  labels: stringMap('Labels to add; labels the controller needs win on conflict.').optional(),
});
export const resourceOverrides = z
  .object({
    proxyDeployment: metadataOverrides
      .extend({
        podTemplateMetadataOverrides: metadataOverrides.optional().describe('Pod template metadata.'),
        env: listMap(
          z.object({
            name: z.string().describe('Variable name.'),
            value: z.string().describe('Value.'),
          }),
          ['name'],
          'Environment variables for the proxy container.',
        ).optional(),
        imagePullSecrets: listAtomic(localObjectReference, 'Pull secrets for the proxy image.').optional(),
      })
      .optional()
      .describe('Overrides for the generated Deployment.'),
    proxyService: metadataOverrides.optional().describe('Overrides for the generated Service.'),
  })
  .describe('Metadata and environment added to the generated objects.');

const samplingRate = z
  .string()
  .regex(/^(0(\.\d+)?|1(\.0+)?)$/)
  .default('0.05')
  .describe('Fraction of traces sampled, between 0 and 1, as a string.');
export const prometheusConfig = z
  .object({ enabled: z.boolean().default(false).describe('Expose `/metrics` on the workload.') })
  .describe('Prometheus scraping.');
export const tracingConfig = z
  .object({ enabled: z.boolean().default(false).describe('Export traces.'), samplingRate })
  .describe('OpenTelemetry tracing.');
export const metricsConfig = z
  .object({ enabled: z.boolean().default(false).describe('Export metrics over OTLP.') })
  .describe('OpenTelemetry metrics.');

// metav1.Condition, with the apiserver's own bounds.
export const condition = z.object({
  type: z
    .string()
    .max(316)
    .regex(
      /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$/,
    )
    .describe('Condition type, in CamelCase.'),
  status: z.enum(['True', 'False', 'Unknown']).describe('Status of the condition.'),
  observedGeneration: z.int().min(0).optional().describe('The generation the condition was computed for.'),
  lastTransitionTime: z.string().meta({ format: 'date-time' }).describe('When the status last changed.'),
  reason: z
    .string()
    .min(1)
    .max(1024)
    .regex(/^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/)
    .describe('Machine-readable reason for the status.'),
  message: z.string().max(32768).describe('Human-readable details.'),
});
export const conditions = listMap(condition, ['type'], 'Current state, one entry per condition type.');
export const observedGeneration = z
  .int()
  .min(0)
  .describe('The `metadata.generation` the status was computed for.');
