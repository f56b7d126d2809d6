// Verbose-only diagnostics of `pnpm bench` (BENCH_TIMELINE=1): what each new version of the vMCP
// changed in its status (who wrote what, when), and what one request on the vMCP costs the
// apiserver once its status carries 1,000 discoveredBackends. `statusChanges` is pure;
// `vmcpRequestCost` sends 5 GETs and 5 status patches that change nothing, and rejects on any failure.
import { virtualMCPServer } from '@mcp-controllers/api';
import type { KubeClient, KubeObject } from '@mcp-controllers/core';
import { median } from './measure.js';

export type VmcpObject = KubeObject & {
  status?: Record<string, unknown> & { conditions?: Record<string, unknown>[] };
};

/** The status fields and conditions that differ between two versions of the vMCP, e.g. `phase=Ready`. */
export function statusChanges(old: VmcpObject | undefined, now: VmcpObject): string[] {
  const a = old?.status ?? {};
  const b = now.status ?? {};
  const out: string[] = [];
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (key === 'conditions' || JSON.stringify(a[key]) === JSON.stringify(b[key])) continue;
    out.push(key === 'discoveredBackends' ? 'discoveredBackends' : `${key}=${JSON.stringify(b[key])}`);
  }
  const conditions = (s: typeof a) => new Map((s.conditions ?? []).map((c) => [c.type, c]));
  const [before, after] = [conditions(a), conditions(b)];
  for (const [type, c] of after) {
    const was = before.get(type);
    if (JSON.stringify(was) === JSON.stringify(c)) continue;
    const what = ['status', 'reason', 'message', 'observedGeneration']
      .filter((f) => JSON.stringify(was?.[f]) !== JSON.stringify(c[f]))
      .join('+');
    out.push(`${String(type)}(${what})`);
  }
  return out;
}

/** Median time of a GET and of a status merge patch that changes nothing, on the vMCP. */
export async function vmcpRequestCost(client: KubeClient, namespace: string, name: string) {
  const key = { namespace, name };
  const gets: number[] = [];
  const patches: number[] = [];
  let object: VmcpObject | undefined;
  for (let i = 0; i < 5; i++) {
    let started = performance.now();
    object = await client.get<VmcpObject>(virtualMCPServer.resource, key);
    gets.push(performance.now() - started);
    started = performance.now();
    await client.patch(
      virtualMCPServer.resource,
      key,
      'merge',
      { status: { url: object.status?.url } },
      { subresource: 'status' },
    );
    patches.push(performance.now() - started);
  }
  return {
    getMs: median(gets),
    patchMs: median(patches),
    bytes: JSON.stringify(object).length,
    managedFieldsBytes: JSON.stringify(
      (object?.metadata as { managedFields?: unknown } | undefined)?.managedFields ?? [],
    ).length,
  };
}
