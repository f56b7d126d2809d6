/**
 * A controller: a work queue of `namespace/name` keys fed by informers, drained by N workers that
 * call one reconcile function (controller-runtime's contract).
 *
 * - Level-triggered: events only say *which* key to look at; the reconciler reads the current state
 *   from the cache and enforces all of it. It never learns what kind of event woke it.
 * - `for(kind)`: the primary kind; `owns(kind)`: children mapped to their controller owner;
 *   `watches(kind, map)`: anything else, mapped to keys by a function that sees old and new objects.
 * - Filters: each source may take `filter(old, new)`, asked for updates only (adds and deletes always
 *   pass); `generationChanged` lets a controller ignore updates that leave the spec alone, such as its
 *   own status writes.
 * - Result: `{requeueAfterMs}` schedules the next look no earlier than asked; a thrown error retries
 *   with per-key exponential backoff (5 ms -> 1000 s, tunable with `queue`); a TerminalError is logged
 *   and counted, not retried. Programming errors (TypeError, ReferenceError, RangeError, SyntaxError)
 *   and throws of non-Errors also count as panics (`controller_runtime_reconcile_panics_total`).
 *   Repeats of the same error for a key are logged once, then at most once per 30 s with `repeated`.
 *   A 409 Conflict (a write computed from an older copy, see `writeStatus`) is retried the same way
 *   but logged at debug level: it is routine, not a failure.
 * - One reconcile per key at a time, whatever the concurrency; a key changed mid-reconcile runs once
 *   more afterwards, so the last state always wins.
 * - A mapper that throws loses nothing: the error is logged and counted
 *   (`controller_event_mapping_errors_total`) and every primary object is queued instead; a filter
 *   that throws lets its event through.
 * - Stop: once the run signal aborts no queued key is handed out (they are dropped: the next leader
 *   lists everything again); reconciles in flight see that same signal aborted and are awaited.
 */
import { randomUUID } from 'node:crypto';
import type { Cache } from './cache.js';
import { isConflict } from './client/errors.js';
import { keyOf, parseKey, resourceLabel, type ResourceRef } from './client/resources.js';
import { errorFields, RepeatFilter, silentLogger, type Logger } from './log.js';
import { ownerKeys } from './owner.js';
import type { KernelMetrics, ReconcileResultLabel } from './metrics.js';
import type { KubeObject } from './object.js';
import { WorkQueue, type WorkQueueOptions } from './queue.js';

export interface ReconcileRequest {
  key: string;
  namespace?: string;
  name: string;
}

export interface ReconcileContext {
  log: Logger;
  reconcileID: string;
  /** Aborted when the manager shuts down; long reconciles should pass it on. */
  signal: AbortSignal;
}

export interface ReconcileResult {
  requeueAfterMs?: number;
}

// `void` so that `async () => {}` reconcilers type-check; undefined and void both mean "done".
export type Reconciler = (
  request: ReconcileRequest,
  ctx: ReconcileContext,
  // eslint-disable-next-line @typescript-eslint/no-invalid-void-type
) => Promise<ReconcileResult | undefined | void>;

/** An error retrying cannot fix (bad input the user must change); logged and counted, not retried. */
export class TerminalError extends Error {
  override readonly name = 'TerminalError';
}

/**
 * An input the reconcile needs cannot be read now (its kind's list is failing): retried with backoff
 * and logged without a stack, as a state of the world rather than a bug (`isExpectedError`).
 */
export class InputUnknownError extends Error {
  override readonly name = 'InputUnknownError';
  readonly expected = true;
}

/** Maps an object of a watched kind to the keys of primary objects to reconcile. */
export type KeyMapper = (obj: KubeObject, old?: KubeObject) => readonly string[];

/** Asked for each update of a watched object: false drops the event (adds and deletes always pass). */
export type EventFilter = (old: KubeObject, obj: KubeObject) => boolean;

/**
 * Passes updates that change `metadata.generation` (the apiserver bumps it for spec changes, not for
 * status, labels, annotations or finalizers) or the deletion timestamp. For kinds with a status
 * subresource: a controller using it for its primary kind does not wake up for its own status writes.
 * Kinds without a generation (ConfigMaps, Secrets) never change it: do not use it for them.
 */
export const generationChanged: EventFilter = (old, obj) =>
  old.metadata.generation !== obj.metadata.generation ||
  old.metadata.deletionTimestamp !== obj.metadata.deletionTimestamp;

