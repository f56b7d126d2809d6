import { describe, expect, it } from 'vitest';
import { apiErrorFrom } from '../src/client/errors.js';
import type { ResourceRef } from '../src/client/resources.js';
import { describeListFailure } from '../src/reflector.js';

const proxies: ResourceRef = {
  group: 'toolhive.stacklok.dev',
  version: 'v1beta1',
  plural: 'mcpremoteproxies',
  kind: 'MCPRemoteProxy',
  namespaced: true,
};
const crd = 'mcpremoteproxies.toolhive.stacklok.dev';

describe('describeListFailure', () => {
  it('says what to do for a missing CRD and for missing RBAC', () => {
    expect(describeListFailure(apiErrorFrom(404, '{}', 'list', '/x'), proxies)).toContain(
      `the ${crd} CRD is not installed`,
    );
    expect(describeListFailure(apiErrorFrom(403, '{}', 'list', '/x'), proxies)).toContain(
      `list and watch on ${crd}`,
    );
    expect(describeListFailure(undefined, proxies)).toBe('not listed yet');
  });

  it('keeps the cause of any other failure', () => {
    expect(describeListFailure(apiErrorFrom(500, '{}', 'list', '/x'), proxies)).toContain('500');
  });
});
