import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import {
  groupRefName,
  isServingPod,
  parseVmcpConfig,
  runtimeBackends,
  runtimeStatus,
  runtimeStatusPatch,
  vmcpKeyOf,
  vmcpOfConfigMap,
  vmcpPodSelector,
  type BackendHealth,
  type VmcpMember,
  type VmcpMemberKind,
} from '../src/simulator-vmcp.js';

const t0 = new Date('2026-01-01T10:00:00.123Z');
const t1 = new Date('2026-01-01T10:05:00Z');

function member(
  kind: VmcpMemberKind,
  name: string,
  fields: { group?: unknown; phase?: string; url?: string; remoteUrl?: string } = {},
): VmcpMember {
  return {
    kind,
    object: {
      metadata: { name, namespace: 'ns' },
      spec: {
        ...(fields.group === undefined ? {} : { groupRef: fields.group }),
        ...(fields.remoteUrl ? { remoteUrl: fields.remoteUrl } : {}),
      },
      status: {
        ...(fields.phase ? { phase: fields.phase } : {}),
        ...(fields.url ? { url: fields.url } : {}),
      },
    },
  };
}

const none = new Map<string, BackendHealth>();

describe('vmcp runtime: inputs', () => {
  it('reads the mode from config.yaml', () => {
    expect(parseVmcpConfig(undefined)).toEqual({ mode: 'discovered' });
    expect(parseVmcpConfig('name: v\ngroupRef: g\n')).toEqual({ mode: 'discovered' });
    expect(parseVmcpConfig('backends: []\n')).toEqual({ mode: 'discovered' });
    expect(parseVmcpConfig('')).toEqual({ mode: 'discovered' });
    expect(
      parseVmcpConfig('backends:\n  - name: a\n    url: http://a/mcp\n    transport: sse\n  - name: b\n'),
    ).toEqual({ mode: 'inline', backends: [{ name: 'a', url: 'http://a/mcp' }, { name: 'b' }] });
    expect(parseVmcpConfig('backends: [')).toEqual({ mode: 'invalid', problem: 'config.yaml is not YAML' });
    expect(parseVmcpConfig('- a\n')).toEqual({ mode: 'invalid', problem: 'config.yaml is not a mapping' });
    expect(parseVmcpConfig('backends: a\n')).toEqual({
      mode: 'invalid',
      problem: 'config.yaml backends is not a list',
    });
    expect(parseVmcpConfig('backends:\n  - url: http://a\n')).toEqual({
      mode: 'invalid',
      problem: 'config.yaml backends[0] has no name',
    });
  });

  it('reads groupRef as an object or a string', () => {
    expect(groupRefName({ groupRef: { name: 'g' } })).toBe('g');
    expect(groupRefName({ groupRef: 'g' })).toBe('g');
    expect(groupRefName({ groupRef: { name: '' } })).toBeUndefined();
    expect(groupRefName({})).toBeUndefined();
    expect(groupRefName(undefined)).toBeUndefined();
  });

  it('maps Deployments, Pods and ConfigMaps to their vMCP', () => {
    const labels = { 'app.kubernetes.io/name': 'virtualmcpserver', 'app.kubernetes.io/instance': 'v' };
    expect(vmcpKeyOf({ metadata: { namespace: 'ns', labels } })).toBe('ns/v');
    expect(
      vmcpKeyOf({
        metadata: { namespace: 'ns', labels: { ...labels, 'app.kubernetes.io/name': 'mcpserver' } },
      }),
    ).toBeUndefined();
    expect(vmcpKeyOf({ metadata: { namespace: 'ns' } })).toBeUndefined();
    expect(vmcpOfConfigMap('v-vmcp-config')).toBe('v');
    expect(vmcpOfConfigMap('-vmcp-config')).toBeUndefined();
    expect(vmcpOfConfigMap('v-runconfig')).toBeUndefined();
    expect(vmcpPodSelector('v')).toBe(
      'app.kubernetes.io/name=virtualmcpserver,app.kubernetes.io/instance=v,pod-template-hash',
    );
  });

  it('runs only in a ready pod that is not being deleted', () => {
    const pod = (ready: string, deleting = false): V1Pod => ({
      metadata: deleting ? { deletionTimestamp: t0 } : {},
      status: { conditions: [{ type: 'Ready', status: ready }] },
    });
    expect(isServingPod(pod('True'))).toBe(true);
    expect(isServingPod(pod('False'))).toBe(false);
    expect(isServingPod(pod('True', true))).toBe(false);
    expect(isServingPod({})).toBe(false);
  });
});

