/**
 * Clean-up of what ToolHive's proxy runner creates for an MCPServer `<n>` without an owner reference
 * to it (reference §b.4): StatefulSet `<n>`, Services `mcp-<n>-headless` and `mcp-<n>` (owned by that
 * StatefulSet), and the RunConfig ConfigMap `<n>-runconfig` (ToolHive's operator deletes it by name
 * too). The garbage collector cannot reach them from the MCPServer, so its finalizer must.
 *
 * Each object is read from the apiserver (never the cache: the finalizer's removal is final, and a
 * lagging cache must not make us think an object is gone) and deleted only when it is recognisably
 * the runner's for this server: an object of the same name that someone else made is left alone and
 * logged. Deletes carry the uid read, so an object recreated meanwhile is not touched.
 *
 * Resolves true while anything is still there (terminating behind its own finalizers): the caller
 * keeps the MCPServer's finalizer and looks again later. Errors (403: RBAC lacks get or delete;
 * network) are thrown; the finalizer stays, which is the safe side.
 */
import {
  configMapResource,
  deleteIfPresent,
  isNotFound,
  serviceResource,
  statefulSetResource,
  type KubeClient,
  type KubeObject,
  type Logger,
  type ResourceRef,
} from '@mcp-controllers/core';
import { serverNames } from './names.js';

interface Target {
  resource: ResourceRef;
  name: string;
  /** Whether the live object is the runner's (or ours) for this server. */
  belongs: (obj: KubeObject) => boolean;
}

function targets(name: string, uid: string | undefined): Target[] {
  const n = serverNames(name);
  const labelled = (obj: KubeObject) =>
    obj.metadata.labels?.toolhive === 'true' && obj.metadata.labels['toolhive-name'] === name;
  const ownedByRunnerSet = (obj: KubeObject) =>
    (obj.metadata.ownerReferences ?? []).some((r) => r.kind === 'StatefulSet' && r.name === n.statefulSet);
  return [
    { resource: statefulSetResource, name: n.statefulSet, belongs: labelled },
    {
      resource: serviceResource,
      name: n.headlessService,
      belongs: (o) => labelled(o) || ownedByRunnerSet(o),
    },
    { resource: serviceResource, name: n.mcpService, belongs: (o) => labelled(o) || ownedByRunnerSet(o) },
    {
      resource: configMapResource,
      name: n.runConfig,
      belongs: (o) =>
        (uid !== undefined && (o.metadata.ownerReferences ?? []).some((r) => r.uid === uid)) ||
        o.metadata.labels?.['toolhive.stacklok.io/mcp-server'] === name,
    },
  ];
}

export async function deleteRunnerObjects(
  client: KubeClient,
  server: { namespace: string; name: string; uid?: string },
  log: Logger,
): Promise<boolean> {
  const results = await Promise.all(
    targets(server.name, server.uid).map(async ({ resource, name, belongs }) => {
      const key = { namespace: server.namespace, name };
      let live: KubeObject;
      try {
        live = await client.get<KubeObject>(resource, key);
      } catch (err) {
        if (isNotFound(err)) return false;
        throw err;
      }
      if (!belongs(live)) {
        log.info(
          { kind: resource.kind, name },
          'left in place: not created for this MCPServer (no toolhive labels or runner owner); delete it yourself if it is stale',
        );
        return false;
      }
      return deleteIfPresent(client, resource, key, { uid: live.metadata.uid });
    }),
  );
  return results.some(Boolean);
}
