/**
 * Command-line flags (and their environment fallbacks), validated with zod. A bad flag is reported
 * by name with what it accepts; the caller exits 2, the usual code for a usage error.
 */
import { z } from 'zod';
import { logLevels } from './log.js';

export class FlagError extends Error {
  override readonly name = 'FlagError';
}

const bindAddress = z
  .string()
  .regex(/^(0|[\w.-]*:\d{1,5}|\[[0-9a-fA-F:]+\]:\d{1,5})$/, 'expected host:port, :port, or 0 to disable');
const duration = z
  .string()
  .regex(/^\d+(\.\d+)?(ms|s|m)$/, 'expected a duration such as 15s, 500ms or 2m')
  .transform((v) => {
    const n = parseFloat(v);
    return v.endsWith('ms') ? n : v.endsWith('m') ? n * 60_000 : n * 1000;
  });
const bool = z.enum(['true', 'false']).transform((v) => v === 'true');

interface FlagDoc {
  name: string;
  schema: z.ZodType;
  help: string;
  default?: string;
  env?: string;
  boolean?: boolean;
}

/**
 * A binary's own defaults for flags whose best value depends on its work: the MCPServer controller
 * writes ten objects for each new server, the others one status. A flag given still wins.
 */
export interface FlagDefaults {
  maxConcurrentReconciles?: number;
}

function flagDocs(controller: string, defaults: FlagDefaults = {}): FlagDoc[] {
  return [
    {
      name: 'kubeconfig',
      schema: z.string().min(1),
      help: 'Path to a kubeconfig; default KUBECONFIG, in-cluster, ~/.kube/config',
    },
    {
      name: 'leader-elect',
      schema: bool,
      help: 'Elect a leader through a Lease so only one replica reconciles',
      default: 'false',
      boolean: true,
    },
    {
      name: 'leader-election-id',
      schema: z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'expected a DNS subdomain name'),
      help: 'Name of the Lease',
      default: `${controller}.toolhive.stacklok.dev`,
    },
    {
      name: 'leader-election-namespace',
      schema: z.string().min(1),
      help: 'Namespace of the Lease; default POD_NAMESPACE, the in-cluster namespace, or default',
      env: 'POD_NAMESPACE',
    },
    {
      name: 'leader-election-lease-duration',
      schema: duration,
      help: 'How long a standby waits before taking an unrenewed lease',
      default: '15s',
    },
    {
      name: 'leader-election-renew-deadline',
      schema: duration,
      help: 'How long the leader keeps trying to renew before giving up',
      default: '10s',
    },
    {
      name: 'leader-election-retry-period',
      schema: duration,
      help: 'Interval between acquire/renew attempts',
      default: '2s',
    },
    {
      name: 'metrics-bind-address',
      schema: bindAddress,
      help: 'Address of the Prometheus /metrics endpoint; 0 disables it',
      default: ':8080',
    },
    {
      name: 'health-probe-bind-address',
      schema: bindAddress,
      help: 'Address of /healthz and /readyz; 0 disables them',
      default: ':8081',
    },
    {
      name: 'watch-namespace',
      schema: z
        .string()
        .regex(/^([a-z0-9-]+)(,[a-z0-9-]+)*$/, 'expected a comma-separated list of namespace names'),
      help: 'Only watch these namespaces (comma-separated); default all',
      env: 'WATCH_NAMESPACE',
    },
    {
      name: 'max-concurrent-reconciles',
      schema: z.coerce
        .number({ error: 'expected a whole number' })
        .int('expected a whole number')
        .min(1, 'expected at least 1')
        .max(1000, 'expected at most 1000'),
      help: 'Reconciles run at once per controller (never two for one object)',
      default: String(defaults.maxConcurrentReconciles ?? 1),
    },
    {
      name: 'kube-api-qps',
      schema: z.coerce
        .number({ error: 'expected a number' })
        .min(0, 'expected 0 (no limit) or more')
        .max(100_000, 'expected at most 100000'),
      // No client-side limit by default, as controller-runtime since v0.21 on SIG API Machinery's advice:
      // the apiserver's priority and fairness (on by default since v1.20) queues and sheds load where it
      // knows the whole picture, and a controller's own concurrency is already bounded (its workers
      // times the children of one apply wave; reads come from the cache). A token bucket of 20/s makes
      // 1,000 new MCPServers wait 8 minutes for it alone (ten writes each; e2e bench). Set it for an
      // apiserver without priority and fairness, or to cap one controller below its peers.
      help: "Client-side limit of apiserver requests per second (a watch takes one as it starts); 0, the default, leaves it to the apiserver's priority and fairness",
      default: '0',
    },
    {
      name: 'kube-api-burst',
      schema: z.coerce
        .number({ error: 'expected a whole number' })
        .int('expected a whole number')
        .min(1, 'expected at least 1')
        .max(100_000, 'expected at most 100000'),
      help: 'Requests that may go at once above --kube-api-qps, when that is set',
      default: '30',
    },
    {
      name: 'log-level',
      schema: z.enum(logLevels),
      help: `Log level: ${logLevels.join(', ')}`,
      default: 'info',
      env: 'LOG_LEVEL',
    },
    { name: 'help', schema: bool, help: 'Print this help and exit', boolean: true },
    { name: 'version', schema: bool, help: 'Print the version and exit', boolean: true },
  ];
}

