/**
 * Every object the controller owns for one VirtualMCPServer except the HMAC Secret (created once,
 * never updated: the reconcile's business), from the pure builders, in apply order: RBAC, the config
 * ConfigMap, the Deployment (whose pod annotation carries the ConfigMap's checksum, so a new
 * `config.yaml` rolls the pods), the Service. Pure; one call per reconcile, so the ConfigMap and the
 * Deployment always come from the same inputs.
 */
import { contentChecksumAnnotation, telemetryCABundle, telemetryEnv } from '@mcp-controllers/api';
import {
  configMapResource,
  deploymentResource,
  roleBindingResource,
  roleResource,
  serviceAccountResource,
  serviceResource,
  type Child,
  type DesiredChildren,
  type ResourceRef,
} from '@mcp-controllers/core';
import { renderConfigYaml, vmcpConfigMap, type TelemetryInput, type VmcpConfig } from './config.js';
import { caBundleMounts, headerForwardEnv, type Member } from './members.js';
import { vmcpRbac } from './rbac.js';
import { vmcpService } from './service.js';
import type { VirtualServer } from './types.js';
import { desiredReplicas, vmcpDeployment, type ConfigMapVolume } from './workload.js';

export interface DesiredInputs {
  /** `buildVmcpConfig`'s output for the same members and telemetry. */
  config: VmcpConfig;
  /** The group's members (entries' CA bundles and header-forward env come from them). */
  members: readonly Member[];
  telemetry?: TelemetryInput;
  image: string;
}

const rbacResources: Record<string, ResourceRef> = {
  ServiceAccount: serviceAccountResource,
  Role: roleResource,
  RoleBinding: roleBindingResource,
};

/** Throws `InvalidPodTemplateError` for a pod template `checkPodTemplateSpec` refuses: check first. */
export function desiredObjects(vmcp: VirtualServer, inputs: DesiredInputs): DesiredChildren {
  const { name, namespace } = vmcp.metadata;
  const configMap = vmcpConfigMap(vmcp, renderConfigYaml(inputs.config.config));
  const volumes: ConfigMapVolume[] = caBundleMounts(inputs.members).map((m) => ({
    name: m.name,
    configMap: m.configMap,
    key: m.key,
    mountPath: m.mountPath,
  }));
  const telemetry = inputs.telemetry;
  const ca = telemetry ? telemetryCABundle(telemetry.spec) : undefined;
  if (ca)
    volumes.push({ name: ca.volumeName, configMap: ca.configMap, key: ca.key, mountPath: ca.mountPath });
  const deployment = vmcpDeployment(vmcp, {
    configChecksum: configMap.metadata.annotations[contentChecksumAnnotation] ?? '',
    image: inputs.image,
    extraEnv: {
      headerForward: headerForwardEnv(inputs.members),
      telemetry: telemetry ? telemetryEnv(telemetry.spec, telemetry.serviceName || name, namespace) : [],
    },
    volumes,
  });
  const replicas = desiredReplicas(vmcp.spec);
  const objects: Child[] = [
    ...vmcpRbac(vmcp).map((object) => ({
      resource: rbacResources[object.kind ?? ''] as ResourceRef,
      object,
    })),
    { resource: configMapResource, object: configMap },
    { resource: deploymentResource, object: deployment },
    { resource: serviceResource, object: vmcpService(vmcp) },
  ];
  return { objects, ...(replicas !== undefined ? { replicas } : {}) };
}
