/**
 * The vmcp Deployment `<n>` of VirtualMCPServer `<n>` (ToolHive's deploymentForVirtualMCPServer,
 * operator-behaviour §9.2). Pure; owner references are the reconcile's (`withOwner`).
 *
 * The reconcile server-side applies this with `applyOwned`, which compares it as a subset of the
 * live object (core drift.ts), so everything here is written the way the apiserver stores it:
 * - fields the apiserver defaults (probe `scheme`/`successThreshold`, volume `defaultMode`, strategy,
 *   ...) are left out and stay the apiserver's; every field we set has its stored value
 *   (`protocol: TCP`, numbers as numbers, canonical quantities: the defaults `100m`/`128Mi` requests
 *   and `500m`/`512Mi` limits are already canonical, the template's are canonicalised);
 * - `spec.replicas` is NEVER in the object: the reconcile sets `desiredReplicas(spec)` under a field
 *   manager of its own when it is defined (as the server controller's `scale`), so clearing
 *   `spec.replicas` hands the count to an HPA or `kubectl scale` without this apply resetting it;
 * - labels, annotations and `kubectl.kubernetes.io/restartedAt` added by others survive (the subset
 *   rule ignores keys we do not send);
 * - maps come out in sorted key order and lists in a fixed order, so equal inputs give deep-equal
 *   output. Lists handed in (`extraEnv`, `volumes`) are used in the order given: the caller must
 *   give a deterministic one (sorted header-forward env, members in a fixed order).
 * ToolHive's Deployment annotations `podtemplatespec-hash` and `imagepullsecrets-hash` are not
 * emitted: the applied-hash annotation of drift.ts already catches every change of our output.
 *
 * Env of the `vmcp` container, in ToolHive's order: `VMCP_NAME`, `VMCP_NAMESPACE`, the header-forward
 * env of the group's MCPServerEntries, `VMCP_SESSION_HMAC_SECRET` (secretKeyRef `<n>-hmac-secret` /
 * `hmac-secret`), `THV_SESSION_REDIS_PASSWORD` (secretKeyRef) when `spec.sessionStorage` is redis with
 * a `passwordRef`, the telemetry (OTEL) env, then the defaults ToolHive appends when absent
 * (`XDG_CONFIG_HOME`, `HOME`, `TOOLHIVE_RUNTIME`, `UNSTRUCTURED_LOGS`, and
 * `TOOLHIVE_SECRETS_PROVIDER=environment` when a `TOOLHIVE_SECRET_*` variable is set, which the
 * secret header-forward env is). A name set twice keeps its last value in the last place (Kubernetes
 * resolves duplicates the same way, and server-side apply rejects duplicate keys). ToolHive's OIDC
 * client secret, outgoing-auth secret and embedded auth-server env are not built here: those kinds
 * are not served by this project yet (the reconcile reports the fields as unsupported).
 *
 * `spec.podTemplateSpec` is merged last (pod-template.ts). Failure: `vmcpDeployment` throws
 * `InvalidPodTemplateError` when the template does not pass `checkPodTemplateSpec`; the reconcile
 * must check first and report `PodTemplateSpecValid=False` instead of building.
 */
import { sessionRedisPasswordEnv, toolhiveDefaultEnv } from '@mcp-controllers/api';
import {
  httpGetProbe,
  lastValuePerName,
  restrictedContainerSecurityContext,
  restrictedPodSecurityContext,
  type KubeObject,
} from '@mcp-controllers/core';
import { vmcpLabels, vmcpNames, vmcpPort } from './names.js';
import { checkPodTemplateSpec, mergePodTemplate, type PodTemplate } from './pod-template.js';
import { vmcpImagePullSecrets, vmcpServiceAccountName } from './rbac.js';
import type { EnvVar, VirtualServer, VirtualSpec } from './types.js';

/** ToolHive's pod annotation; a new value rolls the pods. */
export const configChecksumAnnotation = 'toolhive.stacklok.dev/runconfig-checksum';
/** The container's name, as ToolHive's (and the target of `spec.podTemplateSpec`). */
export const vmcpContainerName = 'vmcp';
export const vmcpConfigVolumeName = 'vmcp-config';
export const vmcpConfigMountPath = '/etc/vmcp-config';
/**
 * The vmcp image when `VMCP_IMAGE` is unset: the tag ToolHive's operator chart pins (its code falls
 * back to `latest`, which we never use: a pod restart could then change the runtime under a config
 * written for another version).
 */
export const defaultVmcpImage = 'ghcr.io/stacklok/toolhive/vmcp:v0.44.0';

/** A read-only ConfigMap volume: the CA bundle of an entry or of the telemetry config. */
export interface ConfigMapVolume {
  /** Volume name (a DNS label of at most 63 characters; unique). */
  name: string;
  /** The ConfigMap's name. */
  configMap: string;
  /** The one key to project (as a file of the same name); all keys when absent. */
  key?: string;
  mountPath: string;
}

export interface VmcpDeploymentInputs {
  /** The config ConfigMap's content checksum: a new value rolls the pods. */
  configChecksum: string;
  /** The vmcp image (`VMCP_IMAGE`, default `defaultVmcpImage`). */
  image: string;
  extraEnv: {
    /** The entries' header-forward env, sorted by name (ToolHive sorts it). */
    headerForward: EnvVar[];
    /** The telemetry config's env (`OTEL_RESOURCE_ATTRIBUTES`, `TOOLHIVE_OTEL_HEADER_*`). */
    telemetry: EnvVar[];
  };
  /** CA bundle volumes, entries' first then telemetry's; a repeated name keeps its first place. */
  volumes: ConfigMapVolume[];
}

