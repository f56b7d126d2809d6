import { describe, expect, it } from 'vitest';
import {
  findCondition,
  isConditionTrue,
  mergeOwnedConditions,
  removeCondition,
  setCondition,
  setConditions,
  type Condition,
} from '../src/conditions.js';

const t0 = new Date('2026-01-01T00:00:00.123Z');
const t1 = new Date('2026-01-01T00:05:00Z');
const ready = { type: 'Ready', status: 'True', reason: 'AllGood', message: 'fine' } as const;

describe('conditions', () => {
  it('adds a condition with a whole-second transition time and the generation', () => {
    const list = setCondition(undefined, ready, 3, t0);
    expect(list).toEqual([{ ...ready, lastTransitionTime: '2026-01-01T00:00:00Z', observedGeneration: 3 }]);
  });

  it('keeps lastTransitionTime when the status stays, but updates reason, message and generation', () => {
    const first = setCondition([], ready, 1, t0);
    const second = setCondition(first, { ...ready, reason: 'StillGood', message: 'still' }, 2, t1);
    expect(second[0]).toEqual({
      type: 'Ready',
      status: 'True',
      reason: 'StillGood',
      message: 'still',
      lastTransitionTime: '2026-01-01T00:00:00Z',
      observedGeneration: 2,
    });
  });

  it('moves lastTransitionTime when the status flips', () => {
    const first = setCondition([], ready, 1, t0);
    const flipped = setCondition(first, { ...ready, status: 'False', reason: 'Broken' }, 1, t1);
    expect(flipped[0]?.lastTransitionTime).toBe('2026-01-01T00:05:00Z');
    expect(isConditionTrue(flipped, 'Ready')).toBe(false);
  });

  it('never mutates its input and keeps one entry per type in order', () => {
    const input: Condition[] = setConditions([], [ready, { ...ready, type: 'Synced' }], 1, t0);
    const frozen = JSON.stringify(input);
    const out = setCondition(input, { ...ready, status: 'False' }, 2, t1);
    expect(JSON.stringify(input)).toBe(frozen);
    expect(out.map((c) => c.type)).toEqual(['Ready', 'Synced']);
    expect(removeCondition(out, 'Ready').map((c) => c.type)).toEqual(['Synced']);
    expect(findCondition(out, 'Nope')).toBeUndefined();
  });

  it('merges only owned types, keeping other writers entries', () => {
    const stored = setConditions([], [ready, { ...ready, type: 'Theirs' }], 1, t0);
    const ours = setConditions([], [{ ...ready, status: 'False', reason: 'Mine' }], 2, t1);
    const merged = mergeOwnedConditions(stored, ours, ['Ready']);
    expect(merged.map((c) => `${c.type}=${c.status}`)).toEqual(['Theirs=True', 'Ready=False']);
  });
});
