import {
  configMapContentChecksum,
  contentChecksumAnnotation,
  formatFieldErrors,
  parseMCPTelemetryConfig,
  parseVirtualMCPServer,
} from '@mcp-controllers/api';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { buildVmcpConfig, renderConfigYaml, vmcpConfigMap, type TelemetryInput } from '../src/config.js';
import type { Member } from '../src/members.js';
import type { VirtualServer } from '../src/types.js';

const namespace = 'toolhive-system';

function vmcp(spec: Record<string, unknown>, name = 'demo-vmcp'): VirtualServer {
  const parsed = parseVirtualMCPServer({
    apiVersion: 'toolhive.stacklok.dev/v1beta1',
    kind: 'VirtualMCPServer',
    metadata: { name, namespace, generation: 1, uid: 'uid-1' },
    spec: { groupRef: { name: 'demo-group' }, incomingAuth: { type: 'anonymous' }, ...spec },
  });
  if (!parsed.ok) throw new Error(`fixture does not parse: ${formatFieldErrors(parsed.errors)}`);
  return { ...parsed.value, metadata: { ...parsed.value.metadata, name, namespace } };
}

const groupRef = { name: 'demo-group' };
const server = (name: string, transport: string, extra: Record<string, unknown> = {}): Member => ({
  kind: 'MCPServer',
  object: {
    metadata: { name, namespace },
    spec: { image: 'x', transport, proxyMode: 'streamable-http', groupRef, ...extra },
    status: {
      phase: 'Ready',
      url: `http://mcp-${name}-proxy.${namespace}.svc.cluster.local:8080/${transport === 'sse' ? `sse#${name}` : 'mcp'}`,
    },
  },
});
const proxy: Member = {
  kind: 'MCPRemoteProxy',
  object: {
    metadata: { name: 'remote-proxy', namespace },
    spec: { remoteUrl: 'https://remote.example.com/mcp', transport: 'streamable-http', groupRef },
    status: {
      phase: 'Ready',
      url: `http://mcp-remote-proxy-remote-proxy.${namespace}.svc.cluster.local:8080/mcp`,
    },
  },
};
const entryWithCA: Member = {
  kind: 'MCPServerEntry',
  object: {
    metadata: { name: 'remote-docs', namespace },
    spec: {
      remoteUrl: 'https://mcp.partner.example.com/mcp',
      transport: 'streamable-http',
      groupRef,
      caBundleRef: { configMapRef: { name: 'partner-ca', key: 'ca.crt' } },
    },
    status: { phase: 'Valid' },
  },
};
const entryWithHeaders: Member = {
  kind: 'MCPServerEntry',
  object: {
    metadata: { name: 'search', namespace },
    spec: {
      remoteUrl: 'https://search.example.com/sse',
      transport: 'sse',
      groupRef,
      headerForward: {
        addHeadersFromSecret: [{ headerName: 'X-Api-Key', valueSecretRef: { name: 's', key: 'k' } }],
      },
    },
    status: { phase: 'Valid' },
  },
};
const group = [
  server('yardstick', 'streamable-http'),
  server('events', 'sse'),
  proxy,
  entryWithCA,
  entryWithHeaders,
];

// The operational block ToolHive's defaults produce when spec.config sets none (runtime-formats c.4).
const defaultOperational = `operational:
    timeouts:
        default: 30s
    failureHandling:
        healthCheckInterval: 30s
        unhealthyThreshold: 3
        statusReportingInterval: 30s
        partialFailureMode: fail
        circuitBreaker:
            failureThreshold: 5
            timeout: 1m0s
`;

