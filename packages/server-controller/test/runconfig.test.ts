import {
  configMapContentChecksum,
  formatFieldErrors,
  parseMCPServer,
  parseMCPTelemetryConfig,
} from '@mcp-controllers/api';
import { describe, expect, it } from 'vitest';
import {
  buildRunConfig,
  formatGoDuration,
  marshalIndentGo,
  normalizeGoDuration,
  parseGoDuration,
  renderRunConfig,
  runConfigConfigMap,
  runConfigProblems,
  telemetryWiring,
} from '../src/index.js';
import type { Server } from '../src/types.js';

/** An MCPServer as the controller sees it: parsed, so the CRD defaults are applied. */
function server(
  spec: Record<string, unknown>,
  meta: { name?: string; namespace?: string; generation?: number } = {},
): Server {
  const { name = 'test-server', namespace = 'test-ns', generation } = meta;
  const parsed = parseMCPServer({
    apiVersion: 'toolhive.stacklok.dev/v1beta1',
    kind: 'MCPServer',
    metadata: { name, namespace, ...(generation !== undefined ? { generation } : {}) },
    spec: { image: 'test-image:latest', ...spec },
  });
  if (!parsed.ok) throw new Error(formatFieldErrors(parsed.errors));
  return { ...parsed.value, metadata: { ...parsed.value.metadata, name, namespace } };
}

function telemetrySpec(spec: unknown) {
  const parsed = parseMCPTelemetryConfig({
    apiVersion: 'toolhive.stacklok.dev/v1beta1',
    kind: 'MCPTelemetryConfig',
    metadata: { name: 'otel', namespace: 'test-ns' },
    spec,
  });
  if (!parsed.ok) throw new Error(formatFieldErrors(parsed.errors));
  return parsed.value.spec;
}

const build = (s: Server, options: Parameters<typeof buildRunConfig>[1] = {}) => buildRunConfig(s, options);
const configMapOf = (s: Server) => runConfigConfigMap(s, renderRunConfig(build(s)));
const checksumOf = (s: Server) => configMapContentChecksum(configMapOf(s));

// runtime-formats a.5 (ToolHive's yardstick example), without the `usagemetrics` middleware.
const yardstickRunConfig = `{
  "schema_version": "v0.1.0",
  "mcpserver_generation": 1,
  "image": "ghcr.io/stackloklabs/yardstick/yardstick-server:1.1.1",
  "name": "yardstick",
  "container_name": "yardstick",
  "base_name": "yardstick",
  "transport": "streamable-http",
  "host": "0.0.0.0",
  "port": 8080,
  "target_port": 8080,
  "permission_profile": {
    "name": "network",
    "network": {
      "outbound": {
        "insecure_allow_all": true
      },
      "inbound": {}
    }
  },
  "env_vars": {
    "FASTMCP_PORT": "8080",
    "MCP_PORT": "8080",
    "MCP_TRANSPORT": "streamable-http",
    "TRANSPORT": "streamable-http"
  },
  "container_labels": {
    "toolhive": "true",
    "toolhive-basename": "yardstick",
    "toolhive-name": "yardstick",
    "toolhive-port": "8080",
    "toolhive-transport": "streamable-http"
  },
  "telemetry_config": {
    "endpoint": "otel-collector.monitoring.svc.cluster.local:4318",
    "serviceName": "yardstick",
    "tracingEnabled": true,
    "metricsEnabled": true,
    "samplingRate": "0.1",
    "insecure": true,
    "enablePrometheusMetricsPath": true,
    "customAttributes": {
      "deployment.environment": "dev"
    },
    "useLegacyAttributes": true
  },
  "proxy_mode": "streamable-http",
  "middleware_configs": [
    {
      "type": "bodylimit",
      "parameters": {
        "max_bytes": 8388608
      }
    },
    {
      "type": "auth",
      "parameters": {}
    },
    {
      "type": "mcp-parser",
      "parameters": {}
    },
    {
      "type": "telemetry",
      "parameters": {
        "config": {
          "endpoint": "otel-collector.monitoring.svc.cluster.local:4318",
          "serviceName": "yardstick",
          "tracingEnabled": true,
          "metricsEnabled": true,
          "samplingRate": "0.1",
          "insecure": true,
          "enablePrometheusMetricsPath": true,
          "customAttributes": {
            "deployment.environment": "dev"
          },
          "useLegacyAttributes": true
        },
        "server_name": "yardstick",
        "transport": "streamable-http"
      }
    },
    {
      "type": "recovery",
      "parameters": null
    }
  ]
}`;

