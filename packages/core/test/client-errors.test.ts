import { describe, expect, it } from 'vitest';
import {
  ApiError,
  apiErrorFrom,
  isAlreadyExists,
  isConflict,
  isForbidden,
  isGone,
  isInvalid,
  isNotFound,
  RequestError,
  requestErrorFrom,
  statusCode,
} from '../src/client/errors.js';
import {
  apiVersionOf,
  collectionPath,
  keyOf,
  objectKey,
  objectPath,
  parseKey,
  resourceLabel,
  type ResourceRef,
} from '../src/client/resources.js';
import { microTime, rfc3339 } from '../src/client/time.js';

describe('apiErrorFrom', () => {
  it("keeps a Status body's reason and message", () => {
    const body = { kind: 'Status', reason: 'AlreadyExists', message: 'pods "a" already exists', code: 409 };
    const err = apiErrorFrom(409, JSON.stringify(body), 'create', '/api/v1/namespaces/n/pods');
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ name: 'ApiError', code: 409, reason: 'AlreadyExists', verb: 'create', body });
    expect(err.path).toBe('/api/v1/namespaces/n/pods');
    expect(err.message).toBe('create /api/v1/namespaces/n/pods: 409 AlreadyExists: pods "a" already exists');
  });

  it('names the status by its code when the body is not a Status, and keeps the text (trimmed, capped)', () => {
    const reasons: [number, string][] = [
      [400, 'BadRequest'],
      [401, 'Unauthorized'],
      [403, 'Forbidden'],
      [404, 'NotFound'],
      [409, 'Conflict'],
      [410, 'Expired'],
      [422, 'Invalid'],
      [429, 'TooManyRequests'],
      [500, 'InternalError'],
      [503, 'InternalError'],
      [418, 'Unknown'],
      [499, 'Unknown'],
    ];
    for (const [code, reason] of reasons) {
      const err = apiErrorFrom(code, '  <html>proxy page</html>\n', 'get', '/x');
      expect([err.reason, err.message, err.body]).toEqual([
        reason,
        `get /x: ${code} ${reason}: <html>proxy page</html>`,
        undefined,
      ]);
    }
    expect(apiErrorFrom(502, '', 'get', '/x').message).toBe('get /x: 502 InternalError: no response body');
    expect(apiErrorFrom(502, '   ', 'get', '/x').message).toBe('get /x: 502 InternalError: no response body');
    expect(apiErrorFrom(500, 'x'.repeat(600), 'get', '/x').message).toBe(
      `get /x: 500 InternalError: ${'x'.repeat(500)}`,
    );
  });

  it('ignores JSON that is not an object, and fills what a Status body lacks', () => {
    expect(apiErrorFrom(404, 'null', 'get', '/x')).toMatchObject({ reason: 'NotFound', body: undefined });
    expect(apiErrorFrom(404, '"text"', 'get', '/x')).toMatchObject({ reason: 'NotFound', body: undefined });
    expect(apiErrorFrom(403, '{"message":"no"}', 'get', '/x').message).toBe('get /x: 403 Forbidden: no');
    expect(apiErrorFrom(403, '{"reason":"Custom"}', 'get', '/x').message).toBe(
      'get /x: 403 Custom: {"reason":"Custom"}',
    );
  });
});

describe('requestErrorFrom', () => {
  it('wraps a network error with the request, keeping its code and the original as cause', () => {
    const original = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), {
      code: 'ECONNREFUSED',
    });
    const err = requestErrorFrom(original, 'list', '/api/v1/pods');
    expect(err).toBeInstanceOf(RequestError);
    expect(err).toMatchObject({
      name: 'RequestError',
      code: 'ECONNREFUSED',
      verb: 'list',
      path: '/api/v1/pods',
      cause: original,
    });
    expect(err.message).toBe('list /api/v1/pods: connect ECONNREFUSED 127.0.0.1:6443');
  });

  it('codes anything else EREQUEST, and passes typed errors through unchanged', () => {
    expect(requestErrorFrom(Object.assign(new Error('x'), { code: 7 }), 'get', '/p')).toMatchObject({
      code: 'EREQUEST',
      message: 'get /p: x',
    });
    expect(requestErrorFrom('thrown text', 'get', '/p')).toMatchObject({
      code: 'EREQUEST',
      message: 'get /p: thrown text',
    });
    expect(requestErrorFrom(undefined, 'get', '/p')).toMatchObject({
      code: 'EREQUEST',
      message: 'get /p: undefined',
    });
    const typed = new RequestError('ETIMEDOUT', 'get', '/p', 'late');
    expect(requestErrorFrom(typed, 'list', '/q')).toBe(typed);
    const api = apiErrorFrom(404, '', 'get', '/p');
    expect(requestErrorFrom(api, 'list', '/q')).toBe(api);
  });
});

