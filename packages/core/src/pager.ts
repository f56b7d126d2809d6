/**
 * A complete list in pages (`limit` + `continue`), as client-go's pager: when a `continue` token has
 * expired (410 on a continued page: the snapshot it pointed into was compacted, typical for large
 * lists on a busy cluster), the pages read so far are dropped and ONE full list without `limit` is
 * made instead. Restarting at page 1 would only expire again and loop. Any other failure, including
 * a failure of that full list, is thrown to the caller, who backs off.
 */
import { isGone } from './client/errors.js';
import type { KubeList } from './object.js';

export interface PageQuery {
  limit?: number;
  continue?: string;
}

export interface ListResult<T> {
  items: T[];
  resourceVersion: string | undefined;
}

export async function listAllPages<T>(
  fetchPage: (query: PageQuery) => Promise<KubeList<T>>,
  pageSize: number,
  onExpired: (err: unknown) => void,
): Promise<ListResult<T>> {
  const items: T[] = [];
  let next: string | undefined;
  let resourceVersion: string | undefined;
  do {
    let page: KubeList<T>;
    try {
      page = await fetchPage({ limit: pageSize, continue: next });
    } catch (err) {
      if (next === undefined || !isGone(err)) throw err;
      onExpired(err);
      const full = await fetchPage({});
      return { items: full.items, resourceVersion: full.metadata.resourceVersion };
    }
    for (const item of page.items) items.push(item);
    next = page.metadata.continue || undefined;
    resourceVersion = page.metadata.resourceVersion;
  } while (next);
  return { items, resourceVersion };
}
