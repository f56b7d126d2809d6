import { describe, expect, it } from 'vitest';
import { FlagError, flagNames, parseFlags, usage } from '../src/flags.js';

describe('client-side rate limit flags', () => {
  it('default to no client-side limit (controller-runtime since v0.21), burst 30 once a qps is set', () => {
    const flags = parseFlags('c', [], {});
    expect([flags.kubeApiQps, flags.kubeApiBurst]).toEqual([0, 30]);
    expect(flagNames('c')).toEqual(expect.arrayContaining(['kube-api-qps', 'kube-api-burst']));
    expect(usage('c', 'd')).toMatch(/--kube-api-qps=<value> .*priority and fairness \(default 0\)/);
  });

  it("take a binary's own default for --max-concurrent-reconciles, which a flag still overrides", () => {
    const defaults = { maxConcurrentReconciles: 4 };
    expect(parseFlags('c', [], {}).maxConcurrentReconciles).toBe(1);
    expect(parseFlags('c', [], {}, defaults).maxConcurrentReconciles).toBe(4);
    expect(parseFlags('c', ['--max-concurrent-reconciles=2'], {}, defaults).maxConcurrentReconciles).toBe(2);
    expect(usage('c', 'd', defaults)).toMatch(/--max-concurrent-reconciles=<value> .*\(default 4\)/);
  });

  it('accept fractions and 0 (no limit) for qps, a whole number >= 1 for burst', () => {
    expect(parseFlags('c', ['--kube-api-qps=0.5', '--kube-api-burst', '3'], {})).toMatchObject({
      kubeApiQps: 0.5,
      kubeApiBurst: 3,
    });
    expect(parseFlags('c', ['--kube-api-qps=0'], {}).kubeApiQps).toBe(0);
    expect(() => parseFlags('c', ['--kube-api-qps=-1'], {})).toThrow(FlagError);
    expect(() => parseFlags('c', ['--kube-api-burst=0'], {})).toThrow(
      /--kube-api-burst: expected at least 1/,
    );
    expect(() => parseFlags('c', ['--kube-api-burst=2.5'], {})).toThrow(/expected a whole number/);
  });
});