describe('buildRunConfig + renderRunConfig', () => {
  it('writes runtime-formats a.5 byte for byte (minus usagemetrics)', () => {
    const yardstick = server(
      {
        image: 'ghcr.io/stackloklabs/yardstick/yardstick-server:1.1.1',
        transport: 'streamable-http',
        proxyPort: 8080,
        mcpPort: 8080,
        env: [{ name: 'TRANSPORT', value: 'streamable-http' }],
        groupRef: { name: 'demo-group' },
        telemetryConfigRef: { name: 'otel-shared' },
      },
      { name: 'yardstick', namespace: 'toolhive-system', generation: 1 },
    );
    const otelShared = telemetrySpec({
      openTelemetry: {
        enabled: true,
        endpoint: 'otel-collector.monitoring.svc.cluster.local:4318',
        insecure: true,
        tracing: { enabled: true, samplingRate: '0.1' },
        metrics: { enabled: true },
        resourceAttributes: { 'deployment.environment': 'dev' },
      },
      prometheus: { enabled: true },
    });
    const wiring = telemetryWiring(yardstick, { spec: otelShared });
    const runtime = wiring?.runtime;
    expect(renderRunConfig(build(yardstick, runtime ? { telemetry: runtime } : {}))).toBe(yardstickRunConfig);
  });

  it('converts a minimal stdio server (ToolHive: basic conversion, edge case of empty lists)', () => {
    const config = build(server({ args: [], volumes: [] }));
    expect(config).toMatchObject({
      schema_version: 'v0.1.0',
      name: 'test-server',
      image: 'test-image:latest',
      transport: 'stdio',
      port: 8080,
      target_port: 8080,
      host: '0.0.0.0',
      proxy_mode: 'streamable-http',
      env_vars: { MCP_TRANSPORT: 'stdio' },
    });
    for (const key of [
      'cmd_args',
      'volumes',
      'secrets',
      'k8s_pod_template_patch',
      'mcpserver_generation',
      'group',
    ]) {
      expect(Object.keys(config), key).not.toContain(key);
    }
  });

  it('adds MCP_TRANSPORT, MCP_PORT and FASTMCP_PORT to the env of an HTTP server', () => {
    const config = build(
      server({
        transport: 'sse',
        proxyPort: 9090,
        env: [
          { name: 'VAR1', value: 'value1' },
          { name: 'VAR2', value: 'value2' },
          { name: 'MCP_TRANSPORT', value: 'overridden' },
        ],
      }),
    );
    expect(config.env_vars).toEqual({
      FASTMCP_PORT: '8080',
      MCP_PORT: '8080',
      MCP_TRANSPORT: 'sse',
      VAR1: 'value1',
      VAR2: 'value2',
    });
    expect(Object.keys(config.env_vars as object)).toEqual([
      'FASTMCP_PORT',
      'MCP_PORT',
      'MCP_TRANSPORT',
      'VAR1',
      'VAR2',
    ]);
    expect(config.port).toBe(9090);
    expect(config.container_labels).toEqual({
      toolhive: 'true',
      'toolhive-basename': 'test-server',
      'toolhive-name': 'test-server',
      'toolhive-port': '9090',
      'toolhive-transport': 'sse',
    });
  });

  it('carries every field of ToolHive’s comprehensive case', () => {
    const config = build(
      server({
        image: 'comprehensive:latest',
        transport: 'streamable-http',
        proxyPort: 9090,
        mcpPort: 8080,
        proxyMode: 'streamable-http',
        args: ['--comprehensive', '--test'],
        env: [
          { name: 'ENV1', value: 'value1' },
          { name: 'ENV2', value: 'value2' },
          { name: 'EMPTY_VALUE', value: '' },
        ],
        volumes: [
          { name: 'vol1', hostPath: '/host/path1', mountPath: '/mount/path1', readOnly: false },
          { name: 'vol2', hostPath: '/host/path2', mountPath: '/mount/path2', readOnly: true },
        ],
        secrets: [
          { name: 'secret1', key: 'key1', targetEnvName: 'CUSTOM_TARGET' },
          { name: 'secret2', key: 'key2' },
        ],
      }),
    );
    expect(config).toMatchObject({
      transport: 'streamable-http',
      port: 9090,
      target_port: 8080,
      proxy_mode: 'streamable-http',
      cmd_args: ['--comprehensive', '--test'],
      volumes: ['/host/path1:/mount/path1', '/host/path2:/mount/path2:ro'],
    });
    expect(Object.keys(config.env_vars as object)).toHaveLength(6);
    expect((config.env_vars as Record<string, string>).EMPTY_VALUE).toBe('');
    // Secrets reach the MCP container through the pod patch, never the RunConfig.
    expect(renderRunConfig(config)).not.toContain('secret1');
    // The builder lists host mounts in the permission profile too (read-only ones under `read`).
    expect(config.permission_profile).toEqual({
      name: 'network',
      read: ['/host/path2:/mount/path2'],
      write: ['/host/path1:/mount/path1'],
      network: { outbound: { insecure_allow_all: true }, inbound: {} },
    });
  });

  it('lists a mount target in the profile once, as the builder does, but keeps every volume', () => {
    const config = build(
      server({
        volumes: [
          { name: 'a', hostPath: '/host/a', mountPath: '/data' },
          { name: 'b', hostPath: '/host/b', mountPath: '/data/', readOnly: true },
        ],
      }),
    );
    expect(config.volumes).toEqual(['/host/a:/data', '/host/b:/data/:ro']);
    expect(config.permission_profile).toMatchObject({ write: ['/host/a:/data'] });
    expect(Object.keys(config.permission_profile as object)).not.toContain('read');
  });

  it('writes the effective proxy mode: stdio follows proxyMode, HTTP transports ignore it', () => {
    const mode = (spec: Record<string, unknown>) => build(server(spec)).proxy_mode;
    expect(mode({ proxyMode: 'sse' })).toBe('sse');
    expect(mode({ proxyMode: 'streamable-http' })).toBe('streamable-http');
    expect(mode({})).toBe('streamable-http');
    expect(mode({ transport: 'sse', proxyMode: 'streamable-http', mcpPort: 8080 })).toBe('sse');
    expect(mode({ transport: 'sse' })).toBe('sse');
    expect(mode({ transport: 'streamable-http', proxyMode: 'sse' })).toBe('streamable-http');
  });

  it('stamps metadata.generation as mcpserver_generation', () => {
    expect(build(server({}, { generation: 7 })).mcpserver_generation).toBe(7);
  });

  it('uses the given proxy host', () => {
    expect(build(server({}), { host: '127.0.0.1' }).host).toBe('127.0.0.1');
    expect(build(server({}), { host: '' }).host).toBe('0.0.0.0');
  });

  it('resolves the permission profile as ToolHive’s builder does', () => {
    const profile = (permissionProfile: unknown) => {
      const config = build(server(permissionProfile ? { permissionProfile } : {}));
      return [config.permission_profile_name_or_path, config.permission_profile];
    };
    const none = { name: 'none', network: { outbound: {}, inbound: {} } };
    const network = { name: 'network', network: { outbound: { insecure_allow_all: true }, inbound: {} } };
    expect(profile(undefined)).toEqual([undefined, network]);
    expect(profile({ type: 'builtin', name: 'network' })).toEqual(['network', network]);
    expect(profile({ type: 'builtin', name: 'none' })).toEqual(['none', none]);
    expect(profile({ type: 'builtin', name: 'stdio' })).toEqual(['stdio', none]);
    expect(profile({ type: 'configmap', name: 'profiles', key: 'strict.json' })).toEqual([
      '/etc/toolhive/profiles/strict.json',
      null,
    ]);
    // `permission_profile` has no omitempty: a null profile is written as null.
    expect(
      renderRunConfig(build(server({ permissionProfile: { type: 'configmap', name: 'p', key: 'k' } }))),
    ).toContain('"permission_profile": null');
  });

  it('writes the audit defaults and the audit middleware when spec.audit.enabled', () => {
    const config = build(server({ audit: { enabled: true } }));
    expect(config.audit_config).toEqual({ detectApplicationErrors: true, maxDataSize: 1024 });
    expect((config.middleware_configs as { type: string }[]).map((m) => m.type)).toEqual([
      'bodylimit',
      'audit',
      'auth',
      'mcp-parser',
      'recovery',
    ]);
    expect((config.middleware_configs as { parameters: unknown }[])[1]?.parameters).toEqual({
      config_data: { detectApplicationErrors: true, maxDataSize: 1024 },
      transport_type: 'stdio',
    });
    expect(Object.keys(build(server({ audit: { enabled: false } })))).not.toContain('audit_config');
  });

  it('writes scaling_config from backendReplicas and Redis session storage, never the password', () => {
    const config = build(
      server({
        backendReplicas: 0,
        sessionStorage: {
          provider: 'redis',
          address: 'redis.default.svc:6379',
          db: 2,
          keyPrefix: 'thv:',
          passwordRef: { name: 'redis-secret', key: 'password' },
        },
      }),
    );
    expect(config.scaling_config).toEqual({
      backend_replicas: 0,
      session_redis: { address: 'redis.default.svc:6379', db: 2, key_prefix: 'thv:' },
    });
    expect(renderRunConfig(config)).not.toContain('redis-secret');
    expect(Object.keys(build(server({ sessionStorage: { provider: 'memory' } })))).not.toContain(
      'scaling_config',
    );
    expect(
      build(server({ sessionStorage: { provider: 'redis', address: 'r:6379' } })).scaling_config,
    ).toEqual({
      session_redis: { address: 'r:6379' },
    });
  });

  it('writes rate limits with Go durations, their namespace, and the ratelimit middleware', () => {
    const config = build(
      server({
        sessionStorage: { provider: 'redis', address: 'redis:6379', db: 1 },
        rateLimiting: {
          shared: { maxTokens: 10, refillPeriod: '1m' },
          tools: [{ name: 'search', shared: { maxTokens: 2, refillPeriod: '90s' } }],
        },
      }),
    );
    const rateLimit = {
      shared: { maxTokens: 10, refillPeriod: '1m0s' },
      tools: [{ name: 'search', shared: { maxTokens: 2, refillPeriod: '1m30s' } }],
    };
    expect(config.rate_limit_config).toEqual(rateLimit);
    expect(config.rate_limit_namespace).toBe('test-ns');
    const middleware = config.middleware_configs as { type: string; parameters: unknown }[];
    expect(middleware.map((m) => m.type)).toEqual([
      'bodylimit',
      'auth',
      'mcp-parser',
      'ratelimit',
      'recovery',
    ]);
    expect(middleware[3]?.parameters).toEqual({
      namespace: 'test-ns',
      server_name: 'test-server',
      config: rateLimit,
      redis_addr: 'redis:6379',
      redis_db: 1,
    });
  });

  it('writes trustProxyHeaders and endpointPrefix only when set', () => {
    const config = build(server({ trustProxyHeaders: true, endpointPrefix: '/team-a' }));
    expect(config.trust_proxy_headers).toBe(true);
    expect(config.endpoint_prefix).toBe('/team-a');
    const plain = Object.keys(build(server({})));
    expect(plain).not.toContain('trust_proxy_headers');
    expect(plain).not.toContain('endpoint_prefix');
  });

  it('writes the telemetry fields, samplingRate as a string, in telemetry_config and the telemetry middleware', () => {
    const s = server({ telemetryConfigRef: { name: 'otel', serviceName: 'fetch-svc' } });
    const spec = telemetrySpec({
      openTelemetry: {
        enabled: true,
        endpoint: 'https://collector:4318',
        tracing: { enabled: true, samplingRate: '1.0' },
      },
    });
    const runtime = telemetryWiring(s, { spec, serviceName: 'fetch-svc' })?.runtime;
    const config = build(s, runtime ? { telemetry: runtime } : {});
    const expected = {
      endpoint: 'collector:4318',
      serviceName: 'fetch-svc',
      tracingEnabled: true,
      metricsEnabled: false,
      samplingRate: '1',
      useLegacyAttributes: true,
    };
    expect(config.telemetry_config).toEqual(expected);
    const telemetry = (config.middleware_configs as { type: string; parameters: unknown }[]).find(
      (m) => m.type === 'telemetry',
    );
    expect(telemetry?.parameters).toEqual({
      config: expected,
      server_name: 'test-server',
      transport: 'stdio',
    });
    expect(renderRunConfig(config)).toContain('"samplingRate": "1"');
  });

  it('writes the deprecated inline telemetry through the same path', () => {
    const s = server({
      telemetry: {
        openTelemetry: {
          enabled: true,
          endpoint: 'http://collector:4318',
          headers: ['x-team=a'],
          tracing: { enabled: true, samplingRate: '0.25' },
        },
      },
    });
    const runtime = telemetryWiring(s)?.runtime;
    expect(build(s, runtime ? { telemetry: runtime } : {}).telemetry_config).toEqual({
      endpoint: 'collector:4318',
      serviceName: 'test-server',
      tracingEnabled: true,
      metricsEnabled: false,
      samplingRate: '0.25',
      headers: { 'x-team': 'a' },
      useLegacyAttributes: true,
    });
  });
});

