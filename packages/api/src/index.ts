/**
 * The custom resources of toolhive.stacklok.dev as code: one zod schema per kind is the source of the
 * TypeScript types, of `parse<Kind>()`, of the generated CRDs and of docs/api.md.
 */
import { mcpExternalAuthConfig } from './kinds/mcpexternalauthconfig.js';
import { mcpGroup } from './kinds/mcpgroup.js';
import { mcpRemoteProxy } from './kinds/mcpremoteproxy.js';
import { mcpServer } from './kinds/mcpserver.js';
import { mcpServerEntry } from './kinds/mcpserverentry.js';
import { mcpTelemetryConfig } from './kinds/mcptelemetryconfig.js';
import { virtualMCPServer } from './kinds/virtualmcpserver.js';
import { parseResource } from './parse.js';

export * from './kinds/mcpexternalauthconfig.js';
export * from './kinds/mcpgroup.js';
export * from './kinds/mcpremoteproxy.js';
export * from './kinds/mcpserver.js';
export * from './kinds/mcpserverentry.js';
export * from './kinds/mcptelemetryconfig.js';
export * from './kinds/virtualmcpserver.js';
export { celViolations, evaluateRule, type FieldError } from './cel.js';
export { customResourceDefinition } from './crd.js';
export { generatedCRDPaths } from './crd-files.js';
export { remoteURLProblem, type RemoteURLOptions } from './remote-url.js';
export {
  caBundleNameMax,
  formatGoFloat,
  goKeyOrder,
  normalizeSamplingRate,
  otelHeaderEnvName,
  otelHeaderEnvPrefix,
  otelResourceAttributesEnv,
  runtimeTelemetryConfig,
  specProblems,
  stripScheme,
  telemetryCABundle,
  telemetryEnv,
  telemetryCABundleDefaultKey,
  telemetryCABundleMountBase,
  telemetryCABundleVolumePrefix,
  validateTelemetryConfig,
  type MCPTelemetryConfigSpec,
  type TelemetryCABundle,
  type TelemetryEnvVar,
  type Validation,
} from './telemetry.js';
export { formatFieldErrors, parseResource, type ParseResult } from './parse.js';
export {
  groupRefCondition,
  readGroupRef,
  readTelemetryRef,
  telemetryRefStatus,
  type CachedLookup,
  type GroupRefView,
  type GroupRefWording,
  type RefCondition,
  type TelemetryRef,
  type TelemetryRefInputs,
  type TelemetryRefStatus,
  type TelemetryRefView,
} from './references.js';
export { sessionRedisPasswordEnv, toolhiveDefaultEnv } from './toolhive-env.js';
export { toolhivePodOwnerKeys } from './pod-owner.js';
export { celRulesIn, type CelRule, type OpenApiSchema } from './schema/openapi.js';
export {
  category,
  deprecatedVersion,
  deprecationWarning,
  group,
  servedVersions,
  storageVersion,
  type ConditionCatalog,
  type CrdFamily,
  type KindDefinition,
  type ObjectMeta,
  type PrinterColumn,
  type Resource,
} from './schema/resource.js';

/** Every kind this package defines, in the order the docs list them. */
export const kinds = [
  mcpGroup,
  mcpTelemetryConfig,
  mcpServerEntry,
  mcpServer,
  mcpRemoteProxy,
  virtualMCPServer,
  mcpExternalAuthConfig,
] as const;

export const parseMCPGroup = (input: unknown) => parseResource(mcpGroup, input);
export const parseMCPTelemetryConfig = (input: unknown) => parseResource(mcpTelemetryConfig, input);
export const parseMCPServerEntry = (input: unknown) => parseResource(mcpServerEntry, input);
export const parseMCPServer = (input: unknown) => parseResource(mcpServer, input);
export const parseMCPRemoteProxy = (input: unknown) => parseResource(mcpRemoteProxy, input);
export const parseVirtualMCPServer = (input: unknown) => parseResource(virtualMCPServer, input);
export const parseMCPExternalAuthConfig = (input: unknown) => parseResource(mcpExternalAuthConfig, input);
export {
  checksummedConfigMap,
  configMapContentChecksum,
  contentChecksumAnnotation,
  type ChecksummedConfigMap,
} from './checksum.js';
