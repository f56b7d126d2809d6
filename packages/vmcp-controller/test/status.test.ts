import { describe, expect, it } from 'vitest';
import type { VmcpPhaseResult } from '../src/phase.js';
import { vmcpStatus, type VmcpStatusInputs, type VmcpStatusResult } from '../src/status.js';

const running: VmcpPhaseResult = {
  phase: 'Ready',
  message: 'Virtual MCP server is running',
  readyReason: 'DeploymentReady',
  readyMessage: 'Deployment is ready',
  ready: true,
};

const base = (over: Partial<VmcpStatusInputs> = {}): VmcpStatusInputs => ({
  namespace: 'ns',
  specProblems: [],
  groupName: 'team',
  group: { state: 'found', phase: 'Ready' },
  hmac: { state: 'valid' },
  observed: running,
  url: 'http://vmcp-hub.ns.svc.cluster.local:4483',
  ...over,
});

const summary = (r: VmcpStatusResult) => r.conditions.map((c) => `${c.type}=${c.status}/${c.reason}`).sort();
const ready = (r: VmcpStatusResult) => r.conditions.find((c) => c.type === 'Ready');

describe('vmcpStatus', () => {
  it('rolls out and reports the observed phase when nothing blocks', () => {
    const r = vmcpStatus(
      base({
        discoveredBackends: [
          { name: 'a', status: 'ready' },
          { name: 'b', status: 'unauthenticated' },
        ],
      }),
    );
    expect(r).toMatchObject({
      phase: 'Ready',
      message: running.message,
      rollout: true,
      waitingForGroup: false,
    });
    expect(r.backendCount).toBe(2);
    expect(r.url).toBe('http://vmcp-hub.ns.svc.cluster.local:4483');
    expect(summary(r)).toEqual([
      'GroupRefValidated=True/GroupRefValid',
      'HMACSecretValid=True/HMACSecretValid',
      'PodTemplateSpecValid=True/PodTemplateSpecValid',
      'Ready=True/DeploymentReady',
      'Valid=True/ValidationSucceeded',
    ]);
    expect(ready(r)?.message).toBe('Deployment is ready');
    expect(r.keep).toEqual([]);
  });

  it('passes a not-ready observation through with its own reason', () => {
    const degraded: VmcpPhaseResult = {
      phase: 'Degraded',
      message: 'some',
      readyReason: 'BackendsDegraded',
      readyMessage: 'Some backends are unhealthy',
      ready: false,
    };
    const r = vmcpStatus(base({ observed: degraded }));
    expect(r.phase).toBe('Degraded');
    expect(ready(r)).toMatchObject({
      status: 'False',
      reason: 'BackendsDegraded',
      message: 'Some backends are unhealthy',
    });
  });

  it('blocks on spec problems: Valid=False naming each, phase Failed, Ready InvalidSpec', () => {
    const r = vmcpStatus(base({ specProblems: ['spec.a is not supported yet', 'spec.b is bad'] }));
    const message = 'spec cannot be used as written: spec.a is not supported yet; spec.b is bad';
    expect(r).toMatchObject({ phase: 'Failed', message, rollout: false });
    expect(r.conditions.find((c) => c.type === 'Valid')).toMatchObject({
      status: 'False',
      reason: 'ValidationFailed',
      message,
    });
    expect(ready(r)).toMatchObject({ status: 'False', reason: 'InvalidSpec', message });
  });

  it('blocks on a pod template that is not one', () => {
    const r = vmcpStatus(base({ podTemplateProblem: 'spec.containers: expected array' }));
    expect(r).toMatchObject({
      phase: 'Failed',
      message: 'Invalid PodTemplateSpec: spec.containers: expected array',
      rollout: false,
    });
    expect(summary(r)).toContain('PodTemplateSpecValid=False/InvalidPodTemplateSpec');
    expect(ready(r)?.reason).toBe('InvalidSpec');
  });

  it('a missing group: Failed, GroupRefNotFound, waits with a fixed requeue', () => {
    const r = vmcpStatus(base({ group: { state: 'absent' } }));
    expect(r).toMatchObject({
      phase: 'Failed',
      message: 'Referenced MCPGroup team not found; create it or fix spec.groupRef.name',
      rollout: false,
      waitingForGroup: true,
    });
    expect(r.conditions.find((c) => c.type === 'GroupRefValidated')).toMatchObject({
      status: 'False',
      reason: 'GroupRefNotFound',
      message: "MCPGroup 'team' not found in namespace 'ns'",
    });
    expect(ready(r)?.reason).toBe('GroupNotReady');
  });

  it('a group not ready: Pending with its phase, or naming the group controller without one', () => {
    const r = vmcpStatus(base({ group: { state: 'found', phase: 'Pending' } }));
    expect(r).toMatchObject({
      phase: 'Pending',
      message: 'Referenced MCPGroup team is not ready (phase: Pending)',
      rollout: false,
      waitingForGroup: true,
    });
    expect(summary(r)).toContain('GroupRefValidated=False/GroupRefNotReady');
    expect(vmcpStatus(base({ group: { state: 'found' } })).message).toBe(
      'Referenced MCPGroup team is not ready (no status yet; is mcp-group-controller running?)',
    );
  });

  it('a group that cannot be read keeps its condition and rolls nothing out, without blocking the phase', () => {
    const r = vmcpStatus(base({ group: { state: 'unknown', cause: 'list failing' } }));
    expect(r).toMatchObject({ phase: 'Ready', rollout: false, waitingForGroup: false });
    expect(r.keep).toEqual(['GroupRefValidated']);
    expect(r.conditions.some((c) => c.type === 'GroupRefValidated')).toBe(false);
  });

  it('members that cannot be read roll nothing out and say so, in either mode', () => {
    for (const inline of [undefined, { backends: ['a'], skipped: [] }]) {
      const r = vmcpStatus(base({ membersUnknown: 'MCPServers (forbidden)', ...(inline ? { inline } : {}) }));
      expect(r).toMatchObject({ phase: 'Ready', rollout: false });
      expect(r.conditions.find((c) => c.type === 'BackendsConfigured')).toEqual({
        type: 'BackendsConfigured',
        status: 'False',
        reason: 'MembersUnreadable',
        message:
          "cannot read the group's MCPServers (forbidden); retrying, nothing is rolled out until they can be read (check the controller's RBAC and that the CRD is served)",
      });
    }
  });

  it('telemetry: valid copies the hash; missing and invalid block; unreadable says FetchError and keeps the hash', () => {
    const withRef = (telemetry: VmcpStatusInputs['telemetry']) =>
      vmcpStatus(
        base({
          telemetryName: 'otel',
          ...(telemetry ? { telemetry } : {}),
          previous: { telemetryConfigHash: 'old' },
        }),
      );
    const valid = withRef({ state: 'valid', configHash: 'h1' });
    expect(valid).toMatchObject({ telemetryConfigHash: 'h1', rollout: true });
    expect(summary(valid)).toContain('TelemetryConfigRefValidated=True/TelemetryConfigRefValid');

    const absent = withRef({ state: 'absent' });
    expect(absent).toMatchObject({
      phase: 'Failed',
      message:
        'MCPTelemetryConfig otel not found in namespace ns; create it or fix spec.telemetryConfigRef.name',
      rollout: false,
    });
    expect(ready(absent)?.reason).toBe('NotRolledOut');

    const invalid = withRef({ state: 'invalid', problems: ['x', 'y'] });
    expect(invalid.message).toBe('MCPTelemetryConfig otel is invalid: x; y');
    expect(summary(invalid)).toContain('TelemetryConfigRefValidated=False/TelemetryConfigRefInvalid');

    const unknown = withRef({ state: 'unknown', cause: 'timeout' });
    expect(unknown).toMatchObject({ phase: 'Ready', telemetryConfigHash: 'old', rollout: false });
    expect(unknown.conditions.find((c) => c.type === 'TelemetryConfigRefValidated')).toMatchObject({
      reason: 'TelemetryConfigRefFetchError',
      message:
        'cannot read MCPTelemetryConfig otel now (timeout); retrying, nothing is rolled out until it can be read',
    });
  });

  it('drops the telemetry hash and condition when the reference is gone', () => {
    const r = vmcpStatus(base({ previous: { telemetryConfigHash: 'old' } }));
    expect(r.telemetryConfigHash).toBeUndefined();
    expect(r.conditions.some((c) => c.type === 'TelemetryConfigRefValidated')).toBe(false);
  });

  it('HMAC: unchecked keeps the condition; invalid blocks with the problem', () => {
    const unchecked = vmcpStatus(base({ hmac: { state: 'unchecked' } }));
    expect(unchecked.keep).toEqual(['HMACSecretValid']);
    expect(unchecked.rollout).toBe(true);
    const invalid = vmcpStatus(
      base({ hmac: { state: 'invalid', problem: 'Secret ns/x is bad; delete it' } }),
    );
    expect(invalid).toMatchObject({
      phase: 'Failed',
      message: 'Secret ns/x is bad; delete it',
      rollout: false,
    });
    expect(summary(invalid)).toContain('HMACSecretValid=False/HMACSecretInvalid');
  });

  it('inline mode lists backends and what was left out; none usable is Pending, not Failed', () => {
    const skipped = [{ name: 'e', kind: 'MCPServerEntry' as const, reason: 'not Valid' }];
    const some = vmcpStatus(base({ inline: { backends: ['a', 'b'], skipped } }));
    expect(some.conditions.find((c) => c.type === 'BackendsConfigured')).toMatchObject({
      status: 'True',
      message: '2 backends in config.yaml: a, b; left out: MCPServerEntry e: not Valid',
    });
    const one = vmcpStatus(base({ inline: { backends: ['a'], skipped: [] } }));
    expect(one.conditions.find((c) => c.type === 'BackendsConfigured')?.message).toBe(
      '1 backend in config.yaml: a',
    );
    const none = vmcpStatus(
      base({ inline: { backends: [], skipped, noBackends: 'static mode requires a backend' } }),
    );
    expect(none).toMatchObject({
      phase: 'Pending',
      message: 'static mode requires a backend (MCPServerEntry e: not Valid)',
      rollout: false,
    });
    expect(summary(none)).toContain('BackendsConfigured=False/NoUsableBackends');
    expect(vmcpStatus(base({ inline: { backends: [], skipped: [], noBackends: 'none' } })).message).toBe(
      'none',
    );
    expect(vmcpStatus(base()).conditions.some((c) => c.type === 'BackendsConfigured')).toBe(false);
  });

  it('an ownership conflict blocks; the first blocker in order names the phase', () => {
    expect(vmcpStatus(base({ applyProblem: 'Deployment hub is owned by x' }))).toMatchObject({
      phase: 'Failed',
      message: 'Deployment hub is owned by x',
      rollout: false,
    });
    const both = vmcpStatus(base({ specProblems: ['bad'], group: { state: 'absent' } }));
    expect(both.message).toBe('spec cannot be used as written: bad');
    expect(ready(both)?.reason).toBe('InvalidSpec');
  });
});