describe('runConfigConfigMap and its checksum', () => {
  it('names, labels and annotates the ConfigMap as ToolHive does, without an owner reference', () => {
    const s = server({});
    const json = renderRunConfig(build(s));
    const cm = runConfigConfigMap(s, json);
    expect(cm).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'test-server-runconfig',
        namespace: 'test-ns',
        labels: {
          'toolhive.stacklok.io/component': 'run-config',
          'toolhive.stacklok.io/mcp-server': 'test-server',
          'toolhive.stacklok.io/managed-by': 'toolhive-operator',
        },
        annotations: { 'toolhive.stacklok.dev/content-checksum': configMapContentChecksum(cm) },
      },
      data: { 'runconfig.json': json },
    });
  });

  it('gives the same ConfigMap and checksum for the same spec (ToolHive: deterministic generation)', () => {
    const spec = {
      image: 'deterministic-test:v1.2.3',
      transport: 'sse',
      proxyPort: 9090,
      mcpPort: 8080,
      args: ['--arg1', '--arg2', '--complex-flag=value'],
      env: [
        { name: 'VAR_C', value: 'value_c' },
        { name: 'VAR_A', value: 'value_a' },
        { name: 'VAR_B', value: 'value_b' },
        { name: 'EMPTY_VAR', value: '' },
      ],
      volumes: [
        { name: 'vol2', hostPath: '/host/path2', mountPath: '/container/path2', readOnly: true },
        { name: 'vol1', hostPath: '/host/path1', mountPath: '/container/path1' },
      ],
    };
    const first = configMapOf(server(spec));
    for (let i = 0; i < 10; i++) expect(configMapOf(server(spec))).toEqual(first);
    const config = build(server(spec));
    expect(Object.keys(config.env_vars as object)).toHaveLength(7);
    expect(config.volumes).toEqual(['/host/path2:/container/path2:ro', '/host/path1:/container/path1']);
  });

  it('changes the checksum when the RunConfig changes, not when only secrets do (ToolHive: modification scenarios)', () => {
    const base = {
      args: ['--initial', '--arg'],
      volumes: [{ name: 'v', hostPath: '/host/path1', mountPath: '/container/path1' }],
    };
    const before = checksumOf(server(base));
    const changed = [
      { transport: 'sse', proxyPort: 9090, mcpPort: 8080 },
      { args: ['--modified', '--different', '--args'] },
      { volumes: [{ name: 'v', hostPath: '/host/path1', mountPath: '/container/path1', readOnly: true }] },
      { proxyMode: 'sse' },
    ];
    for (const change of changed) {
      expect(checksumOf(server({ ...base, ...change })), JSON.stringify(change)).not.toBe(before);
    }
    expect(checksumOf(server({ ...base, secrets: [{ name: 'secret1', key: 'key1' }] }))).toBe(before);
  });
});

