import { describe, expect, it } from 'vitest';
import { ApiError, type KubeClient } from '../src/client/index.js';
import type { Condition } from '../src/conditions.js';
import type { KubeObject } from '../src/object.js';
import { nextStatus, statusEqual, writeStatus } from '../src/status.js';

const widgets = { group: 'example.dev', version: 'v1', plural: 'widgets', kind: 'Widget', namespaced: true };
const condition = (type: string, status: Condition['status'], message = ''): Condition => ({
  type,
  status,
  reason: status === 'True' ? 'Ok' : 'NotOk',
  message,
  lastTransitionTime: '2026-01-01T00:00:00Z',
});

/** A client that records status patches and answers each with `answer` (an object, or an error to throw). */
function recordingClient(answer: (body: unknown) => unknown = (body) => body) {
  const patches: { key: unknown; type: string; body: unknown; options: unknown }[] = [];
  const client = {
    patch: (_r: unknown, key: unknown, type: string, body: unknown, options: unknown) => {
      patches.push({ key, type, body, options });
      const result = answer(body);
      return result instanceof Error ? Promise.reject(result) : Promise.resolve(result);
    },
  } as unknown as KubeClient;
  return { client, patches };
}

const widget = (status?: Record<string, unknown>): KubeObject => ({
  apiVersion: 'example.dev/v1',
  kind: 'Widget',
  metadata: { name: 'w', namespace: 'ns', resourceVersion: '7', generation: 3 },
  ...(status ? { status } : {}),
});

describe('nextStatus', () => {
  it('replaces owned fields, removes owned fields set to undefined and keeps the rest', () => {
    const next = nextStatus(
      { phase: 'Ready', count: 2, theirs: 'x' },
      { fields: { phase: 'Failed', count: undefined } },
      [],
    );
    expect(next).toEqual({ phase: 'Failed', theirs: 'x' });
  });

  it('merges owned conditions in place and keeps every other writer’s', () => {
    const stored = { conditions: [condition('Theirs', 'True'), condition('Ours', 'True')] };
    const next = nextStatus(stored, { fields: {}, conditions: [condition('Ours', 'False')] }, ['Ours']);
    expect(next.conditions?.map((c) => `${c.type}=${c.status}`)).toEqual(['Theirs=True', 'Ours=False']);
  });

  it('drops the conditions list when the last owned condition goes and nobody else has one', () => {
    const next = nextStatus({ conditions: [condition('Ours', 'True')] }, { fields: {}, conditions: [] }, [
      'Ours',
    ]);
    expect('conditions' in next).toBe(false);
  });

  it('leaves stored conditions alone when the writer owns none and states none', () => {
    const stored = { conditions: [condition('Theirs', 'True')] };
    expect(nextStatus(stored, { fields: { phase: 'Ready' } }, []).conditions).toEqual(stored.conditions);
  });
});

describe('statusEqual', () => {
  it('ignores key order and the order of conditions, but not their content', () => {
    const a = { phase: 'Ready', count: 1, conditions: [condition('A', 'True'), condition('B', 'True')] };
    const b = { count: 1, phase: 'Ready', conditions: [condition('B', 'True'), condition('A', 'True')] };
    expect(statusEqual(a, b)).toBe(true);
    expect(statusEqual(a, { ...b, count: 2 })).toBe(false);
    expect(statusEqual(a, { ...b, conditions: [condition('A', 'True'), condition('B', 'False')] })).toBe(
      false,
    );
    expect(statusEqual(undefined, {})).toBe(true);
    expect(statusEqual(undefined, { phase: 'Ready' })).toBe(false);
  });
});

describe('writeStatus', () => {
  it('sends nothing when the desired status is already stored', async () => {
    const { client, patches } = recordingClient();
    const object = widget({ phase: 'Ready', observedGeneration: 3 });
    const outcome = await writeStatus({
      client,
      resource: widgets,
      object,
      desired: (o) => ({ fields: { phase: 'Ready', observedGeneration: o.metadata.generation } }),
    });
    expect(outcome).toBe('unchanged');
    expect(patches).toEqual([]);
  });

  it('patches /status with the owned fields, nulls for removed ones, and the resourceVersion it read', async () => {
    const written = widget({ phase: 'Failed' });
    const { client, patches } = recordingClient(() => written);
    const seen: KubeObject[] = [];
    const outcome = await writeStatus({
      client,
      resource: widgets,
      object: widget({ phase: 'Ready', count: 4, theirs: 'x' }),
      desired: () => ({ fields: { phase: 'Failed', count: undefined } }),
      onWritten: (o) => seen.push(o),
    });
    expect(outcome).toBe('written');
    expect(patches).toEqual([
      {
        key: { namespace: 'ns', name: 'w' },
        type: 'merge',
        body: { metadata: { resourceVersion: '7' }, status: { phase: 'Failed', count: null } },
        options: { subresource: 'status' },
      },
    ]);
    expect(seen).toEqual([written]);
  });

  it('sends the whole merged conditions list, and null when the last one goes', async () => {
    const { client, patches } = recordingClient();
    await writeStatus({
      client,
      resource: widgets,
      object: widget({ conditions: [condition('Theirs', 'True'), condition('Ours', 'True')] }),
      ownedConditionTypes: ['Ours'],
      desired: () => ({ fields: {}, conditions: [condition('Ours', 'False')] }),
    });
    await writeStatus({
      client,
      resource: widgets,
      object: widget({ conditions: [condition('Ours', 'True')] }),
      ownedConditionTypes: ['Ours'],
      desired: () => ({ fields: {}, conditions: [] }),
    });
    const bodies = patches.map((p) => (p.body as { status: { conditions: Condition[] | null } }).status);
    expect(bodies[0]?.conditions?.map((c) => `${c.type}=${c.status}`)).toEqual(['Theirs=True', 'Ours=False']);
    expect(bodies[1]).toEqual({ conditions: null });
  });

  it('computes from the one object it was given: desired is called once', async () => {
    const { client } = recordingClient();
    let calls = 0;
    await writeStatus({
      client,
      resource: widgets,
      object: widget(),
      desired: () => {
        calls++;
        return { fields: { phase: 'Ready' } };
      },
    });
    expect(calls).toBe(1);
  });

  it('reports a vanished object as gone and rethrows a conflict for the reconcile to re-run', async () => {
    const gone = recordingClient(() => new ApiError(404, 'NotFound', 'gone', 'patch', '/x'));
    expect(
      await writeStatus({
        client: gone.client,
        resource: widgets,
        object: widget(),
        desired: () => ({ fields: { a: 1 } }),
      }),
    ).toBe('gone');
    const conflict = recordingClient(() => new ApiError(409, 'Conflict', 'changed', 'patch', '/x'));
    await expect(
      writeStatus({
        client: conflict.client,
        resource: widgets,
        object: widget(),
        desired: () => ({ fields: { a: 1 } }),
      }),
    ).rejects.toMatchObject({ code: 409 });
    expect(conflict.patches).toHaveLength(1);
  });
});
