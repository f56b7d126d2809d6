// The "written twice" rules over a record of watch events.
import { expect, it } from 'vitest';
import { recordProblems, type RecordedEvent } from './recorder.js';

const event = (type: string, finalizers: string[] = [], uid = 'u1', deleting = false): RecordedEvent => ({
  type,
  uid,
  finalizers,
  deleting,
});

it('accepts objects created once and finalizers added once', () => {
  const record = new Map([
    ['Secret/ns/x-hmac-secret', [event('ADDED')]],
    ['Deployment/ns/x', [event('ADDED'), event('MODIFIED')]],
    ['VirtualMCPServer/ns/x', [event('ADDED'), event('MODIFIED', ['f']), event('MODIFIED', ['f'])]],
    ['MCPServer/ns/y', [event('ADDED', ['f']), event('MODIFIED', [], 'u1', true), event('DELETED')]],
  ]);
  expect(recordProblems(record)).toEqual([]);
});

it('names a generated object deleted and created again, and a modified session key', () => {
  const record = new Map([
    ['Deployment/ns/x', [event('ADDED'), event('DELETED'), event('ADDED', [], 'u2')]],
    ['ConfigMap/ns/y', [event('ADDED'), event('RECREATED', [], 'u2')]],
    ['Secret/ns/x-hmac-secret', [event('ADDED'), event('MODIFIED')]],
  ]);
  expect(recordProblems(record)).toEqual([
    'Deployment/ns/x: created 2 times, deleted 1 times, 2 uids',
    'ConfigMap/ns/y: created 1 times, deleted 0 times, 2 uids',
    'Secret/ns/x-hmac-secret: the session key was modified 1 times after its creation',
  ]);
});

it('names a finalizer removed from a live object and added again', () => {
  const record = new Map([
    [
      'MCPServer/ns/x',
      [event('ADDED'), event('MODIFIED', ['f']), event('MODIFIED'), event('MODIFIED', ['f'])],
    ],
  ]);
  expect(recordProblems(record)).toEqual([
    'MCPServer/ns/x: finalizer f removed while the object was not being deleted',
    'MCPServer/ns/x: finalizer f added 2 times',
  ]);
});
