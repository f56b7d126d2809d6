import { describe, expect, it } from 'vitest';
import { RequestTally } from '../src/client/tally.js';
import { KernelMetrics } from '../src/metrics.js';

/** Prometheus text of the registry, for assertions on what a scraper sees. */
const scrape = (m: KernelMetrics): Promise<string> => m.registry.metrics();

/** The sample lines of one metric (without HELP/TYPE). */
async function samples(m: KernelMetrics, name: string): Promise<string[]> {
  return (await scrape(m))
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));
}

describe('KernelMetrics', () => {
  it("uses controller-runtime's metric names and types, so its dashboards carry over", async () => {
    const text = await scrape(new KernelMetrics({ processMetrics: false }));
    const types = Object.fromEntries(
      text
        .split('\n')
        .filter((line) => line.startsWith('# TYPE '))
        .map((line): [string, string] => {
          const [name = '', type = ''] = line.slice('# TYPE '.length).split(' ');
          return [name, type];
        }),
    );
    expect(types).toEqual({
      controller_runtime_reconcile_total: 'counter',
      controller_runtime_reconcile_errors_total: 'counter',
      controller_runtime_terminal_reconcile_errors_total: 'counter',
      controller_runtime_reconcile_panics_total: 'counter',
      controller_event_mapping_errors_total: 'counter',
      controller_runtime_reconcile_time_seconds: 'histogram',
      controller_runtime_max_concurrent_reconciles: 'gauge',
      controller_runtime_active_workers: 'gauge',
      workqueue_depth: 'gauge',
      workqueue_adds_total: 'counter',
      workqueue_queue_duration_seconds: 'histogram',
      workqueue_work_duration_seconds: 'histogram',
      workqueue_retries_total: 'counter',
      leader_election_master_status: 'gauge',
      rest_client_requests_total: 'counter',
    });
  });

  it('adds the process metrics only when asked (on by default)', async () => {
    expect(await scrape(new KernelMetrics())).toContain('process_cpu_user_seconds_total');
    expect(await scrape(new KernelMetrics({ processMetrics: false }))).not.toContain('process_cpu');
  });

  it('buckets reconcile times from 5 ms to 60 s and queue times from 10 ns to 1000 s, as controller-runtime', async () => {
    const m = new KernelMetrics({ processMetrics: false });
    m.reconcileTime.observe({ controller: 'c' }, 0.001);
    m.queueLatency.observe({ name: 'c', controller: 'c' }, 0.001);
    m.workDuration.observe({ name: 'c', controller: 'c' }, 0.001);
    const bounds = async (name: string) =>
      (await samples(m, `${name}_bucket`)).map((line) => /le="([^"]+)"/.exec(line)?.[1]);
    const reconcile = await bounds('controller_runtime_reconcile_time_seconds');
    expect(reconcile).toHaveLength(41);
    expect(reconcile.slice(0, 3)).toEqual(['0.005', '0.01', '0.025']);
    expect(reconcile.slice(-3)).toEqual(['50', '60', '+Inf']);
    const queue = await bounds('workqueue_queue_duration_seconds');
    expect(queue).toHaveLength(13);
    expect(Number(queue[0])).toBeCloseTo(1e-8, 20);
    expect(Number(queue[11])).toBeCloseTo(1000, 6);
    expect(await bounds('workqueue_work_duration_seconds')).toEqual(queue);
  });

  it('pre-initialises every series of a registered controller to zero, and its concurrency', async () => {
    const m = new KernelMetrics({ processMetrics: false });
    m.registerController('widgets', 3, ['pods', 'secrets']);
    expect(await samples(m, 'controller_runtime_reconcile_total')).toEqual([
      'controller_runtime_reconcile_total{controller="widgets",result="success"} 0',
      'controller_runtime_reconcile_total{controller="widgets",result="error"} 0',
      'controller_runtime_reconcile_total{controller="widgets",result="requeue"} 0',
      'controller_runtime_reconcile_total{controller="widgets",result="requeue_after"} 0',
    ]);
    for (const name of [
      'controller_runtime_reconcile_errors_total',
      'controller_runtime_terminal_reconcile_errors_total',
      'controller_runtime_reconcile_panics_total',
      'controller_runtime_active_workers',
    ]) {
      expect(await samples(m, name)).toEqual([`${name}{controller="widgets"} 0`]);
    }
    expect(await samples(m, 'controller_runtime_max_concurrent_reconciles')).toEqual([
      'controller_runtime_max_concurrent_reconciles{controller="widgets"} 3',
    ]);
    expect(await samples(m, 'workqueue_depth')).toEqual([
      'workqueue_depth{name="widgets",controller="widgets"} 0',
    ]);
    expect(await samples(m, 'controller_event_mapping_errors_total')).toEqual([
      'controller_event_mapping_errors_total{controller="widgets",resource="pods"} 0',
      'controller_event_mapping_errors_total{controller="widgets",resource="secrets"} 0',
    ]);
  });

  it('pre-initialises no mapping series for a controller without watched resources', async () => {
    const m = new KernelMetrics({ processMetrics: false });
    m.registerController('widgets', 1);
    expect(await samples(m, 'controller_event_mapping_errors_total')).toEqual([]);
  });

  it('reports leadership per lease name', async () => {
    const m = new KernelMetrics({ processMetrics: false });
    m.leaderStatus.set({ name: 'widgets.toolhive.stacklok.dev' }, 1);
    expect(await samples(m, 'leader_election_master_status')).toEqual([
      'leader_election_master_status{name="widgets.toolhive.stacklok.dev"} 1',
    ]);
  });

  it("feeds a controller's queue observer into the workqueue series under its name", async () => {
    const m = new KernelMetrics({ processMetrics: false });
    const observer = m.queueObserver('widgets');
    observer.onAdd?.('a');
    observer.onAdd?.('b');
    observer.onDepth?.(7);
    observer.onQueueLatency?.(0.5);
    observer.onWorkDuration?.(2);
    observer.onWorkDuration?.(3);
    observer.onRetry?.('a');
    const labels = '{name="widgets",controller="widgets"}';
    expect(await samples(m, 'workqueue_adds_total')).toEqual([`workqueue_adds_total${labels} 2`]);
    expect(await samples(m, 'workqueue_depth')).toEqual([`workqueue_depth${labels} 7`]);
    expect(await samples(m, 'workqueue_retries_total')).toEqual([`workqueue_retries_total${labels} 1`]);
    expect(await samples(m, 'workqueue_queue_duration_seconds_sum')).toEqual([
      `workqueue_queue_duration_seconds_sum${labels} 0.5`,
    ]);
    expect(await samples(m, 'workqueue_work_duration_seconds_sum')).toEqual([
      `workqueue_work_duration_seconds_sum${labels} 5`,
    ]);
    expect(await samples(m, 'workqueue_work_duration_seconds_count')).toEqual([
      `workqueue_work_duration_seconds_count${labels} 2`,
    ]);
  });

  it('counts every request a tally records into rest_client_requests_total by code, verb and resource', async () => {
    const m = new KernelMetrics({ processMetrics: false });
    const tally = new RequestTally();
    m.countRequests(tally);
    tally.record({ verb: 'get', resource: 'pods', code: 200 });
    tally.record({ verb: 'get', resource: 'pods', code: 200 });
    tally.record({ verb: 'patch', resource: 'pods', code: 0 });
    expect(await samples(m, 'rest_client_requests_total')).toEqual([
      'rest_client_requests_total{code="200",verb="get",resource="pods"} 2',
      'rest_client_requests_total{code="0",verb="patch",resource="pods"} 1',
    ]);
  });
});

