import { describe, expect, it } from 'vitest';
import {
  appliedHash,
  appliedHashAnnotation,
  applyReason,
  findDrift,
  pruneNulls,
  withAppliedHash,
} from '../src/drift.js';
import type { KubeObject } from '../src/object.js';

const container = (extra: Record<string, unknown> = {}) => ({ name: 'app', image: 'img:1', ...extra });

// What the apiserver adds to a container we sent as `container()`.
const defaultedContainer = (extra: Record<string, unknown> = {}) => ({
  ...container(extra),
  imagePullPolicy: 'IfNotPresent',
  terminationMessagePath: '/dev/termination-log',
  terminationMessagePolicy: 'File',
  resources: {},
});

describe('findDrift: is desired a subset of live?', () => {
  const cases: { name: string; desired: unknown; live: unknown; drift: string | undefined }[] = [
    { name: 'equal scalars', desired: { a: 1 }, live: { a: 1 }, drift: undefined },
    { name: 'changed scalar', desired: { a: 1 }, live: { a: 2 }, drift: 'a' },
    {
      name: 'int is not string (IntOrString)',
      desired: { port: 8080 },
      live: { port: '8080' },
      drift: 'port',
    },
    { name: 'string is not int', desired: { port: 'http' }, live: { port: 8080 }, drift: 'port' },
    { name: 'true is not "true"', desired: { b: true }, live: { b: 'true' }, drift: 'b' },
    { name: 'extra live members are not drift', desired: { a: 1 }, live: { a: 1, b: 2 }, drift: undefined },
    { name: 'missing live member', desired: { a: 1, b: 2 }, live: { a: 1 }, drift: 'b' },
    {
      name: 'nested path',
      desired: { s: { t: { u: 'x' } } },
      live: { s: { t: { u: 'y' } } },
      drift: 's.t.u',
    },
    { name: 'object vs scalar', desired: { s: { t: 1 } }, live: { s: 'x' }, drift: 's' },
    { name: 'desired null is not ours', desired: { a: null }, live: { a: 5 }, drift: undefined },
    { name: 'desired undefined is not ours', desired: { a: undefined }, live: {}, drift: undefined },
    { name: 'live null vs set desired', desired: { a: 1 }, live: { a: null }, drift: 'a' },
    { name: 'false matches absent (omitempty)', desired: { hostNetwork: false }, live: {}, drift: undefined },
    {
      name: 'false does not match true',
      desired: { hostNetwork: false },
      live: { hostNetwork: true },
      drift: 'hostNetwork',
    },
    { name: 'zero matches absent', desired: { n: 0 }, live: {}, drift: undefined },
    { name: 'empty string matches absent', desired: { s: '' }, live: {}, drift: undefined },
    { name: 'empty list matches absent', desired: { args: [] }, live: {}, drift: undefined },
    { name: 'empty object matches absent', desired: { emptyDir: {} }, live: {}, drift: undefined },
    {
      name: 'empty list does not match a non-empty one',
      desired: { args: [] },
      live: { args: ['x'] },
      drift: 'args[length 0 != 1]',
    },
    {
      name: 'atomic list: same',
      desired: { args: ['a', 'b'] },
      live: { args: ['a', 'b'] },
      drift: undefined,
    },
    {
      name: 'atomic list: grew',
      desired: { args: ['a'] },
      live: { args: ['a', 'b'] },
      drift: 'args[length 1 != 2]',
    },
    {
      name: 'atomic list: shrank',
      desired: { args: ['a', 'b'] },
      live: { args: ['a'] },
      drift: 'args[length 2 != 1]',
    },
    {
      name: 'atomic list: reordered',
      desired: { args: ['a', 'b'] },
      live: { args: ['b', 'a'] },
      drift: 'args[0]',
    },
    {
      name: 'atomic list of objects element-wise (defaults inside elements ignored)',
      desired: { rules: [{ verbs: ['get'] }] },
      live: { rules: [{ verbs: ['get'], apiGroups: [''] }] },
      drift: undefined,
    },
    { name: 'list vs object', desired: { args: ['a'] }, live: { args: { a: 1 } }, drift: 'args' },
    {
      name: 'containers: apiserver defaults are not drift',
      desired: { containers: [container()] },
      live: { containers: [defaultedContainer()] },
      drift: undefined,
    },
    {
      name: 'containers: an injected sidecar is not drift',
      desired: { containers: [container()] },
      live: { containers: [{ name: 'sidecar', image: 'proxy' }, defaultedContainer()] },
      drift: undefined,
    },
    {
      name: 'containers: changed image names the container',
      desired: { containers: [container()] },
      live: { containers: [defaultedContainer({ image: 'img:2' })] },
      drift: 'containers[name=app].image',
    },
    {
      name: 'containers: missing container',
      desired: { containers: [container(), { name: 'b', image: 'x' }] },
      live: { containers: [defaultedContainer()] },
      drift: 'containers[name=b]',
    },
    {
      name: 'env: fieldRef.apiVersion defaulted by the apiserver',
      desired: { env: [{ name: 'GEN', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }] },
      live: {
        env: [{ name: 'GEN', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } }],
      },
      drift: undefined,
    },
    {
      name: 'env: an env var removed by someone else',
      desired: {
        env: [
          { name: 'A', value: '1' },
          { name: 'B', value: '2' },
        ],
      },
      live: { env: [{ name: 'A', value: '1' }] },
      drift: 'env[name=B]',
    },
    {
      name: 'a container port without protocol matches the one defaulted to TCP',
      desired: { ports: [{ name: 'http', containerPort: 8080 }] },
      live: { ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }] },
      drift: undefined,
    },
    {
      name: 'Service port number changed',
      desired: { ports: [{ name: 'http', port: 81 }] },
      live: { ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
      drift: 'ports[port=81]',
    },
    {
      name: 'list-map elements without a key fall back to position',
      desired: { env: [{ value: 'x' }] },
      live: { env: [{ value: 'x' }, { value: 'y' }] },
      drift: 'env[length 1 != 2]',
    },
    {
      name: 'labels: foreign labels are kept, not drift',
      desired: { metadata: { labels: { app: 'a' } } },
      live: { metadata: { labels: { app: 'a', team: 'x' } } },
      drift: undefined,
    },
    {
      name: 'non-canonical quantity is drift (builders must emit canonical forms)',
      desired: { limits: { cpu: '0.5' } },
      live: { limits: { cpu: '500m' } },
      drift: 'limits.cpu',
    },
    { name: 'absent live object', desired: { a: 1 }, live: undefined, drift: '.' },
  ];
  it.each(cases)('$name', ({ desired, live, drift }) => {
    expect(findDrift(desired, live)).toBe(drift);
  });
});

