import { describe, expect, it } from 'vitest';
import { podState, runnerMissingMessage, serverPhase, type PodView } from '../src/phase.js';

const ready: PodView = {
  metadata: {},
  status: { phase: 'Running', containerStatuses: [{ ready: true, state: {} }] },
};
const notReady: PodView = {
  metadata: {},
  status: { phase: 'Running', containerStatuses: [{ ready: true }, { ready: false }] },
};
const waiting = (reason: string): PodView => ({
  metadata: {},
  status: { phase: 'Running', containerStatuses: [{ ready: false, state: { waiting: { reason } } }] },
});
const pending: PodView = { metadata: {}, status: { phase: 'Pending' } };

describe('podState', () => {
  it('counts a running pod with every container ready as running, one not ready as pending', () => {
    expect(podState(ready).state).toBe('running');
    expect(podState(notReady).state).toBe('pending');
    expect(podState({ metadata: {}, status: { phase: 'Running', containerStatuses: [] } }).state).toBe(
      'pending',
    );
  });
  it('treats definitive container errors as failed and image pull errors as pending', () => {
    expect(podState(waiting('CrashLoopBackOff'))).toEqual({ state: 'failed', reason: 'CrashLoopBackOff' });
    expect(podState(waiting('CreateContainerError'))).toEqual({
      state: 'failed',
      reason: 'CreateContainerError',
    });
    expect(podState(waiting('InvalidImageName'))).toEqual({ state: 'failed', reason: 'InvalidImageName' });
    expect(podState(waiting('ImagePullBackOff')).state).toBe('pending');
  });
  it('treats a non-zero exit as failed, a zero exit of a completed pod as running', () => {
    const exited = (exitCode: number, phase: string): PodView => ({
      metadata: {},
      status: { phase, containerStatuses: [{ ready: false, state: { terminated: { exitCode } } }] },
    });
    expect(podState(exited(1, 'Running'))).toEqual({ state: 'failed', reason: 'ContainerTerminated' });
    expect(podState(exited(0, 'Succeeded')).state).toBe('running');
    expect(podState({ metadata: {}, status: { phase: 'Failed' } })).toEqual({
      state: 'failed',
      reason: 'PodFailed',
    });
  });
  it('ignores terminating pods', () => {
    expect(podState({ ...ready, metadata: { deletionTimestamp: '2026-01-01T00:00:00Z' } }).state).toBe(
      'ignored',
    );
  });
});

describe('serverPhase', () => {
  const base = { statefulSetPresent: true };
  it('is Stopped when the Deployment is scaled to zero, whatever the pods say', () => {
    expect(serverPhase({ ...base, deploymentReplicas: 0, pods: [ready] })).toEqual({
      phase: 'Stopped',
      message: 'MCP server is stopped (scaled to zero)',
      readyReplicas: 0,
    });
  });
  it('is Pending "being created" without pods, but keeps an earlier Failed', () => {
    expect(serverPhase({ ...base, pods: [] }).message).toBe('MCP server is being created');
    expect(serverPhase({ ...base, pods: [], previousPhase: 'Failed' }).phase).toBe('Failed');
  });
  it('is Ready with a running pod and counts running pods as ready replicas', () => {
    expect(serverPhase({ ...base, deploymentReplicas: 2, pods: [ready, ready, pending] })).toEqual({
      phase: 'Ready',
      message: 'MCP server is running',
      readyReplicas: 2,
    });
  });
  it('is Pending while the runner StatefulSet is missing even though the proxy runs', () => {
    expect(serverPhase({ statefulSetPresent: false, pods: [ready] })).toEqual({
      phase: 'Pending',
      message: runnerMissingMessage,
      readyReplicas: 1,
    });
  });
  it('is Failed with the first failure reason when nothing runs', () => {
    expect(serverPhase({ ...base, pods: [pending, waiting('CrashLoopBackOff')] })).toEqual({
      phase: 'Failed',
      message: 'MCP server pod failed: CrashLoopBackOff',
      readyReplicas: 0,
    });
  });
  it('is Pending "starting" for pending pods and "no healthy pods" for terminating ones only', () => {
    expect(serverPhase({ ...base, pods: [pending, notReady] }).message).toBe('MCP server is starting');
    expect(serverPhase({ ...base, pods: [{ ...ready, metadata: { deletionTimestamp: 'x' } }] }).message).toBe(
      'No healthy pods found',
    );
  });
});
