// The EventRecorder's throttle, with an injected clock and a fake client that records every call.
import { describe, expect, it } from 'vitest';
import type { KubeClient } from '../src/client/index.js';
import { eventResource, EventRecorder } from '../src/events.js';
import { createLogger } from '../src/log.js';
import type { KubeObject } from '../src/object.js';

function fakeClient() {
  const calls: { verb: string; body: unknown }[] = [];
  const client = {
    create: (_r: unknown, body: unknown) => {
      calls.push({ verb: 'create', body });
      return Promise.resolve(body);
    },
    patch: (_r: unknown, _key: unknown, _type: unknown, body: unknown) => {
      calls.push({ verb: 'patch', body });
      return Promise.resolve(body);
    },
  };
  return { client: client as unknown as KubeClient, calls };
}

const subject: KubeObject = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 's', namespace: 'ns', uid: 'u1' },
};
const warning = { type: 'Warning', reason: 'GroupNotFound', note: 'MCPGroup g1 does not exist' } as const;

describe('EventRecorder throttle', () => {
  it('patches the series at most once per seriesIntervalMs, with the count so far', async () => {
    let now = 5_000;
    const { client, calls } = fakeClient();
    const recorder = new EventRecorder(client, 'test', { seriesIntervalMs: 1_000, now: () => now });
    await recorder.record(subject, warning); // created
    for (let i = 0; i < 5; i++) {
      now += 100;
      await recorder.record(subject, warning); // counted, not written
    }
    expect(calls.map((c) => c.verb)).toEqual(['create']);
    now = 5_000 + 999;
    await recorder.record(subject, warning);
    expect(calls.map((c) => c.verb)).toEqual(['create']);
    now = 5_000 + 1_000;
    await recorder.record(subject, warning);
    expect(calls.map((c) => c.verb)).toEqual(['create', 'patch']);
    expect(calls[1]?.body).toMatchObject({ series: { count: 8 } });
    now += 500;
    await recorder.record(subject, warning);
    expect(calls).toHaveLength(2); // the interval restarts at the patch
    now += 500;
    await recorder.record(subject, warning);
    expect(calls.map((c) => c.verb)).toEqual(['create', 'patch', 'patch']);
    expect(calls[2]?.body).toMatchObject({ series: { count: 10 } });
  });

  it('creates a new Event once the window has passed, and for a different note at once', async () => {
    let now = 0;
    const { client, calls } = fakeClient();
    const recorder = new EventRecorder(client, 'test', {
      windowMs: 10_000,
      seriesIntervalMs: 1_000,
      now: () => now,
    });
    await recorder.record(subject, warning);
    await recorder.record(subject, { ...warning, note: 'MCPGroup g2 does not exist' });
    expect(calls.map((c) => c.verb)).toEqual(['create', 'create']);
    now = 10_000;
    await recorder.record(subject, warning);
    expect(calls.map((c) => c.verb)).toEqual(['create', 'create', 'create']);
  });
});

