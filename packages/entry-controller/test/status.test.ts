import { describe, expect, it } from 'vitest';
import { entryStatus, ownedConditionTypes, type EntryInputs } from '../src/status.js';

const readyGroup = { state: 'found', object: { metadata: {}, status: { phase: 'Ready' } } } as const;
const base: EntryInputs = {
  namespace: 'ns',
  spec: {
    remoteUrl: 'https://a.example.com/mcp',
    allowPrivateEndpoint: false,
    transport: 'streamable-http',
    groupRef: { name: 'team' },
  },
  group: readyGroup,
  secrets: new Map(),
};
const conditionOf = (input: EntryInputs, type: string) =>
  entryStatus(input).conditions.find((c) => c.type === type);

describe('entryStatus', () => {
  it('is Valid when every check passes, with the Valid summary last', () => {
    const status = entryStatus(base);
    expect(status.phase).toBe('Valid');
    expect(status.conditions.map((c) => c.type)).toEqual([
      'RemoteURLValidated',
      'GroupRefValidated',
      'ExternalAuthConfigValidated',
      'CABundleRefValidated',
      'Valid',
    ]);
    expect(ownedConditionTypes).toContain('HeaderSecretRefsValidated');
  });

  it('words GroupRefValidated as ToolHive does for a ready, missing, not ready and unreconciled group', () => {
    const withGroup = (group: EntryInputs['group']) => conditionOf({ ...base, group }, 'GroupRefValidated');
    expect(withGroup(readyGroup)).toEqual({
      type: 'GroupRefValidated',
      status: 'True',
      reason: 'GroupRefIsValid',
      message: 'Referenced MCPGroup exists and is ready',
    });
    expect(withGroup({ state: 'absent' })).toEqual({
      type: 'GroupRefValidated',
      status: 'False',
      reason: 'GroupRefNotFound',
      message: "MCPGroup 'team' not found in namespace 'ns'",
    });
    expect(withGroup({ state: 'found', object: { metadata: {}, status: { phase: 'Failed' } } })).toEqual({
      type: 'GroupRefValidated',
      status: 'False',
      reason: 'GroupRefNotReady',
      message: "MCPGroup 'team' is not ready (current phase: Failed)",
    });
    const unreconciled =
      "MCPGroup 'team' is not ready (it has no status yet; is mcp-group-controller running?)";
    expect(withGroup({ state: 'found', object: { metadata: {} } })?.message).toBe(unreconciled);
    expect(withGroup({ state: 'found', object: { metadata: {}, status: { phase: '' } } })?.message).toBe(
      unreconciled,
    );
  });

  it('reports a group being deleted as not found, as ToolHive does', () => {
    const deleting = {
      ...base,
      group: { state: 'found', object: { metadata: { deletionTimestamp: '2026-01-01T00:00:00Z' } } },
    } satisfies EntryInputs;
    expect(conditionOf(deleting, 'GroupRefValidated')).toMatchObject({
      status: 'False',
      reason: 'GroupRefNotFound',
      message: 'Referenced MCPGroup is being deleted',
    });
    expect(entryStatus(deleting).phase).toBe('Failed');
  });

  it('finds the CA bundle key in data or binaryData', () => {
    const withCA = (
      key: string,
      object: { data?: Record<string, string>; binaryData?: Record<string, string> },
    ) =>
      ({
        ...base,
        spec: { ...base.spec, caBundleRef: { configMapRef: { name: 'ca', key } } },
        caBundle: { state: 'found', object },
      }) satisfies EntryInputs;
    expect(conditionOf(withCA('ca.crt', { data: { 'ca.crt': '' } }), 'CABundleRefValidated')?.reason).toBe(
      'CABundleRefValid',
    );
    expect(
      conditionOf(withCA('ca.der', { binaryData: { 'ca.der': '' } }), 'CABundleRefValidated')?.status,
    ).toBe('True');
    expect(conditionOf(withCA('ca.crt', { data: { other: '' } }), 'CABundleRefValidated')).toMatchObject({
      status: 'False',
      reason: 'CABundleRefNotFound',
      message: expect.stringContaining("ConfigMap 'ca' has no key 'ca.crt'") as string,
    });
  });

  it('counts a header Secret key only in data (stringData is write-only), and names every failure', () => {
    const input = {
      ...base,
      spec: {
        ...base.spec,
        headerForward: {
          addHeadersFromSecret: [
            { headerName: 'A', valueSecretRef: { name: 's', key: 'k' } },
            { headerName: 'B', valueSecretRef: { name: 'gone', key: 'k' } },
          ],
        },
      },
      secrets: new Map([
        ['s', { state: 'found', object: { stringData: { k: '' } } as { data?: Record<string, string> } }],
        ['gone', { state: 'absent' }],
      ]),
    } satisfies EntryInputs;
    expect(conditionOf(input, 'HeaderSecretRefsValidated')?.message).toBe(
      'Secret "s" has no key "k" referenced for header "A"; Secret "gone" referenced for header "B" not found',
    );
  });
});