describe('Go encodings', () => {
  it('marshalIndentGo prints like MarshalIndent, HTML escaping included', () => {
    expect(marshalIndentGo({ a: [], b: {}, c: null, d: 'x<y>&z' })).toBe(
      '{\n  "a": [],\n  "b": {},\n  "c": null,\n  "d": "x\\u003cy\\u003e\\u0026z"\n}',
    );
    expect(marshalIndentGo({ s: 'line\nbreak\u2028' })).toBe('{\n  "s": "line\\nbreak\\u2028"\n}');
    expect(marshalIndentGo({ skipped: undefined, kept: false })).toBe('{\n  "kept": false\n}');
  });

  it('marshalIndentGo sorts maps whose integer-like keys JavaScript has reordered', () => {
    expect(marshalIndentGo({ '10': 'a', '9': 'b', '-x': 'c' })).toBe(
      '{\n  "-x": "c",\n  "10": "a",\n  "9": "b"\n}',
    );
  });

  it('reads and writes durations as Go’s time package does', () => {
    const cases: [string, string][] = [
      ['1m', '1m0s'],
      ['90s', '1m30s'],
      ['1.5h', '1h30m0s'],
      ['1h0m0s', '1h0m0s'],
      ['300ms', '300ms'],
      ['1500ms', '1.5s'],
      ['2us', '2µs'],
      ['2μs', '2µs'],
      ['0', '0s'],
      ['-1m', '-1m0s'],
      ['1.000000001s', '1.000000001s'],
      ['25h', '25h0m0s'],
    ];
    for (const [input, output] of cases) expect(normalizeGoDuration(input), input).toBe(output);
    for (const bad of ['', '1', 'm', '.s', '1x', '1m2', '9999999999999999999h']) {
      expect(parseGoDuration(bad), bad).toBeUndefined();
    }
    expect(formatGoDuration(1n)).toBe('1ns');
  });
});

describe('runConfigProblems', () => {
  it('is empty for a sound spec and names what ToolHive would refuse', () => {
    expect(runConfigProblems(server({ env: [{ name: 'A', value: '1' }] }).spec)).toEqual([]);
    const problems = runConfigProblems(
      server({
        env: [
          { name: 'A=B', value: '1' },
          { name: 'C', value: 'two\nlines' },
        ],
        volumes: [{ name: 'v', hostPath: '/a:b', mountPath: '/c' }],
        sessionStorage: { provider: 'redis', address: 'r:6379' },
        rateLimiting: { shared: { maxTokens: 1, refillPeriod: 'soon' } },
      }).spec,
    );
    expect(problems).toEqual([
      'spec.env: invalid variable name "A=B"',
      'spec.env: the value of C contains a line break',
      "spec.volumes: v: a path cannot contain ':'",
      'spec.rateLimiting.shared.refillPeriod: "soon" is not a duration such as 1m or 30s',
    ]);
  });
});