describe('buildVmcpConfig / renderConfigYaml', () => {
  it('writes runtime-formats c.5 (inline mode) with type: entry, for an MCPServer and an entry', () => {
    const yardstick = server('yardstick', 'streamable-http');
    const { config, problems, skipped } = buildVmcpConfig(
      vmcp(
        { outgoingAuth: { source: 'inline' }, config: { aggregation: { conflictResolution: 'prefix' } } },
        'static-vmcp',
      ),
      { members: [yardstick, entryWithCA] },
    );
    expect(problems).toEqual([]);
    expect(skipped).toEqual([]);
    expect(renderConfigYaml(config)).toBe(`name: static-vmcp
groupRef: demo-group
backends:
    - name: remote-docs
      url: https://mcp.partner.example.com/mcp
      transport: streamable-http
      type: entry
      caBundlePath: /etc/toolhive/ca-bundles/remote-docs/ca.crt
      metadata:
        group: demo-group
        namespace: toolhive-system
        remote_url: https://mcp.partner.example.com/mcp
        tool_type: mcp
        workload_status: Valid
        workload_type: server_entry
    - name: yardstick
      url: http://mcp-yardstick-proxy.toolhive-system.svc.cluster.local:8080/mcp
      transport: streamable-http
      metadata:
        group: demo-group
        namespace: toolhive-system
        tool_type: mcp
        workload_status: Ready
        workload_type: mcp_server
incomingAuth:
    type: anonymous
outgoingAuth:
    source: inline
aggregation:
    conflictResolution: prefix
    conflictResolutionConfig:
        prefixFormat: '{workload}_'
${defaultOperational}`);
  });

  it('writes runtime-formats c.4 (discovered mode) with telemetry, authz and CRD-defaulted failure handling', () => {
    const telemetry = parseMCPTelemetryConfig({
      apiVersion: 'toolhive.stacklok.dev/v1beta1',
      kind: 'MCPTelemetryConfig',
      metadata: { name: 'otel-shared', namespace },
      spec: {
        openTelemetry: {
          enabled: true,
          endpoint: 'http://otel-collector.monitoring.svc.cluster.local:4318',
          insecure: true,
          tracing: { enabled: true, samplingRate: '0.1' },
          metrics: { enabled: true },
          resourceAttributes: { 'deployment.environment': 'dev' },
        },
        prometheus: { enabled: true },
      },
    });
    if (!telemetry.ok) throw new Error(formatFieldErrors(telemetry.errors));
    const { config, problems, skipped } = buildVmcpConfig(
      vmcp({
        incomingAuth: {
          type: 'anonymous',
          authzConfig: { type: 'inline', inline: { policies: ['permit(principal, action, resource);'] } },
        },
        outgoingAuth: { source: 'discovered' },
        telemetryConfigRef: { name: 'otel-shared', serviceName: 'demo-vmcp-otel' },
        config: {
          aggregation: { conflictResolution: 'prefix' },
          operational: { failureHandling: { healthCheckInterval: '30s' } },
        },
      }),
      { members: group, telemetry: { spec: telemetry.value.spec, serviceName: 'demo-vmcp-otel' } },
    );
    expect(problems).toEqual([]);
    expect(skipped).toEqual([]);
    // c.4 leaves out `entitiesJson`, which the CRD defaults to "[]" and ToolHive copies.
    expect(renderConfigYaml(config)).toBe(`name: demo-vmcp
groupRef: demo-group
incomingAuth:
    type: anonymous
    authz:
        type: cedar
        policies:
            - permit(principal, action, resource);
        entitiesJson: '[]'
outgoingAuth:
    source: discovered
aggregation:
    conflictResolution: prefix
    conflictResolutionConfig:
        prefixFormat: '{workload}_'
operational:
    timeouts:
        default: 30s
    failureHandling:
        healthCheckInterval: 30s
        unhealthyThreshold: 3
        healthCheckTimeout: 10s
        statusReportingInterval: 30s
        partialFailureMode: fail
        circuitBreaker:
            failureThreshold: 5
            timeout: 1m0s
telemetry:
    endpoint: otel-collector.monitoring.svc.cluster.local:4318
    serviceName: demo-vmcp-otel
    tracingEnabled: true
    metricsEnabled: true
    samplingRate: "0.1"
    insecure: true
    enablePrometheusMetricsPath: true
    customAttributes:
        deployment.environment: dev
    useLegacyAttributes: true
`);
  });

  it('in discovered mode writes no backends whatever the group holds or spec.config lists', () => {
    const written = {
      backends: [{ name: 'manual', url: 'https://manual.example.com/mcp', transport: 'sse' }],
    };
    const { config, skipped } = buildVmcpConfig(vmcp({ config: written }), { members: group });
    expect(config.backends).toBeUndefined();
    expect(skipped).toEqual([]);
    expect(renderConfigYaml(config)).toBe(`name: demo-vmcp
groupRef: demo-group
incomingAuth:
    type: anonymous
outgoingAuth:
    source: discovered
aggregation:
    conflictResolution: prefix
    conflictResolutionConfig:
        prefixFormat: '{workload}_'
${defaultOperational}`);
  });

  it('in inline mode lists every member of the group: sse stays sse, entries are typed', () => {
    const { config, problems } = buildVmcpConfig(vmcp({ outgoingAuth: { source: 'inline' } }), {
      members: group,
    });
    expect(problems).toEqual([]);
    const backends = config.backends as {
      name: string;
      transport: string;
      type?: string;
      caBundlePath?: string;
    }[];
    expect(backends.map((b) => [b.name, b.transport, b.type ?? '', b.caBundlePath ?? ''])).toEqual([
      ['events', 'sse', '', ''],
      ['remote-docs', 'streamable-http', 'entry', '/etc/toolhive/ca-bundles/remote-docs/ca.crt'],
      ['remote-proxy', 'streamable-http', '', ''],
      ['search', 'sse', 'entry', ''],
      ['yardstick', 'streamable-http', '', ''],
    ]);
  });

  it('leaves out an entry that is not Valid, saying why', () => {
    const failed: Member = {
      ...entryWithCA,
      object: { ...entryWithCA.object, status: { phase: 'Failed' } },
    };
    const { config, skipped } = buildVmcpConfig(vmcp({ outgoingAuth: { source: 'inline' } }), {
      members: [server('yardstick', 'streamable-http'), failed],
    });
    expect((config.backends as { name: string }[]).map((b) => b.name)).toEqual(['yardstick']);
    expect(skipped).toEqual([
      {
        name: 'remote-docs',
        kind: 'MCPServerEntry',
        reason: 'MCPServerEntry remote-docs is in phase Failed, not Valid; its conditions say what to fix',
      },
    ]);
  });

  it('reports zero usable backends in inline mode as noBackends, with ToolHive’s message', () => {
    const pending: Member = {
      ...server('yardstick', 'sse'),
      object: { ...server('yardstick', 'sse').object, status: {} },
    };
    const result = buildVmcpConfig(vmcp({ outgoingAuth: { source: 'inline' } }), { members: [pending] });
    expect(result.config.backends).toBeUndefined();
    expect(result.problems).toEqual([]);
    expect(result.noBackends).toBe(
      'static mode requires at least one backend with valid transport ([sse streamable-http]), but none were discovered in group demo-group',
    );
    expect(result.skipped).toHaveLength(1);
    expect(result.skipped[0]?.reason).toBe(
      'MCPServer yardstick has no status yet; is mcp-server-controller running?',
    );
  });

  it('skips members with an externalAuthConfigRef, of another group, or with a name already taken', () => {
    const withAuth = server('authed', 'sse', { externalAuthConfigRef: { name: 'token' } });
    const stranger = server('stranger', 'sse', { groupRef: { name: 'other' } });
    const twin: Member = {
      ...entryWithCA,
      object: { ...entryWithCA.object, metadata: { name: 'yardstick', namespace } },
    };
    const { config, skipped } = buildVmcpConfig(vmcp({ outgoingAuth: { source: 'inline' } }), {
      members: [twin, withAuth, stranger, server('yardstick', 'streamable-http')],
    });
    expect((config.backends as { name: string; type?: string }[]).map((b) => [b.name, b.type])).toEqual([
      ['yardstick', undefined],
    ]);
    expect(skipped.map((s) => [s.name, s.kind])).toEqual([
      ['authed', 'MCPServer'],
      ['stranger', 'MCPServer'],
      ['yardstick', 'MCPServerEntry'],
    ]);
    expect(skipped[0]?.reason).toContain('externalAuthConfigRef token');
    expect(skipped[1]?.reason).toContain('belongs to group "other"');
  });

  it('is deterministic: the same input gives the same YAML, whatever the member order', () => {
    const spec = { outgoingAuth: { source: 'inline' } };
    const one = renderConfigYaml(buildVmcpConfig(vmcp(spec), { members: group }).config);
    const two = renderConfigYaml(buildVmcpConfig(vmcp(spec), { members: [...group].reverse() }).config);
    expect(two).toBe(one);
    expect(renderConfigYaml(buildVmcpConfig(vmcp(spec), { members: group }).config)).toBe(one);
  });

  it('sets telemetry.caCertPath when the telemetry config names a CA bundle (ToolHive forgets it)', () => {
    const telemetry: TelemetryInput = {
      spec: {
        openTelemetry: {
          enabled: true,
          endpoint: 'https://otel.example.com:4318',
          caBundleRef: { configMapRef: { name: 'otel-ca', key: 'bundle.pem' } },
          useLegacyAttributes: true,
        },
      } as TelemetryInput['spec'],
    };
    const { config } = buildVmcpConfig(vmcp({ telemetryConfigRef: { name: 'otel' } }), {
      members: [],
      telemetry,
    });
    expect(config.telemetry).toEqual({
      endpoint: 'otel.example.com:4318',
      serviceName: 'demo-vmcp',
      tracingEnabled: false,
      metricsEnabled: false,
      useLegacyAttributes: true,
      caCertPath: '/config/certs/otel/otel-ca/bundle.pem',
    });
    expect(renderConfigYaml(config)).toContain('    caCertPath: /config/certs/otel/otel-ca/bundle.pem\n');
  });

  it('ignores spec.config.telemetry and writes none without a referenced config', () => {
    const { config } = buildVmcpConfig(vmcp({ config: { telemetry: { endpoint: 'x:1' } } }), { members: [] });
    expect(config.telemetry).toBeUndefined();
  });

  it('names every field that needs a kind this controller does not serve', () => {
    const { problems } = buildVmcpConfig(
      vmcp({
        incomingAuth: {
          type: 'oidc',
          oidcConfigRef: { name: 'corp', audience: 'vmcp' },
          authzConfigRef: { name: 'cedar' },
        },
        outgoingAuth: {
          source: 'discovered',
          default: { type: 'externalAuthConfigRef', externalAuthConfigRef: { name: 'shared' } },
          backends: { github: { type: 'externalAuthConfigRef' } },
        },
        embeddingServerRef: { name: 'tei' },
        config: {
          aggregation: { tools: [{ workload: 'github', toolConfigRef: { name: 'gh-tools' } }] },
          compositeToolRefs: [{ name: 'deploy' }],
          compositeTools: [
            { name: 'twice', steps: [{ id: 'a', tool: 'x.y' }] },
            { name: 'twice', steps: [{ id: 'b', tool: 'x.y' }] },
          ],
        },
      }),
      { members: [] },
    );
    expect(problems).toEqual([
      'spec.incomingAuth.oidcConfigRef (MCPOIDCConfig corp) is not supported yet; use incomingAuth.type anonymous',
      'spec.incomingAuth.authzConfigRef (MCPAuthzConfig cedar) is not supported yet; write the Cedar policies in incomingAuth.authzConfig.inline',
      'spec.outgoingAuth.default.externalAuthConfigRef (MCPExternalAuthConfig shared) is not supported yet; use type discovered',
      'spec.outgoingAuth.backends.github: externalAuthConfigRef type requires externalAuthConfigRef field',
      'spec.config.aggregation.tools[0].toolConfigRef (MCPToolConfig gh-tools) is not supported yet; write filter and overrides in the tools entry itself',
      'spec.config.compositeToolRefs[0] (VirtualMCPCompositeToolDefinition deploy) is not supported yet; define the tool in config.compositeTools',
      'spec.config.compositeTools: duplicate composite tool name: "twice"',
      'spec.embeddingServerRef (EmbeddingServer tei) is not supported yet; set config.optimizer.embeddingService to the embedding service URL instead',
    ]);
  });

  it('converts outgoing auth, audit, session storage and passthrough headers as ToolHive does', () => {
    const { config } = buildVmcpConfig(
      vmcp({
        outgoingAuth: {
          source: 'discovered',
          default: { type: 'discovered' },
          backends: { b: { type: 'discovered' } },
        },
        passthroughHeaders: ['X-Tenant'],
        sessionStorage: {
          provider: 'redis',
          address: 'redis:6379',
          keyPrefix: 'vmcp:',
          passwordRef: { name: 'redis', key: 'password' },
        },
        config: { passthroughHeaders: ['X-Old'], audit: { enabled: true } },
      }),
      { members: [] },
    );
    expect(config.outgoingAuth).toEqual({
      source: 'discovered',
      default: { type: 'unauthenticated' },
      backends: { b: { type: 'unauthenticated' } },
    });
    expect(config.passthroughHeaders).toEqual(['X-Tenant']);
    expect(config.sessionStorage).toEqual({
      provider: 'redis',
      address: 'redis:6379',
      db: 0,
      keyPrefix: 'vmcp:',
    });
    const yaml = renderConfigYaml(config);
    expect(yaml).not.toContain('password');
    expect(yaml).toContain(`audit:
    enabled: true
    component: demo-vmcp
    detectApplicationErrors: true
    maxDataSize: 1024
    maxDelegationDepth: 10
`);
    expect(yaml).toContain(
      "sessionStorage:\n    provider: redis\n    address: redis:6379\n    keyPrefix: 'vmcp:'\n",
    );
  });

  it('writes no audit block while audit is disabled', () => {
    const { config } = buildVmcpConfig(vmcp({ config: { audit: { enabled: false } } }), { members: [] });
    expect(config.audit).toBeUndefined();
  });

  it('keeps unknown top-level keys of spec.config, after the known ones', () => {
    const { config } = buildVmcpConfig(vmcp({ config: { zFuture: { b: 1, a: 'x' }, aFuture: true } }), {
      members: [],
    });
    const yaml = renderConfigYaml(config);
    expect(yaml.endsWith('aFuture: true\nzFuture:\n    a: x\n    b: 1\n')).toBe(true);
  });

  it('prints durations as Go does and rate-limit refill periods as metav1.Duration', () => {
    const { config } = buildVmcpConfig(
      vmcp({
        sessionStorage: { provider: 'redis', address: 'redis:6379' },
        config: {
          operational: { timeouts: { default: '90s', perWorkload: { slow: '2m' } } },
          rateLimiting: { shared: { maxTokens: 10, refillPeriod: '60s' } },
        },
      }),
      { members: [] },
    );
    const yaml = renderConfigYaml(config);
    expect(yaml).toContain(
      '    timeouts:\n        default: 1m30s\n        perWorkload:\n            slow: 2m0s\n',
    );
    expect(yaml).toContain(
      'rateLimiting:\n    shared:\n        maxTokens: 10\n        refillPeriod:\n            duration: 1m0s\n',
    );
  });

  it('reads back (as YAML) to the config it was rendered from', () => {
    const { config } = buildVmcpConfig(vmcp({ outgoingAuth: { source: 'inline' } }), { members: group });
    const read = parseYaml(renderConfigYaml(config)) as Record<string, unknown>;
    expect(read.backends).toEqual(config.backends);
    expect(read.name).toBe('demo-vmcp');
  });
});

describe('vmcpConfigMap', () => {
  it('carries config.yaml, ToolHive’s labels and a checksum of its content', () => {
    const server = vmcp({});
    const configMap = vmcpConfigMap(server, 'name: demo-vmcp\n');
    expect(configMap.metadata).toEqual({
      name: 'demo-vmcp-vmcp-config',
      namespace,
      labels: {
        'toolhive.stacklok.io/component': 'vmcp-config',
        'toolhive.stacklok.io/managed-by': 'toolhive-operator',
        'toolhive.stacklok.io/virtual-mcp-server': 'demo-vmcp',
      },
      annotations: { [contentChecksumAnnotation]: configMapContentChecksum(configMap) },
    });
    expect(configMap.data).toEqual({ 'config.yaml': 'name: demo-vmcp\n' });
    expect(configMap.metadata.annotations[contentChecksumAnnotation]).toMatch(/^[0-9a-f]{64}$/);
    expect(vmcpConfigMap(server, 'name: other\n').metadata.annotations[contentChecksumAnnotation]).not.toBe(
      configMap.metadata.annotations[contentChecksumAnnotation],
    );
  });
});
