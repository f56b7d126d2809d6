import { describe, expect, it } from 'vitest';
import { canonicalJson, semanticEqual, stableHash } from '../src/hash.js';

describe('canonical JSON and stable hashes', () => {
  it('does not depend on key order or undefined members', () => {
    const a = { spec: { b: 1, a: [{ y: 2, x: 1 }] }, extra: undefined };
    const b = { spec: { a: [{ x: 1, y: 2 }], b: 1 } };
    expect(canonicalJson(a)).toBe('{"spec":{"a":[{"x":1,"y":2}],"b":1}}');
    expect(stableHash(a)).toBe(stableHash(b));
    expect(semanticEqual(a, b)).toBe(true);
  });

  it('keeps array order significant and changes with any value', () => {
    expect(stableHash([1, 2])).not.toBe(stableHash([2, 1]));
    expect(stableHash({ a: 1 })).not.toBe(stableHash({ a: '1' }));
  });

  it('is stable across runs (a fixed digest) and truncates on request', () => {
    expect(stableHash({ b: 2, a: 1 })).toBe(
      '43258cff783fe7036d8a43033f830adfc60ec037382473548ac742b888292777',
    );
    expect(stableHash({ a: 1, b: 2 }, 16)).toBe('43258cff783fe703');
  });
});

describe('canonical JSON of special values', () => {
  it('writes null for undefined, keeps undefined array slots as null, and dates as ISO strings', () => {
    expect(canonicalJson(undefined)).toBe('null');
    expect(canonicalJson([1, undefined, { b: 1, a: 2 }])).toBe('[1,null,{"a":2,"b":1}]');
    expect(canonicalJson({ at: new Date('2026-01-02T03:04:05.000Z') })).toBe(
      '{"at":"2026-01-02T03:04:05.000Z"}',
    );
    expect(semanticEqual(undefined, null)).toBe(true);
  });
});
