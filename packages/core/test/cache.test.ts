import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '@mcp-controllers/testkit';
import { Cache } from '../src/cache.js';
import { apiError, configMap, FakeClient } from './fake-client.js';

const configMaps = { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', namespaced: true };
const gadgets = { group: 'example.dev', version: 'v1', plural: 'gadgets', kind: 'Gadget', namespaced: true };

const caches: Cache[] = [];
afterEach(async () => {
  for (const cache of caches.splice(0)) await cache.stop();
});

function cacheOver(fake: FakeClient, namespaces?: string[]): Cache {
  const cache = new Cache(fake.asClient(), {
    ...(namespaces ? { namespaces } : {}),
    reflector: { backoff: { initialMs: 20, maxMs: 100 }, healthGraceMs: 60_000 },
  });
  caches.push(cache);
  return cache;
}

describe('Cache health', () => {
  it('combines the reflectors of all watched namespaces, and tells listeners once per change', async () => {
    let denied: string | undefined;
    const fake = new FakeClient({
      watch: (_q, _n, ns) => (ns === denied ? apiError(403, 'Forbidden') : undefined),
    });
    fake.objects = [configMap('a')];
    const cache = cacheOver(fake, ['one', 'two']);
    const informer = cache.informer(configMaps);
    const heard: string[] = [];
    informer.onStateChange(() => heard.push(informer.health().state));
    expect(informer.health()).toEqual({ state: 'syncing' });
    expect(cache.problems()).toEqual(['configmaps not synced: initial list pending']);
    cache.start();
    await cache.waitForSync(5_000);
    expect(heard).toEqual(['ok']); // not once per namespace

    denied = 'two';
    for (const watch of [...fake.watches]) watch.end();
    await eventually(() => (informer.health().state === 'failing' ? true : undefined), { what: 'failing' });
    expect(informer.health()).toMatchObject({ state: 'failing', code: 403 });
    expect(informer.reflectors.map((r) => r.health().state)).toEqual(['ok', 'failing']);
    expect(cache.problems()).toEqual([
      expect.stringMatching(/^configmaps failing for \d+ s: access denied \(403\)/),
    ]);
    expect(heard).toEqual(['ok', 'failing']);

    denied = undefined;
    await eventually(() => (informer.health().state === 'ok' ? true : undefined), { what: 'ok again' });
    expect(cache.problems()).toEqual([]);
    expect(heard).toEqual(['ok', 'failing', 'ok']);
  });

  it('names unsynced informers with their cause, and leaves failing optional ones out', async () => {
    const fake = new FakeClient({
      list: (_q, _n, _ns, resource) =>
        resource.plural === 'gadgets' ? apiError(404, 'NotFound') : undefined,
    });
    const cache = cacheOver(fake);
    cache.informer(configMaps);
    const optional = cache.informer(gadgets);
    optional.optional = true;
    const required = new FakeClient({ list: () => apiError(404, 'NotFound') });
    const strict = cacheOver(required);
    strict.informer(gadgets);
    cache.start();
    strict.start();
    await eventually(() => (strict.problems()[0]?.includes('CRD is not installed') ? true : undefined), {
      what: 'the missing CRD named',
    });
    expect(strict.problems()).toEqual([
      'gadgets.example.dev not synced: the gadgets.example.dev CRD is not installed (404); install it (chart mcp-controllers-crds) and it is picked up on its own',
    ]);
    await eventually(() => (optional.health().state === 'missing' ? true : undefined), {
      what: 'optional missing',
    });
    await cache.waitForSync(5_000); // the optional one does not hold it up
    expect(cache.problems()).toEqual([]);
  });
});

describe('Informer.lookup', () => {
  it('answers the objects when ok, none-but-why for a missing CRD, unknown otherwise', async () => {
    const fake = new FakeClient({});
    fake.objects = [configMap('a', { group: 'x' }), configMap('b', { group: 'y' })];
    const cache = cacheOver(fake);
    const informer = cache.informer(configMaps);
    informer.store.addIndexer('group', (o) => [String((o.data as { group?: string } | undefined)?.group)]);
    expect(informer.lookup('group', 'x')).toEqual({
      state: 'unknown',
      cause: 'the first list has not completed yet',
    });
    cache.start();
    await cache.waitForSync(5_000);
    const ok = informer.lookup('group', 'x');
    expect(ok.state === 'ok' && ok.objects.map((o) => o.metadata.name)).toEqual(['a']);
    const byKey = informer.lookupKey(`${fake.objects[1]!.metadata.namespace ?? ''}/b`);
    expect(byKey.state === 'ok' && byKey.objects.map((o) => o.metadata.name)).toEqual(['b']);
    expect(informer.lookupKey('nowhere/none')).toEqual({ state: 'ok', objects: [] });

    const missing = cacheOver(new FakeClient({ list: () => apiError(404, 'NotFound') })).informer(gadgets);
    missing.store.addIndexer('group', () => []);
    const denied = cacheOver(new FakeClient({ list: () => apiError(403, 'Forbidden') })).informer(gadgets);
    denied.store.addIndexer('group', () => []);
    for (const informer of [missing, denied]) informer.start();
    await eventually(() => (missing.lookup('group', 'x').state === 'missing' ? true : undefined), {
      what: 'missing',
    });
    const missingCause = (missing.lookup('group', 'x') as { cause: string }).cause;
    expect(missingCause).toContain('CRD is not installed');
    await eventually(() => (denied.lookup('group', 'x').state === 'unknown' ? true : undefined), {
      what: 'unknown',
    });
    const deniedCause = (denied.lookup('group', 'x') as { cause: string }).cause;
    expect(deniedCause).toContain('access denied (403)');
    expect(missing.lookupKey('ns/x').state).toBe('missing');
    expect(denied.lookupKey('ns/x')).toEqual({ state: 'unknown', cause: deniedCause });
    for (const informer of [missing, denied]) await informer.stop();
  });
});