describe('vmcp runtime: backends', () => {
  const members = [
    member('MCPServer', 'fetch', { group: { name: 'g' }, phase: 'Ready', url: 'http://fetch/mcp' }),
    member('MCPServer', 'slow', { group: 'g', phase: 'Pending', url: 'http://slow/mcp' }),
    member('MCPServer', 'nourl', { group: { name: 'g' }, phase: 'Pending' }),
    member('MCPServer', 'other', { group: { name: 'h' }, phase: 'Ready', url: 'http://other/mcp' }),
    member('MCPRemoteProxy', 'proxy', { group: { name: 'g' }, phase: 'Failed', url: 'http://proxy/mcp' }),
    member('MCPServerEntry', 'entry', { group: { name: 'g' }, phase: 'Valid', remoteUrl: 'https://e/mcp' }),
    member('MCPServerEntry', 'bad-entry', { group: { name: 'g' }, remoteUrl: 'https://b/mcp' }),
    member('MCPServerEntry', 'failed-entry', {
      group: { name: 'g' },
      phase: 'Failed',
      remoteUrl: 'https://f/mcp',
    }),
  ];

  it('discovered mode: the group members with a url (entries only while Valid), health from their phase, sorted', () => {
    expect(runtimeBackends({ group: 'g', config: { mode: 'discovered' }, members, overrides: none })).toEqual(
      [
        { name: 'entry', url: 'https://e/mcp', status: 'ready' },
        { name: 'fetch', url: 'http://fetch/mcp', status: 'ready' },
        {
          name: 'proxy',
          url: 'http://proxy/mcp',
          status: 'unavailable',
          message: 'MCPRemoteProxy proxy is Failed',
        },
        { name: 'slow', url: 'http://slow/mcp', status: 'unavailable', message: 'MCPServer slow is Pending' },
      ],
    );
  });

  it('discovered mode without a group finds nothing', () => {
    expect(
      runtimeBackends({ group: undefined, config: { mode: 'discovered' }, members, overrides: none }),
    ).toEqual([]);
  });

  it('an override wins over the phase, for any backend of that name', () => {
    const overrides = new Map<string, BackendHealth>([
      ['fetch', 'degraded'],
      ['slow', 'ready'],
    ]);
    const got = runtimeBackends({ group: 'g', config: { mode: 'discovered' }, members, overrides });
    expect(got.find((b) => b.name === 'fetch')).toEqual({
      name: 'fetch',
      url: 'http://fetch/mcp',
      status: 'degraded',
      message: 'health set to degraded in the workload simulator',
    });
    expect(got.find((b) => b.name === 'slow')).toEqual({
      name: 'slow',
      url: 'http://slow/mcp',
      status: 'ready',
    });
  });

  it('inline mode: exactly the configured backends, health from the member of that name', () => {
    const config = {
      mode: 'inline' as const,
      backends: [
        { name: 'zeta', url: 'http://z/mcp' },
        { name: 'other', url: 'http://configured/mcp' },
      ],
    };
    expect(runtimeBackends({ group: 'g', config, members, overrides: none })).toEqual([
      // Not in group g, yet listed: inline mode does not look at groups; the url is the config's.
      { name: 'other', url: 'http://configured/mcp', status: 'ready' },
      {
        name: 'zeta',
        url: 'http://z/mcp',
        status: 'unavailable',
        message: 'no MCPServer, MCPRemoteProxy or MCPServerEntry named zeta',
      },
    ]);
  });

  it('a name shared across kinds takes the MCPServer, whatever the list order', () => {
    const shared = [
      member('MCPServerEntry', 'x', { group: { name: 'g' }, phase: 'Failed', remoteUrl: 'https://x/mcp' }),
      member('MCPServer', 'x', { group: { name: 'g' }, phase: 'Ready', url: 'http://x/mcp' }),
    ];
    expect(
      runtimeBackends({ group: 'g', config: { mode: 'discovered' }, members: shared, overrides: none }),
    ).toEqual([{ name: 'x', url: 'http://x/mcp', status: 'ready' }]);
  });
});

