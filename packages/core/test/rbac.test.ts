import { describe, expect, it } from 'vitest';
import { policyRule } from '../src/rbac.js';

describe('policyRule', () => {
  it('builds the stored shape, one API group', () => {
    expect(policyRule('apps', ['deployments', 'statefulsets'], ['get', 'list'])).toEqual({
      apiGroups: ['apps'],
      resources: ['deployments', 'statefulsets'],
      verbs: ['get', 'list'],
    });
  });

  it('is frozen and owns its arrays: a shared rule set cannot be changed through one rule or its inputs', () => {
    const resources = ['pods'];
    const verbs = ['get'];
    const rule = policyRule('', resources, verbs);
    resources.push('secrets');
    verbs.push('delete');
    expect(rule).toEqual({ apiGroups: [''], resources: ['pods'], verbs: ['get'] });
    expect(Object.isFrozen(rule)).toBe(true);
    expect(Object.isFrozen(rule.apiGroups)).toBe(true);
    expect(Object.isFrozen(rule.resources)).toBe(true);
    expect(Object.isFrozen(rule.verbs)).toBe(true);
  });
});
