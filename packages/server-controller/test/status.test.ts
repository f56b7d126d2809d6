import { describe, expect, it } from 'vitest';
import { serverStatus, unsupportedReferences, type StatusInputs } from '../src/status.js';

const running = { phase: 'Ready' as const, message: 'MCP server is running', readyReplicas: 1 };
const base: StatusInputs = {
  name: 'fetch',
  namespace: 'team',
  specProblems: [],
  unsupported: [],
  stdio: false,
  replicasCapped: false,
  observed: running,
  url: 'http://mcp-fetch-proxy.team.svc.cluster.local:8080/mcp',
};
const types = (r: ReturnType<typeof serverStatus>) =>
  r.conditions.map((c) => `${c.type}=${c.status}/${c.reason}`).sort();

describe('serverStatus', () => {
  it('mirrors the observed phase in Ready and rolls out when nothing blocks', () => {
    const result = serverStatus(base);
    expect(result).toMatchObject({ phase: 'Ready', readyReplicas: 1, rollout: true, url: base.url });
    expect(types(result)).toEqual([
      'ConfigReferencesSupported=True/ConfigReferencesSupported',
      'PodTemplateValid=True/ValidPodTemplateSpec',
      'Ready=True/Ready',
    ]);
  });

  it('reports the group by its phase, and keeps the condition when the group cannot be read', () => {
    const group = (g: StatusInputs['group']) =>
      serverStatus({ ...base, groupName: 'team', ...(g ? { group: g } : {}) });
    expect(group({ state: 'found', phase: 'Ready' }).conditions).toContainEqual(
      expect.objectContaining({ type: 'GroupRefValidated', status: 'True', reason: 'GroupRefIsValid' }),
    );
    expect(group({ state: 'found', phase: 'Pending' }).conditions).toContainEqual(
      expect.objectContaining({
        reason: 'GroupRefNotReady',
        message: "MCPGroup 'team' is not ready (current phase: Pending)",
      }),
    );
    expect(group({ state: 'found' }).conditions).toContainEqual(
      expect.objectContaining({
        reason: 'GroupRefNotReady',
        message: "MCPGroup 'team' is not ready (it has no status yet; is mcp-group-controller running?)",
      }),
    );
    expect(group({ state: 'absent' }).conditions).toContainEqual(
      expect.objectContaining({
        reason: 'GroupRefNotFound',
        message: "MCPGroup 'team' not found in namespace 'team'",
      }),
    );
    const unknown = group({ state: 'unknown', cause: '403' });
    expect(unknown.keep).toEqual(['GroupRefValidated']);
    expect(unknown.conditions.map((c) => c.type)).not.toContain('GroupRefValidated');
    // A group problem never stops the rollout (as ToolHive).
    expect(group({ state: 'absent' }).rollout).toBe(true);
  });

  it('gives every telemetry reason, blocking on NotFound and Invalid, holding the rollout on Error', () => {
    const tel = (t: NonNullable<StatusInputs['telemetry']>) =>
      serverStatus({
        ...base,
        telemetryName: 'otel',
        telemetry: t,
        previous: { telemetryConfigHash: 'old' },
      });
    const valid = tel({ state: 'valid', configHash: 'h2' });
    expect(valid).toMatchObject({ telemetryConfigHash: 'h2', rollout: true, phase: 'Ready' });
    const absent = tel({ state: 'absent' });
    expect(absent).toMatchObject({ phase: 'Failed', rollout: false, telemetryConfigHash: 'old' });
    expect(absent.conditions).toContainEqual(
      expect.objectContaining({
        reason: 'TelemetryConfigRefNotFound',
        message: 'MCPTelemetryConfig otel not found',
      }),
    );
    const invalid = tel({ state: 'invalid', problems: ['a', 'b'] });
    expect(invalid).toMatchObject({
      phase: 'Failed',
      rollout: false,
      message: 'MCPTelemetryConfig otel is invalid: a; b',
    });
    const unknown = tel({ state: 'unknown', cause: 'timeout' });
    expect(unknown).toMatchObject({ phase: 'Ready', rollout: false });
    expect(unknown.conditions).toContainEqual(
      expect.objectContaining({ type: 'TelemetryConfigRefValidated', reason: 'TelemetryConfigRefError' }),
    );
    expect(
      serverStatus({ ...base, previous: { telemetryConfigHash: 'old' } }).telemetryConfigHash,
    ).toBeUndefined();
  });

  it('names every unsupported reference and does not roll out', () => {
    const fields = unsupportedReferences({
      image: 'x',
      oidcConfigRef: { name: 'o' },
      toolConfigRef: { name: 't' },
    });
    expect(fields).toEqual(['spec.oidcConfigRef (MCPOIDCConfig)', 'spec.toolConfigRef (MCPToolConfig)']);
    const result = serverStatus({ ...base, unsupported: fields });
    expect(result).toMatchObject({ phase: 'Failed', rollout: false });
    expect(result.message).toContain(
      'spec.oidcConfigRef (MCPOIDCConfig), spec.toolConfigRef (MCPToolConfig)',
    );
    expect(types(result)).toContain('ConfigReferencesSupported=False/UnsupportedConfigReference');
  });

  it('reports an invalid pod template and does not roll out', () => {
    const result = serverStatus({ ...base, podTemplateProblem: 'spec.containers[0].name: expected string' });
    expect(result).toMatchObject({ phase: 'Failed', rollout: false });
    expect(types(result)).toContain('PodTemplateValid=False/InvalidPodTemplateSpec');
  });

  it('says InvalidSpec for a spec that fails the schema', () => {
    const result = serverStatus({
      ...base,
      specProblems: ['spec: telemetry and telemetryConfigRef are mutually exclusive'],
    });
    expect(result).toMatchObject({ phase: 'Failed', rollout: false });
    expect(types(result)).toContain('Ready=False/InvalidSpec');
  });

  it('sets StdioReplicaCapped for stdio servers only', () => {
    expect(types(serverStatus({ ...base, stdio: true, replicasCapped: true }))).toContain(
      'StdioReplicaCapped=True/StdioTransportCapAt1',
    );
    expect(types(serverStatus({ ...base, stdio: true }))).toContain(
      'StdioReplicaCapped=False/StdioReplicaCapNotActive',
    );
    expect(types(serverStatus(base)).some((t) => t.startsWith('StdioReplicaCapped'))).toBe(false);
  });

  it('reports an ownership conflict as Failed with its message', () => {
    const result = serverStatus({
      ...base,
      applyProblem: 'Deployment team/fetch exists and is controlled by X',
    });
    expect(result).toMatchObject({
      phase: 'Failed',
      message: 'Deployment team/fetch exists and is controlled by X',
    });
  });
});