describe('parseFlags', () => {
  it('gives every default with no flags and no environment', () => {
    expect(parseFlags('widget', [], {})).toEqual({
      kubeconfig: undefined,
      leaderElect: false,
      leaderElectionId: 'widget.toolhive.stacklok.dev',
      leaderElectionNamespace: undefined,
      leaseDurationMs: 15_000,
      renewDeadlineMs: 10_000,
      retryPeriodMs: 2_000,
      metricsBindAddress: ':8080',
      healthProbeBindAddress: ':8081',
      watchNamespaces: [],
      maxConcurrentReconciles: 1,
      kubeApiQps: 0,
      kubeApiBurst: 30,
      logLevel: 'info',
      help: false,
      version: false,
    });
  });

  it('reads --name=value, --name value and bare booleans, each flag into its field', () => {
    const flags = parseFlags(
      'widget',
      [
        '--kubeconfig',
        '/tmp/kc',
        '--leader-elect',
        '--leader-election-id=my-lock',
        '--leader-election-namespace',
        'system',
        '--leader-election-lease-duration=1.5s',
        '--leader-election-renew-deadline=500ms',
        '--leader-election-retry-period=2m',
        '--metrics-bind-address=127.0.0.1:9090',
        '--health-probe-bind-address',
        '[::1]:9091',
        '--watch-namespace=ns1,b-2',
        '--max-concurrent-reconciles=1000',
        '--log-level=debug',
        '--help',
        '--version',
      ],
      {},
    );
    expect(flags).toEqual({
      kubeconfig: '/tmp/kc',
      leaderElect: true,
      leaderElectionId: 'my-lock',
      leaderElectionNamespace: 'system',
      leaseDurationMs: 1_500,
      renewDeadlineMs: 500,
      retryPeriodMs: 120_000,
      metricsBindAddress: '127.0.0.1:9090',
      healthProbeBindAddress: '[::1]:9091',
      watchNamespaces: ['ns1', 'b-2'],
      maxConcurrentReconciles: 1000,
      kubeApiQps: 0,
      kubeApiBurst: 30,
      logLevel: 'debug',
      help: true,
      version: true,
    });
  });

  it('takes an explicit true or false after a boolean flag, and nothing else', () => {
    expect(parseFlags('c', ['--leader-elect', 'false'], {}).leaderElect).toBe(false);
    expect(parseFlags('c', ['--leader-elect', 'true'], {}).leaderElect).toBe(true);
    expect(parseFlags('c', ['--leader-elect=false'], {}).leaderElect).toBe(false);
    // A bare boolean followed by another flag: the next flag is read as a flag.
    expect(parseFlags('c', ['--leader-elect', '--log-level=warn'], {})).toMatchObject({
      leaderElect: true,
      logLevel: 'warn',
    });
    // A bare boolean followed by a word that is not true/false: the word is an argument, not its value.
    expect(() => parseFlags('c', ['--leader-elect', 'yes'], {})).toThrow(
      "unexpected argument 'yes': flags look like --name=value (see --help)",
    );
    expect(() => parseFlags('c', ['--leader-elect=yes'], {})).toThrow(
      /^invalid value 'yes' for --leader-elect: /,
    );
  });

  it('disables an endpoint with 0 and accepts :port', () => {
    expect(parseFlags('c', ['--metrics-bind-address=0', '--health-probe-bind-address=:1'], {})).toMatchObject(
      {
        metricsBindAddress: '0',
        healthProbeBindAddress: ':1',
      },
    );
    expect(() => parseFlags('c', ['--metrics-bind-address=8080'], {})).toThrow(
      "invalid value '8080' for --metrics-bind-address: expected host:port, :port, or 0 to disable",
    );
  });

  it('names the flag and what it accepts for a bad value', () => {
    const bad: [string, string][] = [
      ['--leader-election-lease-duration=15', 'expected a duration such as 15s, 500ms or 2m'],
      ['--leader-election-id=Not_A_Name', 'expected a DNS subdomain name'],
      ['--leader-election-id=lock-', 'expected a DNS subdomain name'],
      ['--kube-api-qps=-1', 'expected 0 (no limit) or more'],
      ['--watch-namespace=a,,b', 'expected a comma-separated list of namespace names'],
      ['--max-concurrent-reconciles=0', 'expected at least 1'],
      ['--max-concurrent-reconciles=1001', 'expected at most 1000'],
      ['--max-concurrent-reconciles=1.5', 'expected a whole number'],
      ['--max-concurrent-reconciles=many', 'expected a whole number'],
      ['--kube-api-qps=100001', 'expected at most 100000'],
      ['--kube-api-qps=fast', 'expected a number'],
      ['--kube-api-burst=100001', 'expected at most 100000'],
      ['--kube-api-burst=lots', 'expected a whole number'],
    ];
    for (const [arg, message] of bad) {
      const [name, given] = arg.split('=') as [string, string];
      expect(() => parseFlags('c', [arg], {})).toThrow(`invalid value '${given}' for ${name}: ${message}`);
    }
    expect(parseFlags('c', ['--max-concurrent-reconciles=1'], {}).maxConcurrentReconciles).toBe(1);
    expect(parseFlags('c', ['--leader-election-id=a'], {}).leaderElectionId).toBe('a');
    expect(new FlagError('x').name).toBe('FlagError');
    expect(parseFlags('c', ['--kube-api-qps=100000', '--kube-api-burst=100000'], {})).toMatchObject({
      kubeApiQps: 100_000,
      kubeApiBurst: 100_000,
    });
    expect(() => parseFlags('c', ['--kubeconfig='], {})).toThrow(/^invalid value '' for --kubeconfig: /);
    expect(() => parseFlags('c', ['--log-level=loud'], {})).toThrow(
      /^invalid value 'loud' for --log-level: /,
    );
  });

  it('rejects arguments, unknown flags and a missing value, naming them', () => {
    expect(() => parseFlags('c', ['run'], {})).toThrow(FlagError);
    expect(() => parseFlags('c', ['-v'], {})).toThrow(
      "unexpected argument '-v': flags look like --name=value (see --help)",
    );
    expect(() => parseFlags('c', ['--nope=1'], {})).toThrow('unknown flag --nope (see --help for the list)');
    expect(() => parseFlags('c', ['--kubeconfig'], {})).toThrow('flag --kubeconfig needs a value');
    expect(() => parseFlags('c', ['--kubeconfig', '--leader-elect'], {})).toThrow(
      'flag --kubeconfig needs a value',
    );
  });

  it('falls back to the environment for flags that have a variable, the flag winning', () => {
    const env = { POD_NAMESPACE: 'pods-ns', WATCH_NAMESPACE: 'x,y', LOG_LEVEL: 'error' };
    expect(parseFlags('c', [], env)).toMatchObject({
      leaderElectionNamespace: 'pods-ns',
      watchNamespaces: ['x', 'y'],
      logLevel: 'error',
    });
    expect(
      parseFlags(
        'c',
        ['--leader-election-namespace=flag-ns', '--watch-namespace=z', '--log-level=warn'],
        env,
      ),
    ).toMatchObject({ leaderElectionNamespace: 'flag-ns', watchNamespaces: ['z'], logLevel: 'warn' });
    // An empty variable counts as unset (so the default applies).
    expect(parseFlags('c', [], { LOG_LEVEL: '', WATCH_NAMESPACE: '' })).toMatchObject({
      logLevel: 'info',
      watchNamespaces: [],
    });
    // Variables of other flags are not read.
    expect(parseFlags('c', [], { KUBECONFIG: '/x', LEADER_ELECT: 'true' })).toMatchObject({
      kubeconfig: undefined,
      leaderElect: false,
    });
  });

  it('names the variable when a bad value came from the environment', () => {
    expect(() => parseFlags('c', [], { LOG_LEVEL: 'loud' })).toThrow(
      /^invalid value 'loud' for LOG_LEVEL \(for --log-level\): /,
    );
    expect(() => parseFlags('c', ['--log-level=loud'], { LOG_LEVEL: 'info' })).toThrow(
      /^invalid value 'loud' for --log-level: /,
    );
  });
});

