import { z } from 'zod';

/** The subset of OpenAPI v3 that a Kubernetes structural schema uses. */
export interface OpenApiSchema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  format?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  required?: string[];
  properties?: Record<string, OpenApiSchema>;
  additionalProperties?: OpenApiSchema | boolean;
  items?: OpenApiSchema;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-validations'?: CelRule[];
}

/** A CEL validation rule as `x-kubernetes-validations` carries it. */
export interface CelRule {
  rule: string;
  message: string;
}

const int32Max = 2 ** 31 - 1;
const int32Min = -(2 ** 31);

/**
 * Turns a zod schema into a Kubernetes structural schema. zod's own JSON Schema export does the
 * walking; this pass removes what apiextensions rejects or does not need (`$schema`, `propertyNames`,
 * `additionalProperties: false`, the implicit safe-integer bounds) and names integer widths, because
 * the apiserver validates `int32`/`int64` and kubectl shows them.
 */
export function structuralSchema(schema: z.ZodType): OpenApiSchema {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', reused: 'inline' });
  return normalize(json);
}

function normalize(node: Record<string, unknown>): OpenApiSchema {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    switch (key) {
      case '$schema':
      case 'propertyNames':
      case 'id':
        break;
      case 'properties':
        out[key] = Object.fromEntries(
          Object.entries(value as Record<string, Record<string, unknown>>).map(([k, v]) => [k, normalize(v)]),
        );
        break;
      case 'items':
        out[key] = normalize(value as Record<string, unknown>);
        break;
      case 'additionalProperties':
        if (typeof value === 'object' && value !== null && Object.keys(value).length > 0) {
          out[key] = normalize(value as Record<string, unknown>);
        }
        break;
      default:
        out[key] = value;
    }
  }
  if (out.type === 'integer') nameIntegerWidth(out);
  // An empty format marks an integer of no declared width (`goInt()`).
  if (out.format === '') delete out.format;
  if (out['x-kubernetes-preserve-unknown-fields'] === true) {
    // The apiserver keeps every unknown field here, so `additionalProperties` must go; `type` stays
    // absent for a node that may hold any JSON value.
    delete out.additionalProperties;
  }
  if (Array.isArray(out.required) && out.required.length === 0) delete out.required;
  return out;
}

function nameIntegerWidth(node: Record<string, unknown>): void {
  const max = node.maximum as number | undefined;
  const min = node.minimum as number | undefined;
  const wide = max === Number.MAX_SAFE_INTEGER || (max !== undefined && max > int32Max);
  node.format ??= wide ? 'int64' : 'int32';
  if (max === Number.MAX_SAFE_INTEGER || max === int32Max) delete node.maximum;
  if (min === Number.MIN_SAFE_INTEGER || min === int32Min) delete node.minimum;
}

/** Every `x-kubernetes-validations` rule in a schema, with the dotted path of the node that has it. */
export function celRulesIn(schema: OpenApiSchema, path: string): (CelRule & { path: string })[] {
  const rules = (schema['x-kubernetes-validations'] ?? []).map((r) => ({ path, ...r }));
  for (const [name, child] of Object.entries(schema.properties ?? {})) {
    rules.push(...celRulesIn(child, `${path}.${name}`));
  }
  if (schema.items) rules.push(...celRulesIn(schema.items, `${path}[]`));
  if (typeof schema.additionalProperties === 'object') {
    rules.push(...celRulesIn(schema.additionalProperties, `${path}{name}`));
  }
  return rules;
}
