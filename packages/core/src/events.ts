/**
 * Kubernetes Events (events.k8s.io/v1) about our objects, deduplicated: the same
 * (object, type, reason, note) within the window is not created again but counted in the Event's
 * `series` with one patch, at most once per `seriesIntervalMs` (so an event loop costs little).
 * Windows and intervals use the monotonic clock (`now`, default `performance.now`), so a wall-clock
 * step neither floods nor silences; the Event's own timestamps are wall-clock MicroTimes.
 * Recording never throws: an event that cannot be written is logged and dropped (a repeated failure
 * once per 30 s per reason).
 */
import { randomBytes } from 'node:crypto';
import type { KubeClient } from './client/http.js';
import { microTime } from './client/time.js';
import { errorFields, RepeatFilter, silentLogger, type Logger } from './log.js';
import type { KubeObject } from './object.js';

export const eventResource = {
  group: 'events.k8s.io',
  version: 'v1',
  plural: 'events',
  kind: 'Event',
  namespaced: true,
};

export interface EventInput {
  type: 'Normal' | 'Warning';
  reason: string;
  note: string;
  action?: string;
}

interface Series {
  name: string;
  namespace: string;
  count: number;
  firstAt: number;
  patchedAt: number;
}

export class EventRecorder {
  private readonly series = new Map<string, Series>();
  private readonly repeats = new RepeatFilter();

  constructor(
    private readonly client: KubeClient,
    private readonly controller: string,
    private readonly options: {
      log?: Logger;
      windowMs?: number;
      seriesIntervalMs?: number;
      instance?: string;
      /** Monotonic milliseconds (tests). */
      now?: () => number;
    } = {},
  ) {}

  async record(regarding: KubeObject, event: EventInput): Promise<void> {
    const log = this.options.log ?? silentLogger;
    const namespace = regarding.metadata.namespace ?? 'default';
    const key = [regarding.metadata.uid, event.type, event.reason, event.note].join('\u0000');
    const now = this.options.now ? this.options.now() : performance.now();
    const known = this.series.get(key);
    try {
      if (known && now - known.firstAt < (this.options.windowMs ?? 10 * 60_000)) {
        known.count++;
        if (now - known.patchedAt < (this.options.seriesIntervalMs ?? 30_000)) return;
        known.patchedAt = now;
        await this.client.patch(eventResource, { namespace, name: known.name }, 'merge', {
          series: { count: known.count, lastObservedTime: microTime() },
        });
        return;
      }
      const name = `${regarding.metadata.name ?? 'object'}.${randomBytes(8).toString('hex')}`;
      await this.client.create(eventResource, {
        apiVersion: 'events.k8s.io/v1',
        kind: 'Event',
        metadata: { name, namespace },
        eventTime: microTime(),
        reportingController: this.controller,
        reportingInstance: this.options.instance ?? this.controller,
        action: event.action ?? event.reason,
        reason: event.reason,
        note: event.note.slice(0, 1024),
        type: event.type,
        regarding: {
          apiVersion: regarding.apiVersion,
          kind: regarding.kind,
          name: regarding.metadata.name,
          namespace: regarding.metadata.namespace,
          uid: regarding.metadata.uid,
          resourceVersion: regarding.metadata.resourceVersion,
        },
      });
      this.series.set(key, { name, namespace, count: 1, firstAt: now, patchedAt: now });
      if (this.series.size > 4096) this.series.delete(this.series.keys().next().value!);
    } catch (err) {
      const fields = errorFields(err);
      const repeat = this.repeats.admit(event.reason, fields.err.message);
      if (!repeat) return;
      log.warn(
        { ...fields, ...repeat, reason: event.reason },
        'could not record an Event (check RBAC create/patch on events.k8s.io events)',
      );
    }
  }
}
