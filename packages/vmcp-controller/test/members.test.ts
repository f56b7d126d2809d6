import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  caBundleMounts,
  caBundleVolumeName,
  headerForwardEnv,
  normalizeForEnvVar,
  staticBackend,
  type Member,
} from '../src/members.js';

const ns = 'team-a';
const groupRef = { name: 'g' };

function server(
  name: string,
  spec: Record<string, unknown>,
  status: Record<string, unknown> = {
    phase: 'Ready',
    url: `http://mcp-${name}-proxy.${ns}.svc.cluster.local:8080/mcp`,
  },
  annotations?: Record<string, string>,
): Member {
  return {
    kind: 'MCPServer',
    object: { metadata: { name, namespace: ns, annotations }, spec: { groupRef, ...spec }, status },
  };
}

function entry(name: string, spec: Record<string, unknown> = {}, phase?: string): Member {
  return {
    kind: 'MCPServerEntry',
    object: {
      metadata: { name, namespace: ns },
      spec: { remoteUrl: `https://${name}.example.com/mcp`, transport: 'streamable-http', groupRef, ...spec },
      status: phase === undefined ? {} : { phase },
    },
  };
}

describe('staticBackend', () => {
  it('takes an MCPServer’s status.url and keeps an sse server sse despite the defaulted proxyMode', () => {
    const result = staticBackend(server('events', { transport: 'sse', proxyMode: 'streamable-http' }), ns);
    expect(result).toEqual({
      backend: {
        name: 'events',
        url: `http://mcp-events-proxy.${ns}.svc.cluster.local:8080/mcp`,
        transport: 'sse',
        metadata: { namespace: ns, tool_type: 'mcp', workload_status: 'Ready', workload_type: 'mcp_server' },
      },
    });
  });

  it('uses proxyMode for a stdio server, streamable-http when it is unset', () => {
    const sse = staticBackend(server('a', { transport: 'stdio', proxyMode: 'sse' }), ns);
    const plain = staticBackend(server('b', { transport: 'stdio' }), ns);
    const http = staticBackend(server('c', { transport: 'streamable-http', proxyMode: 'sse' }), ns);
    expect('backend' in sse && sse.backend.transport).toBe('sse');
    expect('backend' in plain && plain.backend.transport).toBe('streamable-http');
    expect('backend' in http && http.backend.transport).toBe('streamable-http');
  });

  it('skips a server without status.url, and one with a transport it cannot serve, saying why', () => {
    expect(staticBackend(server('new', { transport: 'sse' }, { phase: 'Pending' }), ns)).toEqual({
      skipped:
        'MCPServer new has no status.url yet (phase Pending); it becomes a backend once its controller publishes the URL',
    });
    expect(staticBackend(server('odd', { transport: 'websocket' }), ns)).toEqual({
      skipped: 'MCPServer odd has transport "websocket"; only stdio, sse and streamable-http can be served',
    });
  });

  it('names the controller that should have published a status when a member has none', () => {
    expect(staticBackend(server('quiet', { transport: 'sse' }, {}), ns)).toEqual({
      skipped: 'MCPServer quiet has no status yet; is mcp-server-controller running?',
    });
    const proxy: Member = {
      kind: 'MCPRemoteProxy',
      object: {
        metadata: { name: 'crm', namespace: ns },
        spec: { remoteUrl: 'https://crm.example.com/mcp', groupRef },
      },
    };
    expect(staticBackend(proxy, ns)).toEqual({
      skipped:
        "MCPRemoteProxy crm has no status yet: mcp-controllers does not run remote proxies; ToolHive's operator must",
    });
  });

  it('builds metadata from annotations minus Kubernetes’ own, with the system keys winning', () => {
    const annotations = {
      'team.example.com/owner': 'search',
      'kubectl.kubernetes.io/last-applied-configuration': '{}',
      'kubernetes.io/description': 'x',
      'deployment.kubernetes.io/revision': '3',
      'k8s.io/x': 'y',
      tool_type: 'not-mcp',
      namespace: 'elsewhere',
    };
    const result = staticBackend(server('s', { transport: 'sse' }, undefined, annotations), ns);
    if (!('backend' in result)) throw new Error(result.skipped);
    expect(result.backend.metadata).toEqual({
      namespace: ns,
      'team.example.com/owner': 'search',
      tool_type: 'mcp',
      workload_status: 'Ready',
      workload_type: 'mcp_server',
    });
    expect(Object.keys(result.backend.metadata)).toEqual([
      'namespace',
      'team.example.com/owner',
      'tool_type',
      'workload_status',
      'workload_type',
    ]);
  });

  it('takes an MCPRemoteProxy’s status.url and transport, with remote_url in the metadata', () => {
    const proxy: Member = {
      kind: 'MCPRemoteProxy',
      object: {
        metadata: { name: 'rp', namespace: ns },
        spec: { remoteUrl: 'https://remote.example.com/mcp', groupRef },
        status: { phase: 'Pending', url: 'http://mcp-rp-remote-proxy.team-a.svc.cluster.local:8080/mcp' },
      },
    };
    expect(staticBackend(proxy, ns)).toEqual({
      backend: {
        name: 'rp',
        url: 'http://mcp-rp-remote-proxy.team-a.svc.cluster.local:8080/mcp',
        transport: 'streamable-http',
        metadata: {
          namespace: ns,
          remote_url: 'https://remote.example.com/mcp',
          tool_type: 'mcp',
          workload_status: 'Pending',
          workload_type: 'remote_proxy',
        },
      },
    });
  });

  it('takes a Valid entry’s remoteUrl, typed entry, with its CA bundle path (key defaulting to ca.crt)', () => {
    const result = staticBackend(
      entry('docs', { transport: 'sse', caBundleRef: { configMapRef: { name: 'ca' } } }, 'Valid'),
      ns,
    );
    expect(result).toEqual({
      backend: {
        name: 'docs',
        url: 'https://docs.example.com/mcp',
        transport: 'sse',
        type: 'entry',
        caBundlePath: '/etc/toolhive/ca-bundles/docs/ca.crt',
        metadata: {
          namespace: ns,
          remote_url: 'https://docs.example.com/mcp',
          tool_type: 'mcp',
          workload_status: 'Valid',
          workload_type: 'server_entry',
        },
      },
    });
  });

  it('skips an entry that is not Valid, naming its phase', () => {
    expect(staticBackend(entry('docs', {}, 'Failed'), ns)).toEqual({
      skipped: 'MCPServerEntry docs is in phase Failed, not Valid; its conditions say what to fix',
    });
    expect(staticBackend(entry('docs'), ns)).toEqual({
      skipped: 'MCPServerEntry docs is not validated yet (no status); is mcp-entry-controller running?',
    });
  });
});

