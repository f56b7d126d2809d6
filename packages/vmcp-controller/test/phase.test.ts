import { describe, expect, it } from 'vitest';
import { backendCount, vmcpPhase, vmcpPodState, vmcpPodView, type VmcpPodView } from '../src/phase.js';

const ready: VmcpPodView = {
  metadata: {},
  status: {
    phase: 'Running',
    conditions: [{ type: 'Ready', status: 'True' }],
    containerStatuses: [{ ready: true }],
  },
};
const starting: VmcpPodView = {
  metadata: {},
  status: {
    phase: 'Running',
    conditions: [{ type: 'Ready', status: 'False' }],
    containerStatuses: [{ ready: false }],
  },
};
const scheduling: VmcpPodView = { metadata: {}, status: { phase: 'Pending' } };
const podFailed: VmcpPodView = { metadata: {}, status: { phase: 'Failed' } };
const waiting = (reason: string): VmcpPodView => ({
  metadata: {},
  status: { phase: 'Running', containerStatuses: [{ ready: false, state: { waiting: { reason } } }] },
});
const crashLoop = waiting('CrashLoopBackOff');
const backend = (name: string, status?: string) => ({ name, ...(status !== undefined ? { status } : {}) });

describe('vmcpPodState', () => {
  it('reads readiness from the Ready condition, failure from the pod phase or a definitive container error', () => {
    expect(vmcpPodState(ready)).toBe('ready');
    expect(vmcpPodState(starting)).toBe('pending');
    expect(vmcpPodState(scheduling)).toBe('pending');
    expect(vmcpPodState({ metadata: {} })).toBe('pending');
    expect(vmcpPodState({ metadata: {}, status: { phase: 'Unknown' } })).toBe('pending');
    expect(vmcpPodState(podFailed)).toBe('failed');
    for (const reason of ['CrashLoopBackOff', 'CreateContainerError', 'InvalidImageName']) {
      expect(vmcpPodState(waiting(reason)), reason).toBe('failed');
    }
    // The kubelet retries pulls: not failed yet.
    expect(vmcpPodState(waiting('ImagePullBackOff'))).toBe('pending');
    expect(vmcpPodState(waiting('ContainerCreating'))).toBe('pending');
    const exited = (exitCode: number): VmcpPodView => ({
      metadata: {},
      status: { phase: 'Running', containerStatuses: [{ state: { terminated: { exitCode } } }] },
    });
    expect(vmcpPodState(exited(1))).toBe('failed');
    expect(vmcpPodState(exited(0))).toBe('pending');
    expect(vmcpPodState({ ...ready, metadata: { deletionTimestamp: '2026-01-01T00:00:00Z' } })).toBe(
      'ignored',
    );
  });
});

