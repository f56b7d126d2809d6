// Waiting for the whole fleet to settle: the kernel's cache (one list and one watch per kind,
// cluster-wide: the bench's namespaces are the only ones with toolhive objects) is read every
// `pollMs`, judging each object with fleet.ts `settledState`. Not LISTs per poll: even from the
// watch cache (`resourceVersion=0`), a LIST of 1,000 MCPServers cost the apiserver 1.4 s of CPU on
// this machine, every poll, load the controllers being measured then competed with. Records, per
// kind, when all its objects were last seen settled (a kind that falls back loses its time), and
// prints a progress line every 30 s.
//
// Failure modes: past `deadlineMs` it returns without `allMs`, with, per kind, how many objects are in
// each state at the last poll (so the caller can still print what it measured); as soon as a
// controller process exited unexpectedly it throws with the same. A kind whose watch is failing
// counts as a poll that saw nothing settled; the cache relists it on its own.
import { setTimeout as sleep } from 'node:timers/promises';
import { kinds } from '@mcp-controllers/api';
import { Cache, type Informer, type KubeClient, type KubeObject } from '@mcp-controllers/core';
import { settledState, type Expectation, type ListedObject, type Plan } from './fleet.js';

export const settleKinds = [
  'MCPGroup',
  'MCPTelemetryConfig',
  'MCPServerEntry',
  'MCPServer',
  'VirtualMCPServer',
] as const;
export type SettleKind = (typeof settleKinds)[number];

export interface Settled {
  /** ms from `startedAt` to the poll that saw every object settled; undefined past the deadline. */
  allMs: number | undefined;
  /** Per kind, ms from `startedAt` to the poll from which on all its objects were settled. */
  kindMs: Map<SettleKind, number>;
  polls: number;
  /** Per kind, the number of objects in each state at the last poll (`kind: 3 settled, 1 phase Pending`). */
  lastPoll: string[];
}

/** Per kind: state -> number of objects (a planned object not listed is `absent`). */
function states(plan: Plan, lists: Map<SettleKind, ListedObject[]>): Map<SettleKind, Map<string, number>> {
  const out = new Map<SettleKind, Map<string, number>>();
  const seen = new Set<string>();
  for (const kind of settleKinds) {
    const counts = new Map<string, number>();
    for (const o of lists.get(kind) ?? []) {
      const key = `${kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
      const expectation: Expectation | undefined = plan.expected.get(key);
      if (!expectation) continue;
      seen.add(key);
      const state = settledState(expectation, o);
      counts.set(state, (counts.get(state) ?? 0) + 1);
    }
    out.set(kind, counts);
  }
  for (const key of plan.expected.keys()) {
    if (seen.has(key)) continue;
    const counts = out.get(key.split('/')[0] as SettleKind);
    counts?.set('absent', (counts.get('absent') ?? 0) + 1);
  }
  return out;
}

const describe = (counts: Map<string, number>) =>
  [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([state, n]) => `${n} ${state}`)
    .join(', ');

export async function waitSettled(
  client: KubeClient,
  plan: Plan,
  options: { startedAt: number; pollMs: number; deadlineMs: number; unexpectedExits: () => string[] },
): Promise<Settled> {
  const resources = new Map(kinds.map((k) => [k.kind, k.resource] as const));
  const cache = new Cache(client);
  const informers = settleKinds.map((kind) => {
    const r = resources.get(kind);
    if (!r) throw new Error(`no resource known for ${kind}`);
    return [kind, cache.informer<KubeObject & ListedObject>(r)] as const;
  });
  cache.start();
  try {
    await cache.waitForSync(60_000);
    return await pollSettled(plan, informers, options);
  } finally {
    await cache.stop();
  }
}

async function pollSettled(
  plan: Plan,
  informers: readonly (readonly [SettleKind, Informer<KubeObject & ListedObject>])[],
  options: { startedAt: number; pollMs: number; deadlineMs: number; unexpectedExits: () => string[] },
): Promise<Settled> {
  const kindMs = new Map<SettleKind, number>();
  let lastProgress = performance.now();
  let last = new Map<SettleKind, Map<string, number>>();
  for (let polls = 1; ; polls++) {
    const pollAt = performance.now();
    const lists = new Map<SettleKind, ListedObject[]>();
    if (informers.every(([, informer]) => informer.health().state === 'ok')) {
      for (const [kind, informer] of informers) lists.set(kind, informer.store.list());
      last = states(plan, lists);
    }
    const elapsed = pollAt - options.startedAt;
    let all = lists.size === settleKinds.length;
    for (const kind of settleKinds) {
      const counts = last.get(kind) ?? new Map<string, number>();
      const done = lists.size > 0 && counts.size === 1 && counts.has('settled');
      if (!done) {
        kindMs.delete(kind);
        all = false;
      } else if (!kindMs.has(kind)) kindMs.set(kind, elapsed);
    }
    const lastPoll = settleKinds.map(
      (kind) => `${kind}: ${describe(last.get(kind) ?? new Map<string, number>())}`,
    );
    if (all) return { allMs: elapsed, kindMs, polls, lastPoll };
    if (elapsed > options.deadlineMs) return { allMs: undefined, kindMs, polls, lastPoll };
    const exits = options.unexpectedExits();
    if (exits.length > 0) {
      throw new Error(
        [
          'a controller exited; last poll:',
          ...lastPoll.map((line) => `  ${line}`),
          ...exits.map((e) => `unexpected exit: ${e}`),
        ].join('\n'),
      );
    }
    if (performance.now() - lastProgress >= 30_000) {
      lastProgress = performance.now();
      const progress = settleKinds.map((k) => `${k} ${last.get(k)?.get('settled') ?? 0}`).join(', ');
      console.log(`  ... ${(elapsed / 1000).toFixed(0)} s: settled ${progress}`);
    }
    await sleep(Math.max(0, options.pollMs - (performance.now() - pollAt)));
  }
}