const configMap = (data: Record<string, string>, annotations?: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'c', namespace: 'n', ...(annotations ? { annotations } : {}) },
  data,
});

describe('applied hash', () => {
  it('is stable, ignores its own annotation and nulls, and changes with the content', () => {
    const a = configMap({ k: 'v' });
    expect(appliedHash(a)).toBe(appliedHash(configMap({ k: 'v' }, { [appliedHashAnnotation]: 'old' })));
    expect(appliedHash(a)).toBe(appliedHash({ ...a, extra: null }));
    expect(appliedHash(a)).not.toBe(appliedHash(configMap({ k: 'w' })));
    expect(appliedHash(a)).toMatch(/^[0-9a-f]{20}$/);
  });

  it('a removed field is not drift by the subset rule, but is by the hash annotation', () => {
    const before = withAppliedHash(configMap({ a: '1', b: '2' }));
    const after = withAppliedHash(configMap({ a: '1' }));
    const live: KubeObject = { ...before, metadata: { ...before.metadata, uid: 'u', resourceVersion: '7' } };
    expect(applyReason(before, live)).toBeUndefined();
    expect(findDrift(after.data, live.data)).toBeUndefined(); // the subset rule alone misses it
    expect(applyReason(after, live)).toBe(`metadata.annotations.${appliedHashAnnotation}`);
  });

  it('withAppliedHash prunes nulls and keeps the caller annotations', () => {
    const applied = withAppliedHash({ ...configMap({ k: 'v' }, { mine: 'x' }), spec: { replicas: null } });
    expect(applied.spec).toEqual({});
    expect(applied.metadata.annotations).toEqual({
      mine: 'x',
      [appliedHashAnnotation]: appliedHash(applied),
    });
    expect(pruneNulls([1, null, { a: null }])).toEqual([1, null, {}]);
  });

  it('an absent live object must be applied', () => {
    expect(applyReason(withAppliedHash(configMap({})), undefined)).toBe('absent');
  });
});