export interface ControllerOptions {
  name: string;
  for: ResourceRef;
  reconcile: Reconciler;
  concurrency?: number;
  /** Filter for updates of the primary kind, e.g. `generationChanged`. */
  filter?: EventFilter;
  /** Backoff tuning of the work queue (tests, unusual controllers). */
  queue?: WorkQueueOptions;
}

interface Source {
  resource: ResourceRef;
  map: KeyMapper;
  optional?: boolean;
  filter?: EventFilter;
}

/** Thrown values that mean a bug in the reconciler rather than a failure of the world. */
function isPanic(err: unknown): boolean {
  return (
    !(err instanceof Error) ||
    err instanceof TypeError ||
    err instanceof ReferenceError ||
    err instanceof RangeError ||
    err instanceof SyntaxError
  );
}

export class Controller {
  readonly name: string;
  readonly primary: ResourceRef;
  readonly queue: WorkQueue;
  private readonly reconcile: Reconciler;
  private concurrency: number;
  private readonly sources: Source[] = [];
  private metrics?: KernelMetrics;
  private log: Logger = silentLogger;
  /** Rate-limits repeated reconcile errors per key. */
  private readonly repeats = new RepeatFilter();

  constructor(options: ControllerOptions) {
    this.name = options.name;
    this.primary = options.for;
    this.reconcile = options.reconcile;
    this.concurrency = Math.max(1, options.concurrency ?? 1);
    this.queue = new WorkQueue(options.queue);
    this.sources.push({
      resource: options.for,
      map: (obj) => [keyOf(obj)],
      ...(options.filter ? { filter: options.filter } : {}),
    });
  }

  /** Children whose controller ownerReference points at an object of the primary kind. */
  owns(resource: ResourceRef, options: { filter?: EventFilter } = {}): this {
    // The controller reference must name our kind in our API group: a Deployment controlled by some
    // other `Widget` kind is not ours.
    this.sources.push({ resource, map: (obj) => ownerKeys(obj, this.primary), ...options });
    return this;
  }

  /**
   * Objects of `resource` map to primary keys. `optional`: the kind may be impossible to list (CRD
   * not installed, RBAC); the controller starts anyway, and every primary object is reconciled again
   * whenever that kind's list starts or stops failing, so status can say so. `filter`: see EventFilter.
   */
  watches(
    resource: ResourceRef,
    map: KeyMapper,
    options: { optional?: boolean; filter?: EventFilter } = {},
  ): this {
    this.sources.push({ resource, map, ...options });
    return this;
  }

  /** The resources this controller reads, for RBAC docs and readiness. */
  resources(): ResourceRef[] {
    return this.sources.map((s) => s.resource);
  }

  /** Wires the informers to the queue. Called by the manager before the cache starts. */
  bind(cache: Cache, options: { metrics?: KernelMetrics; log?: Logger; concurrency?: number } = {}): void {
    this.log = (options.log ?? silentLogger).child({ controller: this.name });
    if (options.concurrency !== undefined) this.concurrency = Math.max(1, options.concurrency);
    this.metrics = options.metrics;
    if (this.metrics) {
      this.metrics.registerController(
        this.name,
        this.concurrency,
        this.sources.map((s) => resourceLabel(s.resource)),
      );
      this.queue.setObserver(this.metrics.queueObserver(this.name));
    }
    const primaries = cache.store(this.primary);
    const enqueueAll = () => {
      for (const key of primaries.keys()) this.queue.add(key);
    };
    for (const { resource, map, optional, filter } of this.sources) {
      if (optional) {
        const informer = cache.informer(resource);
        informer.optional = true;
        informer.onStateChange(enqueueAll);
      }
      const enqueue = (obj: KubeObject, old?: KubeObject) => {
        let keys: Set<string>;
        try {
          keys = new Set(map(obj, old));
          if (old) for (const key of map(old)) keys.add(key);
        } catch (err) {
          // Dropping the event would lose it for good (nothing replays it); reconciling every primary
          // object costs more but cannot miss the one this event was about.
          this.eventCodeFailed(
            err,
            resource,
            obj,
            'event mapping function',
            'reconciling every object instead',
          );
          enqueueAll();
          return;
        }
        for (const key of keys) this.queue.add(key);
      };
      cache.informer(resource).addHandler({
        onAdd: (obj) => {
          enqueue(obj);
        },
        onUpdate: (old, obj) => {
          if (filter && !this.passes(filter, resource, old, obj)) return;
          enqueue(obj, old);
        },
        onDelete: (obj) => {
          enqueue(obj);
        },
      });
    }
    this.log.info({ watches: this.sources.map((s) => resourceLabel(s.resource)) }, 'Starting EventSource');
  }

