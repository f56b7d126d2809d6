/**
 * Every write the cluster saw, as watch events, for the checks "nothing was written twice that should
 * have been written once": cluster-wide watches on the toolhive kinds and the generated kinds, opened
 * before anything is created, recording per object `<Kind>/<namespace>/<name>` the sequence of event
 * types and finalizer lists.
 *
 * `problems()` (pure over the record) names each violation: a generated object deleted or created
 * twice (a delete + create hides behind an unchanged name); the session HMAC Secret
 * (`*-hmac-secret`) ever modified (a new key would end every open session); a finalizer of a toolhive
 * object removed and added again while the object was not being deleted, or added twice.
 *
 * Failure modes: a watch that ends or fails (apiserver restart, network) resumes from its last
 * resource version; after a 410 it relists and infers what changed from uids and resource versions
 * (`relists` names those watches): a write in that gap is seen, but not how many there were.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { kinds } from '@mcp-controllers/api';
import {
  configMapResource,
  deploymentResource,
  roleBindingResource,
  roleResource,
  secretResource,
  serviceAccountResource,
  serviceResource,
  isGone,
  type KubeClient,
  type ResourceRef,
} from '@mcp-controllers/core';

interface Meta {
  name?: string;
  uid?: string;
  resourceVersion?: string;
  namespace?: string;
  finalizers?: string[];
  deletionTimestamp?: string;
}
export interface RecordedEvent {
  /** A watch event type, or RECREATED / MODIFIED / ADDED inferred by a relist. */
  type: string;
  uid: string;
  finalizers: string[];
  deleting: boolean;
}

/** The kinds the controllers generate (owned children of MCPServers and VirtualMCPServers). */
export const generatedResources: ResourceRef[] = [
  deploymentResource,
  serviceResource,
  configMapResource,
  secretResource,
  serviceAccountResource,
  roleResource,
  roleBindingResource,
];
const toolhiveKinds = new Set<string>(kinds.map((k) => k.kind));

/** Violations in a record (see the module comment). */
export function recordProblems(record: ReadonlyMap<string, readonly RecordedEvent[]>): string[] {
  const problems: string[] = [];
  for (const [key, events] of record) {
    const kind = key.slice(0, key.indexOf('/'));
    const count = (type: string) => events.filter((e) => e.type === type).length;
    if (!toolhiveKinds.has(kind)) {
      const uids = new Set(events.map((e) => e.uid)).size;
      if (count('ADDED') > 1 || count('DELETED') > 0 || uids > 1) {
        problems.push(
          `${key}: created ${count('ADDED')} times, deleted ${count('DELETED')} times, ${uids} uids`,
        );
      }
      if (key.endsWith('-hmac-secret') && count('MODIFIED') > 0) {
        problems.push(`${key}: the session key was modified ${count('MODIFIED')} times after its creation`);
      }
      continue;
    }
    const added = new Map<string, number>();
    let previous: RecordedEvent | undefined;
    for (const event of events) {
      for (const f of event.finalizers) {
        if (!previous?.finalizers.includes(f)) added.set(f, (added.get(f) ?? 0) + 1);
      }
      for (const f of previous?.finalizers ?? []) {
        if (!event.finalizers.includes(f) && !event.deleting && event.type !== 'DELETED') {
          problems.push(`${key}: finalizer ${f} removed while the object was not being deleted`);
        }
      }
      previous = event;
    }
    for (const [f, times] of added) {
      if (times > 1) problems.push(`${key}: finalizer ${f} added ${times} times`);
    }
  }
  return problems;
}

export class WriteRecorder {
  readonly record = new Map<string, RecordedEvent[]>();
  /** Watches that had to relist (410 Gone): events between their last one and the list are inferred. */
  readonly relists: string[] = [];
  private readonly last = new Map<string, { uid: string; resourceVersion: string }>();
  private readonly abort = new AbortController();
  private readonly watches: Promise<void>[] = [];

