/**
 * The session HMAC Secret `<n>-hmac-secret` of VirtualMCPServer `<n>` (operator-behaviour §9.2,
 * ToolHive's ensureHMACSecret / validateHMACSecret): the key the vmcp runtime signs session tokens
 * with, handed to it as `VMCP_SESSION_HMAC_SECRET`. Pure: the caller supplies the random bytes
 * (`crypto.randomBytes(32)`), so tests are deterministic and this module does no I/O.
 *
 * Wire format, as ToolHive's: the env var carries the standard base64 TEXT of 32 random bytes, so
 * the Secret's `data['hmac-secret']` (itself base64 in JSON) is the base64 of that text.
 *
 * For the caller:
 * - create it once with `applyOwned({ createOnly: true, ... })` and never overwrite it: a new key
 *   invalidates every open session;
 * - check an existing one with `hmacSecretProblem` and report a problem as a condition and a Warning
 *   Event (ToolHive: `HMACSecretValidationFailed`), without touching the Secret;
 * - the controller's cache keeps Secrets as key names only (values blanked, core transform.ts), so a
 *   cached Secret always looks empty: validating the value needs one uncached GET when the Secret is
 *   first seen (or its resourceVersion changes); pass that object, never the cached one. Never log
 *   the value.
 */
import { Buffer } from 'node:buffer';
import type { KubeObject } from '@mcp-controllers/core';
import { vmcpNames } from './names.js';
import type { VirtualServer } from './types.js';

export const hmacSecretKey = 'hmac-secret';
export const hmacSecretLength = 32;

/**
 * The Secret to create, Opaque, with ToolHive's labels and purpose annotation. Throws a RangeError
 * when `randomBytes` is not 32 bytes or is all zero (a caller bug: it must come from a CSPRNG).
 */
export function hmacSecret(vmcp: Pick<VirtualServer, 'metadata'>, randomBytes: Uint8Array): KubeObject {
  if (randomBytes.length !== hmacSecretLength || randomBytes.every((b) => b === 0)) {
    throw new RangeError(`hmacSecret needs ${hmacSecretLength} random bytes from a CSPRNG`);
  }
  const { name, namespace } = vmcp.metadata;
  const text = Buffer.from(randomBytes).toString('base64');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: vmcpNames(name).hmacSecret,
      namespace,
      labels: {
        'app.kubernetes.io/component': 'session-security',
        'app.kubernetes.io/instance': name,
        'app.kubernetes.io/managed-by': 'toolhive-operator',
        'app.kubernetes.io/name': 'virtualmcpserver',
      },
      annotations: { 'toolhive.stacklok.dev/purpose': 'hmac-secret-for-session-token-binding' },
    },
    type: 'Opaque',
    data: { [hmacSecretKey]: Buffer.from(text, 'utf8').toString('base64') },
  };
}

// Go's base64.StdEncoding: standard alphabet, padded; it skips CR and LF.
const standardBase64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Why `existing` (the live Secret `<n>-hmac-secret`, read from the API, not the cache) cannot be
 * used, or undefined when it can: it must be controlled by this VirtualMCPServer (uid and kind), have
 * the key `hmac-secret`, hold standard base64 text decoding to exactly 32 bytes, not all zero. The
 * message names the Secret and says what to do; it never contains the value.
 */
export function hmacSecretProblem(
  existing: KubeObject,
  vmcp: Pick<VirtualServer, 'metadata'>,
): string | undefined {
  const { name, namespace, uid } = vmcp.metadata;
  const secret = `Secret ${namespace}/${existing.metadata.name ?? vmcpNames(name).hmacSecret}`;
  const replace = 'delete it and the controller creates a new one (open vMCP sessions must reconnect)';
  const controller = existing.metadata.ownerReferences?.find((r) => r.controller === true);
  if (!controller || controller.kind !== 'VirtualMCPServer' || controller.uid !== uid) {
    const by = controller ? `${controller.kind} ${controller.name}` : 'nothing';
    return (
      `${secret} is not controlled by VirtualMCPServer ${namespace}/${name} (its controller: ${by}); ` +
      `if nothing else uses it, ${replace}`
    );
  }
  const data = existing.data;
  const stored =
    typeof data === 'object' && data !== null ? (data as Record<string, unknown>)[hmacSecretKey] : undefined;
  if (typeof stored !== 'string') return `${secret} has no key ${hmacSecretKey}; ${replace}`;
  const text = Buffer.from(stored, 'base64')
    .toString('utf8')
    .replace(/[\r\n]/g, '');
  if (text === '') return `${secret} has an empty ${hmacSecretKey}; ${replace}`;
  if (!standardBase64.test(text)) {
    return `${secret}: ${hmacSecretKey} is not standard base64 text; ${replace}`;
  }
  const key = Buffer.from(text, 'base64');
  if (key.length !== hmacSecretLength) {
    return (
      `${secret}: ${hmacSecretKey} must decode to exactly ${hmacSecretLength} bytes, ` +
      `got ${key.length}; ${replace}`
    );
  }
  if (key.every((b) => b === 0)) return `${secret}: ${hmacSecretKey} is all zeros (a weak key); ${replace}`;
  return undefined;
}
