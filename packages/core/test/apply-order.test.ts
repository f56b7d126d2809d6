import { describe, expect, it } from 'vitest';
import { applyWaves } from '../src/apply-order.js';
import {
  configMapResource,
  deploymentResource,
  roleBindingResource,
  roleResource,
  secretResource,
  serviceAccountResource,
  serviceResource,
} from '../src/kinds.js';

const child = (resource: { kind: string }, name: string) =>
  ({ resource, object: { metadata: { name } } }) as Parameters<typeof applyWaves>[0][number];

describe('applyWaves', () => {
  it('applies what others refer to first, each wave in the caller’s order', () => {
    const waves = applyWaves([
      child(serviceAccountResource, 'sa'),
      child(roleResource, 'role'),
      child(roleBindingResource, 'binding'),
      child(configMapResource, 'config'),
      child(deploymentResource, 'deploy'),
      child(secretResource, 'secret'),
      child(serviceResource, 'svc'),
    ]);
    expect(waves.map((w) => w.map((c) => c.object.metadata.name))).toEqual([
      ['sa', 'role', 'config', 'secret'],
      ['binding', 'deploy', 'svc'],
    ]);
  });

  it('leaves out an empty wave', () => {
    expect(applyWaves([child(deploymentResource, 'd')]).map((w) => w.length)).toEqual([1]);
    expect(applyWaves([child(roleResource, 'r')]).map((w) => w.length)).toEqual([1]);
    expect(applyWaves([])).toEqual([]);
  });
});
