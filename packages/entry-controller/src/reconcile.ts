/**
 * The MCPServerEntry controller: validates each entry (remote URL, group, external auth config, CA
 * bundle, header Secrets) and writes `phase`, the conditions and `observedGeneration`. It never
 * creates anything and never calls the remote URL.
 *
 * Every reference is read from the cache. Four watches (MCPGroup, MCPExternalAuthConfig, ConfigMap,
 * Secret) map an event through an index on the entries to exactly the entries that name the object,
 * so a fix anywhere turns an entry `Valid` from the watch event, with no polling. ConfigMaps and
 * Secrets are cached as key names only (values blanked before they are stored): nothing here needs
 * a value, and no Secret value is ever held in memory or logged.
 *
 * A reference whose kind cannot be read now (the informer is `failing`: RBAC, 5xx, timeouts, or not
 * listed yet) is not "not found": the reconcile fails, nothing is written, and the queue retries with
 * backoff; when the kind's health changes every entry is re-queued at once. The four kinds are
 * optional sources, so entries that do not need a failing kind keep being validated. A kind whose
 * CRD is not installed (MCPGroup, MCPExternalAuthConfig) has no objects, so a reference to it is
 * reported not found.
 *
 * Status is written only when it differs (`writeStatus`); a 409 re-runs the whole reconcile.
 */
import { mcpExternalAuthConfig, mcpGroup, mcpServerEntry } from '@mcp-controllers/api';
import {
  configMapKeysOnly,
  configMapResource,
  Controller,
  isCoreConfigMaps,
  referrersOf,
  refIndexer,
  secretResource,
  specRefIndexer,
  replaceConditions,
  stripForCache,
  writeStatus,
  writeThrough,
  type Cache,
  type Condition,
  type Indexer,
  type Informer,
  type KubeClient,
  type KubeObject,
  type ResourceRef,
  type Transform,
} from '@mcp-controllers/core';
import {
  caBundleRefOf,
  entryStatus,
  headerSecretRefsOf,
  ownedConditionTypes,
  type EntrySpec,
  type Found,
  type GroupView,
  type KeysView,
} from './status.js';

type Entry = KubeObject & { spec: EntrySpec; status?: { conditions?: Condition[] } };

/** Indexes on the entries: each names the objects of one kind an entry refers to. */
export const entryIndexes = {
  group: 'spec.groupRef.name',
  authConfig: 'spec.externalAuthConfigRef.name',
  caBundle: 'spec.caBundleRef.configMapRef.name',
  headerSecrets: 'spec.headerForward.addHeadersFromSecret.valueSecretRef.name',
} as const;

const indexers: Record<keyof typeof entryIndexes, Indexer<Entry>> = {
  group: specRefIndexer('groupRef'),
  authConfig: specRefIndexer('externalAuthConfigRef'),
  caBundle: refIndexer((e) => caBundleRefOf(e.spec)?.name),
  headerSecrets: (e) => [
    ...new Set(headerSecretRefsOf(e.spec).map((r) => `${e.metadata.namespace ?? ''}/${r.secret}`)),
  ],
};

/**
 * The manager's cache transform: ConfigMaps are kept as key names only, since only the CA bundle's
 * key is checked (Secrets are key names only by default).
 */
export const entryCacheTransform = (resource: ResourceRef): Transform | undefined =>
  isCoreConfigMaps(resource) ? (obj) => configMapKeysOnly(stripForCache(obj)) : undefined;

/**
 * Thrown when a reference cannot be read now: retried with backoff, never reported as not found.
 * Logged without a stack (the message says what to grant or fix).
 */
export class ReferenceUnknownError extends Error {
  override readonly name = 'ReferenceUnknownError';
  readonly expected = true;
}

export interface EntryControllerDeps {
  cache: Cache;
  client: KubeClient;
}

