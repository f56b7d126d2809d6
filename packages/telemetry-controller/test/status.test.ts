import { describe, expect, it } from 'vitest';
import {
  configHash,
  specProblems,
  telemetryStatus,
  validateTelemetryConfig,
  type Validation,
} from '../src/index.js';

const config = (spec: unknown) => ({
  apiVersion: 'toolhive.stacklok.dev/v1beta1',
  kind: 'MCPTelemetryConfig',
  metadata: { name: 'otel', namespace: 'ns' },
  spec,
});
const problemsOf = (spec: unknown) => {
  const v = validateTelemetryConfig(config(spec));
  return v.valid ? [] : v.problems;
};
const secret = { name: 's', key: 'k' };

describe('validation', () => {
  it('accepts a complete config', () => {
    expect(
      problemsOf({
        openTelemetry: {
          enabled: true,
          endpoint: 'otel:4318',
          tracing: { enabled: true },
          caBundleRef: { configMapRef: { name: 'ca', key: 'ca.crt' } },
        },
        prometheus: { enabled: true },
      }),
    ).toEqual([]);
  });

  it('an endpoint needs tracing or metrics', () => {
    expect(problemsOf({ openTelemetry: { endpoint: 'otel:4318' } })).toEqual([
      'spec.openTelemetry.endpoint requires at least one of tracing or metrics to be enabled',
    ]);
    expect(problemsOf({ openTelemetry: { endpoint: 'otel:4318', metrics: { enabled: true } } })).toEqual([]);
  });

  it('a sensitive header may not also be a plain header (said once, though the CRD rule says it too)', () => {
    expect(
      problemsOf({
        openTelemetry: {
          headers: { 'x-team': 'a' },
          sensitiveHeaders: [{ name: 'x-team', secretKeyRef: secret }],
        },
      }),
    ).toEqual(['header x-team is in both headers and sensitiveHeaders; keep it in one of them']);
  });

  it('caBundleRef: not with insecure, needs a name, and the name must fit', () => {
    expect(
      problemsOf({
        openTelemetry: { insecure: true, caBundleRef: { configMapRef: { name: 'ca', key: 'k' } } },
      }),
    ).toEqual([
      'spec.openTelemetry.caBundleRef cannot be used with insecure: true (there is no TLS to verify)',
    ]);
    expect(problemsOf({ openTelemetry: { caBundleRef: { configMapRef: { key: 'k' } } } })).toEqual([
      'spec.openTelemetry.caBundleRef.configMapRef.name is required',
    ]);
    expect(
      problemsOf({ openTelemetry: { caBundleRef: { configMapRef: { name: 'c'.repeat(49), key: 'k' } } } }),
    ).toEqual(['spec.openTelemetry.caBundleRef.configMapRef.name must be at most 48 characters (it has 49)']);
  });

  it('lists every problem, schema and controller rules together', () => {
    const problems = problemsOf({
      openTelemetry: {
        endpoint: 'otel:4318',
        tracing: { samplingRate: '2' },
        insecure: true,
        caBundleRef: { configMapRef: { name: 'ca', key: 'k' } },
      },
    });
    expect(problems).toHaveLength(3);
    expect(problems[0]).toContain('spec.openTelemetry.tracing.samplingRate');
  });

  it('specProblems is empty without openTelemetry', () => {
    expect(specProblems({ prometheus: { enabled: true } })).toEqual([]);
  });
});

describe('configHash', () => {
  const valid = (spec: unknown) => {
    const v = validateTelemetryConfig(config(spec));
    if (!v.valid) throw new Error(v.problems.join('; '));
    return configHash(v.spec);
  };
  it('ignores key order, written-back defaults and the order of sensitiveHeaders', () => {
    const a = valid({
      openTelemetry: {
        endpoint: 'e:1',
        tracing: { enabled: true },
        sensitiveHeaders: [
          { name: 'a', secretKeyRef: secret },
          { name: 'b', secretKeyRef: secret },
        ],
      },
    });
    const b = valid({
      openTelemetry: {
        sensitiveHeaders: [
          { secretKeyRef: secret, name: 'b' },
          { name: 'a', secretKeyRef: secret },
        ],
        tracing: { samplingRate: '0.05', enabled: true },
        useLegacyAttributes: true,
        insecure: false,
        enabled: false,
        endpoint: 'e:1',
      },
    });
    expect(b).toBe(a);
    expect(a).toMatch(/^[0-9a-f]{16}$/);
  });
  it('changes with any semantic change', () => {
    const base = { openTelemetry: { endpoint: 'e:1', tracing: { enabled: true } } };
    const hashes = new Set([
      valid(base),
      valid({ openTelemetry: { endpoint: 'e:2', tracing: { enabled: true } } }),
      valid({ openTelemetry: { endpoint: 'e:1', tracing: { enabled: true, samplingRate: '0.5' } } }),
      valid({ ...base, prometheus: { enabled: true } }),
    ]);
    expect(hashes.size).toBe(4);
  });
});

describe('telemetryStatus', () => {
  const ok: Validation = { valid: true, spec: { openTelemetry: undefined, prometheus: { enabled: true } } };
  const bad: Validation = { valid: false, problems: ['one', 'two'] };
  const base = { storedHash: 'old', references: [], unknownKinds: [], deleting: false };

  it('an invalid spec keeps the last good hash and lists every problem', () => {
    const s = telemetryStatus({ ...base, validation: bad });
    expect(s.fields.configHash).toBe('old');
    expect(s.conditions).toEqual([
      { type: 'Valid', status: 'False', reason: 'ValidationFailed', message: 'one; two' },
    ]);
  });

  it('sorts references by kind then name and blocks deletion while there are any', () => {
    const references = [
      { kind: 'VirtualMCPServer', name: 'v' },
      { kind: 'MCPServer', name: 'b' },
      { kind: 'MCPRemoteProxy', name: 'p' },
      { kind: 'MCPServer', name: 'a' },
    ] as const;
    const s = telemetryStatus({ ...base, validation: ok, references, deleting: true });
    expect(s.fields.referencingWorkloads.map((r) => `${r.kind}/${r.name}`)).toEqual([
      'MCPRemoteProxy/p',
      'MCPServer/a',
      'MCPServer/b',
      'VirtualMCPServer/v',
    ]);
    expect(s.releasable).toBe(false);
    expect(s.conditions[1]).toMatchObject({
      type: 'DeletionBlocked',
      status: 'True',
      reason: 'ReferencedByWorkloads',
    });
    expect(s.conditions[1]?.message).toContain(
      'MCPRemoteProxy/p, MCPServer/a, MCPServer/b, VirtualMCPServer/v',
    );
  });

  it('releases an unreferenced config being deleted, but not when references are unknown', () => {
    expect(telemetryStatus({ ...base, validation: ok, deleting: true }).releasable).toBe(true);
    const unknown = telemetryStatus({
      ...base,
      validation: ok,
      deleting: true,
      unknownKinds: [{ kind: 'MCPServer', cause: 'forbidden' }],
    });
    expect(unknown.releasable).toBe(false);
    expect(unknown.conditions[1]).toMatchObject({ type: 'DeletionBlocked', reason: 'ReferencesUnknown' });
    expect(telemetryStatus({ ...base, validation: ok }).conditions.map((c) => c.type)).toEqual(['Valid']);
  });
});
