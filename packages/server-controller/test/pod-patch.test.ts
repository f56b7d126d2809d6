import { describe, expect, it } from 'vitest';
import { podPatch } from '../src/pod-patch.js';
import { parsedServer, yardstickSpec } from './builder-fixture.js';

const patchOf = (spec: Record<string, unknown>) => {
  const result = podPatch(parsedServer({ ...yardstickSpec, ...spec }));
  if (!result.ok) throw new Error(result.message);
  return result.json;
};
const problemOf = (podTemplateSpec: Record<string, unknown>) => {
  const result = podPatch(parsedServer({ ...yardstickSpec, podTemplateSpec }));
  return result.ok ? `unexpectedly valid: ${result.json}` : result.message;
};

interface Container {
  name: string;
  env?: { name: string; value?: string; valueFrom?: unknown }[];
  [k: string]: unknown;
}
const parse = (json: string) =>
  JSON.parse(json) as {
    metadata: Record<string, unknown>;
    spec: { containers: Container[] | null; [k: string]: unknown };
  };

describe('podPatch', () => {
  it('is ToolHive’s minimal patch for a server with nothing to patch', () => {
    expect(patchOf({})).toBe('{"metadata":{},"spec":{"containers":[],"serviceAccountName":"yardstick-sa"}}');
  });

  it('names spec.serviceAccount when set, <n>-sa when unset or empty', () => {
    expect(parse(patchOf({ serviceAccount: 'custom-mcp-sa' })).spec.serviceAccountName).toBe('custom-mcp-sa');
    expect(parse(patchOf({ serviceAccount: '' })).spec.serviceAccountName).toBe('yardstick-sa');
    // ToolHive overrides the template's own account.
    const json = patchOf({ podTemplateSpec: { spec: { serviceAccountName: 'theirs' } } });
    expect(parse(json).spec.serviceAccountName).toBe('yardstick-sa');
  });

  it('puts secrets on a new mcp container, byte for byte as ToolHive marshals it', () => {
    const json = patchOf({
      serviceAccount: 'custom-mcp-sa',
      secrets: [
        { name: 'github-token', key: 'token', targetEnvName: 'GITHUB_PERSONAL_ACCESS_TOKEN' },
        { name: 'api-key', key: 'key' },
      ],
    });
    expect(json).toBe(
      '{"metadata":{},"spec":{"containers":[{"name":"mcp","env":[' +
        '{"name":"GITHUB_PERSONAL_ACCESS_TOKEN","valueFrom":{"secretKeyRef":{"name":"github-token","key":"token"}}},' +
        '{"name":"key","valueFrom":{"secretKeyRef":{"name":"api-key","key":"key"}}}' +
        '],"resources":{}}],"serviceAccountName":"custom-mcp-sa"}}',
    );
  });

  it('merges secrets into the template’s mcp container, replacing an env var of the same name', () => {
    const json = patchOf({
      secrets: [{ name: 'tok', key: 'token', targetEnvName: 'TOKEN' }],
      podTemplateSpec: {
        metadata: { labels: { team: 'a' }, annotations: { note: 'x' } },
        spec: {
          containers: [
            { name: 'sidecar', image: 'envoy' },
            {
              name: 'mcp',
              env: [
                { name: 'TOKEN', value: 'plain' },
                { name: 'LOG', value: 'debug' },
              ],
              resources: { limits: { cpu: '0.5', memory: '256Mi' } },
            },
          ],
          tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'mcp', effect: 'NoSchedule' }],
          nodeSelector: { 'node-type': 'mcp', 'kubernetes.io/os': 'linux' },
        },
      },
    });
    const patch = parse(json);
    expect(patch.metadata).toEqual({ labels: { team: 'a' }, annotations: { note: 'x' } });
    expect(patch.spec.containers?.map((c) => c.name)).toEqual(['sidecar', 'mcp']);
    const mcp = patch.spec.containers?.[1];
    expect(mcp?.env).toEqual([
      { name: 'LOG', value: 'debug' },
      { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'tok', key: 'token' } } },
    ]);
    // Quantities come out canonical, as Go's Quantity marshals them.
    expect(mcp?.resources).toEqual({ limits: { cpu: '500m', memory: '256Mi' } });
    expect(patch.spec.tolerations).toEqual([
      { key: 'dedicated', operator: 'Equal', value: 'mcp', effect: 'NoSchedule' },
    ]);
    // Go's order: nodeSelector before serviceAccountName before tolerations; map keys sorted.
    expect(Object.keys(patch.spec)).toEqual([
      'containers',
      'nodeSelector',
      'serviceAccountName',
      'tolerations',
    ]);
    expect(Object.keys(patch.spec.nodeSelector as object)).toEqual(['kubernetes.io/os', 'node-type']);
  });

  it('keeps a template without containers as Go does (containers null) and passes unknown fields through', () => {
    const json = patchOf({
      podTemplateSpec: { spec: { priorityClassName: 'high', futureField: { b: 1, a: 2 } }, metadata: null },
    });
    expect(json).toBe(
      '{"metadata":{},"spec":{"containers":null,"serviceAccountName":"yardstick-sa","priorityClassName":"high",' +
        '"futureField":{"a":2,"b":1}}}',
    );
  });

  it('is deterministic: key order and copies of the input do not matter, and the input is not changed', () => {
    const template = {
      spec: {
        containers: [{ env: [{ value: '1', name: 'A' }], name: 'mcp', image: 'i' }],
        hostNetwork: false,
      },
      metadata: { annotations: { b: '2', a: '1' } },
    };
    const shuffled = {
      metadata: { annotations: { a: '1', b: '2' } },
      spec: {
        hostNetwork: false,
        containers: [{ name: 'mcp', image: 'i', env: [{ name: 'A', value: '1' }] }],
      },
    };
    const before = JSON.stringify(template);
    const secrets = [{ name: 's', key: 'k' }];
    const first = patchOf({ podTemplateSpec: template, secrets });
    expect(patchOf({ podTemplateSpec: shuffled, secrets })).toBe(first);
    expect(patchOf({ podTemplateSpec: structuredClone(template), secrets })).toBe(first);
    expect(JSON.stringify(template)).toBe(before);
    expect(first).toBe(
      '{"metadata":{"annotations":{"a":"1","b":"2"}},"spec":{"containers":[{"name":"mcp","image":"i",' +
        '"env":[{"name":"A","value":"1"},{"name":"k","valueFrom":{"secretKeyRef":{"name":"s","key":"k"}}}],' +
        '"resources":{}}],"serviceAccountName":"yardstick-sa","hostNetwork":false}}',
    );
  });

  it('escapes <, > and & as Go’s json.Marshal does', () => {
    const json = patchOf({ podTemplateSpec: { metadata: { annotations: { note: 'a<b>&c' } } } });
    expect(json).toContain('"note":"a\\u003cb\\u003e\\u0026c"');
    expect((parse(json).metadata.annotations as Record<string, string>).note).toBe('a<b>&c');
  });
});

