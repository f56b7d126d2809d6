// The bench's small I/O edges: the simulator's log into a file, a controller process's memory from
// /proc, and the objects the controllers generated in the bench's namespaces. Failure modes: a
// process that is gone reads as undefined memory; a failing LIST rejects (the run reports it).
import { appendFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import {
  configMapResource,
  deploymentResource,
  roleBindingResource,
  roleResource,
  secretResource,
  serviceAccountResource,
  serviceResource,
  type KubeClient,
  type ResourceRef,
} from '@mcp-controllers/core';
import type { SimulatorLog } from '@mcp-controllers/testkit';
import type { ControllerProcess } from '../test/controllers.js';
import { memoryOf, type Memory, type Owned } from './measure.js';

/** The simulator's info and warn lines, as JSON lines appended to `file`. */
export function fileLog(file: string): SimulatorLog {
  const write = (level: string) => (fields: object, message: string) => {
    appendFileSync(file, `${JSON.stringify({ level, message, ...fields })}\n`);
  };
  return { debug: () => undefined, info: write('info'), warn: write('warn') };
}

/** VmRSS and VmHWM of the process; undefined once it is gone. */
export async function memory(c: ControllerProcess): Promise<Memory | undefined> {
  return memoryOf(await readFile(`/proc/${c.pid}/status`, 'utf8').catch(() => ''));
}

/** The kinds a controller may generate (measure.ts `generatedBy` picks them by controller owner). */
const generatedResources: ResourceRef[] = [
  deploymentResource,
  serviceResource,
  configMapResource,
  secretResource,
  serviceAccountResource,
  roleResource,
  roleBindingResource,
];

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
