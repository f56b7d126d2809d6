import { describe, expect, it } from 'vitest';
import { groupStatus } from '../src/membership.js';

describe('groupStatus', () => {
  it('lists the members sorted and deduplicated, counts them and is Ready', () => {
    const status = groupStatus(
      { servers: { names: ['b', 'a', 'b'] }, remoteProxies: { names: ['p'] }, entries: { names: [] } },
      'ns',
    );
    expect(status.fields).toEqual({
      servers: ['a', 'b'],
      serverCount: 2,
      remoteProxies: ['p'],
      remoteProxyCount: 1,
      entries: [],
      entryCount: 0,
      phase: 'Ready',
    });
    expect(status.condition).toMatchObject({
      type: 'MCPServersChecked',
      status: 'True',
      reason: 'ListMCPServersCheckSucceeded',
    });
  });

  it('fails naming each kind that cannot be listed and still reports the others', () => {
    const status = groupStatus(
      { servers: { names: ['a'] }, remoteProxies: { error: 'CRD missing' }, entries: { error: 'denied' } },
      'ns',
    );
    expect(status.fields).toEqual({
      servers: ['a'],
      serverCount: 1,
      remoteProxies: undefined,
      remoteProxyCount: undefined,
      entries: undefined,
      entryCount: undefined,
      phase: 'Failed',
    });
    expect(status.condition).toEqual({
      type: 'MCPServersChecked',
      status: 'False',
      reason: 'ListMCPServersCheckFailed',
      message:
        'cannot list MCPRemoteProxies in namespace ns: CRD missing; cannot list MCPServerEntries in namespace ns: denied',
    });
  });

  it('a kind whose CRD is not installed counts as none: the group stays Ready and says so', () => {
    const status = groupStatus(
      {
        servers: { names: ['a'] },
        remoteProxies: { notInstalled: 'the mcpremoteproxies CRD is not installed' },
        entries: { names: [] },
      },
      'ns',
    );
    expect(status.fields).toEqual({
      servers: ['a'],
      serverCount: 1,
      remoteProxies: [],
      remoteProxyCount: 0,
      entries: [],
      entryCount: 0,
      phase: 'Ready',
    });
    expect(status.condition).toEqual({
      type: 'MCPServersChecked',
      status: 'True',
      reason: 'ListMCPServersCheckSucceeded',
      message:
        'Listed MCPServers and MCPServerEntries in namespace ns; not installed, counted as none: MCPRemoteProxies (the mcpremoteproxies CRD is not installed)',
    });
  });

  it('a kind that cannot be listed wins over one that is not installed', () => {
    const status = groupStatus(
      {
        servers: { error: 'denied' },
        remoteProxies: { notInstalled: 'no CRD' },
        entries: { notInstalled: 'no CRD' },
      },
      'ns',
    );
    expect(status.fields).toMatchObject({
      phase: 'Failed',
      servers: undefined,
      serverCount: undefined,
      remoteProxies: [],
      entryCount: 0,
    });
    expect(status.condition.message).toBe('cannot list MCPServers in namespace ns: denied');
  });
});
