// What the whole-system bench reads off the controllers and the cluster, computed from text and
// lists it is handed: the writes of a `/metrics` exposition split into leases, Events and the rest;
// VmRSS / VmHWM of a `/proc/<pid>/status`; the objects each controller generated (by controller
// owner reference); the write floor; the final table. Pure: the I/O is in run.ts.
import type { Scale } from './fleet.js';
import type { ControllerName } from '../test/controllers.js';

/** Requests of one exposition by `verb resource` (plus ` -> code` when not a success). */
export type RequestLines = Map<string, number>;

const writeVerbs = new Set(['create', 'update', 'patch', 'delete']);
const leaseResource = 'leases.coordination.k8s.io';
const eventResource = 'events.events.k8s.io';

const labelOf = (labels: string, name: string) => new RegExp(`${name}="([^"]*)"`).exec(labels)?.[1] ?? '';

/** The `rest_client_requests_total` series, both clients (the controllers', the election's). */
export function requestLines(exposition: string): RequestLines {
  const out: RequestLines = new Map();
  for (const line of exposition.split('\n')) {
    const match = /^rest_client_requests_total\{([^}]*)\} (\S+)$/.exec(line);
    if (!match) continue;
    const labels = match[1] ?? '';
    const verb = labelOf(labels, 'verb');
    const code = Number(labelOf(labels, 'code'));
    const key = `${verb} ${labelOf(labels, 'resource')}${code >= 200 && code < 300 ? '' : ` -> ${code}`}`;
    out.set(key, (out.get(key) ?? 0) + Number(match[2]));
  }
  return out;
}

export function linesBetween(before: RequestLines, after: RequestLines): RequestLines {
  const out: RequestLines = new Map();
  for (const [key, n] of after) {
    const delta = n - (before.get(key) ?? 0);
    if (delta !== 0) out.set(key, delta);
  }
  return out;
}

export interface WriteSummary {
  /** Every write but the Lease's (Events included). */
  writes: number;
  /** Lease creates and renewals (the election client): a leader renews every retry period. */
  leases: number;
  /** Events written (counted in `writes` too): not needed for the end state. */
  events: number;
  /** Writes answered with something other than 2xx (409 conflicts mostly), counted in `writes`. */
  failed: number;
  /** Every other request but the Lease's: gets, lists, watches (each watch counts once, as it starts). */
  reads: number;
  /** `verb resource: n` of the writes, leases left out, sorted. */
  lines: string[];
  /** The same for the reads. */
  readLines: string[];
}

export function summarise(lines: RequestLines): WriteSummary {
  const out: WriteSummary = {
    writes: 0,
    leases: 0,
    events: 0,
    failed: 0,
    reads: 0,
    lines: [],
    readLines: [],
  };
  for (const [key, n] of lines) {
    const [verb = '', resource] = key.split(' ');
    if (resource === leaseResource) {
      if (writeVerbs.has(verb)) out.leases += n;
      continue;
    }
    if (!writeVerbs.has(verb)) {
      out.reads += n;
      out.readLines.push(`${key}: ${n}`);
      continue;
    }
    out.writes += n;
    if (resource === eventResource) out.events += n;
    if (key.includes(' -> ')) out.failed += n;
    out.lines.push(`${key}: ${n}`);
  }
  out.lines.sort();
  out.readLines.sort();
  return out;
}

export interface Reconciles {
  count: number;
  /** Time spent in reconciles (the sum of `controller_runtime_reconcile_time_seconds`). */
  seconds: number;
}

/** Reconciles finished and the time they took, over every controller of one binary's exposition. */
export function reconcilesOf(exposition: string): Reconciles {
  const out: Reconciles = { count: 0, seconds: 0 };
  for (const line of exposition.split('\n')) {
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (line.startsWith('controller_runtime_reconcile_total{')) out.count += value;
    else if (line.startsWith('controller_runtime_reconcile_time_seconds_sum{')) out.seconds += value;
  }
  return out;
}

export interface Memory {
  rss: number;
  hwm: number;
}

/** VmRSS and VmHWM of a `/proc/<pid>/status` text, in bytes; undefined when absent (process gone). */
export function memoryOf(status: string): Memory | undefined {
  const kb = (name: string) => new RegExp(`^${name}:\\s+(\\d+)\\s+kB$`, 'm').exec(status)?.[1];
  const rss = kb('VmRSS');
  const hwm = kb('VmHWM');
  return rss === undefined || hwm === undefined
    ? undefined
    : { rss: Number(rss) * 1024, hwm: Number(hwm) * 1024 };
}

export interface Owned {
  metadata: { ownerReferences?: { kind: string; controller?: boolean }[] };
}

/** Objects whose controller owner reference is of `kind`, by the listed resource's kind. */
export function generatedBy(lists: Map<string, Owned[]>, kind: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const [resourceKind, items] of lists) {
    const n = items.filter((o) =>
      o.metadata.ownerReferences?.some((r) => r.controller === true && r.kind === kind),
    ).length;
    if (n > 0) out.set(resourceKind, n);
  }
  return out;
}

const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

/**
 * The fewest writes that reach the end state, per controller (module header of run.ts): one status
 * write per object; each generated object created once; the finalizer where the controller adds one
 * (servers, telemetry configs; groups, entries and vMCPs have none).
 */
export function floorOf(
  scale: Scale,
  telemetryConfigs: number,
  generated: { server: Map<string, number>; vmcp: Map<string, number> },
): Record<ControllerName, number> {
  return {
    group: scale.groups,
    telemetry: telemetryConfigs * 2,
    entry: scale.entries,
    server: scale.servers * 2 + sum(generated.server),
    vmcp: scale.vmcps + sum(generated.vmcp),
  };
}

export interface Row {
  controller: ControllerName;
  kind: string;
  count: number;
  settledMs: number | undefined;
  writes: WriteSummary;
  floor: number;
  idle: WriteSummary;
  /** Until settled. */
  reconciles: Reconciles;
  memory: { idle?: Memory; loaded?: Memory };
}

const mb = (bytes: number | undefined) =>
  bytes === undefined ? '-' : `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const seconds = (ms: number | undefined) => (ms === undefined ? 'never' : `${(ms / 1000).toFixed(1)} s`);

/** The final table, one row per controller, columns padded to their widest cell. */
export function table(rows: Row[], idleMs: number): string {
  const header = [
    'controller',
    'kind (n)',
    'settled at',
    'writes',
    'floor',
    'ratio',
    'reconciles',
    'busy',
    `idle ${idleMs / 1000}s`,
    'leases',
    'RSS idle',
    'RSS loaded',
    'peak',
  ];
  const cells = rows.map((r) => [
    r.controller,
    `${r.kind} (${r.count})`,
    seconds(r.settledMs),
    `${r.writes.writes}`,
    `${r.floor}`,
    // Before its kind settled the floor counts only what was generated so far: no ratio.
    r.floor > 0 && r.settledMs !== undefined ? `${(r.writes.writes / r.floor).toFixed(2)}x` : '-',
    `${r.reconciles.count}`,
    seconds(r.reconciles.seconds * 1000),
    `${r.idle.writes}`,
    `${r.writes.leases}+${r.idle.leases}`,
    mb(r.memory.idle?.rss),
    mb(r.memory.loaded?.rss),
    mb(r.memory.loaded?.hwm),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: string[]) =>
    c.map((cell, i) => (i < 2 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ');
  return [line(header), ...cells.map(line)].join('\n');
}
