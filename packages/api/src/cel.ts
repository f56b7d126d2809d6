import { Environment } from '@marcbachmann/cel-js';
import type { OpenApiSchema } from './schema/openapi.js';

/** A problem with one field, as `parse<Kind>()` reports it. `path` is dotted, e.g. `spec.env[0].name`. */
export interface FieldError {
  path: string;
  message: string;
}

// Standard CEL plus macros is all the rules in this package use; `self` is the only variable, as in
// the apiserver. Rules are compiled once and reused.
const env = new Environment({ unlistedVariablesAreDyn: true });
const compiled = new Map<string, ReturnType<Environment['parse']>>();

function compile(rule: string): ReturnType<Environment['parse']> {
  let program = compiled.get(rule);
  if (!program) {
    program = env.parse(rule);
    compiled.set(rule, program);
  }
  return program;
}

/** Evaluates one rule against `self`; a rule that errors (e.g. reads an absent field) fails, as in the apiserver. */
export function evaluateRule(rule: string, self: unknown): { ok: true } | { ok: false; error?: string } {
  try {
    return compile(rule)({ self }) === true ? { ok: true } : { ok: false };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * Every `x-kubernetes-validations` rule in `schema` that `value` breaks, found the way the apiserver
 * finds them: each rule runs with `self` bound to the value at the rule's place, and only where that
 * value is present. OpenAPI integers become CEL ints (BigInt) first, so `self.replicas == 1` compares
 * like types.
 */
export function celViolations(schema: OpenApiSchema, value: unknown): FieldError[] {
  const errors: FieldError[] = [];
  visit(schema, toCel(schema, value), '', errors);
  return errors;
}

function visit(schema: OpenApiSchema, value: unknown, path: string, errors: FieldError[]): void {
  if (value === undefined || value === null) return;
  for (const { rule, message } of schema['x-kubernetes-validations'] ?? []) {
    const result = evaluateRule(rule, value);
    if (!result.ok) {
      errors.push({ path, message: result.error ? `${message} (rule failed: ${result.error})` : message });
    }
  }
  if (Array.isArray(value)) {
    if (schema.items)
      value.forEach((item, i) => {
        visit(schema.items!, item, `${path}[${i}]`, errors);
      });
    return;
  }
  if (typeof value !== 'object') return;
  const record = value as Record<string, unknown>;
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    visit(child, record[key], path ? `${path}.${key}` : key, errors);
  }
  const extra = schema.additionalProperties;
  if (typeof extra === 'object') {
    for (const [key, child] of Object.entries(record)) visit(extra, child, `${path}[${key}]`, errors);
  }
}

function toCel(schema: OpenApiSchema | undefined, value: unknown): unknown {
  if (schema === undefined || value === null || value === undefined) return value;
  if (schema.type === 'integer' && typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  if (Array.isArray(value)) return value.map((item) => toCel(schema.items, item));
  if (typeof value !== 'object') return value;
  const extra = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([key, child]) => [
      key,
      toCel(schema.properties?.[key] ?? extra, child),
    ]),
  );
}