describe('EventRecorder events', () => {
  function recordingClient(fail?: () => Error) {
    const calls: { verb: string; resource: unknown; key?: unknown; type?: unknown; body: unknown }[] = [];
    const client = {
      create: (resource: unknown, body: unknown) => {
        calls.push({ verb: 'create', resource, body });
        return fail ? Promise.reject(fail()) : Promise.resolve(body);
      },
      patch: (resource: unknown, key: unknown, type: unknown, body: unknown) => {
        calls.push({ verb: 'patch', resource, key, type, body });
        return fail ? Promise.reject(fail()) : Promise.resolve(body);
      },
    };
    return { client: client as unknown as KubeClient, calls };
  }
  const micro = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

  it('creates an events.k8s.io/v1 Event about the object, from this controller', async () => {
    const { client, calls } = recordingClient();
    const regarding: KubeObject = { ...subject, metadata: { ...subject.metadata, resourceVersion: '42' } };
    await new EventRecorder(client, 'widgets', { instance: 'widgets-pod-1' }).record(regarding, {
      ...warning,
      action: 'Reconcile',
    });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.resource).toBe(eventResource);
    expect(eventResource).toEqual({
      group: 'events.k8s.io',
      version: 'v1',
      plural: 'events',
      kind: 'Event',
      namespaced: true,
    });
    const body = calls[0]!.body as Record<string, unknown> & {
      metadata: { name: string; namespace: string };
    };
    expect(body).toEqual({
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: expect.any(String) as unknown, namespace: 'ns' },
      eventTime: expect.stringMatching(micro) as unknown,
      reportingController: 'widgets',
      reportingInstance: 'widgets-pod-1',
      action: 'Reconcile',
      reason: 'GroupNotFound',
      note: 'MCPGroup g1 does not exist',
      type: 'Warning',
      regarding: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        name: 's',
        namespace: 'ns',
        uid: 'u1',
        resourceVersion: '42',
      },
    });
    expect(body.metadata.name).toMatch(/^s\.[0-9a-f]{16}$/);
  });

  it('defaults the action to the reason, the instance to the controller, the namespace to default, and caps the note', async () => {
    const { client, calls } = recordingClient();
    const clusterScoped: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { uid: 'u9' } };
    await new EventRecorder(client, 'widgets').record(clusterScoped, {
      type: 'Normal',
      reason: 'Seen',
      note: 'n'.repeat(2000),
    });
    expect(calls[0]!.body).toMatchObject({
      metadata: { name: expect.stringMatching(/^object\.[0-9a-f]{16}$/) as unknown, namespace: 'default' },
      action: 'Seen',
      reportingInstance: 'widgets',
      note: 'n'.repeat(1024),
      type: 'Normal',
    });
  });

  it('patches the Event it created, by merge patch, with the count and a MicroTime', async () => {
    let now = 0;
    const { client, calls } = recordingClient();
    const recorder = new EventRecorder(client, 'widgets', { seriesIntervalMs: 10, now: () => now });
    await recorder.record(subject, warning);
    now = 10;
    await recorder.record(subject, warning);
    const created = calls[0]!.body as { metadata: { name: string } };
    expect(calls[1]).toMatchObject({
      verb: 'patch',
      resource: eventResource,
      key: { namespace: 'ns', name: created.metadata.name },
      type: 'merge',
      body: { series: { count: 2, lastObservedTime: expect.stringMatching(micro) as unknown } },
    });
  });

  it('by default counts repeats for 10 minutes and patches at most every 30 s', async () => {
    let now = 0;
    const { client, calls } = recordingClient();
    const recorder = new EventRecorder(client, 'widgets', { now: () => now });
    await recorder.record(subject, warning);
    now = 29_999;
    await recorder.record(subject, warning);
    expect(calls.map((c) => c.verb)).toEqual(['create']);
    now = 30_000;
    await recorder.record(subject, warning);
    expect(calls.map((c) => c.verb)).toEqual(['create', 'patch']);
    now = 10 * 60_000 - 1;
    await recorder.record(subject, warning);
    expect(calls.map((c) => c.verb)).toEqual(['create', 'patch', 'patch']);
    now = 10 * 60_000;
    await recorder.record(subject, warning);
    expect(calls.map((c) => c.verb)).toEqual(['create', 'patch', 'patch', 'create']);
  });

  it('uses the monotonic clock by default', async () => {
    const { client, calls } = recordingClient();
    const recorder = new EventRecorder(client, 'widgets');
    await recorder.record(subject, warning);
    await recorder.record(subject, warning);
    // Well within 30 s of the first: counted, not written.
    expect(calls.map((c) => c.verb)).toEqual(['create']);
  });

  it('never throws: a failed write is logged once per 30 s per reason and message, saying what to check', async () => {
    const lines: Record<string, unknown>[] = [];
    const log = createLogger(
      {},
      { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
    );
    const { client, calls } = recordingClient(() => new Error('events.events.k8s.io is forbidden'));
    const recorder = new EventRecorder(client, 'widgets', { log });
    await recorder.record(subject, warning);
    await recorder.record(subject, warning);
    await recorder.record(subject, { ...warning, reason: 'Other' });
    expect(calls.map((c) => c.verb)).toEqual(['create', 'create', 'create']);
    expect(lines.map((l) => [l.level, l.reason, l.msg])).toEqual([
      [
        'warn',
        'GroupNotFound',
        'could not record an Event (check RBAC create/patch on events.k8s.io events)',
      ],
      ['warn', 'Other', 'could not record an Event (check RBAC create/patch on events.k8s.io events)'],
    ]);
    expect(lines[0]).toMatchObject({ err: { message: 'events.events.k8s.io is forbidden' } });
  });

  it('remembers at most 4096 series, forgetting the oldest', async () => {
    const { client, calls } = recordingClient();
    const recorder = new EventRecorder(client, 'widgets', { seriesIntervalMs: 0, now: () => 0 });
    const about = (uid: string): KubeObject => ({ ...subject, metadata: { ...subject.metadata, uid } });
    for (let i = 0; i <= 4096; i++) await recorder.record(about(`u${i}`), warning);
    calls.length = 0;
    await recorder.record(about('u1'), warning); // still known: a patch
    await recorder.record(about('u0'), warning); // forgotten: a new Event
    expect(calls.map((c) => c.verb)).toEqual(['patch', 'create']);
  });
});