describe('RequestTally', () => {
  const tally = (): RequestTally => {
    const t = new RequestTally();
    for (const r of [
      { verb: 'list', resource: 'pods', code: 200 },
      { verb: 'list', resource: 'pods', code: 200 },
      { verb: 'create', resource: 'pods', code: 201 },
      { verb: 'update', resource: 'pods', code: 409 },
      { verb: 'patch', resource: 'leases', code: 200 },
      { verb: 'delete', resource: 'leases', code: 0 },
      { verb: 'watch', resource: 'leases', code: 200 },
    ])
      t.record(r);
    return t;
  };

  it('counts by any combination of verb, resource and code', () => {
    const t = tally();
    expect(t.count()).toBe(7);
    expect(t.count({ verb: 'list' })).toBe(2);
    expect(t.count({ resource: 'leases' })).toBe(3);
    expect(t.count({ code: 200 })).toBe(4);
    expect(t.count({ verb: 'list', resource: 'leases' })).toBe(0);
    expect(t.count({ verb: 'patch', resource: 'leases', code: 200 })).toBe(1);
    expect(t.count({ verb: 'patch', resource: 'leases', code: 500 })).toBe(0);
  });

  it('counts writes (create, update, patch, delete), not reads or watches, optionally for one resource', () => {
    const t = tally();
    expect(t.writes()).toBe(4);
    expect(t.writes('pods')).toBe(2);
    expect(t.writes('leases')).toBe(2);
    expect(t.writes('secrets')).toBe(0);
  });

  it('lists one entry per verb, resource and code, as copies', () => {
    const t = tally();
    const entries = t.entries();
    expect(entries).toHaveLength(6);
    expect(entries[0]).toEqual({ verb: 'list', resource: 'pods', code: 200, count: 2 });
    entries[0]!.count = 100;
    expect(t.count({ verb: 'list' })).toBe(2);
  });

  it('tells observers of every request, in order', () => {
    const t = new RequestTally();
    const seen: string[] = [];
    t.onRequest((r) => seen.push(`a ${r.verb} ${r.code}`));
    t.onRequest((r) => seen.push(`b ${r.verb} ${r.code}`));
    t.record({ verb: 'get', resource: 'pods', code: 404 });
    t.record({ verb: 'get', resource: 'pods', code: 404 });
    expect(seen).toEqual(['a get 404', 'b get 404', 'a get 404', 'b get 404']);
  });
});