export interface ManagerFlags {
  kubeconfig?: string;
  leaderElect: boolean;
  leaderElectionId: string;
  leaderElectionNamespace?: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  metricsBindAddress: string;
  healthProbeBindAddress: string;
  watchNamespaces: string[];
  maxConcurrentReconciles: number;
  kubeApiQps: number;
  kubeApiBurst: number;
  logLevel: (typeof logLevels)[number];
  help: boolean;
  version: boolean;
}

/** Every flag name, for help texts and tests. */
export function flagNames(controller: string): string[] {
  return flagDocs(controller).map((f) => f.name);
}

export function usage(controller: string, description: string, defaults?: FlagDefaults): string {
  const lines = flagDocs(controller, defaults).map((f) => {
    const name = f.boolean ? `--${f.name}` : `--${f.name}=<value>`;
    const extra = [f.default !== undefined ? `default ${f.default}` : '', f.env ? `env ${f.env}` : ''].filter(
      Boolean,
    );
    return `  ${name.padEnd(44)} ${f.help}${extra.length ? ` (${extra.join('; ')})` : ''}`;
  });
  return `${controller}: ${description}\n\nUsage: ${controller} [flags]\n\nFlags:\n${lines.join('\n')}\n`;
}

/** Parses `--name=value`, `--name value` and bare boolean `--name`; throws FlagError naming the flag. */
export function parseFlags(
  controller: string,
  argv: readonly string[],
  env: Record<string, string | undefined> = process.env,
  defaults?: FlagDefaults,
): ManagerFlags {
  const docs = new Map(flagDocs(controller, defaults).map((f) => [f.name, f]));
  const raw = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--'))
      throw new FlagError(`unexpected argument '${arg}': flags look like --name=value (see --help)`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const doc = docs.get(name);
    if (!doc) throw new FlagError(`unknown flag --${name} (see --help for the list)`);
    let value = eq < 0 ? undefined : arg.slice(eq + 1);
    if (value === undefined) {
      const next = argv[i + 1];
      if (doc.boolean) value = next === 'true' || next === 'false' ? (i++, next) : 'true';
      else if (next !== undefined && !next.startsWith('--')) value = (i++, next);
      else throw new FlagError(`flag --${name} needs a value`);
    }
    raw.set(name, value);
  }
  const value = (name: string): unknown => {
    const doc = docs.get(name)!;
    const given = raw.get(name) ?? (doc.env ? env[doc.env] || undefined : undefined) ?? doc.default;
    if (given === undefined) return undefined;
    const parsed = doc.schema.safeParse(given);
    if (!parsed.success) {
      const source = raw.has(name)
        ? `--${name}`
        : doc.env && env[doc.env]
          ? `${doc.env} (for --${name})`
          : `--${name}`;
      throw new FlagError(
        `invalid value '${given}' for ${source}: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
      );
    }
    return parsed.data;
  };
  const watch = value('watch-namespace') as string | undefined;
  return {
    kubeconfig: value('kubeconfig') as string | undefined,
    leaderElect: value('leader-elect') as boolean,
    leaderElectionId: value('leader-election-id') as string,
    leaderElectionNamespace: value('leader-election-namespace') as string | undefined,
    leaseDurationMs: value('leader-election-lease-duration') as number,
    renewDeadlineMs: value('leader-election-renew-deadline') as number,
    retryPeriodMs: value('leader-election-retry-period') as number,
    metricsBindAddress: value('metrics-bind-address') as string,
    healthProbeBindAddress: value('health-probe-bind-address') as string,
    watchNamespaces: watch ? watch.split(',') : [],
    maxConcurrentReconciles: value('max-concurrent-reconciles') as number,
    kubeApiQps: value('kube-api-qps') as number,
    kubeApiBurst: value('kube-api-burst') as number,
    logLevel: value('log-level') as ManagerFlags['logLevel'],
    help: (value('help') as boolean | undefined) ?? false,
    version: (value('version') as boolean | undefined) ?? false,
  };
}
