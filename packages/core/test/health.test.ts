import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiErrorFrom } from '../src/client/errors.js';
import { healthKey, healthOf, HealthTracker, worstHealth, type InformerHealth } from '../src/health.js';
import { silentLogger } from '../src/log.js';

const widgets = { group: 'example.dev', version: 'v1', plural: 'widgets', kind: 'Widget', namespaced: true };
const err = (code: number) => apiErrorFrom(code, '{}', 'list', '/apis/example.dev/v1/widgets');
const grace = 30_000;
const at = (synced: boolean, error: unknown, failingSince: number | undefined, now: number) =>
  healthOf({ synced, error, failingSince }, widgets, now, grace);

afterEach(() => {
  vi.useRealTimers();
});

describe('healthOf', () => {
  it('is syncing before any list attempt finished, ok once synced without a failure', () => {
    expect(at(false, undefined, undefined, 0)).toEqual({ state: 'syncing' });
    expect(at(true, undefined, undefined, 0)).toEqual({ state: 'ok' });
  });

  it('reports failures before the first sync at once', () => {
    expect(at(false, err(500), 1_000, 1_500)).toMatchObject({ state: 'failing', code: 500, sinceMs: 500 });
    expect(at(false, err(404), 1_000, 1_000)).toMatchObject({ state: 'missing' });
    expect(at(false, new Error('connect ECONNREFUSED'), 0, 0)).toMatchObject({ state: 'failing' });
    expect(at(false, new Error('x'), 0, 0)).not.toHaveProperty('code');
  });

  it('after the sync, reports 401 and 403 at once and other failures only after the grace period', () => {
    expect(at(true, err(403), 1_000, 1_000)).toMatchObject({ state: 'failing', code: 403, sinceMs: 0 });
    expect(at(true, err(401), 1_000, 1_001)).toMatchObject({ state: 'failing', code: 401 });
    expect(at(true, err(503), 1_000, 1_000 + grace - 1)).toEqual({ state: 'ok' });
    expect(at(true, err(503), 1_000, 1_000 + grace)).toMatchObject({
      state: 'failing',
      code: 503,
      sinceMs: grace,
    });
    expect(at(true, err(404), 1_000, 1_000 + grace - 1)).toEqual({ state: 'ok' });
    expect(at(true, err(404), 1_000, 1_000 + grace)).toMatchObject({ state: 'missing' });
  });

  it('says what to do in its cause', () => {
    const h = at(true, err(403), 0, 0);
    expect(h.state === 'failing' && h.cause).toContain('grant this controller');
    const m = at(false, err(404), 0, 0);
    expect(m.state === 'missing' && m.cause).toContain('CRD is not installed');
  });
});

describe('worstHealth', () => {
  it('prefers failing over missing over syncing over ok, and the longest failure', () => {
    const failing = (sinceMs: number): InformerHealth => ({ state: 'failing', cause: 'x', sinceMs });
    expect(worstHealth([])).toEqual({ state: 'ok' });
    expect(worstHealth([{ state: 'ok' }, { state: 'syncing' }]).state).toBe('syncing');
    expect(worstHealth([{ state: 'syncing' }, { state: 'missing', cause: 'm' }]).state).toBe('missing');
    expect(worstHealth([{ state: 'missing', cause: 'm' }, failing(1), failing(5), failing(2)])).toEqual(
      failing(5),
    );
  });

  it('keys health by state and failing status code', () => {
    expect(healthKey({ state: 'failing', cause: 'a', code: 403, sinceMs: 1 })).toBe('failing:403');
    expect(healthKey({ state: 'failing', cause: 'b', code: 403, sinceMs: 9 })).toBe('failing:403');
    expect(healthKey({ state: 'ok' })).toBe('ok');
  });
});

describe('HealthTracker', () => {
  it('tells listeners when a failure outlasts the grace period, without another event', async () => {
    vi.useFakeTimers();
    const tracker = new HealthTracker(widgets, grace, silentLogger);
    const heard: string[] = [];
    tracker.onChange(() => heard.push(healthKey(tracker.health())));
    tracker.synced = true;
    tracker.succeeded(true);
    expect(heard).toEqual(['ok']);
    tracker.failed(err(503));
    await vi.advanceTimersByTimeAsync(grace - 100);
    tracker.failed(err(503)); // a retry failing again does not restart the streak
    expect(heard).toEqual(['ok']);
    await vi.advanceTimersByTimeAsync(200);
    expect(heard).toEqual(['ok', 'failing:503']);
    expect(tracker.health()).toMatchObject({ sinceMs: grace + 100 });
    tracker.failed(err(403));
    expect(heard).toEqual(['ok', 'failing:503', 'failing:403']);
    expect(tracker.succeeded(true)).toBe(true);
    expect(heard).toEqual(['ok', 'failing:503', 'failing:403', 'ok']);
    expect(tracker.lastError()).toBeUndefined();
    tracker.stop();
  });

  it('a success that does not end the streak keeps it failing', async () => {
    vi.useFakeTimers();
    const tracker = new HealthTracker(widgets, 1_000, silentLogger);
    tracker.synced = true;
    tracker.succeeded(true);
    tracker.failed(err(410));
    await vi.advanceTimersByTimeAsync(500);
    expect(tracker.succeeded(false)).toBe(false);
    await vi.advanceTimersByTimeAsync(600);
    expect(tracker.health()).toMatchObject({ state: 'failing', code: 410 });
    expect(tracker.msSinceSuccess()).toBe(600);
    tracker.stop();
  });
});
