import { describe, expect, it } from 'vitest';
import { canonicalPodTemplateSpec, checkPodTemplateSpec } from '../src/pod-template.js';

const problemOf = (template: unknown, options = {}) => {
  const result = checkPodTemplateSpec(template, options);
  return result.ok ? 'unexpectedly valid' : result.message;
};

describe('checkPodTemplateSpec', () => {
  it.each([
    // Every kind of field, every kind of value.
    [
      { spec: { containers: [{ name: 7 }] } },
      'spec.podTemplateSpec.spec.containers[0].name: expected string, got number',
    ],
    [
      { spec: { containers: [{ image: 'x' }] } },
      'spec.podTemplateSpec.spec.containers[0].name: expected string, got nothing',
    ],
    [
      { spec: { containers: [{ name: null }] } },
      'spec.podTemplateSpec.spec.containers[0].name: expected string, got null',
    ],
    [
      { spec: { containers: { name: 'mcp' } } },
      'spec.podTemplateSpec.spec.containers: expected array, got object',
    ],
    [{ spec: 'pod' }, 'spec.podTemplateSpec.spec: expected object, got string "pod"'],
    [{ spec: [] }, 'spec.podTemplateSpec.spec: expected object, got array'],
    [
      { metadata: { labels: { team: 1 } } },
      'spec.podTemplateSpec.metadata.labels.team: expected string, got number',
    ],
    [
      { metadata: { annotations: { 'example.com/x': true } } },
      'spec.podTemplateSpec.metadata.annotations["example.com/x"]: expected string, got boolean',
    ],
    [
      { spec: { containers: [{ name: 'mcp', env: [{ value: 'x' }] }] } },
      'spec.podTemplateSpec.spec.containers[0].env[0].name: expected string, got nothing',
    ],
    [
      {
        spec: {
          containers: [{ name: 'mcp', env: [{ name: 'A', valueFrom: { secretKeyRef: { key: 1 } } }] }],
        },
      },
      'spec.podTemplateSpec.spec.containers[0].env[0].valueFrom.secretKeyRef.key: expected string, got number',
    ],
    [
      { spec: { initContainers: [{ name: 'init', ports: [{ containerPort: '80' }] }] } },
      'spec.podTemplateSpec.spec.initContainers[0].ports[0].containerPort: expected integer, got string "80"',
    ],
    [
      { spec: { containers: [{ name: 'mcp', ports: [{ name: 'http' }] }] } },
      'spec.podTemplateSpec.spec.containers[0].ports[0].containerPort: expected integer, got nothing',
    ],
    [
      { spec: { containers: [{ name: 'mcp', volumeMounts: [{ name: 'v' }] }] } },
      'spec.podTemplateSpec.spec.containers[0].volumeMounts[0].mountPath: expected string, got nothing',
    ],
    [
      { spec: { containers: [{ name: 'mcp', resources: { limits: { cpu: 'lots' } } }] } },
      'spec.podTemplateSpec.spec.containers[0].resources.limits.cpu: expected quantity (e.g. 500m, 128Mi), got string "lots"',
    ],
    [
      { spec: { containers: [{ name: 'mcp', resources: { requests: { memory: true } } }] } },
      'spec.podTemplateSpec.spec.containers[0].resources.requests.memory: expected quantity (e.g. 500m, 128Mi), got boolean',
    ],
    [
      { spec: { overhead: { cpu: Number.POSITIVE_INFINITY } } },
      'spec.podTemplateSpec.spec.overhead.cpu: expected quantity (e.g. 500m, 128Mi), got number Infinity',
    ],
    [
      { spec: { volumes: [{ emptyDir: {} }] } },
      'spec.podTemplateSpec.spec.volumes[0].name: expected string, got nothing',
    ],
    [
      { spec: { tolerations: [{ key: 'k', tolerationSeconds: 1.5 }] } },
      'spec.podTemplateSpec.spec.tolerations[0].tolerationSeconds: expected integer, got number 1.5',
    ],
    [
      { spec: { nodeSelector: ['linux'] } },
      'spec.podTemplateSpec.spec.nodeSelector: expected object (a map), got array',
    ],
    [
      { spec: { nodeSelector: 'linux' } },
      'spec.podTemplateSpec.spec.nodeSelector: expected object (a map), got string "linux"',
    ],
    [
      { spec: { affinity: 'near' } },
      'spec.podTemplateSpec.spec.affinity: expected object, got string "near"',
    ],
    [{ spec: { affinity: [] } }, 'spec.podTemplateSpec.spec.affinity: expected object, got array'],
    [
      { spec: { securityContext: { runAsNonRoot: 'yes' } } },
      'spec.podTemplateSpec.spec.securityContext.runAsNonRoot: expected boolean, got string "yes"',
    ],
    [
      { spec: { securityContext: { sysctls: [{ value: '1' }] } } },
      'spec.podTemplateSpec.spec.securityContext.sysctls[0].name: expected string, got nothing',
    ],
    [{ spec: { hostUsers: 'no' } }, 'spec.podTemplateSpec.spec.hostUsers: expected boolean, got string "no"'],
    [
      { spec: { serviceAccountName: 5 } },
      'spec.podTemplateSpec.spec.serviceAccountName: expected string, got number',
    ],
    [
      { spec: { priority: 'high' } },
      'spec.podTemplateSpec.spec.priority: expected integer, got string "high"',
    ],
    [{ spec: { containers: [null] } }, 'spec.podTemplateSpec.spec.containers[0]: expected object, got null'],
    [null, 'spec.podTemplateSpec: expected object, got null'],
    // Member names: dotted where they are identifiers, bracketed otherwise.
    [
      { metadata: { labels: { _a1: 2 } } },
      'spec.podTemplateSpec.metadata.labels._a1: expected string, got number',
    ],
    [
      { metadata: { labels: { '1a': 2 } } },
      'spec.podTemplateSpec.metadata.labels["1a"]: expected string, got number',
    ],
    [
      { metadata: { labels: { 'a.b': 2 } } },
      'spec.podTemplateSpec.metadata.labels["a.b"]: expected string, got number',
    ],
    [
      { metadata: { labels: { 'a-b': 2 } } },
      'spec.podTemplateSpec.metadata.labels["a-b"]: expected string, got number',
    ],
  ])('%o: %s', (template, message) => {
    expect(problemOf(template)).toBe(message);
  });

  it('lists every problem, the missing required names of an object before its other fields', () => {
    expect(
      problemOf({
        spec: {
          containers: [
            { name: 1, ports: [{ name: 2 }] },
            { name: 'ok', env: [{}] },
          ],
        },
        metadata: 'm',
      }),
    ).toBe(
      'spec.podTemplateSpec.metadata: expected object, got string "m"; ' +
        'spec.podTemplateSpec.spec.containers[0].name: expected string, got number; ' +
        'spec.podTemplateSpec.spec.containers[0].ports[0].containerPort: expected integer, got nothing; ' +
        'spec.podTemplateSpec.spec.containers[0].ports[0].name: expected string, got number; ' +
        'spec.podTemplateSpec.spec.containers[1].env[0].name: expected string, got nothing',
    );
  });

  it('accepts a full template, null members, numbers as quantities, unknown fields and any value where Go has one', () => {
    const template = {
      metadata: { name: 'n', labels: { a: 'b', gone: null }, annotations: { 'example.com/x': 'y' } },
      spec: {
        containers: [
          {
            name: 'mcp',
            image: null,
            args: ['--x'],
            ports: [{ containerPort: 8080, protocol: 'TCP' }],
            env: [
              { name: 'A', value: '1' },
              { name: 'B', valueFrom: { fieldRef: { fieldPath: 'x' } } },
            ],
            resources: {
              limits: { cpu: 0.5, memory: '128Mi' },
              requests: { cpu: '250m' },
              claims: 'whatever',
            },
            volumeMounts: [{ name: 'v', mountPath: '/v', readOnly: true }],
            securityContext: { capabilities: { drop: ['ALL'] }, runAsUser: 1000 },
            futureField: 7,
          },
        ],
        volumes: [{ name: 'v', emptyDir: {} }],
        ephemeralContainers: [{ name: 'debug' }],
        readinessGates: 5,
        affinity: {},
        nodeSelector: { os: 'linux' },
        tolerations: [{ key: 'k', operator: 'Exists', tolerationSeconds: 30 }],
        hostNetwork: false,
        serviceAccountName: null,
      },
    };
    expect(checkPodTemplateSpec(template)).toEqual({ ok: true });
    expect(checkPodTemplateSpec({})).toEqual({ ok: true });
    expect(checkPodTemplateSpec(undefined)).toEqual({ ok: true });
  });

  it('starts every problem at the path given', () => {
    expect(problemOf({ spec: 'x' }, { path: 'spec.template' })).toBe(
      'spec.template.spec: expected object, got string "x"',
    );
  });

  it('refuses strategic-merge directives only when asked, wherever they stand', () => {
    const template = {
      $patch: 'replace',
      spec: {
        containers: [{ name: 'mcp', $patch: 'delete' }],
        '$setElementOrder/containers': [{ name: 'mcp' }],
        futureField: { nested: [{ $retainKeys: ['a'] }, 'plain'] },
      },
    };
    expect(checkPodTemplateSpec(template)).toEqual({ ok: true });
    expect(checkPodTemplateSpec(template, { refuseDirectives: false })).toEqual({ ok: true });
    expect(
      checkPodTemplateSpec({ spec: { containers: [{ name: 'mcp' }] } }, { refuseDirectives: true }),
    ).toEqual({
      ok: true,
    });
    const mistyped = { ...template, spec: { ...template.spec, hostNetwork: 'yes' } };
    expect(problemOf(mistyped, { refuseDirectives: true })).toBe(
      // The type problems first, then the directives in member order.
      'spec.podTemplateSpec.spec.hostNetwork: expected boolean, got string "yes"; ' +
        'spec.podTemplateSpec["$patch"]: strategic-merge directives are not supported; ' +
        'spec.podTemplateSpec.spec.containers[0]["$patch"]: strategic-merge directives are not supported; ' +
        'spec.podTemplateSpec.spec["$setElementOrder/containers"]: strategic-merge directives are not supported; ' +
        'spec.podTemplateSpec.spec.futureField.nested[0]["$retainKeys"]: strategic-merge directives are not supported',
    );
  });
});

