/**
 * The state of one namespace as the system left it, normalised so that two namespaces holding the
 * same examples compare equal when, and only when, the controllers produced the same results there.
 *
 * `snapshot()` reads (never writes): every toolhive object's labels, annotations, finalizers and
 * status; every generated object: Deployments' spec, ConfigMaps' data, Services' spec, Secrets' type
 * and key names (never values), ServiceAccounts, Roles' rules, RoleBindings' roleRef and subjects,
 * the simulator's StatefulSets by name; each with its labels, annotations, finalizers and owner
 * references (kind and name). Pods are left out: the simulator names them after template hashes.
 *
 * `normalise()` (pure) removes what legitimately differs between two correct runs: times
 * (`lastTransitionTime`, `lastHealthCheck`, anything named `*Timestamp`/`*Time`), resource versions,
 * uids, managed fields, allocated cluster IPs, the order of `conditions` (a map keyed by type,
 * whose list order records which condition came first); it writes the namespace's name as `<ns>` wherever it
 * appears in a string (URLs, config files); and it replaces each distinct hash (16+ hex digits) by
 * `<hash-N>`, numbered in order of first appearance, because a hash over content that names the
 * namespace differs between namespaces. Equal hashes stay equal placeholders, so a copy of a hash
 * (a server's `telemetryConfigHash` of its config's `configHash`) is still checked to match.
 */
import { kinds } from '@mcp-controllers/api';
import {
  configMapResource,
  deploymentResource,
  roleBindingResource,
  roleResource,
  secretResource,
  serviceAccountResource,
  serviceResource,
  statefulSetResource,
  type KubeClient,
  type ResourceRef,
} from '@mcp-controllers/core';

export type Snapshot = Record<string, unknown>;

interface ObjectMeta {
  name: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: { apiVersion: string; kind: string; name: string; controller?: boolean }[];
  resourceVersion?: string;
  uid?: string;
}
interface AnyObject {
  metadata: ObjectMeta;
  [field: string]: unknown;
}

const volatileKeys = new Set([
  'lastTransitionTime',
  'lastHealthCheck',
  'lastProbeTime',
  'lastUpdateTime',
  'resourceVersion',
  'uid',
  'managedFields',
  'creationTimestamp',
  'clusterIP',
  'clusterIPs',
]);
const isVolatile = (key: string) => volatileKeys.has(key) || /(Timestamp|Time)$/.test(key);
const hashPattern = /\b(?:sha256:)?[0-9a-f]{16,}\b/g;

const typeOf = (c: unknown) => {
  const type = (c as { type?: unknown } | null)?.type;
  return typeof type === 'string' ? type : '';
};
/** Conditions are a map keyed by type: their order in the list records history, not state. */
const byType = (conditions: unknown[]) => [...conditions].sort((a, b) => typeOf(a).localeCompare(typeOf(b)));

/** See the module comment. Keys are visited in sorted order, so hash numbering is deterministic. */
export function normalise(value: unknown, namespace: string): unknown {
  const hashes = new Map<string, string>();
  const visit = (v: unknown): unknown => {
    if (typeof v === 'string') {
      return v
        .split(namespace)
        .join('<ns>')
        .replace(hashPattern, (h) => {
          let placeholder = hashes.get(h);
          if (!placeholder) hashes.set(h, (placeholder = `<hash-${hashes.size + 1}>`));
          return placeholder;
        });
    }
    if (Array.isArray(v)) return v.map(visit);
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(v).sort()) {
        if (isVolatile(key)) continue;
        const field = (v as Record<string, unknown>)[key];
        out[key] = visit(key === 'conditions' && Array.isArray(field) ? byType(field) : field);
      }
      return out;
    }
    return v;
  };
  return visit(value);
}

const metaView = (m: ObjectMeta) => ({
  labels: m.labels,
  annotations: m.annotations,
  finalizers: m.finalizers,
  owners: m.ownerReferences?.map((o) => `${o.kind}/${o.name}${o.controller ? ' (controller)' : ''}`),
});

/** What of each generated kind is compared. */
const generated: { resource: ResourceRef; view: (o: AnyObject) => unknown }[] = [
  { resource: deploymentResource, view: (o) => ({ spec: o.spec }) },
  { resource: statefulSetResource, view: () => ({}) },
  { resource: configMapResource, view: (o) => ({ data: o.data }) },
  { resource: serviceResource, view: (o) => ({ spec: o.spec }) },
  {
    resource: secretResource,
    view: (o) => ({ type: o.type, keys: Object.keys(o.data ?? {}).sort() }),
  },
  { resource: serviceAccountResource, view: () => ({}) },
  { resource: roleResource, view: (o) => ({ rules: o.rules }) },
  { resource: roleBindingResource, view: (o) => ({ roleRef: o.roleRef, subjects: o.subjects }) },
];

async function listIn(client: KubeClient, resource: ResourceRef, namespace: string): Promise<AnyObject[]> {
  return (await client.list<{ items: AnyObject[] }>(resource, namespace)).items;
}

/** The raw views, keyed `<Kind>/<name>`, before normalisation. */
async function rawViews(client: KubeClient, namespace: string): Promise<Record<string, unknown>> {
  const views: Record<string, unknown> = {};
  const reads = [
    ...kinds.map(({ resource }) => ({
      resource,
      view: (o: AnyObject) => ({ status: o.status }),
    })),
    ...generated,
  ].map(async ({ resource, view }) => {
    for (const o of await listIn(client, resource, namespace)) {
      views[`${resource.kind}/${o.metadata.name}`] = { ...metaView(o.metadata), ...(view(o) as object) };
    }
  });
  await Promise.all(reads);
  return views;
}

export async function snapshot(client: KubeClient, namespace: string): Promise<Snapshot> {
  return normalise(await rawViews(client, namespace), namespace) as Snapshot;
}

/** `<Kind>/<name>` -> `<uid>/<resourceVersion>` of every object the snapshot covers. */
export async function versions(client: KubeClient, namespace: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const resources = [...kinds.map((k) => k.resource), ...generated.map((g) => g.resource)];
  await Promise.all(
    resources.map(async (resource) => {
      for (const o of await listIn(client, resource, namespace)) {
        out[`${resource.kind}/${o.metadata.name}`] = `${o.metadata.uid}/${o.metadata.resourceVersion}`;
      }
    }),
  );
  return out;
}