describe('caBundleMounts', () => {
  it('mounts every entry’s CA bundle, whatever its phase, sorted by entry name', () => {
    const members = [
      entry('zeta', { caBundleRef: { configMapRef: { name: 'zeta-ca', key: 'root.pem' } } }, 'Failed'),
      entry('alpha', { caBundleRef: { configMapRef: { name: 'alpha-ca' } } }, 'Valid'),
      entry('plain', {}, 'Valid'),
      server('srv', { transport: 'sse', caBundleRef: { configMapRef: { name: 'not-an-entry' } } }),
    ];
    expect(caBundleMounts(members)).toEqual([
      {
        entry: 'alpha',
        name: 'ca-bundle-alpha',
        configMap: 'alpha-ca',
        key: 'ca.crt',
        mountPath: '/etc/toolhive/ca-bundles/alpha',
        filePath: '/etc/toolhive/ca-bundles/alpha/ca.crt',
      },
      {
        entry: 'zeta',
        name: 'ca-bundle-zeta',
        configMap: 'zeta-ca',
        key: 'root.pem',
        mountPath: '/etc/toolhive/ca-bundles/zeta',
        filePath: '/etc/toolhive/ca-bundles/zeta/root.pem',
      },
    ]);
  });

  it('names the volume ca-bundle-<entry> up to 63 characters, then cuts and adds a hash', () => {
    const fits = 'e'.repeat(53);
    expect(caBundleVolumeName(fits)).toBe(`ca-bundle-${fits}`);
    const long = `${'a'.repeat(43)}-${'b'.repeat(20)}`;
    const hash = createHash('sha256').update(long).digest('hex').slice(0, 8);
    // The cut at 44 ends on '-', which is trimmed so the name stays a DNS label.
    expect(caBundleVolumeName(long)).toBe(`ca-bundle-${'a'.repeat(43)}-${hash}`);
    expect(caBundleVolumeName('c'.repeat(60))).toHaveLength(63);
  });
});

describe('headerForwardEnv', () => {
  it('emits the manifest and one secretKeyRef per secret header, sorted by name', () => {
    const members = [
      entry(
        'search-api',
        {
          headerForward: {
            addPlaintextHeaders: { 'X-Trace': 'on', 'A-First': '<1>' },
            addHeadersFromSecret: [
              { headerName: 'X-Api-Key', valueSecretRef: { name: 'search', key: 'token' } },
              { headerName: 'Authorization', valueSecretRef: { name: 'search', key: 'bearer' } },
            ],
          },
        },
        'Failed',
      ),
      entry('docs', { headerForward: { addPlaintextHeaders: { 'X-Team': 'docs' } } }, 'Valid'),
      entry('bare', {}, 'Valid'),
    ];
    expect(headerForwardEnv(members)).toEqual([
      { name: 'TOOLHIVE_HEADER_FORWARD_DOCS', value: '{"addPlaintextHeaders":{"X-Team":"docs"}}' },
      {
        name: 'TOOLHIVE_HEADER_FORWARD_SEARCH_API',
        value:
          '{"addPlaintextHeaders":{"A-First":"\\u003c1\\u003e","X-Trace":"on"},' +
          '"addHeadersFromSecret":{"Authorization":"HEADER_FORWARD_AUTHORIZATION_SEARCH_API","X-Api-Key":"HEADER_FORWARD_X_API_KEY_SEARCH_API"}}',
      },
      {
        name: 'TOOLHIVE_SECRET_HEADER_FORWARD_AUTHORIZATION_SEARCH_API',
        valueFrom: { secretKeyRef: { name: 'search', key: 'bearer' } },
      },
      {
        name: 'TOOLHIVE_SECRET_HEADER_FORWARD_X_API_KEY_SEARCH_API',
        valueFrom: { secretKeyRef: { name: 'search', key: 'token' } },
      },
    ]);
  });

  it('emits nothing for an entry whose headerForward names no header', () => {
    expect(headerForwardEnv([entry('docs', { headerForward: {} }, 'Valid')])).toEqual([]);
  });

  it('normalises names as ToolHive does', () => {
    expect(normalizeForEnvVar('x-api.key/v2')).toBe('X_API_KEY_V2');
  });
});