describe('podPatch on an invalid podTemplateSpec', () => {
  // The schema's cases are core's (pod-template.test.ts); these pin that the patch reports them.
  it.each([
    [
      { spec: { containers: [{ name: 7 }] } },
      'spec.podTemplateSpec.spec.containers[0].name: expected string, got number',
    ],
    [
      { spec: { containers: [{ name: 'mcp', resources: { limits: { cpu: 'lots' } } }] } },
      'spec.podTemplateSpec.spec.containers[0].resources.limits.cpu: expected quantity (e.g. 500m, 128Mi), got string "lots"',
    ],
    [{ spec: { containers: [null] } }, 'spec.podTemplateSpec.spec.containers[0]: expected object, got null'],
  ])('%o: %s', (template, message) => {
    expect(problemOf(template)).toBe(message);
  });

  it('lists every problem', () => {
    expect(problemOf({ spec: { containers: [{ name: 1 }, { name: 'ok', args: [1] }] }, metadata: 'm' })).toBe(
      'spec.podTemplateSpec.metadata: expected object, got string "m"; ' +
        'spec.podTemplateSpec.spec.containers[0].name: expected string, got number; ' +
        'spec.podTemplateSpec.spec.containers[1].args[0]: expected string, got number',
    );
  });

  it('passes strategic-merge directives through as unknown fields, as ToolHive does', () => {
    const json = patchOf({ podTemplateSpec: { spec: { containers: [{ name: 'mcp', $patch: 'replace' }] } } });
    expect(parse(json).spec.containers?.[0]).toEqual({ name: 'mcp', resources: {}, $patch: 'replace' });
  });

  it('accepts numbers as quantities and nulls anywhere Go would', () => {
    const json = patchOf({
      podTemplateSpec: {
        spec: { containers: [{ name: 'mcp', image: null, resources: { requests: { cpu: 0.25 } } }] },
      },
    });
    expect(parse(json).spec.containers?.[0]).toEqual({
      name: 'mcp',
      resources: { requests: { cpu: '250m' } },
    });
  });
});
