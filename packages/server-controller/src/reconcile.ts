/**
 * The MCPServer controller: turns each MCPServer into what ToolHive's proxy runner needs (RBAC, the
 * RunConfig ConfigMap, the proxy Deployment and its Service) and reports the server's state from its
 * pods. The builders are pure (runconfig.ts, workload.ts, service.ts, rbac.ts, pod-patch.ts); this
 * module reads the cache, applies their output and writes status.
 *
 * One reconcile, in order:
 * 1. Deleting: phase `Terminating`, delete what the runner created without owner references
 *    (runner-cleanup.ts), then remove our finalizer. Otherwise add the finalizer.
 * 2. Read every input once from the cache: the MCPGroup (`status.phase`), the MCPTelemetryConfig
 *    (spec, re-validated as its own controller does, and `status.configHash`), the proxy Deployment,
 *    its Pods and the runner's StatefulSet. The one telemetry value read feeds the RunConfig, the
 *    proxy env and volumes, and `status.telemetryConfigHash`.
 * 3. Unless a blocker forbids it (status.ts), server-side apply each owned object when it drifted
 *    (`applyOwned`: zero requests when nothing changed). The RunConfig's checksum is a pod annotation,
 *    so a change of the config (or of the telemetry config behind it) rolls the pods.
 * 4. Write status when it differs (`writeStatus`). While the proxy runs but the runner's StatefulSet
 *    is missing, bounce the proxy (a pod-template annotation) at most every 2 minutes, so the runner
 *    recreates it (ToolHive #6343).
 *
 * Watches: the owned kinds (by controller reference), Pods and StatefulSets (by the `toolhive-name` /
 * `app.kubernetes.io/instance` labels), MCPGroups and MCPTelemetryConfigs (through indexes on the
 * servers naming them; ToolHive does not watch groups, so its `GroupRefValidated` goes stale).
 * A kind that cannot be read now is never taken for "absent": the group condition is kept as it was,
 * the telemetry condition says `TelemetryConfigRefError` and nothing is rolled out, and the reconcile
 * is retried with backoff.
 */
import {
  formatFieldErrors,
  mcpGroup,
  mcpServer,
  mcpServerFinalizer,
  mcpTelemetryConfig,
  parseMCPServer,
  readGroupRef,
  readTelemetryRef,
  toolhivePodOwnerKeys,
} from '@mcp-controllers/api';
import {
  applyChildren,
  Controller,
  InputUnknownError,
  deploymentResource,
  ensureFinalizer,
  generationChanged,
  hasFinalizer,
  podResource,
  referrersOf,
  removeFinalizer,
  replaceConditions,
  specRefIndexer,
  statefulSetResource,
  writeStatus,
  writeThrough,
  type Condition,
  type ControllerDeps,
  type KubeObject,
} from '@mcp-controllers/core';
import { controlledByServer, ownedResources } from './cache-transform.js';
import { desiredObjects } from './desired.js';
import { desiredReplicas, serverURL } from './names.js';
import { serverPhase, runnerMissingMessage, type PodView } from './phase.js';
import { podPatch } from './pod-patch.js';
import { deleteRunnerObjects } from './runner-cleanup.js';
import { runConfigProblems } from './runconfig.js';
import { ownedConditionTypes, serverStatus, unsupportedReferences, type StatusInputs } from './status.js';
import { telemetryWiring } from './telemetry.js';
import type { Server } from './types.js';

/** The runner image when TOOLHIVE_RUNNER_IMAGE is unset: a pinned release, never `latest`. */
export const defaultRunnerImage = 'ghcr.io/stacklok/toolhive/proxyrunner:v0.44.0';
/** ToolHive's pod-template annotation for a restart; stamped to bounce the proxy. */
export const restartedAtAnnotation = 'mcpserver.toolhive.stacklok.dev/restarted-at';
/** How long after a bounce the next may come, while the runner's StatefulSet is still missing. */
export const bounceCooldownMs = 2 * 60_000;
/** How soon a server whose runner StatefulSet is missing is looked at again. */
export const runnerMissingRequeueMs = 10_000;

