/**
 * The session HMAC Secret of each VirtualMCPServer, at the I/O edge (the builder and the check are
 * hmac.ts's). `ensure` creates the Secret when absent, once: a new key would end every open session,
 * so an existing Secret is never written. An existing one is validated from one uncached read per
 * resourceVersion (the cache holds no Secret values; the value is never logged), and a problem is a
 * Warning Event `HMACSecretValidationFailed` (deduplicated by the recorder) besides the condition the
 * caller writes. A Secret of that name owned by someone else is a problem too, never taken over.
 */
import { virtualMCPServer } from '@mcp-controllers/api';
import {
  applyOwned,
  isNotFound,
  OwnershipConflictError,
  secretResource,
  withOwner,
  type Cache,
  type EventRecorder,
  type KubeClient,
  type KubeObject,
  type Logger,
} from '@mcp-controllers/core';
import { hmacSecret, hmacSecretLength, hmacSecretProblem } from './hmac.js';
import { vmcpNames } from './names.js';
import type { HmacView } from './status.js';
import type { VirtualServer } from './types.js';

export interface HmacSecretsOptions {
  client: KubeClient;
  cache: Cache;
  events: EventRecorder;
  fieldManager: string;
  /** The key's source: `crypto.randomBytes` outside tests. */
  random: (size: number) => Uint8Array;
}

export class HmacSecrets {
  /** The last validation of each vMCP's Secret, by the Secret's resourceVersion. */
  private readonly checks = new Map<string, { resourceVersion: string; view: HmacView }>();

  constructor(private readonly o: HmacSecretsOptions) {}

  /** Drops what is remembered of a vMCP that is gone. */
  forget(key: string): void {
    this.checks.delete(key);
  }

  /**
   * Creates or validates the Secret of `vmcp` (`owner` is the object as stored, for its owner
   * reference and Events). Resolves `unchecked` when it vanished between the cache and the read (its
   * delete event brings the next reconcile, which creates it); rejects on any other failure.
   */
  async ensure(owner: KubeObject, vmcp: VirtualServer, log: Logger): Promise<HmacView> {
    const { client, cache, fieldManager } = this.o;
    const { namespace, name } = vmcp.metadata;
    const key = `${namespace}/${name}`;
    const secretName = vmcpNames(name).hmacSecret;
    const cached = cache.informer(secretResource).store.get(`${namespace}/${secretName}`);
    const known = this.checks.get(key);
    if (cached && known && known.resourceVersion === cached.metadata.resourceVersion) return known.view;
    let live: KubeObject;
    try {
      if (cached) live = await client.get<KubeObject>(secretResource, { namespace, name: secretName });
      else {
        const outcome = await applyOwned({
          client,
          resource: secretResource,
          desired: withOwner(
            hmacSecret(vmcp, this.o.random(hmacSecretLength)),
            owner,
            virtualMCPServer.resource,
          ),
          cached: undefined,
          fieldManager,
          createOnly: true,
        });
        live = outcome.object;
        if (outcome.action === 'created') {
          log.info({ secret: secretName }, 'created the session HMAC Secret');
          await this.o.events.record(owner, {
            type: 'Normal',
            reason: 'HMACSecretCreated',
            note: `Created Secret ${secretName} (the vMCP session HMAC key)`,
          });
          return this.remember(key, live.metadata.resourceVersion ?? '', { state: 'valid' });
        }
      }
    } catch (err) {
      if (err instanceof OwnershipConflictError) return this.invalid(key, owner, '', err.message);
      if (isNotFound(err)) return { state: 'unchecked' };
      throw err;
    }
    const problem = hmacSecretProblem(live, vmcp);
    const resourceVersion = live.metadata.resourceVersion ?? '';
    if (problem !== undefined) return this.invalid(key, owner, resourceVersion, problem);
    return this.remember(key, resourceVersion, { state: 'valid' });
  }

  private remember(key: string, resourceVersion: string, view: HmacView): HmacView {
    if (resourceVersion) this.checks.set(key, { resourceVersion, view });
    return view;
  }

  private async invalid(
    key: string,
    owner: KubeObject,
    resourceVersion: string,
    problem: string,
  ): Promise<HmacView> {
    await this.o.events.record(owner, {
      type: 'Warning',
      reason: 'HMACSecretValidationFailed',
      note: problem,
    });
    return this.remember(key, resourceVersion, { state: 'invalid', problem });
  }
}
