import { describe, expect, it } from 'vitest';
import {
  conditionsEqual,
  findCondition,
  isConditionTrue,
  mergeOwnedConditions,
  removeCondition,
  replaceConditions,
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

  it('replaces with exactly the given types, keeping the transition time of an unchanged one', () => {
    const stored = setConditions([], [ready, { ...ready, type: 'Optional' }], 1, t0);
    const next = replaceConditions(stored, [{ ...ready, message: 'again' }], 2, t1);
    expect(next).toEqual([
      { ...ready, message: 'again', lastTransitionTime: '2026-01-01T00:00:00Z', observedGeneration: 2 },
    ]);
    expect(replaceConditions(undefined, [ready], 1, t0).map((c) => c.type)).toEqual(['Ready']);
  });

  it('merges only owned types, keeping other writers entries', () => {
    const stored = setConditions([], [ready, { ...ready, type: 'Theirs' }], 1, t0);
    const ours = setConditions([], [{ ...ready, status: 'False', reason: 'Mine' }], 2, t1);
    const merged = mergeOwnedConditions(stored, ours, ['Ready']);
    expect(merged.map((c) => `${c.type}=${c.status}`)).toEqual(['Ready=False', 'Theirs=True']);
  });

  it('merges in place by type: owned entries keep their position, new ones are appended', () => {
    const stored = setConditions(
      [],
      [ready, { ...ready, type: 'Theirs' }, { ...ready, type: 'Gone' }, { ...ready, type: 'Last' }],
      1,
      t0,
    );
    const ours = setConditions(
      [],
      [
        { ...ready, type: 'New' },
        { ...ready, status: 'False' },
      ],
      2,
      t1,
    );
    const merged = mergeOwnedConditions(stored, ours, ['Ready', 'Gone', 'New']);
    // Ready stays first, Gone (owned, not stated) is removed, New is appended, foreign entries stay.
    expect(merged.map((c) => `${c.type}=${c.status}`)).toEqual([
      'Ready=False',
      'Theirs=True',
      'Last=True',
      'New=True',
    ]);
    // What another writer merges next must not move ours: merging is a fixed point.
    const theirs = mergeOwnedConditions(merged, [findCondition(merged, 'Theirs')!], ['Theirs']);
    expect(theirs).toEqual(merged);
  });

  it('compares condition lists as maps by type', () => {
    const a = setConditions([], [ready, { ...ready, type: 'Theirs' }], 1, t0);
    expect(conditionsEqual(a, [...a].reverse())).toBe(true);
    expect(conditionsEqual(a, undefined)).toBe(false);
    expect(conditionsEqual([], undefined)).toBe(true);
    expect(conditionsEqual(a, a.slice(0, 1))).toBe(false);
    expect(conditionsEqual(a, setCondition(a, { ...ready, message: 'other' }, 1, t0))).toBe(false);
    // Same length, different types.
    expect(conditionsEqual(a, setConditions([], [ready, { ...ready, type: 'Other' }], 1, t0))).toBe(false);
  });
});
