/**
 * The shapes the pure builders share. A `VirtualServer` is a VirtualMCPServer as read from the cache
 * and parsed with `parseVirtualMCPServer` (CRD defaults applied); the builders never see the raw object.
 */
import type { VirtualMCPServer } from '@mcp-controllers/api';
import type { KubeObject, ObjectMeta } from '@mcp-controllers/core';

export type VirtualSpec = VirtualMCPServer['spec'];
export type VirtualStatus = NonNullable<VirtualMCPServer['status']>;

export interface VirtualServer extends KubeObject {
  metadata: ObjectMeta & { name: string; namespace: string };
  spec: VirtualSpec;
  status?: VirtualStatus;
}

/** A container env var as the apiserver stores it (core's: only the forms the builders emit). */
export type { EnvVar } from '@mcp-controllers/core';
