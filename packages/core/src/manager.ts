/**
 * The manager: one per controller binary. It parses flags, owns the client, the shared cache, the
 * metrics and the probes, runs leader election, starts the controllers when (and only while) this
 * replica leads, and shuts down gracefully.
 *
 * Lifecycle: caches start on every replica (a standby is warm when it takes over); `/readyz` is 200
 * once every cache has synced. Controllers run only on the leader. Losing the lease exits the
 * process (exit 1): a replica that might still act on stale leadership must not continue. SIGTERM
 * stops intake, gives in-flight reconciles up to 30 s, releases the lease so a standby takes over at
 * once, stops the watches, and exits 0.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Server } from 'node:http';
import type { DestinationStream } from 'pino';
import { Cache } from './cache.js';
import { KubeClient, loadKubeConfig } from './client/index.js';
import type { Controller } from './controller.js';
import { LeaderElector } from './election.js';
import { FlagError, parseFlags, usage, type ManagerFlags } from './flags.js';
import { createLogger, errorFields, type Logger } from './log.js';
import { KernelMetrics } from './metrics.js';
import type { KubeObject } from './object.js';
import type { ReflectorOptions } from './reflector.js';
import { boundPort, closeServer, startMetricsServer, startProbeServer } from './servers.js';

export interface ManagerOptions {
  /** Binary name, e.g. `mcp-group-controller`; also the default Lease name's prefix. */
  name: string;
  description: string;
  version: string;
  argv?: readonly string[];
  env?: Record<string, string | undefined>;
  /** Overrides --kubeconfig (tests). */
  kubeConfig?: KubeConfig;
  logDestination?: DestinationStream;
  reflector?: Partial<ReflectorOptions<KubeObject>>;
  gracefulShutdownMs?: number;
  cacheSyncTimeoutMs?: number;
  /** What to do when the process must end (lease lost, caches never synced); default process.exit. */
  exit?: (code: number) => void;
}

const serviceAccountNamespace = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

export class Manager {
  readonly flags: ManagerFlags;
  readonly log: Logger;
  readonly client: KubeClient;
  readonly cache: Cache;
  readonly metrics: KernelMetrics;
  readonly identity: string;
  private readonly controllers: Controller[] = [];
  private readonly abort = new AbortController();
  private elector?: LeaderElector;
  private electing?: Promise<void>;
  private running: Promise<void>[] = [];
  private servers: (Server | undefined)[] = [];
  private stopping?: Promise<void>;
  private leading = false;

  /** Throws FlagError for bad flags; `--help`/`--version` are handled by `runManager`. */
  constructor(private readonly options: ManagerOptions) {
    this.flags = parseFlags(options.name, options.argv ?? [], options.env ?? process.env);
    this.log = createLogger({ level: this.flags.logLevel, name: options.name }, options.logDestination);
    const kubeConfig = options.kubeConfig ?? loadKubeConfig(this.flags.kubeconfig);
    this.metrics = new KernelMetrics();
    this.client = new KubeClient(kubeConfig, { userAgent: `${options.name}/${options.version}` });
    this.metrics.countRequests(this.client.tally);
    this.cache = new Cache(this.client, {
      namespaces: this.flags.watchNamespaces,
      log: this.log,
      ...(options.reflector ? { reflector: options.reflector } : {}),
    });
    this.identity = `${hostname()}_${randomUUID()}`;
  }

  add(controller: Controller): this {
    controller.bind(this.cache, {
      metrics: this.metrics,
      log: this.log,
      concurrency: this.flags.maxConcurrentReconciles,
    });
    this.controllers.push(controller);
    return this;
  }

  get metricsPort(): number | undefined {
    return boundPort(this.servers[0]);
  }

