import { describe, expect, it } from 'vitest';
import {
  groupRefCondition,
  readGroupRef,
  readTelemetryRef,
  telemetryRefStatus,
  type CachedLookup,
  type GroupRefWording,
  type TelemetryRefInputs,
} from '../src/index.js';

const ok = <T>(...objects: T[]): CachedLookup<T> => ({ state: 'ok', objects });
const missing = { state: 'missing', cause: 'the CRD is not installed' } as const;
const unknown = { state: 'unknown', cause: 'list failed: 403' } as const;

type Config = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; resourceVersion?: string };
  spec: unknown;
  status?: { configHash?: string };
};
const config = (spec: unknown, extra: Partial<Config> = {}): Config => ({
  apiVersion: 'toolhive.stacklok.dev/v1beta1',
  kind: 'MCPTelemetryConfig',
  metadata: { name: 'otel', resourceVersion: '7' },
  spec,
  ...extra,
});
type Group = { metadata: { name?: string }; status?: { phase?: string } };
const prometheus = { prometheus: { enabled: true } };

describe('readGroupRef', () => {
  it('finds the group with its phase, or without one when it has no status', () => {
    const ready = { metadata: { name: 'team' }, status: { phase: 'Ready' } };
    expect(readGroupRef(ok(ready))).toEqual({ view: { state: 'found', phase: 'Ready' }, object: ready });
    const fresh: Group = { metadata: { name: 'team' } };
    expect(readGroupRef(ok(fresh))).toEqual({ view: { state: 'found' }, object: fresh });
    expect(readGroupRef(ok({ metadata: {}, status: {} })).view).toEqual({ state: 'found' });
  });

  it('says absent for no object and for a kind that is not installed, unknown for one that cannot be read', () => {
    expect(readGroupRef(ok<Group>())).toEqual({ view: { state: 'absent' } });
    expect(readGroupRef(missing)).toEqual({ view: { state: 'absent' } });
    expect(readGroupRef(unknown)).toEqual({ view: { state: 'unknown', cause: 'list failed: 403' } });
  });
});

describe('readTelemetryRef', () => {
  it('re-validates a found config: a valid one comes with its spec, service name, hash and version', () => {
    expect(readTelemetryRef(ok(config(prometheus, { status: { configHash: 'h1' } })), 'svc')).toEqual({
      view: { state: 'valid', configHash: 'h1' },
      ref: { spec: prometheus, serviceName: 'svc' },
      version: '7',
    });
    expect(readTelemetryRef(ok(config(prometheus, { metadata: { name: 'otel' }, status: {} })), '')).toEqual({
      view: { state: 'valid' },
      ref: { spec: prometheus },
      version: '',
    });
  });

  it('never wires in an invalid config, whatever its status says', () => {
    const invalid = config({ openTelemetry: { endpoint: 'c:4317' } }, { status: { configHash: 'h1' } });
    const read = readTelemetryRef(ok(invalid), 'svc');
    expect(read.view).toEqual({
      state: 'invalid',
      problems: ['spec.openTelemetry.endpoint requires at least one of tracing or metrics to be enabled'],
    });
    expect(read).not.toHaveProperty('ref');
    expect(read).not.toHaveProperty('version');
  });

  it('says absent for no object and a kind not installed, unknown (never absent) for one that cannot be read', () => {
    expect(readTelemetryRef(ok<Config>(), 'svc')).toEqual({ view: { state: 'absent' } });
    expect(readTelemetryRef(missing, 'svc')).toEqual({ view: { state: 'absent' } });
    expect(readTelemetryRef(unknown, 'svc')).toEqual({
      view: { state: 'unknown', cause: 'list failed: 403' },
    });
  });
});

