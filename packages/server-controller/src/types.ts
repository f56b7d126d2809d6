/**
 * The shapes the pure builders share. A `Server` is an MCPServer as read from the cache and parsed
 * with `parseMCPServer` (so CRD defaults are applied even where an old apiserver did not apply them);
 * the builders never see the raw object.
 */
import type { MCPServer } from '@mcp-controllers/api';
import type { EnvVar, KubeObject, ObjectMeta } from '@mcp-controllers/core';

export type ServerSpec = MCPServer['spec'];
export type ServerStatus = NonNullable<MCPServer['status']>;

/** A parsed MCPServer with the metadata the builders need (name and namespace always set). */
export interface Server extends KubeObject {
  metadata: ObjectMeta & { name: string; namespace: string };
  spec: ServerSpec;
  status?: ServerStatus;
}

/** A container env var as the apiserver stores it (core's: only the forms the builders emit). */
export type { EnvVar } from '@mcp-controllers/core';

export interface Volume {
  name: string;
  configMap?: { name: string; items?: { key: string; path: string }[]; defaultMode?: number };
  hostPath?: { path: string; type?: string };
}

export interface VolumeMount {
  name: string;
  mountPath: string;
  readOnly?: boolean;
}

/**
 * What one telemetry source (a referenced MCPTelemetryConfig, or the deprecated inline
 * `spec.telemetry`) contributes to the generated objects. Computed once per reconcile, and that one
 * value feeds the RunConfig (`runtime` -> `telemetry_config`), the proxy container's env, and its
 * volumes; so the three can never disagree.
 */
export interface TelemetryWiring {
  /** The RunConfig `telemetry_config` object (keys in ToolHive's order), or undefined for none. */
  runtime?: Record<string, unknown>;
  /** Env for the proxy container, in ToolHive's order (OTEL_RESOURCE_ATTRIBUTES, TOOLHIVE_OTEL_HEADER_*). */
  env: EnvVar[];
  /** The CA bundle volume and its mount, when the config names one. */
  volumes: Volume[];
  volumeMounts: VolumeMount[];
}
