// The bench's small I/O edges: a controller process's memory from /proc, and the objects the
// controllers generated in the bench's namespaces. Failure modes: a process that is gone reads as
// undefined memory; a failing LIST rejects (the run reports it).
import { readFile } from 'node:fs/promises';
import type { KubeClient } from '@mcp-controllers/core';
import type { ControllerProcess } from '../test/controllers.js';
import { generatedResources } from '../test/recorder.js';
import { memoryOf, type Memory, type Owned } from './measure.js';

/** VmRSS and VmHWM of the process; undefined once it is gone. */
export async function memory(c: ControllerProcess): Promise<Memory | undefined> {
  return memoryOf(await readFile(`/proc/${c.pid}/status`, 'utf8').catch(() => ''));
}

/** Kind -> the objects of that kind in `namespaces`. */
export async function generatedObjects(
  client: KubeClient,
  namespaces: string[],
): Promise<Map<string, Owned[]>> {
  const lists = new Map<string, Owned[]>();
  for (const r of generatedResources) {
    const { items } = await client.list<{ items: (Owned & { metadata: { namespace?: string } })[] }>(
      r,
      undefined,
    );
    lists.set(
      r.kind,
      items.filter((o) => namespaces.includes(o.metadata.namespace ?? '')),
    );
  }
  return lists;
}
