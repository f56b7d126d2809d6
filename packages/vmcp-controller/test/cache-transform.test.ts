import { podResource, secretResource, statefulSetResource, type KubeObject } from '@mcp-controllers/core';
import { describe, expect, it } from 'vitest';
import { vmcpCacheTransform } from '../src/cache-transform.js';
import { vmcpUpdateFilter } from '../src/reconcile.js';

const owner = {
  apiVersion: 'toolhive.stacklok.dev/v1beta1',
  kind: 'VirtualMCPServer',
  name: 'hub',
  uid: 'u1',
  controller: true,
};
const object = (extra: Record<string, unknown>, owned: boolean): KubeObject => ({
  apiVersion: 'v1',
  kind: 'X',
  metadata: {
    name: 'x',
    namespace: 'ns',
    annotations: { note: 'kept when owned' },
    ...(owned ? { ownerReferences: [owner] } : {}),
  },
  ...extra,
});

describe('vmcpCacheTransform', () => {
  it('keeps no Secret value: key names for ours, metadata only for the rest', () => {
    const transform = vmcpCacheTransform(secretResource);
    expect(transform?.(object({ data: { 'hmac-secret': 'c2VjcmV0' } }, true))).toMatchObject({
      data: { 'hmac-secret': '' },
    });
    expect(transform?.(object({ data: { password: 'c2VjcmV0' } }, false))).not.toHaveProperty('data');
  });

  it('keeps a vmcp pod’s readiness and nothing of other pods’ status; leaves other kinds alone', () => {
    const transform = vmcpCacheTransform(podResource);
    const pod = (name: string) => ({
      metadata: { name: 'p', namespace: 'ns', labels: { 'app.kubernetes.io/name': name } },
      spec: { containers: [{ name: 'c', image: 'i' }] },
      status: {
        phase: 'Running',
        conditions: [
          { type: 'Ready', status: 'True' },
          { type: 'Initialized', status: 'True' },
        ],
      },
    });
    const ours = transform?.(pod('virtualmcpserver'));
    expect(ours).not.toHaveProperty('spec');
    expect(ours?.status).toMatchObject({ phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] });
    expect(transform?.(pod('other'))).not.toHaveProperty('status');
    expect(vmcpCacheTransform(statefulSetResource)).toBeUndefined();
  });
});

describe('vmcpUpdateFilter', () => {
  const vmcp = (generation: number, status: Record<string, unknown> = {}): KubeObject => ({
    metadata: { name: 'hub', generation },
    status,
  });
  it('passes spec changes and new discoveredBackends, drops our own status writes', () => {
    expect(vmcpUpdateFilter(vmcp(1), vmcp(2))).toBe(true);
    const backends = [{ name: 'a', status: 'ready' }];
    expect(vmcpUpdateFilter(vmcp(1), vmcp(1, { discoveredBackends: backends }))).toBe(true);
    expect(
      vmcpUpdateFilter(
        vmcp(1, { discoveredBackends: backends, phase: 'Pending' }),
        vmcp(1, { discoveredBackends: structuredClone(backends), phase: 'Ready' }),
      ),
    ).toBe(false);
  });
});
