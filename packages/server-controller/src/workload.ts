/**
 * The proxy runner Deployment `<n>` of MCPServer `<n>` (ToolHive's deploymentForMCPServer,
 * runtime-formats b.2, operator-behaviour §9.1). Pure; owner references are the reconcile's.
 *
 * The reconcile server-side applies this with `applyOwned`, which compares it as a subset of the
 * live object (drift.ts), so everything here is written the way the apiserver stores it:
 * - fields the apiserver defaults (imagePullPolicy, probe `scheme`/`successThreshold`, volume
 *   `defaultMode`, `hostPath.type`, strategy, ...) are left out and stay the apiserver's; every field
 *   we do set has its stored value (`fieldRef.apiVersion: v1`, `protocol: TCP`, numbers as numbers);
 * - `spec.replicas` is left out when `desiredReplicas` says unset, so an HPA or `kubectl scale` owns
 *   it (if an earlier apply set it, the apply that stops sending it hands it back to the apiserver's
 *   default, 1: the reconcile must carry the live count over when that matters);
 * - the pod annotation `kubectl.kubernetes.io/restartedAt` is never emitted, so `kubectl rollout
 *   restart` survives (the subset rule ignores keys we do not send); labels and annotations added by
 *   others survive the same way;
 * - resource quantities are canonicalised (`0.5` -> `500m`, `1024Mi` -> `1Gi`), as the apiserver
 *   stores them; a string that is no quantity is passed through and the apiserver refuses the
 *   Deployment (422), which the reconcile reports;
 * - maps come out in sorted key order and lists in a fixed order, so equal inputs give deep-equal
 *   output.
 * Env of the `toolhive` container, in ToolHive's order: telemetry (wiring), then
 * `resourceOverrides.proxyDeployment.env`, `THV_SESSION_REDIS_PASSWORD` (secretKeyRef), then
 * `THV_MCPSERVER_GENERATION` (downward API), then the defaults ToolHive appends when absent. A name
 * set twice keeps its last value in the last place (Kubernetes resolves duplicates the same way, and
 * server-side apply rejects duplicate keys).
 */
import { sessionRedisPasswordEnv, toolhiveDefaultEnv } from '@mcp-controllers/api';
import {
  canonicalQuantity,
  httpGetProbe,
  lastValuePerName,
  restrictedContainerSecurityContext,
  restrictedPodSecurityContext,
  type HttpGetProbe,
  type KubeObject,
  type ProbeTiming,
  type RestrictedContainerSecurityContext,
  type RestrictedPodSecurityContext,
} from '@mcp-controllers/core';
import { desiredReplicas, mergeOver, serverLabels, serverNames, sortedMap } from './names.js';
// The RunConfig names `<mount>/<key>` as the profile's path: one constant keeps the two in step.
import { permissionProfileMountPath } from './permissions.js';
import { imagePullSecrets } from './rbac.js';
import type { EnvVar, Server, TelemetryWiring, Volume, VolumeMount } from './types.js';

export const runConfigChecksumAnnotation = 'toolhive.stacklok.dev/runconfig-checksum';
export const generationAnnotation = 'toolhive.stacklok.dev/mcpserver-generation';
/** The proxy container's name, as ToolHive's (the runner and dashboards look for it). */
export const proxyContainerName = 'toolhive';
export const runConfigMountPath = '/etc/runconfig';

export interface ProxyDeploymentInputs {
  /** The RunConfig ConfigMap's content checksum: a new value rolls the pods. */
  runConfigChecksum: string;
  /** The `--k8s-pod-patch` JSON (`podPatch(server).json`); an empty string leaves the flag out. */
  podPatch: string;
  /** The telemetry source's env, volumes and mounts; absent when the server has none. */
  telemetry?: TelemetryWiring;
  /** The proxy runner image (`TOOLHIVE_RUNNER_IMAGE`). */
  runnerImage: string;
}

export interface ProxyContainer {
  name: string;
  image: string;
  args: string[];
  ports: { name: string; containerPort: number; protocol: 'TCP' }[];
  env: EnvVar[];
  resources?: { limits?: Record<string, string>; requests?: Record<string, string> };
  volumeMounts: VolumeMount[];
  startupProbe: HttpGetProbe;
  livenessProbe: HttpGetProbe;
  readinessProbe: HttpGetProbe;
  securityContext: RestrictedContainerSecurityContext;
}

/** The Deployment as built; a `KubeObject` with its spec typed for callers and tests. */
export type ProxyDeployment = KubeObject & {
  apiVersion: 'apps/v1';
  kind: 'Deployment';
  spec: {
    replicas?: number;
    selector: { matchLabels: Record<string, string> };
    template: {
      metadata: { labels: Record<string, string>; annotations: Record<string, string> };
      spec: {
        serviceAccountName: string;
        imagePullSecrets?: { name: string }[];
        terminationGracePeriodSeconds: number;
        containers: [ProxyContainer];
        volumes: Volume[];
        securityContext: RestrictedPodSecurityContext;
      };
    };
  };
};

const healthProbe = (timing: ProbeTiming): HttpGetProbe => httpGetProbe('/health', 'http', timing);