/**
 * The binary's own flag defaults (its chart's values match them). A new MCPServer takes ten writes
 * in four round trips; with one worker, the e2e bench's 1,000 new servers kept it busy 485 s of the
 * 490 s they took to settle, waiting on the apiserver; four workers overlap those waits (146 s on an
 * idle machine, 1.5x what the apiserver needed for the writes alone). One object is still never
 * reconciled twice at once.
 */
export const serverFlagDefaults = { maxConcurrentReconciles: 4 } as const;

export const serverIndexes = {
  group: 'spec.groupRef.name',
  telemetry: 'spec.telemetryConfigRef.name',
  pods: 'proxy-pods-by-instance',
} as const;

export interface ServerControllerOptions {
  /** The proxy runner image (`TOOLHIVE_RUNNER_IMAGE`). */
  runnerImage: string;
  /** The proxy's bind address in the RunConfig (`TOOLHIVE_PROXY_HOST`); default 0.0.0.0. */
  proxyHost?: string;
  /** The field manager of every apply and patch. */
  fieldManager?: string;
  /** The clock of the bounce cooldown (tests). */
  now?: () => number;
}

export type ServerControllerDeps = ControllerDeps;

type RawServer = KubeObject & {
  spec?: Record<string, unknown>;
  status?: { phase?: string; telemetryConfigHash?: string; conditions?: Condition[] };
};
type Deployment = KubeObject & {
  spec?: { replicas?: number; template?: { metadata?: { annotations?: Record<string, string> } } };
  status?: { availableReplicas?: number };
};
type TelemetryConfig = KubeObject & { status?: { configHash?: string } };