/** The Deployment as built; `spec.template.spec` is plain JSON once a pod template is merged in. */
export type VmcpDeployment = KubeObject & {
  apiVersion: 'apps/v1';
  kind: 'Deployment';
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: { selector: { matchLabels: Record<string, string> }; template: PodTemplate };
};

export class InvalidPodTemplateError extends Error {
  constructor(message: string) {
    super(`spec.podTemplateSpec is invalid (check it with checkPodTemplateSpec first): ${message}`);
    this.name = 'InvalidPodTemplateError';
  }
}

/**
 * The Deployment's replica count: `spec.replicas` as given (0 included), undefined when unset (the
 * count is then an HPA's or `kubectl scale`'s). Applied by the reconcile, not part of the object.
 */
export function desiredReplicas(spec: Pick<VirtualSpec, 'replicas'>): number | undefined {
  return spec.replicas;
}

/** `serve --config=… --host=0.0.0.0 --port=4483`, plus `--debug` iff `config.operational.logLevel` is debug. */
export function vmcpArgs(vmcp: Pick<VirtualServer, 'spec'>): string[] {
  const args = [
    'serve',
    `--config=${vmcpConfigMountPath}/config.yaml`,
    '--host=0.0.0.0',
    `--port=${vmcpPort}`,
  ];
  if (vmcp.spec.config?.operational?.logLevel === 'debug') args.push('--debug');
  return args;
}

/** The env of the `vmcp` container, in ToolHive's order (see the module comment). */
export function vmcpEnv(vmcp: VirtualServer, extraEnv: VmcpDeploymentInputs['extraEnv']): EnvVar[] {
  const { name, namespace } = vmcp.metadata;
  const env: EnvVar[] = [
    { name: 'VMCP_NAME', value: name },
    { name: 'VMCP_NAMESPACE', value: namespace },
    ...extraEnv.headerForward.map((e) => structuredClone(e)),
    {
      name: 'VMCP_SESSION_HMAC_SECRET',
      valueFrom: { secretKeyRef: { name: vmcpNames(name).hmacSecret, key: 'hmac-secret' } },
    },
  ];
  env.push(...sessionRedisPasswordEnv(vmcp.spec.sessionStorage));
  env.push(...extraEnv.telemetry.map((e) => structuredClone(e)));
  env.push(...toolhiveDefaultEnv(env));
  return lastValuePerName(env);
}

/** The `vmcp-config` volume, then `extra` (read-only ConfigMap volumes), with their mounts. */
export function vmcpVolumes(
  vmcp: Pick<VirtualServer, 'metadata'>,
  extra: readonly ConfigMapVolume[],
): { volumes: Record<string, unknown>[]; volumeMounts: Record<string, unknown>[] } {
  const volumes: Record<string, unknown>[] = [
    { name: vmcpConfigVolumeName, configMap: { name: vmcpNames(vmcp.metadata.name).configMap } },
  ];
  const volumeMounts: Record<string, unknown>[] = [
    { name: vmcpConfigVolumeName, mountPath: vmcpConfigMountPath, readOnly: true },
  ];
  const seen = new Set([vmcpConfigVolumeName]);
  for (const v of extra) {
    if (seen.has(v.name)) continue;
    seen.add(v.name);
    volumes.push({
      name: v.name,
      configMap: {
        name: v.configMap,
        ...(v.key !== undefined ? { items: [{ key: v.key, path: v.key }] } : {}),
      },
    });
    volumeMounts.push({ name: v.name, mountPath: v.mountPath, readOnly: true });
  }
  return { volumes, volumeMounts };
}

export function vmcpDeployment(vmcp: VirtualServer, inputs: VmcpDeploymentInputs): VmcpDeployment {
  const { name, namespace } = vmcp.metadata;
  const template = vmcp.spec.podTemplateSpec;
  const checked = checkPodTemplateSpec(template);
  if (!checked.ok) throw new InvalidPodTemplateError(checked.message);
  const labels = vmcpLabels(name);
  const pullSecrets = vmcpImagePullSecrets(vmcp);
  const { volumes, volumeMounts } = vmcpVolumes(vmcp, inputs.volumes);
  const generated: PodTemplate = {
    metadata: { labels, annotations: { [configChecksumAnnotation]: inputs.configChecksum } },
    spec: {
      serviceAccountName: vmcpServiceAccountName(vmcp),
      ...(pullSecrets.length > 0 ? { imagePullSecrets: pullSecrets } : {}),
      terminationGracePeriodSeconds: 30,
      containers: [
        {
          name: vmcpContainerName,
          image: inputs.image,
          imagePullPolicy: 'IfNotPresent',
          args: vmcpArgs(vmcp),
          ports: [{ name: 'http', containerPort: vmcpPort, protocol: 'TCP' }],
          env: vmcpEnv(vmcp, inputs.extraEnv),
          resources: {
            limits: { cpu: '500m', memory: '512Mi' },
            requests: { cpu: '100m', memory: '128Mi' },
          },
          volumeMounts,
          livenessProbe: httpGetProbe('/health', 'http', {
            initialDelaySeconds: 30,
            periodSeconds: 10,
            timeoutSeconds: 5,
            failureThreshold: 3,
          }),
          readinessProbe: httpGetProbe('/readyz', 'http', {
            initialDelaySeconds: 15,
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
  };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: vmcpNames(name).deployment, namespace, labels },
    spec: {
      selector: { matchLabels: vmcpLabels(name) },
      template: mergePodTemplate(generated, template),
    },
  };
}
