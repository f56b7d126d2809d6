// Small measuring helpers of `pnpm bench`: the backends a `config.yaml` lists (a cheap scan, so a
// watch event can be checked without a 300 KB YAML parse), the controller's writes between two
// points by verb and resource, its reconcile count and time from the manager's metrics, medians.
// Pure but for `reconcileStats`, which reads the in-process metrics registry.
import type { Manager, RequestRecord } from '@mcp-controllers/core';
import { parse } from 'yaml';

const backendLine = /^ {4}- name: (.+)\n {6}url: (.+)$/gm;

/**
 * name -> url of each backend of a rendered `config.yaml`, by its layout (goyaml.ts: four-space
 * indent, `name` then `url`). `checkBackendScan` proves it against a full parse.
 */
export function backendsIn(yaml: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const match of yaml.matchAll(backendLine)) out.set(match[1] ?? '', match[2] ?? '');
  return out;
}

/** Throws when `backendsIn` and a full YAML parse disagree (the layout changed: fix the scan). */
export function checkBackendScan(yaml: string): void {
  const parsed = parse(yaml) as { backends?: { name: string; url: string }[] };
  const full = new Map((parsed.backends ?? []).map((b) => [b.name, b.url]));
  const scanned = backendsIn(yaml);
  if (full.size !== scanned.size || [...full].some(([name, url]) => scanned.get(name) !== url)) {
    throw new Error(
      `the bench's backend scan found ${scanned.size} backends where config.yaml has ${full.size}: update backendsIn() to the new layout`,
    );
  }
}

type Tally = { entries(): (RequestRecord & { count: number })[] };
export type TallySnapshot = Map<string, number>;

const writeVerbs = new Set(['create', 'update', 'patch', 'delete']);
const label = (e: RequestRecord) =>
  `${e.verb} ${e.resource}${e.code >= 300 || e.code === 0 ? ` -> ${e.code}` : ''}`;

/** The writes counted so far, by `verb resource` (and the code when it was not a success). */
export function snapshot(tally: Tally): TallySnapshot {
  const out: TallySnapshot = new Map();
  for (const e of tally.entries()) {
    if (writeVerbs.has(e.verb)) out.set(label(e), (out.get(label(e)) ?? 0) + e.count);
  }
  return out;
}

export interface WriteBreakdown {
  total: number;
  configMaps: number;
  deployments: number;
  status: number;
  events: number;
  /** Every non-zero line, `verb resource: n`, sorted. */
  lines: string[];
}

/** The writes between two snapshots, split into the kinds the goals name. */
export function writesBetween(before: TallySnapshot, after: TallySnapshot): WriteBreakdown {
  const out: WriteBreakdown = { total: 0, configMaps: 0, deployments: 0, status: 0, events: 0, lines: [] };
  for (const [key, count] of after) {
    const n = count - (before.get(key) ?? 0);
    if (n === 0) continue;
    out.total += n;
    out.lines.push(`${key}: ${n}`);
    const resource = key.split(' ')[1] ?? '';
    if (resource === 'configmaps') out.configMaps += n;
    else if (resource === 'deployments.apps') out.deployments += n;
    else if (resource.endsWith('/status')) out.status += n;
    else if (resource.startsWith('events')) out.events += n;
  }
  out.lines.sort();
  return out;
}

export interface ReconcileStats {
  count: number;
  seconds: number;
}

/** Reconciles of `controller` so far and the time they took (`controller_runtime_reconcile_time_seconds`). */
export async function reconcileStats(manager: Manager, controller: string): Promise<ReconcileStats> {
  const metric = await manager.metrics.reconcileTime.get();
  const of = (suffix: string) =>
    metric.values.find(
      (v) =>
        (v as { metricName?: string }).metricName === `controller_runtime_reconcile_time_seconds_${suffix}` &&
        v.labels.controller === controller,
    )?.value ?? 0;
  return { count: of('count'), seconds: of('sum') };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}