export function serverController(deps: ServerControllerDeps, options: ServerControllerOptions): Controller {
  const { cache, client } = deps;
  const fieldManager = options.fieldManager ?? 'mcp-server-controller';
  const now = options.now ?? Date.now;
  const resource = mcpServer.resource;
  const serverInformer = cache.informer<RawServer>(resource);
  const servers = serverInformer.store;
  if (!servers.hasIndex(serverIndexes.group))
    servers.addIndexer(serverIndexes.group, specRefIndexer('groupRef'));
  if (!servers.hasIndex(serverIndexes.telemetry)) {
    servers.addIndexer(serverIndexes.telemetry, specRefIndexer('telemetryConfigRef'));
  }
  const groups = cache.informer<KubeObject & { status?: { phase?: string } }>(mcpGroup.resource);
  const telemetryConfigs = cache.informer<TelemetryConfig>(mcpTelemetryConfig.resource);
  const deployments = cache.informer<Deployment>(deploymentResource);
  const statefulSets = cache.informer(statefulSetResource);
  const pods = cache.informer<KubeObject & PodView>(podResource);
  if (!pods.store.hasIndex(serverIndexes.pods)) pods.store.addIndexer(serverIndexes.pods, proxyPodOwner);

  const controller = new Controller({
    name: 'mcpserver',
    for: resource,
    filter: generationChanged,
    reconcile: async ({ key, namespace, name }, ctx) => {
      const cached = servers.get(key);
      if (!cached || namespace === undefined) return;
      if (cached.metadata.deletionTimestamp) {
        if (!hasFinalizer(cached, mcpServerFinalizer)) return;
        await writeServerStatus(cached, () => ({
          fields: { phase: 'Terminating', message: 'MCP server is being terminated' },
          conditions: [ready(cached, 'NotReady', 'MCP server is being terminated')],
        }));
        const left = await deleteRunnerObjects(
          client,
          { namespace, name, uid: cached.metadata.uid },
          ctx.log,
        );
        if (left) return { requeueAfterMs: 5_000 };
        await removeFinalizer(client, resource, cached, mcpServerFinalizer);
        return;
      }
      const raw = await ensureFinalizer(client, resource, cached, mcpServerFinalizer);
      if (raw !== cached) writeThrough(serverInformer, raw);

      const parsed = parseMCPServer(raw);
      const spec = (parsed.ok ? parsed.value.spec : (raw.spec ?? {})) as Server['spec'];
      // The builders read metadata and spec only; the status stays the reconciler's business.
      const { status: _status, ...rest } = raw;
      const server: Server = { ...rest, metadata: { ...raw.metadata, name, namespace }, spec };
      const groupName = spec.groupRef?.name || undefined;
      const telemetryName = spec.telemetryConfigRef?.name || undefined;
      const telemetry = telemetryName
        ? readTelemetryRef(
            telemetryConfigs.lookupKey(`${namespace}/${telemetryName}`),
            spec.telemetryConfigRef?.serviceName,
          )
        : undefined;
      const patch = parsed.ok ? podPatch(server) : undefined;
      const replicas = parsed.ok ? desiredReplicas(spec) : { capped: false };
      const deployment = ownDeployment(key);
      const inputs: StatusInputs = {
        name,
        namespace,
        // The schema and its CEL rules, then what ToolHive's runner would refuse in the RunConfig.
        specProblems: parsed.ok ? runConfigProblems(spec) : parsed.errors.map((e) => formatFieldErrors([e])),
        ...(groupName
          ? { groupName, group: readGroupRef(groups.lookupKey(`${namespace}/${groupName}`)).view }
          : {}),
        ...(telemetryName && telemetry ? { telemetryName, telemetry: telemetry.view } : {}),
        unsupported: unsupportedReferences(spec),
        ...(patch && !patch.ok ? { podTemplateProblem: patch.message } : {}),
        stdio: spec.transport === 'stdio',
        replicasCapped: replicas.capped,
        observed: serverPhase({
          ...(deployment?.spec?.replicas !== undefined
            ? { deploymentReplicas: deployment.spec.replicas }
            : {}),
          pods: proxyPods(namespace, name),
          statefulSetPresent: statefulSets.store.get(key) !== undefined,
          ...(raw.status?.phase !== undefined ? { previousPhase: raw.status.phase } : {}),
        }),
        ...(parsed.ok ? { url: serverURL(server) } : {}),
        previous: raw.status ?? {},
      };

      let applyProblem: string | undefined;
      let requeueAfterMs: number | undefined;
      if (serverStatus(inputs).rollout && patch?.ok) {
        const wiring = telemetry?.ref
          ? telemetryWiring(server, telemetry.ref)
          : telemetryName
            ? undefined
            : telemetryWiring(server);
        const objects = desiredObjects(server, {
          podPatch: patch.json,
          ...(wiring ? { telemetry: wiring } : {}),
          runnerImage: options.runnerImage,
          ...(options.proxyHost !== undefined ? { proxyHost: options.proxyHost } : {}),
        });
        const conflicts = await applyChildren({
          client,
          cache,
          owner: raw,
          ownerResource: resource,
          children: objects.objects,
          // Under a field manager of its own (see applyReplicas): an HPA can own it later.
          replicas: objects.replicas,
          fieldManager,
          log: ctx.log,
        });
        if (conflicts.length > 0) {
          applyProblem = conflicts.map((c) => c.message).join('; ');
          if (conflicts.some((c) => c.conflict.reason === 'ControlledByPreviousOwner'))
            requeueAfterMs = 5_000;
        }
      }

      const result = serverStatus({ ...inputs, ...(applyProblem !== undefined ? { applyProblem } : {}) });
      const generation = raw.metadata.generation;
      await writeServerStatus(raw, (current) => {
        const kept = (current.status?.conditions ?? []).filter((c) => result.keep.includes(c.type));
        return {
          fields: {
            phase: result.phase,
            message: result.message,
            url: result.url,
            readyReplicas: result.readyReplicas,
            telemetryConfigHash: result.telemetryConfigHash,
            observedGeneration: generation,
          },
          conditions: [
            ...replaceConditions(current.status?.conditions, result.conditions, generation),
            ...kept,
          ],
        };
      });

      if (telemetry?.view.state === 'unknown') {
        throw new InputUnknownError(
          `cannot read MCPTelemetryConfig ${namespace}/${telemetryName ?? ''}: ${telemetry.view.cause}`,
        );
      }
      if (inputs.observed?.message === runnerMissingMessage) {
        const wait = await bounceIfDue(deployment);
        return { requeueAfterMs: Math.min(wait, requeueAfterMs ?? wait) };
      }
      return requeueAfterMs !== undefined ? { requeueAfterMs } : undefined;
    },
  });

  function ownDeployment(key: string): Deployment | undefined {
    const deployment = deployments.store.get(key);
    return deployment && controlledByServer(deployment) ? deployment : undefined;
  }

  function proxyPods(namespace: string, name: string): PodView[] {
    return pods.store.byIndex(serverIndexes.pods, `${namespace}/${name}`);
  }

  /** Bounces the proxy unless it was bounced within the cooldown; resolves the wait until the next look. */
  async function bounceIfDue(deployment: Deployment | undefined): Promise<number> {
    if (!deployment || (deployment.status?.availableReplicas ?? 0) === 0) return runnerMissingRequeueMs;
    const stamped = Date.parse(
      deployment.spec?.template?.metadata?.annotations?.[restartedAtAnnotation] ?? '',
    );
    const since = now() - stamped;
    if (Number.isFinite(since) && since < bounceCooldownMs)
      return Math.min(runnerMissingRequeueMs, bounceCooldownMs - since);
    const patched = await client.patch<Deployment>(
      deploymentResource,
      { namespace: deployment.metadata.namespace ?? '', name: deployment.metadata.name ?? '' },
      'merge',
      {
        spec: {
          template: { metadata: { annotations: { [restartedAtAnnotation]: new Date(now()).toISOString() } } },
        },
      },
      { fieldManager },
    );
    writeThrough(deployments, patched);
    return runnerMissingRequeueMs;
  }

  async function writeServerStatus(
    object: RawServer,
    desired: (current: RawServer) => { fields: Record<string, unknown>; conditions: Condition[] },
  ): Promise<void> {
    await writeStatus<RawServer>({
      client,
      resource,
      object,
      ownedConditionTypes,
      desired,
      onWritten: (written) => {
        writeThrough(serverInformer, written);
      },
    });
  }

  function ready(object: RawServer, reason: string, message: string): Condition {
    return replaceConditions(
      object.status?.conditions,
      [{ type: 'Ready', status: 'False', reason, message }],
      object.metadata.generation,
    )[0] as Condition;
  }

  for (const owned of ownedResources) controller.owns(owned);
  controller
    .watches(podResource, proxyPodOwner)
    .watches(statefulSetResource, (sts) => {
      const labels = sts.metadata.labels ?? {};
      if (labels.toolhive !== 'true') return [];
      return [`${sts.metadata.namespace ?? ''}/${labels['toolhive-name'] ?? sts.metadata.name ?? ''}`];
    })
    // Events on the referenced kinds re-queue exactly the servers that name the object.
    .watches(mcpGroup.resource, referrersOf(servers, serverIndexes.group), { optional: true })
    .watches(mcpTelemetryConfig.resource, referrersOf(servers, serverIndexes.telemetry), { optional: true });
  return controller;
}

/** The key of the MCPServer a proxy pod belongs to (labelsForMCPServer); none for any other pod. */
function proxyPodOwner(pod: KubeObject): string[] {
  return toolhivePodOwnerKeys(pod, 'mcpserver');
}