/** The env of the `toolhive` container, in ToolHive's order (see the module comment). */
export function proxyEnv(server: Server, telemetry?: TelemetryWiring): EnvVar[] {
  const { spec } = server;
  const env: EnvVar[] = (telemetry?.env ?? []).map((e) => structuredClone(e));
  for (const { name, value } of spec.resourceOverrides?.proxyDeployment?.env ?? []) env.push({ name, value });
  env.push(...sessionRedisPasswordEnv(spec.sessionStorage));
  env.push({
    name: 'THV_MCPSERVER_GENERATION',
    // apiVersion as the apiserver stores it (it defaults an empty one to v1).
    valueFrom: {
      fieldRef: { apiVersion: 'v1', fieldPath: `metadata.annotations['${generationAnnotation}']` },
    },
  });
  env.push(...toolhiveDefaultEnv(env));
  return lastValuePerName(env);
}

/** Volumes and mounts of the `toolhive` container, in ToolHive's order. */
export function proxyVolumes(
  server: Server,
  telemetry?: TelemetryWiring,
): { volumes: Volume[]; volumeMounts: VolumeMount[] } {
  const { spec } = server;
  const volumes: Volume[] = [
    { name: 'runconfig', configMap: { name: serverNames(server.metadata.name).runConfig } },
  ];
  const volumeMounts: VolumeMount[] = [{ name: 'runconfig', mountPath: runConfigMountPath, readOnly: true }];
  for (const v of spec.volumes ?? []) {
    volumes.push({ name: v.name, hostPath: { path: v.hostPath } });
    volumeMounts.push({ name: v.name, mountPath: v.mountPath, ...(v.readOnly ? { readOnly: true } : {}) });
  }
  if (spec.permissionProfile?.type === 'configmap') {
    volumes.push({ name: 'permission-profile', configMap: { name: spec.permissionProfile.name } });
    volumeMounts.push({ name: 'permission-profile', mountPath: permissionProfileMountPath, readOnly: true });
  }
  for (const v of telemetry?.volumes ?? []) volumes.push(structuredClone(v));
  for (const m of telemetry?.volumeMounts ?? []) volumeMounts.push({ ...m });
  return { volumes, volumeMounts };
}

/** `spec.resources` with canonical quantities; undefined when nothing is set. */
export function proxyResources(server: Server): ProxyContainer['resources'] {
  const section = (amounts: { cpu?: string; memory?: string } | undefined) => {
    const out: Record<string, string> = {};
    if (amounts?.cpu) out.cpu = canonicalQuantity(amounts.cpu) ?? amounts.cpu;
    if (amounts?.memory) out.memory = canonicalQuantity(amounts.memory) ?? amounts.memory;
    return Object.keys(out).length > 0 ? out : undefined;
  };
  const limits = section(server.spec.resources?.limits);
  const requests = section(server.spec.resources?.requests);
  if (!limits && !requests) return undefined;
  return { ...(limits ? { limits } : {}), ...(requests ? { requests } : {}) };
}

export function proxyDeployment(server: Server, inputs: ProxyDeploymentInputs): ProxyDeployment {
  const { name, namespace, generation } = server.metadata;
  const { spec } = server;
  const labels = serverLabels(name);
  const overrides = spec.resourceOverrides?.proxyDeployment;
  const podOverrides = overrides?.podTemplateMetadataOverrides;
  const annotations = sortedMap(overrides?.annotations);
  const { replicas } = desiredReplicas(spec);
  const pullSecrets = imagePullSecrets(server);
  const resources = proxyResources(server);
  const { volumes, volumeMounts } = proxyVolumes(server, inputs.telemetry);
  const args = ['run', ...(inputs.podPatch ? [`--k8s-pod-patch=${inputs.podPatch}`] : []), spec.image];
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: serverNames(name).deployment,
      namespace,
      labels: mergeOver(labels, overrides?.labels),
      ...(annotations ? { annotations } : {}),
    },
    spec: {
      ...(replicas !== undefined ? { replicas } : {}),
      selector: { matchLabels: labels },
      template: {
        metadata: {
          labels: mergeOver(labels, podOverrides?.labels),
          annotations: mergeOver(
            {
              [runConfigChecksumAnnotation]: inputs.runConfigChecksum,
              [generationAnnotation]: String(generation ?? 0),
            },
            podOverrides?.annotations,
          ),
        },
        spec: {
          serviceAccountName: serverNames(name).runner,
          ...(pullSecrets.length > 0 ? { imagePullSecrets: pullSecrets } : {}),
          terminationGracePeriodSeconds: 30,
          containers: [
            {
              name: proxyContainerName,
              image: inputs.runnerImage,
              args,
              ports: [{ name: 'http', containerPort: spec.proxyPort, protocol: 'TCP' }],
              env: proxyEnv(server, inputs.telemetry),
              ...(resources ? { resources } : {}),
              volumeMounts,
              startupProbe: healthProbe({ periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 18 }),
              livenessProbe: healthProbe({
                initialDelaySeconds: 30,
                periodSeconds: 10,
                timeoutSeconds: 5,
                failureThreshold: 3,
              }),
              readinessProbe: healthProbe({
                initialDelaySeconds: 5,
                periodSeconds: 5,
                timeoutSeconds: 3,
                failureThreshold: 3,
              }),
              securityContext: restrictedContainerSecurityContext(),
            },
          ],
          volumes,
          securityContext: restrictedPodSecurityContext(),
        },
      },
    },
  };
}
