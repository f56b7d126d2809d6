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
});