  get probePort(): number | undefined {
    return boundPort(this.servers[1]);
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** Reasons this replica is not ready; empty when it is. */
  notReady(): string[] {
    const unsynced = this.cache.unsynced();
    return unsynced.length ? [`caches not synced: ${unsynced.join(', ')}`] : [];
  }

  /** Starts servers, caches, election and (when leading) the controllers; resolves once listening. */
  async start(): Promise<void> {
    this.servers = [
      await startMetricsServer(this.flags.metricsBindAddress, this.metrics.registry),
      await startProbeServer(this.flags.healthProbeBindAddress, { notReady: () => this.notReady() }),
    ];
    this.log.info(
      {
        version: this.options.version,
        watchNamespaces: this.flags.watchNamespaces,
        leaderElect: this.flags.leaderElect,
      },
      'Starting manager',
    );
    this.cache.start();
    const leaderName = this.flags.leaderElectionId;
    if (!this.flags.leaderElect) {
      this.startControllers();
      return;
    }
    this.metrics.leaderStatus.set({ name: leaderName }, 0);
    this.elector = new LeaderElector({
      client: this.client,
      namespace: this.leaseNamespace(),
      name: leaderName,
      identity: this.identity,
      leaseDurationMs: this.flags.leaseDurationMs,
      renewDeadlineMs: this.flags.renewDeadlineMs,
      retryPeriodMs: this.flags.retryPeriodMs,
      log: this.log,
      onStartedLeading: () => {
        this.log.info({ identity: this.identity, lease: leaderName }, 'successfully acquired lease');
        this.metrics.leaderStatus.set({ name: leaderName }, 1);
        this.startControllers();
      },
      onStoppedLeading: () => {
        this.metrics.leaderStatus.set({ name: leaderName }, 0);
        this.fatal('leader election lost; exiting so that no stale leader keeps reconciling');
      },
      onNewLeader: (leader) => {
        if (leader !== this.identity) this.log.info({ leader }, 'new leader elected; standing by');
      },
    });
    this.electing = this.elector.run();
  }

  private startControllers(): void {
    this.leading = true;
    const signal = this.abort.signal;
    const timeout = this.options.cacheSyncTimeoutMs ?? 120_000;
    const run = this.cache.waitForSync(timeout, signal).then(
      async (synced) => {
        if (!synced) return;
        this.log.info({ controllers: this.controllers.map((c) => c.name) }, 'Starting Controller');
        await Promise.all(this.controllers.map((c) => c.run(signal)));
      },
      (err: unknown) => {
        this.fatal((err as Error).message);
      },
    );
    this.running.push(run);
  }

  /** Graceful stop; idempotent. Resolves when everything has stopped (or the grace period ran out). */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    this.log.info('Shutdown signal received, waiting for all workers to finish');
    this.abort.abort();
    const grace = this.options.gracefulShutdownMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([
      Promise.all(this.running).then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => {
          resolve(false);
        }, grace);
      }),
    ]);
    clearTimeout(timer);
    if (!finished)
      this.log.warn({ graceMs: grace }, 'workers did not finish within the grace period; stopping anyway');
    // Release only after the workers stopped: the next leader must not overlap with our reconciles.
    await this.elector?.release();
    await this.electing;
    this.leading = false;
    await this.cache.stop();
    await Promise.all(this.servers.map(closeServer));
    await this.client.close();
    this.log.info('Manager stopped');
    this.log.flush();
  }

  private fatal(message: string): void {
    this.log.fatal(message);
    this.log.flush();
    (this.options.exit ?? ((code: number) => process.exit(code)))(1);
  }

  private leaseNamespace(): string {
    if (this.flags.leaderElectionNamespace) return this.flags.leaderElectionNamespace;
    if (existsSync(serviceAccountNamespace)) return readFileSync(serviceAccountNamespace, 'utf8').trim();
    return 'default';
  }
}

/**
 * The whole `main()` of a controller binary: flags (exit 2 on a bad one), `--help`, `--version`,
 * process-level error handlers (log and exit 1), signals (graceful stop, exit 0).
 */
export async function runManager(options: ManagerOptions, setup: (manager: Manager) => void): Promise<void> {
  const argv = options.argv ?? process.argv.slice(2);
  let manager: Manager;
  try {
    manager = new Manager({ ...options, argv });
  } catch (err) {
    process.stderr.write(`${options.name}: ${(err as Error).message}\n`);
    process.exit(err instanceof FlagError ? 2 : 1);
  }
  if (manager.flags.help) {
    process.stdout.write(usage(options.name, options.description));
    process.exit(0);
  }
  if (manager.flags.version) {
    process.stdout.write(`${options.name} ${options.version}\n`);
    process.exit(0);
  }
  const crash = (kind: string) => (err: unknown) => {
    manager.log.fatal(
      errorFields(err),
      `${kind}: this is a bug; the process exits so that it restarts clean`,
    );
    manager.log.flush();
    process.exit(1);
  };
  process.on('unhandledRejection', crash('unhandled promise rejection'));
  process.on('uncaughtException', crash('uncaught exception'));
  const onSignal = (signal: string) => {
    manager.log.info({ signal }, 'signal received');
    void manager.stop().then(() => process.exit(0));
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  setup(manager);
  await manager.start();
}
