import { describe, expect, it } from 'vitest';
import { apiErrorFrom } from '../src/client/errors.js';
import type { KubeList } from '../src/object.js';
import { listAllPages, type PageQuery } from '../src/pager.js';

/** A fake server of `total` numbered items, `expire` deciding which continued pages answer 410. */
function server(total: number, expire: (q: PageQuery) => boolean = () => false) {
  const queries: PageQuery[] = [];
  const fetchPage = (q: PageQuery): Promise<KubeList<number>> => {
    queries.push(q);
    if (q.continue !== undefined && expire(q)) {
      return Promise.reject(apiErrorFrom(410, '{"reason":"Expired"}', 'list', '/x'));
    }
    const from = q.continue === undefined ? 0 : Number(q.continue);
    const to = q.limit === undefined ? total : Math.min(total, from + q.limit);
    const items = Array.from({ length: to - from }, (_, i) => from + i);
    return Promise.resolve({
      metadata: {
        resourceVersion: q.limit === undefined ? 'full' : `rv-${from}`,
        continue: to < total ? String(to) : '',
      },
      items,
    });
  };
  return { fetchPage, queries };
}

describe('listAllPages', () => {
  it('reads every page', async () => {
    const { fetchPage, queries } = server(25);
    const expired: unknown[] = [];
    const result = await listAllPages(fetchPage, 10, (e) => expired.push(e));
    expect(result.items).toEqual(Array.from({ length: 25 }, (_, i) => i));
    expect(result.resourceVersion).toBe('rv-20');
    expect(queries.map((q) => q.continue)).toEqual([undefined, '10', '20']);
    expect(expired).toEqual([]);
  });

  it('answers an expired continue token with ONE full list without limit, not page 1 again', async () => {
    const { fetchPage, queries } = server(25, () => true);
    const expired: unknown[] = [];
    const result = await listAllPages(fetchPage, 10, (e) => expired.push(e));
    expect(result.items).toEqual(Array.from({ length: 25 }, (_, i) => i)); // no duplicates from page 1
    expect(result.resourceVersion).toBe('full');
    expect(queries).toEqual([{ limit: 10, continue: undefined }, { limit: 10, continue: '10' }, {}]);
    expect(expired).toHaveLength(1);
  });

  it('throws a 410 on the first page, and a failure of the full list', async () => {
    const first = (): Promise<KubeList<number>> => Promise.reject(apiErrorFrom(410, '{}', 'list', '/x'));
    await expect(listAllPages(first, 10, () => undefined)).rejects.toMatchObject({ code: 410 });

    let calls = 0;
    const failing = (q: PageQuery): Promise<KubeList<number>> => {
      calls++;
      if (q.continue !== undefined) return Promise.reject(apiErrorFrom(410, '{}', 'list', '/x'));
      if (q.limit === undefined) return Promise.reject(apiErrorFrom(503, '{}', 'list', '/x'));
      return Promise.resolve({ metadata: { continue: 'next' }, items: [1] });
    };
    await expect(listAllPages(failing, 1, () => undefined)).rejects.toMatchObject({ code: 503 });
    expect(calls).toBe(3);
  });
});