  constructor(private readonly client: KubeClient) {}

  /** Opens every watch; resolves once the apiserver accepted them all. */
  async start(): Promise<void> {
    const resources = [...kinds.map((k) => k.resource), ...generatedResources];
    await Promise.all(
      resources.map(
        (resource) =>
          new Promise<void>((opened) => {
            this.watches.push(this.follow(resource, opened));
          }),
      ),
    );
  }

  private note(resource: ResourceRef, type: string, m: Meta): void {
    const key = `${resource.kind}/${m.namespace ?? ''}/${m.name ?? ''}`;
    const events = this.record.get(key) ?? [];
    events.push({
      type,
      uid: m.uid ?? '',
      finalizers: m.finalizers ?? [],
      deleting: m.deletionTimestamp !== undefined,
    });
    this.record.set(key, events);
    this.last.set(key, { uid: m.uid ?? '', resourceVersion: m.resourceVersion ?? '' });
  }

  /**
   * Watches `resource` until stopped, resuming from the last resource version after the stream ends
   * or the apiserver is away (retried every 500 ms), relisting after a 410: an object whose uid
   * changed since its last event is recorded as RECREATED, one whose resourceVersion moved as
   * MODIFIED, one never seen as ADDED.
   */
  private async follow(resource: ResourceRef, opened: () => void): Promise<void> {
    let resourceVersion: string | undefined;
    let gone = false;
    while (!this.abort.signal.aborted) {
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- set by the watch's callbacks, which the compiler does not follow
      if (gone) {
        const list = await this.client
          .list<{ metadata: { resourceVersion: string }; items: { metadata: Meta }[] }>(resource, undefined)
          .catch(() => undefined);
        if (!list) {
          await delay(500, this.abort.signal);
          continue;
        }
        this.relists.push(resource.kind);
        for (const { metadata: m } of list.items) {
          const known = this.last.get(`${resource.kind}/${m.namespace ?? ''}/${m.name ?? ''}`);
          if (!known) this.note(resource, 'ADDED', m);
          else if (known.uid !== m.uid) this.note(resource, 'RECREATED', m);
          else if (known.resourceVersion !== m.resourceVersion) this.note(resource, 'MODIFIED', m);
        }
        [resourceVersion, gone] = [list.metadata.resourceVersion, false];
      }
      const query = resourceVersion ? { resourceVersion, allowWatchBookmarks: true } : {};
      await this.client
        .watch<{ metadata: Meta; code?: number }>(
          resource,
          undefined,
          query,
          (event) => {
            if (event.type === 'ERROR') {
              gone ||= event.object.code === 410;
              return;
            }
            resourceVersion = event.object.metadata.resourceVersion ?? resourceVersion;
            if (event.type !== 'BOOKMARK') this.note(resource, event.type, event.object.metadata);
          },
          { signal: this.abort.signal, onOpen: opened },
        )
        .catch(async (err: unknown) => {
          if (isGone(err)) gone = true;
          // The apiserver is away (restarting) or the connection broke: try again shortly.
          else await delay(500, this.abort.signal);
        });
    }
  }

  /** Violations so far in the namespaces given (all when omitted). */
  problems(namespaces?: readonly string[]): string[] {
    const inScope = new Map(
      [...this.record].filter(([key]) => !namespaces || namespaces.includes(key.split('/')[1] ?? '')),
    );
    return recordProblems(inScope);
  }

  /** The objects of a kind (e.g. `Secret`) the record holds in a namespace. */
  seen(kind: string, namespace: string): string[] {
    return [...this.record.keys()].filter((k) => k.startsWith(`${kind}/${namespace}/`));
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.all(this.watches);
  }
}

/** Waits `ms`, or less when `signal` aborts (then resolves too). */
function delay(ms: number, signal: AbortSignal): Promise<void> {
  return sleep(ms, undefined, { signal }).catch(() => undefined);
}