describe('canonicalPodTemplateSpec', () => {
  it('writes the members Go always writes: metadata, spec, containers (null when absent)', () => {
    expect(JSON.stringify(canonicalPodTemplateSpec({}))).toBe('{"metadata":{},"spec":{"containers":null}}');
    expect(JSON.stringify(canonicalPodTemplateSpec({ metadata: null, spec: { containers: null } }))).toBe(
      '{"metadata":{},"spec":{"containers":null}}',
    );
    expect(
      canonicalPodTemplateSpec({ spec: { hostNetwork: null, containers: [{ name: 'c', image: null }] } }),
    ).toStrictEqual({
      metadata: {},
      spec: { containers: [{ name: 'c', resources: {} }] },
    });
    expect(JSON.stringify(canonicalPodTemplateSpec({ spec: { containers: [] } }))).toBe(
      '{"metadata":{},"spec":{"containers":[]}}',
    );
  });

  it('orders known fields as Go, maps and unknown members by key, and drops null members', () => {
    const template = {
      spec: {
        zeta: { b: 1, a: null, c: [null, { y: 2, x: 1 }] },
        tolerations: [{ effect: 'NoSchedule', key: 'k' }],
        nodeSelector: { 'node-type': 'mcp', 'kubernetes.io/os': 'linux', gone: null },
        serviceAccountName: null,
        containers: [
          {
            env: [{ value: '1', name: 'A' }],
            image: 'i',
            name: 'mcp',
            resources: { requests: { memory: '1024Mi', cpu: '0.5' }, limits: { cpu: 2 } },
          },
          { name: 'side' },
        ],
        alpha: 'unknown',
      },
      metadata: { labels: { b: '2', a: '1' }, name: 'n' },
    };
    const before = structuredClone(template);
    expect(JSON.stringify(canonicalPodTemplateSpec(template))).toBe(
      '{"metadata":{"name":"n","labels":{"a":"1","b":"2"}},' +
        '"spec":{"containers":[' +
        '{"name":"mcp","image":"i","env":[{"name":"A","value":"1"}],' +
        '"resources":{"limits":{"cpu":"2"},"requests":{"cpu":"500m","memory":"1Gi"}}},' +
        '{"name":"side","resources":{}}],' +
        '"nodeSelector":{"kubernetes.io/os":"linux","node-type":"mcp"},' +
        '"tolerations":[{"key":"k","effect":"NoSchedule"}],' +
        '"alpha":"unknown","zeta":{"b":1,"c":[null,{"x":1,"y":2}]}}}',
    );
    expect(template).toEqual(before);
  });

  it('canonicalises quantities, numbers included, and passes a string that is none through', () => {
    const canonical = canonicalPodTemplateSpec({
      spec: {
        overhead: { cpu: 0.25, memory: 'lots' },
        initContainers: [{ name: 'init', resources: { limits: { cpu: '1000m' } } }],
      },
    }) as { spec: { overhead: unknown; initContainers: { resources: unknown }[] } };
    expect(canonical.spec.overhead).toEqual({ cpu: '250m', memory: 'lots' });
    expect(canonical.spec.initContainers[0]?.resources).toEqual({ limits: { cpu: '1' } });
  });

  it('is idempotent and does not share objects with its input', () => {
    const template = { spec: { containers: [{ name: 'mcp', args: ['a'] }] } };
    const once = canonicalPodTemplateSpec(template);
    expect(canonicalPodTemplateSpec(once)).toEqual(once);
    const spec = once.spec as { containers: { args: string[] }[] };
    spec.containers[0]?.args.push('b');
    expect(template.spec.containers[0]?.args).toEqual(['a']);
  });
});
