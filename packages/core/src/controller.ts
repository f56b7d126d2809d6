/**
 * A controller: a work queue of `namespace/name` keys fed by informers, drained by N workers that
 * call one reconcile function (controller-runtime's contract).
 *
 * - Level-triggered: events only say *which* key to look at; the reconciler reads the current state
 *   from the cache and enforces all of it. It never learns what kind of event woke it.
 * - `for(kind)`: the primary kind; `owns(kind)`: children mapped to their controller owner;
 *   `watches(kind, map)`: anything else, mapped to keys by a function that sees old and new objects.
 * - Result: `{requeueAfterMs}` schedules the next look; a thrown error retries with per-key
 *   exponential backoff (5 ms -> 1000 s); a TerminalError is logged and counted, not retried.
 * - One reconcile per key at a time, whatever the concurrency; a key changed mid-reconcile runs once
 *   more afterwards, so the last state always wins.
 */
import { randomUUID } from 'node:crypto';
import type { Cache } from './cache.js';
import { keyOf, parseKey, resourceLabel, type ResourceRef } from './client/resources.js';
import { errorFields, silentLogger, type Logger } from './log.js';
import type { KernelMetrics, ReconcileResultLabel } from './metrics.js';
import type { KubeObject } from './object.js';
import { WorkQueue } from './queue.js';

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

/** Maps an object of a watched kind to the keys of primary objects to reconcile. */
export type KeyMapper = (obj: KubeObject, old?: KubeObject) => readonly string[];

export interface ControllerOptions {
  name: string;
  for: ResourceRef;
  reconcile: Reconciler;
  concurrency?: number;
}

export class Controller {
  readonly name: string;
  readonly primary: ResourceRef;
  readonly queue: WorkQueue;
  private readonly reconcile: Reconciler;
  private concurrency: number;
  private readonly sources: { resource: ResourceRef; map: KeyMapper; optional?: boolean }[] = [];
  private metrics?: KernelMetrics;
  private log: Logger = silentLogger;

  constructor(options: ControllerOptions) {
    this.name = options.name;
    this.primary = options.for;
    this.reconcile = options.reconcile;
    this.concurrency = Math.max(1, options.concurrency ?? 1);
    this.queue = new WorkQueue();
    this.sources.push({ resource: options.for, map: (obj) => [keyOf(obj)] });
  }

  /** Children whose controller ownerReference points at an object of the primary kind. */
  owns(resource: ResourceRef): this {
    const kind = this.primary.kind;
    this.sources.push({
      resource,
      map: (obj) =>
        (obj.metadata.ownerReferences ?? [])
          .filter((ref) => ref.controller && ref.kind === kind)
          .map((ref) => (obj.metadata.namespace ? `${obj.metadata.namespace}/${ref.name}` : ref.name)),
    });
    return this;
  }

  /**
   * Objects of `resource` map to primary keys. `optional`: the kind may be impossible to list (CRD
   * not installed, RBAC); the controller starts anyway, and every primary object is reconciled again
   * whenever that kind's list starts or stops failing, so status can say so.
   */
  watches(resource: ResourceRef, map: KeyMapper, options: { optional?: boolean } = {}): this {
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
      this.metrics.registerController(this.name, this.concurrency);
      this.queue.setObserver(this.metrics.queueObserver(this.name));
    }
    for (const { resource, map, optional } of this.sources) {
      if (optional) {
        const informer = cache.informer(resource);
        informer.optional = true;
        const primaries = cache.store(this.primary);
        informer.onStateChange(() => {
          for (const key of primaries.keys()) this.queue.add(key);
        });
      }
      const enqueue = (obj: KubeObject, old?: KubeObject) => {
        const keys = new Set(map(obj, old));
        if (old) for (const key of map(old)) keys.add(key);
        for (const key of keys) this.queue.add(key);
      };
      cache.informer(resource).addHandler({
        onAdd: (obj) => {
          enqueue(obj);
        },
        onUpdate: (old, obj) => {
          enqueue(obj, old);
        },
        onDelete: (obj) => {
          enqueue(obj);
        },
      });
    }
    this.log.info({ watches: this.sources.map((s) => resourceLabel(s.resource)) }, 'Starting EventSource');
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
      if (after !== undefined && after > 0) {
        result = 'requeue_after';
        this.queue.addAfter(key, after);
      }
    } catch (err) {
      result = 'error';
      this.metrics?.reconcileErrors.inc({ controller });
      if (!(err instanceof Error)) this.metrics?.reconcilePanics.inc({ controller });
      if (err instanceof TerminalError) {
        this.metrics?.terminalErrors.inc({ controller });
        this.queue.forget(key);
        log.error(errorFields(err), 'Reconciler error (terminal: not retried until the object changes)');
      } else {
        this.queue.addRateLimited(key);
        log.error(
          { ...errorFields(err), retries: this.queue.numRequeues(key) },
          'Reconciler error (will retry with backoff)',
        );
      }
    } finally {
      this.metrics?.activeWorkers.dec({ controller });
      this.metrics?.reconcileTotal.inc({ controller, result });
      this.metrics?.reconcileTime.observe({ controller }, Number(process.hrtime.bigint() - started) / 1e9);
    }
  }
}