describe('usage', () => {
  it('is the help text a user reads (update on purpose when a flag changes)', () => {
    expect(usage('widget', 'reconciles widgets')).toMatchInlineSnapshot(`
      "widget: reconciles widgets

      Usage: widget [flags]

      Flags:
        --kubeconfig=<value>                         Path to a kubeconfig; default KUBECONFIG, in-cluster, ~/.kube/config
        --leader-elect                               Elect a leader through a Lease so only one replica reconciles (default false)
        --leader-election-id=<value>                 Name of the Lease (default widget.toolhive.stacklok.dev)
        --leader-election-namespace=<value>          Namespace of the Lease; default POD_NAMESPACE, the in-cluster namespace, or default (env POD_NAMESPACE)
        --leader-election-lease-duration=<value>     How long a standby waits before taking an unrenewed lease (default 15s)
        --leader-election-renew-deadline=<value>     How long the leader keeps trying to renew before giving up (default 10s)
        --leader-election-retry-period=<value>       Interval between acquire/renew attempts (default 2s)
        --metrics-bind-address=<value>               Address of the Prometheus /metrics endpoint; 0 disables it (default :8080)
        --health-probe-bind-address=<value>          Address of /healthz and /readyz; 0 disables them (default :8081)
        --watch-namespace=<value>                    Only watch these namespaces (comma-separated); default all (env WATCH_NAMESPACE)
        --max-concurrent-reconciles=<value>          Reconciles run at once per controller (never two for one object) (default 1)
        --kube-api-qps=<value>                       Client-side limit of apiserver requests per second (a watch takes one as it starts); 0, the default, leaves it to the apiserver's priority and fairness (default 0)
        --kube-api-burst=<value>                     Requests that may go at once above --kube-api-qps, when that is set (default 30)
        --log-level=<value>                          Log level: trace, debug, info, warn, error, fatal, silent (default info; env LOG_LEVEL)
        --help                                       Print this help and exit
        --version                                    Print the version and exit
      "
    `);
  });

  it('lists every flag once, with its value form, help, default and variable', () => {
    const text = usage('widget', 'reconciles widgets');
    expect(text.startsWith('widget: reconciles widgets\n\nUsage: widget [flags]\n\nFlags:\n')).toBe(true);
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.split('\n').filter((l) => l.startsWith('  --'));
    expect(lines).toHaveLength(flagNames('widget').length);
    expect(lines).toContain(
      `  ${'--leader-elect'.padEnd(44)} Elect a leader through a Lease so only one replica reconciles (default false)`,
    );
    expect(lines).toContain(
      `  ${'--leader-election-id=<value>'.padEnd(44)} Name of the Lease (default widget.toolhive.stacklok.dev)`,
    );
    expect(lines).toContain(
      `  ${'--log-level=<value>'.padEnd(44)} Log level: trace, debug, info, warn, error, fatal, silent (default info; env LOG_LEVEL)`,
    );
    expect(lines).toContain(
      `  ${'--watch-namespace=<value>'.padEnd(44)} Only watch these namespaces (comma-separated); default all (env WATCH_NAMESPACE)`,
    );
    expect(lines).toContain(`  ${'--help'.padEnd(44)} Print this help and exit`);
    expect(lines).toContain(`  ${'--version'.padEnd(44)} Print the version and exit`);
  });
});
