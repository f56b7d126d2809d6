import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import {
  currentState,
  desiredDeploymentStatus,
  isLoopbackServer,
  parseRunConfig,
  podStatusPatch,
  runnerImage,
  selectorString,
  stateOf,
  templateHash,
} from '../src/simulator-objects.js';

const proxy = (args: string[]): V1Deployment => ({
  spec: {
    selector: {},
    template: { spec: { containers: [{ name: 'toolhive', image: 'runner', args }] } },
  },
});

describe('simulator objects', () => {
  it('reads what the proxy runner needs from runconfig.json, and names what it would exit on', () => {
    expect(parseRunConfig('{"transport":"streamable-http","target_port":8080}')).toEqual({
      ok: true,
      transport: 'streamable-http',
      targetPort: 8080,
    });
    expect(parseRunConfig('{"transport":"stdio"}')).toEqual({ ok: true, transport: 'stdio', targetPort: 0 });
    expect(parseRunConfig(undefined)).toEqual({
      ok: false,
      problem: 'the ConfigMap has no key runconfig.json',
    });
    expect(parseRunConfig('{')).toMatchObject({ ok: false, problem: 'runconfig.json is not JSON' });
    expect(parseRunConfig('{"transport":"sse","target_port":0}')).toMatchObject({ ok: false });
    expect(parseRunConfig('{"transport":"sse","target_port":"8080"}')).toMatchObject({ ok: false });
    expect(parseRunConfig('{"transport":"ws","target_port":80}')).toMatchObject({ ok: false });
  });

  it("takes the MCP image from the proxy container's last argument", () => {
    expect(runnerImage(proxy(['run', '--k8s-pod-patch={}', 'ghcr.io/x/fetch:1']))).toBe('ghcr.io/x/fetch:1');
    expect(runnerImage(proxy(['run', '--k8s-pod-patch={}']))).toBeUndefined();
    expect(runnerImage(proxy(['run']))).toBeUndefined();
  });

  it('accepts only loopback servers as the local control plane', () => {
    expect(isLoopbackServer('https://127.0.0.1:6443')).toBe(true);
    expect(isLoopbackServer('https://localhost:6443')).toBe(true);
    expect(isLoopbackServer('https://[::1]:6443')).toBe(true);
    expect(isLoopbackServer('https://10.0.0.1:6443')).toBe(false);
    expect(isLoopbackServer('https://127.0.0.1.example.com')).toBe(false);
    expect(isLoopbackServer('not a url')).toBe(false);
  });

  it('builds label selectors and template hashes', () => {
    expect(
      selectorString({
        matchLabels: { app: 'a' },
        matchExpressions: [
          { key: 'tier', operator: 'In', values: ['x', 'y'] },
          { key: 'gone', operator: 'DoesNotExist' },
        ],
      }),
    ).toBe('app=a,tier in (x,y),!gone');
    const a = templateHash({ metadata: { annotations: { c: '1' } } });
    expect(a).toMatch(/^[0-9a-f]{10}$/);
    expect(templateHash({ metadata: { annotations: { c: '1' } } })).toBe(a);
    expect(templateHash({ metadata: { annotations: { c: '2' } } })).not.toBe(a);
  });

  it('writes a status that reads back as the state it was written for', () => {
    const pod: V1Pod = {
      metadata: { name: 'p' },
      spec: {
        containers: [
          { name: 'a', image: 'i' },
          { name: 'b', image: 'j' },
        ],
      },
    };
    for (const behaviour of ['ready', 'crashloop', 'pending', { waitingReason: 'ErrImagePull' }] as const) {
      const state = stateOf(behaviour);
      const written = { ...pod, status: podStatusPatch(pod, state, new Date(0)).status } as V1Pod;
      expect(currentState(written)).toEqual(state);
    }
    const crash = podStatusPatch(pod, stateOf('crashloop'), new Date(0)).status;
    expect(crash.phase).toBe('Running');
    expect(
      podStatusPatch(pod, stateOf({ waitingReason: 'ImagePullBackOff' }), new Date(0)).status.phase,
    ).toBe('Pending');
    expect(currentState(pod)).toBeUndefined();
  });

  it('counts ready and updated Pods into the Deployment status', () => {
    const d: V1Deployment = {
      metadata: { generation: 4 },
      spec: { replicas: 3, selector: {}, template: {} },
    };
    expect(
      desiredDeploymentStatus(
        d,
        [
          { hash: 'new', ready: true },
          { hash: 'new', ready: false },
          { hash: 'old', ready: true },
        ],
        'new',
      ),
    ).toEqual({
      observedGeneration: 4,
      replicas: 3,
      updatedReplicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
      unavailableReplicas: 1,
      available: false,
    });
  });
});
