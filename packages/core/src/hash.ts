/**
 * Canonical JSON and a stable digest of it. Object keys are sorted and `undefined` members dropped,
 * so the digest of a value does not depend on key order, on how the object was built, or on the run.
 * Array order is kept: it is meaningful in Kubernetes objects.
 */
import { createHash } from 'node:crypto';

export function canonicalJson(value: unknown): string {
  // JSON.stringify returns undefined (despite its type) for a top-level undefined.
  const json = JSON.stringify(sortKeys(value)) as string | undefined;
  return json ?? 'null';
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : sortKeys(item)));
  if (value instanceof Date) return value.toISOString();
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const member = (value as Record<string, unknown>)[key];
      if (member !== undefined) out[key] = sortKeys(member);
    }
    return out;
  }
  return value;
}

/** SHA-256 of the canonical JSON, hex; `length` truncates (e.g. 16 for annotations and labels). */
export function stableHash(value: unknown, length = 64): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, length);
}

/** Deep equality of two JSON values, ignoring key order and undefined members. */
export function semanticEqual(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}