export function entryController({ cache, client }: EntryControllerDeps): Controller {
  const resource = mcpServerEntry.resource;
  const entryInformer = cache.informer<Entry>(resource);
  const entries = entryInformer.store;
  for (const [name, index] of Object.entries(entryIndexes) as [keyof typeof entryIndexes, string][]) {
    if (!entries.hasIndex(index)) entries.addIndexer(index, indexers[name]);
  }
  const groups = cache.informer<KubeObject & GroupView>(mcpGroup.resource);
  const authConfigs = cache.informer(mcpExternalAuthConfig.resource);
  const configMaps = cache.informer<KubeObject & KeysView>(configMapResource);
  const secrets = cache.informer<KubeObject & KeysView>(secretResource);

  const controller = new Controller({
    name: 'mcpserverentry',
    for: resource,
    reconcile: async ({ key, namespace }, ctx) => {
      const entry = entries.get(key);
      // Deleted: there is nothing of ours to clean up.
      if (!entry || namespace === undefined) return;
      const { spec } = entry;
      const find = <T extends KubeObject>(informer: Informer<T>, kind: string, name: string): Found<T> =>
        found(informer, kind, namespace, name);
      const caRef = caBundleRefOf(spec);
      const authRef = spec.externalAuthConfigRef?.name;
      const secretNames = [...new Set(headerSecretRefsOf(spec).map((r) => r.secret))];
      // Everything the status says comes from this one copy of the entry and the stores.
      const desired = entryStatus({
        namespace,
        spec,
        group: find(groups, 'MCPGroup', spec.groupRef.name),
        ...(authRef ? { authConfig: find(authConfigs, 'MCPExternalAuthConfig', authRef) } : {}),
        ...(caRef ? { caBundle: find(configMaps, 'ConfigMap', caRef.name) } : {}),
        secrets: new Map(secretNames.map((s) => [s, find(secrets, 'Secret', s)])),
      });
      const generation = entry.metadata.generation;
      const outcome = await writeStatus<Entry>({
        client,
        resource,
        object: entry,
        ownedConditionTypes,
        desired: (current) => ({
          fields: { phase: desired.phase, observedGeneration: generation },
          // HeaderSecretRefsValidated is removed once no header comes from a Secret.
          conditions: replaceConditions(current.status?.conditions, desired.conditions, generation),
        }),
        onWritten: (written) => {
          writeThrough(entryInformer, written);
        },
      });
      if (outcome === 'written') ctx.log.debug({ phase: desired.phase }, 'entry status written');
    },
  });

  // An event on a referenced object re-queues exactly the entries that name it.
  const referrers = (index: string) => referrersOf(entries, index);
  // Only the key names of a ConfigMap or Secret matter here (their values are blanked in the cache).
  const keysChanged = (old: KubeObject, obj: KubeObject) => keyNames(old) !== keyNames(obj);
  controller
    .watches(mcpGroup.resource, referrers(entryIndexes.group), { optional: true })
    .watches(mcpExternalAuthConfig.resource, referrers(entryIndexes.authConfig), { optional: true })
    .watches(configMapResource, referrers(entryIndexes.caBundle), { optional: true, filter: keysChanged })
    .watches(secretResource, referrers(entryIndexes.headerSecrets), {
      optional: true,
      filter: keysChanged,
    });
  return controller;
}

function found<T extends KubeObject>(
  informer: Informer<T>,
  kind: string,
  namespace: string,
  name: string,
): Found<T> {
  const lookup = informer.lookupKey(`${namespace}/${name}`);
  if (lookup.state === 'missing') return { state: 'absent' };
  if (lookup.state === 'unknown')
    throw new ReferenceUnknownError(
      `cannot tell whether ${kind} ${namespace}/${name} exists: ${lookup.cause}`,
    );
  const [object] = lookup.objects;
  return object ? { state: 'found', object } : { state: 'absent' };
}

function keyNames(obj: KubeObject): string {
  const keys = (field: unknown) =>
    field !== null && typeof field === 'object' ? Object.keys(field).sort().join(',') : '';
  return `${keys(obj.data)}|${keys(obj.binaryData)}`;
}
