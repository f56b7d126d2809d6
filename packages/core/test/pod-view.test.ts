import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../src/object.js';
import { podStatusView } from '../src/pod-view.js';

const ours = { 'app.kubernetes.io/name': 'ours', 'app.kubernetes.io/instance': 'demo' };
const isOurs = (labels: Readonly<Record<string, string>> | undefined) =>
  labels?.['app.kubernetes.io/name'] === 'ours';

const pod = (metadata: Partial<KubeObject['metadata']> = {}, status?: unknown): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'demo-1',
    namespace: 'team-a',
    uid: 'u',
    resourceVersion: '7',
    generation: 3,
    labels: ours,
    annotations: { big: 'x'.repeat(100) },
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'demo', uid: 'r' }],
    ...metadata,
  },
  spec: { containers: [{ name: 'main' }] },
  ...(status !== undefined ? { status } : {}),
});

const runningStatus = {
  phase: 'Running',
  podIP: '10.0.0.1',
  conditions: [
    { type: 'Initialized', status: 'True' },
    { type: 'Ready', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' },
    { status: 'True' },
    { type: 'ContainersReady', status: 'False', reason: 'x' },
  ],
  containerStatuses: [
    { name: 'main', ready: true, restartCount: 2, image: 'i', state: { running: { startedAt: 't' } } },
    { name: 'side', ready: false, state: { waiting: { reason: 'CrashLoopBackOff', message: 'm' } } },
  ],
};

describe('podStatusView', () => {
  it("keeps the metadata a store needs and what a phase reads of the controller's pods", () => {
    const input = pod({}, runningStatus);
    const before = structuredClone(input);
    const view = podStatusView(input, { keepsStatus: isOurs, conditions: ['Ready', 'ContainersReady'] });
    expect(view).toStrictEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'demo-1', namespace: 'team-a', uid: 'u', resourceVersion: '7', labels: ours },
      status: {
        phase: 'Running',
        conditions: [
          { type: 'Ready', status: 'True' },
          { type: 'ContainersReady', status: 'False' },
        ],
        containerStatuses: [
          { ready: true, state: { running: { startedAt: 't' } } },
          { ready: false, state: { waiting: { reason: 'CrashLoopBackOff', message: 'm' } } },
        ],
      },
    });
    expect(input).toStrictEqual(before);
  });

  it('leaves the conditions out unless asked for some', () => {
    const view = podStatusView(pod({}, runningStatus), { keepsStatus: isOurs });
    expect(Object.keys(view.status as object)).toEqual(['phase', 'containerStatuses']);
    const none = podStatusView(pod({}, runningStatus), { keepsStatus: isOurs, conditions: [] });
    expect((none.status as { conditions: unknown }).conditions).toEqual([]);
  });

  it('copes with a status that has no conditions or container statuses yet', () => {
    const view = podStatusView(pod({}, { phase: 'Pending' }), { keepsStatus: isOurs, conditions: ['Ready'] });
    expect(view.status).toStrictEqual({
      phase: 'Pending',
      conditions: undefined,
      containerStatuses: undefined,
    });
  });

  it("keeps no status of another controller's pod, and none where there is none", () => {
    const seen: unknown[] = [];
    const other = { app: 'web' };
    const view = podStatusView(pod({ labels: other }, runningStatus), {
      keepsStatus: (labels) => {
        seen.push(labels);
        return isOurs(labels);
      },
      conditions: ['Ready'],
    });
    expect(seen).toEqual([other]);
    expect(view).toStrictEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'demo-1', namespace: 'team-a', uid: 'u', resourceVersion: '7', labels: other },
    });
    expect(podStatusView(pod(), { keepsStatus: isOurs })).not.toHaveProperty('status');
  });

  it('keeps a deletion timestamp and leaves labels out when the pod has none', () => {
    const view = podStatusView(
      pod({ labels: undefined, deletionTimestamp: '2026-01-01T00:00:00Z' }, runningStatus),
      {
        keepsStatus: () => false,
      },
    );
    expect(view.metadata).toStrictEqual({
      name: 'demo-1',
      namespace: 'team-a',
      uid: 'u',
      resourceVersion: '7',
      deletionTimestamp: '2026-01-01T00:00:00Z',
    });
    expect(view).not.toHaveProperty('status');
  });
});
