/**
 * Counts requests by verb, resource and HTTP code (0 when no answer came: network error, deadline,
 * credentials). Every attempt counts, retries after a 401 or a 429 included, so the tally is what the
 * apiserver saw. The manager exports it as `rest_client_requests_total`.
 */
export interface RequestRecord {
  verb: string;
  resource: string;
  code: number;
}

export class RequestTally {
  private readonly counts = new Map<string, RequestRecord & { count: number }>();
  private readonly observers: ((r: RequestRecord) => void)[] = [];

  record(r: RequestRecord): void {
    const key = `${r.verb} ${r.resource} ${r.code}`;
    const entry = this.counts.get(key) ?? { ...r, count: 0 };
    entry.count++;
    this.counts.set(key, entry);
    for (const observe of this.observers) observe(r);
  }

  onRequest(observer: (r: RequestRecord) => void): void {
    this.observers.push(observer);
  }

  /** Total of the requests matching every given field (`{verb: 'patch'}` counts all patches). */
  count(filter: Partial<RequestRecord> = {}): number {
    let total = 0;
    for (const entry of this.counts.values()) {
      if (filter.verb !== undefined && entry.verb !== filter.verb) continue;
      if (filter.resource !== undefined && entry.resource !== filter.resource) continue;
      if (filter.code !== undefined && entry.code !== filter.code) continue;
      total += entry.count;
    }
    return total;
  }

  /** Writes: create, update, patch, delete. */
  writes(resource?: string): number {
    return ['create', 'update', 'patch', 'delete']
      .map((verb) => this.count(resource === undefined ? { verb } : { verb, resource }))
      .reduce((a, b) => a + b, 0);
  }

  entries(): (RequestRecord & { count: number })[] {
    return [...this.counts.values()].map((e) => ({ ...e }));
  }
}
