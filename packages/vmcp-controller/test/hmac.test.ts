import { Buffer } from 'node:buffer';
import type { KubeObject } from '@mcp-controllers/core';
import { describe, expect, it } from 'vitest';
import { hmacSecret, hmacSecretProblem } from '../src/hmac.js';

const vmcp = { metadata: { name: 'demo', namespace: 'team-a', uid: 'uid-1' } };
const key = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
const owner = {
  apiVersion: 'toolhive.stacklok.dev/v1beta1',
  kind: 'VirtualMCPServer',
  name: 'demo',
  uid: 'uid-1',
  controller: true,
  blockOwnerDeletion: true,
};
/** The Secret as the apiserver returns it after we created it (owner added by the reconcile). */
function live(data: Record<string, string> | undefined, ownerReferences = [owner]): KubeObject {
  const { data: _created, ...secret } = hmacSecret(vmcp, key);
  return {
    ...secret,
    metadata: { ...secret.metadata, ownerReferences },
    ...(data !== undefined ? { data } : {}),
  };
}
/** `data` holding `text` as the env var will see it. */
const holding = (text: string) => ({ 'hmac-secret': Buffer.from(text, 'utf8').toString('base64') });
const fix = 'delete it and the controller creates a new one (open vMCP sessions must reconnect)';

describe('hmacSecret', () => {
  it("is ToolHive's Opaque Secret: labels, purpose, base64 text of the 32 bytes under hmac-secret", () => {
    const secret = hmacSecret(vmcp, key);
    expect(secret).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'demo-hmac-secret',
        namespace: 'team-a',
        labels: {
          'app.kubernetes.io/component': 'session-security',
          'app.kubernetes.io/instance': 'demo',
          'app.kubernetes.io/managed-by': 'toolhive-operator',
          'app.kubernetes.io/name': 'virtualmcpserver',
        },
        annotations: { 'toolhive.stacklok.dev/purpose': 'hmac-secret-for-session-token-binding' },
      },
      type: 'Opaque',
      data: { 'hmac-secret': expect.any(String) as unknown },
    });
    // The pod's VMCP_SESSION_HMAC_SECRET is the decoded data: the base64 text of the key.
    const envValue = Buffer.from(
      (secret.data as Record<string, string>)['hmac-secret'] ?? '',
      'base64',
    ).toString();
    expect(envValue).toBe(Buffer.from(key).toString('base64'));
    expect([...Buffer.from(envValue, 'base64')]).toEqual([...key]);
  });

  it('is deterministic for the same bytes and refuses bytes that are not a key', () => {
    expect(hmacSecret(vmcp, key)).toEqual(hmacSecret(vmcp, key));
    expect(() => hmacSecret(vmcp, new Uint8Array(16).fill(1))).toThrow(RangeError);
    expect(() => hmacSecret(vmcp, new Uint8Array(32))).toThrow(RangeError);
  });
});

describe('hmacSecretProblem', () => {
  it('accepts the Secret we created', () => {
    expect(
      hmacSecretProblem(live(hmacSecret(vmcp, key).data as Record<string, string>), vmcp),
    ).toBeUndefined();
  });

  it('refuses a Secret this VirtualMCPServer does not control', () => {
    const data = hmacSecret(vmcp, key).data as Record<string, string>;
    expect(hmacSecretProblem(live(data, []), vmcp)).toBe(
      'Secret team-a/demo-hmac-secret is not controlled by VirtualMCPServer team-a/demo (its controller: nothing); ' +
        `if nothing else uses it, ${fix}`,
    );
    // Same name, recreated VirtualMCPServer: another uid.
    expect(hmacSecretProblem(live(data, [{ ...owner, uid: 'uid-0' }]), vmcp)).toContain(
      '(its controller: VirtualMCPServer demo)',
    );
    expect(hmacSecretProblem(live(data, [{ ...owner, controller: false }]), vmcp)).toContain(
      'is not controlled',
    );
    expect(hmacSecretProblem(live(data, [{ ...owner, kind: 'MCPServer' }]), vmcp)).toContain(
      '(its controller: MCPServer demo)',
    );
  });

  it('names every way the value can be unusable, never the value', () => {
    const cases: [Record<string, string> | undefined, string][] = [
      [undefined, `Secret team-a/demo-hmac-secret has no key hmac-secret; ${fix}`],
      [{ other: 'eA==' }, `Secret team-a/demo-hmac-secret has no key hmac-secret; ${fix}`],
      // What a cached Secret looks like (values blanked): the caller must GET it.
      [{ 'hmac-secret': '' }, `Secret team-a/demo-hmac-secret has an empty hmac-secret; ${fix}`],
      [
        holding('not base64!'),
        `Secret team-a/demo-hmac-secret: hmac-secret is not standard base64 text; ${fix}`,
      ],
      [
        holding('QUJD'.slice(0, 3)),
        `Secret team-a/demo-hmac-secret: hmac-secret is not standard base64 text; ${fix}`,
      ],
      [
        holding(Buffer.alloc(16, 7).toString('base64')),
        `Secret team-a/demo-hmac-secret: hmac-secret must decode to exactly 32 bytes, got 16; ${fix}`,
      ],
      [
        holding(Buffer.alloc(33, 7).toString('base64')),
        `Secret team-a/demo-hmac-secret: hmac-secret must decode to exactly 32 bytes, got 33; ${fix}`,
      ],
      [
        holding(Buffer.alloc(32).toString('base64')),
        `Secret team-a/demo-hmac-secret: hmac-secret is all zeros (a weak key); ${fix}`,
      ],
      // The raw bytes stored directly (not as base64 text) are not accepted either.
      [{ 'hmac-secret': Buffer.from(key).toString('base64') }, 'hmac-secret'],
    ];
    for (const [data, message] of cases) {
      const problem = hmacSecretProblem(live(data), vmcp);
      expect(problem, JSON.stringify(data)).toContain(message);
      expect(problem).not.toContain(Buffer.from(key).toString('base64'));
    }
  });

  it('accepts base64 text wrapped in line breaks, as Go does', () => {
    const text = Buffer.from(key).toString('base64');
    expect(
      hmacSecretProblem(live(holding(`${text.slice(0, 20)}\n${text.slice(20)}\r\n`)), vmcp),
    ).toBeUndefined();
  });
});
