/**
 * The manager: one per controller binary. It parses flags, owns the client, the shared cache, the
 * metrics and the probes, runs leader election, starts the controllers when (and only while) this
 * replica leads, and shuts down gracefully.
 *
 * Lifecycle: caches start on every replica (a standby is warm when it takes over); `/readyz` is 200
 * while the cache can be trusted (`Cache.problems()` empty: every informer synced, none failing),
 * else 503 naming why. Controllers run only on the leader. Losing the lease exits the process
 * (exit 1): a replica that might still act on stale leadership must not continue.
 *
 * Stop (SIGTERM, `stop()`): no queued key is handed out any more (the next leader lists everything
 * again); reconciles in flight see their signal aborted and get up to the grace period (30 s) to
 * return. Only once the last one returned is the Lease released, so a standby takes over at once and
 * never overlaps with our writes; if one is still running when the grace period ends, the Lease is
 * not released (a standby waits for it to expire) and the process exits anyway. Then the watches and
 * servers stop. The manager holds a ref'd handle from `start()` to the end of `stop()`, so the process
 * never ends on its own (with probes and metrics off, an unreachable apiserver would otherwise leave
 * nothing keeping it alive): it exits only on purpose, 0 after a stop, 1 on failure.
 *
 * The leader elector has its own KubeClient (same kubeconfig), as controller-runtime does: a
 * controller busy enough to queue on the client-side rate limit (--kube-api-qps/--kube-api-burst)
 * must not delay the Lease renewal into a lost leadership.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Server } from 'node:http';
import type { DestinationStream } from 'pino';
import { ApiReader } from './api-reader.js';
import { Cache, type CacheOptions } from './cache.js';
import { KubeClient, locateKubeConfig } from './client/index.js';
import type { Controller } from './controller.js';
import { LeaderElector } from './election.js';
import { parseFlags, type FlagDefaults, type ManagerFlags } from './flags.js';
import { createLogger, type Logger } from './log.js';
import { KernelMetrics } from './metrics.js';
import type { KubeObject } from './object.js';
import type { ReflectorOptions } from './reflector.js';
import { boundPort, closeServer, startMetricsServer, startProbeServer } from './servers.js';

export { runManager } from './process.js';

export interface ManagerOptions {
  /** Binary name, e.g. `mcp-group-controller`; also the default Lease name's prefix. */
  name: string;
  description: string;
  version: string;
  argv?: readonly string[];
  env?: Record<string, string | undefined>;
  /** This binary's defaults of flags that depend on its work (a flag given still wins). */
  flagDefaults?: FlagDefaults;
  /** Overrides --kubeconfig (tests). */
  kubeConfig?: KubeConfig;
  logDestination?: DestinationStream;
  reflector?: Partial<ReflectorOptions<KubeObject>>;
  /** A cache transform per resource (`CacheOptions.transform`), e.g. ConfigMaps reduced to key names. */
  cacheTransform?: CacheOptions['transform'];
  gracefulShutdownMs?: number;
  cacheSyncTimeoutMs?: number;
  /** What to do when the process must end (lease lost, caches never synced); default process.exit. */
  exit?: (code: number) => void;
}

const serviceAccountNamespace = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

/**
 * What a controller factory takes from the process (a `Manager` is one): the shared cache, the
 * client, and a logger for what it records outside a reconcile (Events it could not post, say).
 */
export interface ControllerDeps {
  cache: Cache;
  client: KubeClient;
  log?: Logger;
}

export class Manager {
  readonly flags: ManagerFlags;
  readonly log: Logger;
  readonly client: KubeClient;
  /** Uncached reads through `client`, for irreversible decisions only (see api-reader.ts). */
  readonly apiReader: ApiReader;
  readonly cache: Cache;
  readonly metrics: KernelMetrics;
  readonly identity: string;
  /** Where the kubeconfig came from, for the start-up line. */
  readonly kubeConfigSource: string;
  private readonly electionClient: KubeClient;
  private readonly controllers: Controller[] = [];
  private keepAlive?: NodeJS.Timeout;
  private readonly abort = new AbortController();
  private elector?: LeaderElector;
  private electing?: Promise<void>;
  private running: Promise<void>[] = [];
  private servers: (Server | undefined)[] = [];
  private stopping?: Promise<void>;
  private leading = false;

