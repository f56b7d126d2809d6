/**
 * Every object the controller owns for one MCPServer, from the pure builders, in apply order: RBAC,
 * the RunConfig ConfigMap, the proxy Deployment (whose pod annotation carries the ConfigMap's
 * checksum, so a config change rolls the pods), its Service. Pure; one call per reconcile, so the
 * RunConfig and the Deployment always come from the same inputs.
 */
import { configMapContentChecksum } from '@mcp-controllers/api';
import {
  configMapResource,
  deploymentResource,
  roleBindingResource,
  roleResource,
  serviceAccountResource,
  serviceResource,
  type DesiredChildren,
} from '@mcp-controllers/core';
import { mcpServiceAccount, runnerRole, runnerRoleBinding, runnerServiceAccount } from './rbac.js';
import { buildRunConfig, renderRunConfig, runConfigConfigMap } from './runconfig.js';
import { proxyService } from './service.js';
import type { Server, TelemetryWiring } from './types.js';
import { proxyDeployment } from './workload.js';

export interface DesiredInputs {
  /** The `--k8s-pod-patch` JSON (pod-patch.ts). */
  podPatch: string;
  telemetry?: TelemetryWiring;
  runnerImage: string;
  proxyHost?: string;
}

export function desiredObjects(server: Server, inputs: DesiredInputs): DesiredChildren {
  const runConfig = buildRunConfig(server, {
    ...(inputs.telemetry?.runtime ? { telemetry: inputs.telemetry.runtime } : {}),
    ...(inputs.proxyHost !== undefined ? { host: inputs.proxyHost } : {}),
  });
  const configMap = runConfigConfigMap(server, renderRunConfig(runConfig));
  const mcpAccount = mcpServiceAccount(server);
  const deployment = proxyDeployment(server, {
    runConfigChecksum: configMapContentChecksum(configMap),
    podPatch: inputs.podPatch,
    ...(inputs.telemetry ? { telemetry: inputs.telemetry } : {}),
    runnerImage: inputs.runnerImage,
  });
  const { replicas, ...deploymentSpec } = deployment.spec;
  const objects = [
    { resource: serviceAccountResource, object: runnerServiceAccount(server) },
    { resource: roleResource, object: runnerRole(server) },
    { resource: roleBindingResource, object: runnerRoleBinding(server) },
    ...(mcpAccount ? [{ resource: serviceAccountResource, object: mcpAccount }] : []),
    { resource: configMapResource, object: configMap },
    { resource: deploymentResource, object: { ...deployment, spec: deploymentSpec } },
    { resource: serviceResource, object: proxyService(server) },
  ];
  return { objects, ...(replicas !== undefined ? { replicas } : {}) };
}