describe('groupRefCondition', () => {
  const wording: GroupRefWording = {
    validReason: 'GroupRefOk',
    notReadyDetail: (phase) => (phase === undefined ? 'no status' : `in ${phase}`),
  };
  const ref = { name: 'team', namespace: 'ns' };

  it('says valid only for a Ready group, with the kind’s own reason', () => {
    expect(groupRefCondition(ref, { state: 'found', phase: 'Ready' }, wording)).toEqual({
      type: 'GroupRefValidated',
      status: 'True',
      reason: 'GroupRefOk',
      message: "MCPGroup 'team' is valid and ready",
    });
  });

  it('says not ready in the kind’s words for any other phase or none, and not found for an absent group', () => {
    expect(groupRefCondition(ref, { state: 'found', phase: 'Failed' }, wording)).toEqual({
      type: 'GroupRefValidated',
      status: 'False',
      reason: 'GroupRefNotReady',
      message: "MCPGroup 'team' is not ready (in Failed)",
    });
    expect(groupRefCondition(ref, { state: 'found' }, wording).message).toBe(
      "MCPGroup 'team' is not ready (no status)",
    );
    expect(groupRefCondition(ref, { state: 'absent' }, wording)).toEqual({
      type: 'GroupRefValidated',
      status: 'False',
      reason: 'GroupRefNotFound',
      message: "MCPGroup 'team' not found in namespace 'ns'",
    });
  });

  it('says valid in the kind’s own message when it has one', () => {
    const own = { ...wording, validMessage: (name: string) => `group ${name} is fine` };
    expect(groupRefCondition(ref, { state: 'found', phase: 'Ready' }, own).message).toBe(
      'group team is fine',
    );
    expect(groupRefCondition(ref, { state: 'absent' }, own).message).toBe(
      "MCPGroup 'team' not found in namespace 'ns'",
    );
  });

  it('leaves the condition to the caller (kept as stored) while the group cannot be read', () => {
    expect(groupRefCondition(ref, { state: 'unknown', cause: '403' }, wording)).toBeUndefined();
  });
});

describe('telemetryRefStatus', () => {
  const inputs = (extra: Partial<TelemetryRefInputs>): TelemetryRefInputs => ({
    namespace: 'ns',
    telemetryName: 'otel',
    previous: { telemetryConfigHash: 'old' },
    ...extra,
  });
  const status = (extra: Partial<TelemetryRefInputs>) => telemetryRefStatus(inputs(extra), 'FetchFailed');

  it('takes a valid config’s hash (none when it has none) and blocks nothing', () => {
    expect(status({ telemetry: { state: 'valid', configHash: 'h2' } })).toEqual({
      condition: {
        type: 'TelemetryConfigRefValidated',
        status: 'True',
        reason: 'TelemetryConfigRefValid',
        message: 'MCPTelemetryConfig otel is valid',
      },
      readable: true,
      configHash: 'h2',
    });
    expect(status({ telemetry: { state: 'valid' } })).not.toHaveProperty('configHash');
  });

  it('blocks on a missing or invalid config, keeping the stored hash', () => {
    expect(status({ telemetry: { state: 'absent' } })).toEqual({
      condition: {
        type: 'TelemetryConfigRefValidated',
        status: 'False',
        reason: 'TelemetryConfigRefNotFound',
        message: 'MCPTelemetryConfig otel not found',
      },
      blocker:
        'MCPTelemetryConfig otel not found in namespace ns; create it or fix spec.telemetryConfigRef.name',
      readable: true,
      configHash: 'old',
    });
    expect(status({ telemetry: { state: 'invalid', problems: ['a', 'b'] } })).toEqual({
      condition: {
        type: 'TelemetryConfigRefValidated',
        status: 'False',
        reason: 'TelemetryConfigRefInvalid',
        message: 'MCPTelemetryConfig otel is invalid: a; b',
      },
      blocker: 'MCPTelemetryConfig otel is invalid: a; b',
      readable: true,
      configHash: 'old',
    });
  });

  it('says the kind’s fetch-error reason while the config cannot be read: unreadable, no blocker', () => {
    expect(status({ telemetry: { state: 'unknown', cause: 'timeout' } })).toEqual({
      condition: {
        type: 'TelemetryConfigRefValidated',
        status: 'False',
        reason: 'FetchFailed',
        message:
          'cannot read MCPTelemetryConfig otel now (timeout); retrying, nothing is rolled out until it can be read',
      },
      readable: false,
      configHash: 'old',
    });
  });

  it('drops the stored hash without a reference, keeps it when the reference was not looked at', () => {
    const { telemetryName: _name, ...noRef } = inputs({ telemetry: { state: 'valid', configHash: 'h2' } });
    expect(telemetryRefStatus(noRef, 'FetchFailed')).toEqual({ readable: true });
    expect(status({})).toEqual({ readable: true, configHash: 'old' });
    expect(telemetryRefStatus({ namespace: 'ns', telemetryName: 'otel' }, 'FetchFailed')).toEqual({
      readable: true,
    });
    expect(
      telemetryRefStatus({ namespace: 'ns', telemetryName: 'otel', telemetry: { state: 'absent' } }, 'X'),
    ).not.toHaveProperty('configHash');
  });
});
