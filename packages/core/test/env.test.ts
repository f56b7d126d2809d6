import { describe, expect, it } from 'vitest';
import { lastValuePerName } from '../src/env.js';

describe('lastValuePerName', () => {
  it('keeps a name set twice once, with its last value in its last place', () => {
    const env = [
      { name: 'A', value: '1' },
      { name: 'B', value: '2' },
      { name: 'A', value: '3' },
      { name: 'C', value: '4' },
    ];
    expect(lastValuePerName(env)).toEqual([
      { name: 'B', value: '2' },
      { name: 'A', value: '3' },
      { name: 'C', value: '4' },
    ]);
  });

  it('leaves a list without repeats as it is, in a new array of the same objects', () => {
    const env = [{ name: 'A' }, { name: 'B' }];
    const settled = lastValuePerName(env);
    expect(settled).toEqual(env);
    expect(settled).not.toBe(env);
    expect(settled[1]).toBe(env[1]);
    expect(lastValuePerName([])).toEqual([]);
  });
});
