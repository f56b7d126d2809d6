import { describe, expect, it } from 'vitest';
import { canonicalQuantity, isQuantity } from '../src/quantity.js';

describe('canonicalQuantity', () => {
  it.each([
    ['0.5', '500m'],
    ['1.0', '1'],
    ['1000', '1k'],
    ['1500m', '1500m'],
    ['100m', '100m'],
    ['0', '0'],
    ['0.000', '0'],
    ['12e2', '1200'],
    ['1e3', '1e3'],
    ['1.5e3', '1500'],
    ['128Mi', '128Mi'],
    ['1024Mi', '1Gi'],
    ['1.5Gi', '1536Mi'],
    ['2000Mi', '2000Mi'],
    ['0.5Ki', '512'],
    ['1023', '1023'],
    ['1Ki', '1Ki'],
    ['1n', '1n'],
    ['0.1n', '1n'],
    ['1.0000000001', '1000000001n'],
    ['-1', '-1'],
    ['-0.5', '-500m'],
    ['+2', '2'],
    [' 100m ', '100m'],
    ['1000E', '1000E'],
  ])('%s -> %s', (input, canonical) => {
    expect(canonicalQuantity(input)).toBe(canonical);
  });

  it.each(['', 'abc', '1Q', '.', 'Mi', '1.2.3', '1e', '1eX'])('%j is not a quantity', (input) => {
    expect(canonicalQuantity(input)).toBeUndefined();
    expect(isQuantity(input)).toBe(false);
  });

  it('accepts what it canonicalises', () => {
    expect(isQuantity('1.5Gi')).toBe(true);
    expect(isQuantity(' 2 ')).toBe(true);
  });
});