describe('Secrets: values hidden from the cache', () => {
  const secret = (data: Record<string, string>): KubeObject =>
    withAppliedHash({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'n' }, data });
  const cachedCopy = (s: KubeObject): KubeObject => ({
    ...s,
    data: Object.fromEntries(Object.keys(s.data as object).map((k) => [k, ''])),
  });

  it('compares key names, not values, and notices a changed value through the hash', () => {
    const desired = secret({ token: 'c2VjcmV0' });
    expect(applyReason(desired, cachedCopy(desired))).toBeUndefined();
    const live = cachedCopy(desired);
    expect(applyReason(secret({ token: 'b3RoZXI=' }), live)).toBe(
      `metadata.annotations.${appliedHashAnnotation}`,
    );
    const renamedKey = { ...live, data: { other: '' } };
    expect(applyReason(desired, renamedKey)).toBe('data.token');
  });
});

describe('findDrift: paths and list rules', () => {
  it('answers "." when the top-level value itself differs', () => {
    expect(findDrift(1, 2)).toBe('.');
    expect(findDrift([1], { a: 1 })).toBe('.');
    expect(findDrift({ a: 1 }, [1])).toBe('.');
    expect(findDrift({ a: 1 }, undefined)).toBe('.');
    expect(findDrift({}, undefined)).toBeUndefined();
  });

  it('a non-empty list is not a zero value: an absent live list drifts', () => {
    expect(findDrift({ args: ['x'] }, {})).toBe('args');
    expect(findDrift({ args: [] }, {})).toBeUndefined();
  });

  it('compares every element of a positional list', () => {
    expect(findDrift({ args: ['a', 'b'] }, { args: ['a', 'c'] })).toBe('args[1]');
    expect(findDrift({ args: ['a', 'b'] }, { args: ['a'] })).toBe('args[length 2 != 1]');
  });

  it('names a list-map element by the key fields it sets, and needs all of them to match', () => {
    expect(
      findDrift(
        { ports: [{ containerPort: 80, protocol: 'UDP' }] },
        { ports: [{ containerPort: 80, protocol: 'TCP' }] },
      ),
    ).toBe('ports[containerPort=80,protocol=UDP]');
    expect(
      findDrift(
        { spec: { containers: [{ name: 'app', image: 'img:2' }] } },
        {
          spec: {
            containers: [
              { name: 'sidecar', image: 'x' },
              { name: 'app', image: 'img:1' },
            ],
          },
        },
      ),
    ).toBe('spec.containers[name=app].image');
  });

  it('compares a list by position when any desired element sets none of the key fields', () => {
    const desired = { containers: [{ name: 'a' }, { image: 'x' }] };
    expect(findDrift(desired, { containers: [{ name: 'a' }, { image: 'x' }] })).toBeUndefined();
    expect(findDrift(desired, { containers: [{ name: 'a' }, { image: 'x' }, { name: 'b' }] })).toBe(
      'containers[length 2 != 3]',
    );
  });

  it('compares the data values of any kind but a Secret', () => {
    const desired = withAppliedHash(configMap({ a: '1' }));
    expect(applyReason(desired, { ...desired, data: { a: '2' } })).toBe('data.a');
  });

  it('hashes the metadata too: new labels change the applied hash', () => {
    const plain = configMap({ k: 'v' });
    const labelled: KubeObject = { ...plain, metadata: { ...plain.metadata, labels: { app: 'x' } } };
    expect(appliedHash(labelled)).not.toBe(appliedHash(plain));
  });
});