  /** A filter that throws lets the event through: a wasted reconcile is cheaper than a lost one. */
  private passes(filter: EventFilter, resource: ResourceRef, old: KubeObject, obj: KubeObject): boolean {
    try {
      return filter(old, obj);
    } catch (err) {
      this.eventCodeFailed(err, resource, obj, 'event filter', 'letting the event through');
      return true;
    }
  }

  /** A mapper or filter of this controller threw: counted and logged, never lost silently. */
  private eventCodeFailed(
    err: unknown,
    resource: ResourceRef,
    obj: KubeObject,
    what: string,
    instead: string,
  ): void {
    this.metrics?.mappingErrors.inc({ controller: this.name, resource: resourceLabel(resource) });
    this.log.error(
      { ...errorFields(err), resource: resourceLabel(resource), object: keyOf(obj) },
      `${what} failed (a bug in this controller); ${instead}`,
    );
  }

  /** Runs the workers until `signal` aborts, then lets in-flight reconciles finish. */
  async run(signal: AbortSignal): Promise<void> {
    this.log.info({ workerCount: this.concurrency }, 'Starting workers');
    const stop = () => {
      this.queue.shutdown();
    };
    signal.addEventListener('abort', stop, { once: true });
    if (signal.aborted) stop();
    const workers = Array.from({ length: this.concurrency }, () => this.worker(signal));
    await Promise.all(workers);
    this.log.info('All workers finished');
  }

  private async worker(signal: AbortSignal): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      try {
        await this.process(key, signal);
      } finally {
        this.queue.done(key);
      }
    }
  }

  private async process(key: string, signal: AbortSignal): Promise<void> {
    const { namespace, name } = parseKey(key);
    const reconcileID = randomUUID();
    const log = this.log.child({ ...(namespace ? { namespace } : {}), name, reconcileID });
    const controller = this.name;
    const started = process.hrtime.bigint();
    this.metrics?.activeWorkers.inc({ controller });
    let result: ReconcileResultLabel = 'success';
    try {
      const outcome = await this.reconcile(
        { key, name, ...(namespace ? { namespace } : {}) },
        { log, reconcileID, signal },
      );
      const after = outcome?.requeueAfterMs;
      this.queue.forget(key);
      this.repeats.forget(key);
      if (after !== undefined && after > 0) {
        result = 'requeue_after';
        this.queue.addAfter(key, after);
      }
    } catch (err) {
      result = 'error';
      this.metrics?.reconcileErrors.inc({ controller });
      const panic = isPanic(err);
      if (panic) this.metrics?.reconcilePanics.inc({ controller });
      const fields = errorFields(err);
      const repeat = this.repeats.admit(key, fields.err.message);
      if (err instanceof TerminalError) {
        this.metrics?.terminalErrors.inc({ controller });
        this.queue.forget(key);
        if (repeat) {
          log.error(
            { ...fields, ...repeat },
            'Reconciler error (terminal: not retried until the object changes)',
          );
        }
      } else if (isConflict(err)) {
        // The object changed while we computed from an older copy (status writes do not retry from a
        // re-read): routine, not an error. The cache brings the newer copy and we reconcile again.
        this.queue.addRateLimited(key);
        log.debug(
          { ...fields, retries: this.queue.numRequeues(key) },
          'object changed meanwhile; reconciling again',
        );
      } else {
        this.queue.addRateLimited(key);
        if (repeat) {
          log.error(
            { ...fields, ...repeat, retries: this.queue.numRequeues(key) },
            panic
              ? 'Reconciler panic (a bug in this controller; will retry with backoff)'
              : 'Reconciler error (will retry with backoff)',
          );
        }
      }
    } finally {
      this.metrics?.activeWorkers.dec({ controller });
      this.metrics?.reconcileTotal.inc({ controller, result });
      this.metrics?.reconcileTime.observe({ controller }, Number(process.hrtime.bigint() - started) / 1e9);
    }
  }
}