  /** Throws FlagError for bad flags; `--help`/`--version` are handled by `runManager`. */
  constructor(private readonly options: ManagerOptions) {
    this.flags = parseFlags(
      options.name,
      options.argv ?? [],
      options.env ?? process.env,
      options.flagDefaults,
    );
    this.log = createLogger({ level: this.flags.logLevel, name: options.name }, options.logDestination);
    const { kubeConfig, source } = options.kubeConfig
      ? { kubeConfig: options.kubeConfig, source: 'given by the caller' }
      : locateKubeConfig(this.flags.kubeconfig);
    this.kubeConfigSource = source;
    this.metrics = new KernelMetrics();
    const userAgent = `${options.name}/${options.version}`;
    const limits = { qps: this.flags.kubeApiQps, burst: this.flags.kubeApiBurst };
    this.client = new KubeClient(kubeConfig, { userAgent, ...limits });
    this.electionClient = new KubeClient(kubeConfig, {
      userAgent: `${userAgent} leader-election`,
      ...limits,
    });
    this.metrics.countRequests(this.client.tally);
    this.metrics.countRequests(this.electionClient.tally);
    this.apiReader = new ApiReader(this.client);
    this.cache = new Cache(this.client, {
      namespaces: this.flags.watchNamespaces,
      log: this.log,
      ...(options.reflector ? { reflector: options.reflector } : {}),
      ...(options.cacheTransform ? { transform: options.cacheTransform } : {}),
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

  /** Reasons this replica is not ready (unsynced or failing informers); empty when it is. */
  notReady(): string[] {
    return this.cache.problems();
  }

  /**
   * Starts servers, caches, election and (when leading) the controllers; resolves once listening.
   * Rejects when a server cannot listen (the message names the flag and what to do).
   */
  async start(): Promise<void> {
    // Ref'd until stop() ends: see the module comment. The callback does nothing on purpose.
    this.keepAlive ??= setInterval(() => undefined, 60_000);
    try {
      this.servers = [await startMetricsServer(this.flags.metricsBindAddress, this.metrics.registry)];
      const probes = { notReady: () => this.notReady() };
      this.servers.push(await startProbeServer(this.flags.healthProbeBindAddress, probes));
    } catch (err) {
      await Promise.all(this.servers.map(closeServer));
      clearInterval(this.keepAlive);
      throw err;
    }
    this.log.info(
      {
        version: this.options.version,
        apiserver: this.client.kubeConfig.getCurrentCluster()?.server,
        kubeconfig: this.kubeConfigSource,
        watchNamespaces: this.flags.watchNamespaces,
        leaderElect: this.flags.leaderElect,
        kubeApiQps: this.flags.kubeApiQps,
        kubeApiBurst: this.flags.kubeApiBurst,
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
      client: this.electionClient,
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
    // Every controller's queue stops handing out keys now; in-flight reconciles see this signal.
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
    if (finished) {
      // Only now: a standby that takes over at once can no longer overlap with our reconciles.
      await this.elector?.release();
    } else {
      this.log.warn(
        { graceMs: grace },
        'reconciles still running after the grace period; the leader lease is NOT released (a standby ' +
          'takes over once it expires) and the process stops anyway',
      );
      await this.elector?.abandon();
    }
    await this.electing;
    this.leading = false;
    await this.cache.stop();
    await Promise.all(this.servers.map(closeServer));
    await Promise.all([this.client.close(), this.electionClient.close()]);
    clearInterval(this.keepAlive);
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