describe('vmcp runtime: status', () => {
  const backends = [
    { name: 'a', url: 'http://a', status: 'ready' as const },
    { name: 'b', url: 'http://b', status: 'unavailable' as const, message: 'MCPServer b is Pending' },
    { name: 'c', url: 'http://c', status: 'unauthenticated' as const },
  ];
  const ready = {
    type: 'Ready',
    status: 'False',
    reason: 'BackendsDegraded',
    message: 'Some backends are unhealthy',
    lastTransitionTime: '2025-01-01T00:00:00Z',
  };

  it('first report: times now, routable count, the condition added after the stored ones', () => {
    const { status, changed } = runtimeStatus({ phase: 'Ready', conditions: [ready] }, backends, 'g', t0);
    expect(changed).toBe(true);
    expect(status).toEqual({
      discoveredBackends: backends.map((b) => ({ ...b, lastHealthCheck: '2026-01-01T10:00:00Z' })),
      backendCount: 2,
      conditions: [
        ready,
        {
          type: 'BackendsDiscovered',
          status: 'True',
          reason: 'BackendDiscoverySucceeded',
          message: 'Discovered 3 backends',
          lastTransitionTime: '2026-01-01T10:00:00Z',
        },
      ],
    });
    // The patch carries the runtime's fields only: never phase, message or url.
    expect(runtimeStatusPatch('42', status)).toEqual({ metadata: { resourceVersion: '42' }, status });
    expect(Object.keys(status).sort()).toEqual(['backendCount', 'conditions', 'discoveredBackends']);
  });

  it('the same inputs against what it wrote change nothing, whatever the key order stored', () => {
    const first = runtimeStatus({ conditions: [ready] }, backends, 'g', t0).status;
    // The apiserver returns object keys sorted; the comparison must not see that as a change.
    const reordered = JSON.parse(
      JSON.stringify(first, (_k, v: unknown) =>
        v && typeof v === 'object' && !Array.isArray(v)
          ? Object.fromEntries(Object.entries(v).sort(([x], [y]) => (x < y ? 1 : -1)))
          : v,
      ),
    ) as unknown;
    const again = runtimeStatus({ phase: 'Degraded', ...(reordered as object) }, backends, 'g', t1);
    expect(again.changed).toBe(false);
    expect(again.status.discoveredBackends.map((b) => b.lastHealthCheck)).toEqual(
      Array(3).fill('2026-01-01T10:00:00Z'),
    );
  });

  it('a status change moves only that backend’s lastHealthCheck; the condition keeps its time', () => {
    const first = runtimeStatus({ conditions: [ready] }, backends, 'g', t0).status;
    const flipped = backends.map((b) => (b.name === 'a' ? { ...b, status: 'degraded' as const } : b));
    const { status, changed } = runtimeStatus(first, flipped, 'g', t1);
    expect(changed).toBe(true);
    expect(status.discoveredBackends.map((b) => [b.name, b.status, b.lastHealthCheck])).toEqual([
      ['a', 'degraded', '2026-01-01T10:05:00Z'],
      ['b', 'unavailable', '2026-01-01T10:00:00Z'],
      ['c', 'unauthenticated', '2026-01-01T10:00:00Z'],
    ]);
    expect(status.backendCount).toBe(1);
    expect(status.conditions).toEqual(first.conditions);
  });

  it('no backends: BackendDiscoveryFailed, replacing the old condition in place with a new time', () => {
    const first = runtimeStatus({ conditions: [ready] }, backends, 'g', t0).status;
    const controllerAfter = { ...first, conditions: [first.conditions[1], ready] };
    const { status, changed } = runtimeStatus(controllerAfter, [], 'g', t1);
    expect(changed).toBe(true);
    expect(status.discoveredBackends).toEqual([]);
    expect(status.backendCount).toBe(0);
    expect(status.conditions).toEqual([
      {
        type: 'BackendsDiscovered',
        status: 'False',
        reason: 'BackendDiscoveryFailed',
        message: 'No backends discovered in group g',
        lastTransitionTime: '2026-01-01T10:05:00Z',
      },
      ready,
    ]);
    expect(runtimeStatus(status, [], 'g', t0).changed).toBe(false);
    expect(runtimeStatus(undefined, [], undefined, t0).status.conditions).toEqual([
      expect.objectContaining({ message: 'No backends discovered: spec.groupRef names no group' }),
    ]);
  });

  it('a stored list someone else wrote differently is rewritten', () => {
    const first = runtimeStatus({}, backends, 'g', t0).status;
    const edited = {
      ...first,
      discoveredBackends: first.discoveredBackends.map((b) => ({ ...b, authType: 'discovered' })),
    };
    expect(runtimeStatus(edited, backends, 'g', t1).changed).toBe(true);
    expect(runtimeStatus({ ...first, backendCount: 3 }, backends, 'g', t1).changed).toBe(true);
  });
});
