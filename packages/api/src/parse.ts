import type { z } from 'zod';
import { celViolations, type FieldError } from './cel.js';
import type { KindDefinition, Resource } from './schema/resource.js';

export type ParseResult<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

/**
 * Checks an object the way the CRD does: the OpenAPI part (types, enums, patterns, bounds, with
 * defaults applied) through zod, then every CEL rule. Controllers re-check with this because the
 * apiserver may be too old to enforce CEL (< 1.25) or the object may predate a rule.
 */
export function parseResource<Spec extends z.ZodType, Status extends z.ZodType>(
  definition: KindDefinition<Spec, Status>,
  input: unknown,
): ParseResult<Resource<z.output<Spec>, z.output<Status>>> {
  const parsed = definition.object.safeParse(input);
  const errors: FieldError[] = parsed.success
    ? []
    : parsed.error.issues.map((issue) => ({ path: fieldPath(issue.path), message: issue.message }));
  errors.push(...celViolations(definition.openApi(), parsed.success ? parsed.data : input));
  if (parsed.success && errors.length === 0) return { ok: true, value: parsed.data };
  return { ok: false, errors };
}

function fieldPath(path: PropertyKey[]): string {
  return path.reduce<string>((out, part) => {
    if (typeof part === 'number') return `${out}[${part}]`;
    return out ? `${out}.${String(part)}` : String(part);
  }, '');
}

/** `path: message` lines, for a condition message or a log field. */
export function formatFieldErrors(errors: FieldError[]): string {
  return errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join('; ');
}