describe('status predicates', () => {
  it('read the status of an ApiError or of anything with a numeric code', () => {
    expect(statusCode(apiErrorFrom(404, '', 'get', '/x'))).toBe(404);
    expect(statusCode({ code: 409 })).toBe(409);
    expect(statusCode({ code: '409' })).toBeUndefined();
    expect(statusCode(null)).toBeUndefined();
    expect(statusCode(undefined)).toBeUndefined();
    const cases: [(e: unknown) => boolean, number][] = [
      [isNotFound, 404],
      [isConflict, 409],
      [isGone, 410],
      [isForbidden, 403],
      [isInvalid, 422],
    ];
    for (const [predicate, code] of cases) {
      expect(predicate({ code })).toBe(true);
      expect(predicate({ code: code + 1 })).toBe(false);
      expect(predicate(new Error('x'))).toBe(false);
    }
  });

  it('tell AlreadyExists from other conflicts by the reason', () => {
    expect(isAlreadyExists(apiErrorFrom(409, '{"reason":"AlreadyExists"}', 'create', '/x'))).toBe(true);
    expect(isAlreadyExists(apiErrorFrom(409, '{"reason":"Conflict"}', 'update', '/x'))).toBe(false);
    expect(isAlreadyExists(apiErrorFrom(422, '{"reason":"AlreadyExists"}', 'create', '/x'))).toBe(false);
    expect(isAlreadyExists({ code: 409, reason: 'AlreadyExists' })).toBe(false);
  });
});

describe('resource paths and keys', () => {
  const pods: ResourceRef = { group: '', version: 'v1', plural: 'pods', kind: 'Pod', namespaced: true };
  const groups: ResourceRef = {
    group: 'toolhive.stacklok.dev',
    version: 'v1alpha1',
    plural: 'mcpgroups',
    kind: 'MCPGroup',
    namespaced: true,
  };
  const crds: ResourceRef = {
    group: 'apiextensions.k8s.io',
    version: 'v1',
    plural: 'customresourcedefinitions',
    kind: 'CustomResourceDefinition',
    namespaced: false,
  };

  it('build apiVersions and labels for the core group and named groups', () => {
    expect([apiVersionOf(pods), apiVersionOf(groups)]).toEqual(['v1', 'toolhive.stacklok.dev/v1alpha1']);
    expect([resourceLabel(pods), resourceLabel(groups)]).toEqual(['pods', 'mcpgroups.toolhive.stacklok.dev']);
  });

  it('build collection paths, cluster-wide without a namespace or for a cluster-scoped kind', () => {
    expect(collectionPath(pods)).toBe('/api/v1/pods');
    expect(collectionPath(pods, 'a b')).toBe('/api/v1/namespaces/a%20b/pods');
    expect(collectionPath(groups, 'ns')).toBe('/apis/toolhive.stacklok.dev/v1alpha1/namespaces/ns/mcpgroups');
    expect(collectionPath(crds, 'ns')).toBe('/apis/apiextensions.k8s.io/v1/customresourcedefinitions');
  });

  it('build object paths with an optional subresource, requiring a namespace for namespaced kinds', () => {
    expect(objectPath(groups, { namespace: 'ns', name: 'g/1' }, 'status')).toBe(
      '/apis/toolhive.stacklok.dev/v1alpha1/namespaces/ns/mcpgroups/g%2F1/status',
    );
    expect(objectPath(pods, { namespace: 'ns', name: 'p' })).toBe('/api/v1/namespaces/ns/pods/p');
    expect(objectPath(crds, { namespace: 'ignored', name: 'c' })).toBe(
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/c',
    );
    expect(() => objectPath(pods, { name: 'p' })).toThrow(
      'Pod is namespaced: a namespace is required to address p',
    );
  });

  it('turn objects into keys and back', () => {
    expect(keyOf({ metadata: { namespace: 'ns', name: 'a' } })).toBe('ns/a');
    expect(keyOf({ metadata: { name: 'a' } })).toBe('a');
    expect(keyOf({ metadata: { namespace: '', name: 'a' } })).toBe('a');
    expect(keyOf({})).toBe('');
    expect(objectKey({ metadata: { namespace: 'ns', name: 'a' } })).toEqual({ namespace: 'ns', name: 'a' });
    expect(objectKey({})).toEqual({ namespace: undefined, name: '' });
    expect(parseKey('ns/a')).toEqual({ namespace: 'ns', name: 'a' });
    expect(parseKey('a')).toEqual({ name: 'a' });
    expect(parseKey('ns/a/b')).toEqual({ namespace: 'ns', name: 'a/b' });
  });
});

describe('Kubernetes times', () => {
  const at = new Date('2026-01-02T03:04:05.678Z');

  it('writes MicroTime with six fractional digits and Time with whole seconds', () => {
    expect(microTime(at)).toBe('2026-01-02T03:04:05.678000Z');
    expect(rfc3339(at)).toBe('2026-01-02T03:04:05Z');
  });

  it('default to now', () => {
    const before = Date.now();
    const micro = Date.parse(microTime());
    const seconds = Date.parse(rfc3339());
    expect(micro).toBeGreaterThanOrEqual(before);
    expect(micro).toBeLessThanOrEqual(Date.now());
    expect(seconds).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(seconds).toBeLessThanOrEqual(Date.now());
  });
});