describe('vmcpPhase: every row of the §10.3 table', () => {
  const notReady = {
    readyReason: 'DeploymentNotReady',
    readyMessage: 'Deployment is not yet ready',
    ready: false,
  };

  it('0 ready, >=1 failed -> Failed / DeploymentFailed, whatever the backends', () => {
    for (const pods of [[podFailed], [crashLoop, starting], [scheduling, podFailed]]) {
      expect(vmcpPhase({ pods, discoveredBackends: [backend('a', 'ready')] })).toEqual({
        phase: 'Failed',
        message: 'Virtual MCP server failed to start',
        readyReason: 'DeploymentFailed',
        readyMessage: 'Deployment failed',
        ready: false,
      });
    }
  });

  it('0 ready, pending -> Pending "is starting" / DeploymentNotReady', () => {
    for (const pods of [[starting], [scheduling, starting]]) {
      expect(vmcpPhase({ pods, discoveredBackends: [backend('a', 'ready')] })).toEqual({
        phase: 'Pending',
        message: 'Virtual MCP server is starting',
        ...notReady,
      });
    }
  });

  it('no pods (or only terminating ones) -> Pending "No pods found" / DeploymentNotReady', () => {
    const gone = { ...ready, metadata: { deletionTimestamp: '2026-01-01T00:00:00Z' } };
    for (const pods of [[], [gone]]) {
      expect(vmcpPhase({ pods })).toEqual({
        phase: 'Pending',
        message: 'No pods found for Virtual MCP server',
        ...notReady,
      });
    }
  });

  const running = {
    phase: 'Ready',
    message: 'Virtual MCP server is running',
    readyReason: 'DeploymentReady',
    readyMessage: 'Deployment is ready',
    ready: true,
  };

  it('>=1 ready, no backends discovered yet -> Ready / DeploymentReady (even beside a failed pod)', () => {
    expect(vmcpPhase({ pods: [ready] })).toEqual(running);
    expect(vmcpPhase({ pods: [ready], discoveredBackends: [] })).toEqual(running);
    expect(vmcpPhase({ pods: [ready, crashLoop] })).toEqual(running);
  });

  it('>=1 ready, every backend ready or unauthenticated -> Ready / DeploymentReady', () => {
    expect(
      vmcpPhase({
        pods: [ready],
        discoveredBackends: [backend('a', 'ready'), backend('b', 'unauthenticated')],
      }),
    ).toEqual(running);
  });

  it('>=1 ready, some unhealthy -> Degraded "R/T backends available" / BackendsDegraded', () => {
    expect(
      vmcpPhase({
        pods: [ready, starting],
        discoveredBackends: [
          backend('a', 'ready'),
          backend('b', 'unauthenticated'),
          backend('c', 'degraded'),
          backend('d', 'unknown'),
        ],
      }),
    ).toEqual({
      phase: 'Degraded',
      message: 'Virtual MCP server is running with 2/4 backends available',
      readyReason: 'BackendsDegraded',
      readyMessage: 'Some backends are unhealthy',
      ready: false,
    });
  });

  it('>=1 ready, none routable -> Degraded "all N backends are unhealthy" / BackendsUnavailable', () => {
    expect(
      vmcpPhase({
        pods: [ready],
        // unavailable, degraded, unknown, an unexpected value and no value at all are all unhealthy
        discoveredBackends: [
          backend('a', 'unavailable'),
          backend('b', 'degraded'),
          backend('c', 'unknown'),
          backend('d', 'Ready'),
          backend('e'),
        ],
      }),
    ).toEqual({
      phase: 'Degraded',
      message: 'Virtual MCP server is running but all 5 backends are unhealthy',
      readyReason: 'BackendsUnavailable',
      readyMessage: 'All backends are unhealthy',
      ready: false,
    });
  });
});

describe('backendCount', () => {
  it('counts ready and unauthenticated backends', () => {
    expect(backendCount(undefined)).toBe(0);
    expect(backendCount([])).toBe(0);
    expect(
      backendCount([
        backend('a', 'ready'),
        backend('b', 'unauthenticated'),
        backend('c', 'unavailable'),
        backend('d', 'degraded'),
        backend('e', 'unknown'),
        backend('f'),
      ]),
    ).toBe(2);
  });
});

describe('vmcpPodView', () => {
  it('keeps what the phase reads of a vmcp pod, and no status of any other pod', () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'demo-1',
        namespace: 'team-a',
        uid: 'u',
        resourceVersion: '7',
        labels: { 'app.kubernetes.io/name': 'virtualmcpserver', 'toolhive-name': 'demo' },
        annotations: { big: 'x'.repeat(100) },
      },
      spec: { containers: [{ name: 'vmcp' }] },
      status: {
        phase: 'Running',
        podIP: '10.0.0.1',
        conditions: [
          { type: 'Initialized', status: 'True' },
          { type: 'Ready', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' },
        ],
        containerStatuses: [{ name: 'vmcp', ready: true, restartCount: 0, state: { running: {} } }],
      },
    };
    const view = vmcpPodView(pod);
    expect(view).toEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'demo-1',
        namespace: 'team-a',
        uid: 'u',
        resourceVersion: '7',
        labels: { 'app.kubernetes.io/name': 'virtualmcpserver', 'toolhive-name': 'demo' },
      },
      status: {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'True' }],
        containerStatuses: [{ ready: true, state: { running: {} } }],
      },
    });
    expect(vmcpPodState(view as VmcpPodView)).toBe('ready');
    const other = vmcpPodView({ ...pod, metadata: { ...pod.metadata, labels: { app: 'web' } } });
    expect(other).not.toHaveProperty('status');
  });
});
