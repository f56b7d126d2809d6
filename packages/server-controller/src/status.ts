/**
 * The MCPServer status this controller writes, computed from what one reconcile saw. Pure.
 *
 * Conditions (all owned by this controller; a condition whose subject is gone is removed):
 * - `GroupRefValidated` while `spec.groupRef` is set: from the MCPGroup's `status.phase` (`Ready` or
 *   not, or no such group). A group that cannot be read now keeps the condition as it was.
 * - `TelemetryConfigRefValidated` while `spec.telemetryConfigRef` is set: `Valid`, `NotFound`,
 *   `Invalid` (the config fails the same validation its own controller applies), or `Error` when it
 *   cannot be read now (never `NotFound` for a read that failed).
 * - `ConfigReferencesSupported`: `False` naming every field that references a kind this project does
 *   not serve yet (OIDC, authorization, external auth, tool config, webhooks, auth server).
 * - `PodTemplateValid`: whether `spec.podTemplateSpec` parses as a pod template.
 * - `StdioReplicaCapped` for stdio servers: whether `spec.replicas` > 1 was capped at 1.
 * - `Ready`: mirrors the phase (`Ready`/`NotReady`), or `InvalidSpec` when the spec fails the schema.
 *
 * A blocker (invalid spec, unsupported reference, invalid pod template, a telemetry config that is
 * missing or invalid) means no rollout: nothing is created or changed, the phase is `Failed` and the
 * message names the blocker. Objects already running are left as they are; fixing the spec rolls
 * out the fix. A telemetry config that cannot be read now is not a blocker for the phase (the running
 * server is unaffected), but nothing is rolled out until it can be read.
 */
import {
  groupRefCondition,
  telemetryRefStatus,
  type GroupRefView,
  type GroupRefWording,
  type TelemetryRefView,
} from '@mcp-controllers/api';
import type { ConditionInput } from '@mcp-controllers/core';
import type { PhaseResult, ServerPhase } from './phase.js';

export const ownedConditionTypes = [
  'Ready',
  'GroupRefValidated',
  'TelemetryConfigRefValidated',
  'ConfigReferencesSupported',
  'PodTemplateValid',
  'StdioReplicaCapped',
] as const;

/**
 * MCPServer's wording of `GroupRefValidated` (as the MCPServerEntry's): `GroupRefIsValid`, and
 * "current phase: …" or "it has no status yet; …" for a group that is not ready.
 */
export const groupRefWording: GroupRefWording = {
  validReason: 'GroupRefIsValid',
  notReadyDetail: (phase) =>
    phase ? `current phase: ${phase}` : 'it has no status yet; is mcp-group-controller running?',
};

/** Spec fields that reference kinds this project does not serve yet, with the kind each names. */
export const unsupportedReferenceFields = {
  oidcConfigRef: 'MCPOIDCConfig',
  authzConfig: 'inline authorization policy',
  authzConfigRef: 'MCPAuthzConfig',
  externalAuthConfigRef: 'MCPExternalAuthConfig',
  toolConfigRef: 'MCPToolConfig',
  webhookConfigRef: 'MCPWebhookConfig',
  authServerRef: 'embedded auth server',
} as const;

/** The unsupported reference fields a spec sets, as `spec.<field> (<kind>)`. */
export function unsupportedReferences(spec: object): string[] {
  const fields = spec as Record<string, unknown>;
  return Object.entries(unsupportedReferenceFields)
    .filter(([field]) => fields[field] !== undefined && fields[field] !== null)
    .map(([field, kind]) => `spec.${field} (${kind})`);
}

export interface StatusInputs {
  name: string;
  namespace: string;
  /** Problems of the spec against the schema and its CEL rules; empty when it parses. */
  specProblems: readonly string[];
  groupName?: string;
  group?: GroupRefView;
  telemetryName?: string;
  telemetry?: TelemetryRefView;
  unsupported: readonly string[];
  /** undefined: valid; otherwise why `spec.podTemplateSpec` is not a pod template. */
  podTemplateProblem?: string;
  stdio: boolean;
  replicasCapped: boolean;
  /** From the pods; undefined when the server is blocked before its pods were looked at. */
  observed?: PhaseResult;
  /** Why the owned objects could not be applied (an ownership conflict), if so. */
  applyProblem?: string;
  url?: string;
  /** The stored status, for what this reconcile could not recompute. */
  previous?: { telemetryConfigHash?: string; conditions?: readonly { type: string }[] };
}

export interface ServerStatusResult {
  phase: ServerPhase;
  message: string;
  readyReplicas: number;
  url?: string;
  telemetryConfigHash?: string;
  /** The conditions to write (see the module comment for when each is present). */
  conditions: ConditionInput[];
  /** Condition types to keep as stored (their subject could not be read now). */
  keep: string[];
  /** False when a blocker forbids creating or changing the owned objects. */
  rollout: boolean;
}

export function serverStatus(inputs: StatusInputs): ServerStatusResult {
  const conditions: ConditionInput[] = [];
  const keep: string[] = [];
  const blockers: string[] = [];

  if (inputs.groupName !== undefined && inputs.group) {
    const group = groupRefCondition(
      { name: inputs.groupName, namespace: inputs.namespace },
      inputs.group,
      groupRefWording,
    );
    if (group) conditions.push(group);
    else keep.push('GroupRefValidated');
  }

  const telemetry = telemetryRefStatus(inputs, 'TelemetryConfigRefError');
  if (telemetry.condition) conditions.push(telemetry.condition);
  if (telemetry.blocker !== undefined) blockers.push(telemetry.blocker);
  const telemetryConfigHash = telemetry.configHash;

  if (inputs.unsupported.length > 0) {
    const fields = inputs.unsupported.join(', ');
    const message =
      `${fields} ${inputs.unsupported.length === 1 ? 'references a kind' : 'reference kinds'} mcp-controllers does not serve yet; ` +
      'the server is not rolled out, because running it without that configuration would drop authentication or policy. ' +
      "Remove the field, or run this server with ToolHive's operator";
    conditions.push(condition('ConfigReferencesSupported', 'False', 'UnsupportedConfigReference', message));
    blockers.push(message);
  } else {
    conditions.push(
      condition(
        'ConfigReferencesSupported',
        'True',
        'ConfigReferencesSupported',
        'Every referenced kind is served',
      ),
    );
  }

  if (inputs.podTemplateProblem !== undefined) {
    const message = `spec.podTemplateSpec is not a valid pod template: ${inputs.podTemplateProblem}`;
    conditions.push(condition('PodTemplateValid', 'False', 'InvalidPodTemplateSpec', message));
    blockers.push(message);
  } else {
    conditions.push(
      condition('PodTemplateValid', 'True', 'ValidPodTemplateSpec', 'spec.podTemplateSpec is valid'),
    );
  }

  if (inputs.stdio) {
    conditions.push(
      inputs.replicasCapped
        ? condition(
            'StdioReplicaCapped',
            'True',
            'StdioTransportCapAt1',
            'stdio servers cannot share a process: replicas capped at 1',
          )
        : condition(
            'StdioReplicaCapped',
            'False',
            'StdioReplicaCapNotActive',
            'replicas is at most 1; no cap applies',
          ),
    );
  }

  if (inputs.applyProblem !== undefined) blockers.push(inputs.applyProblem);

  let phase: ServerPhase;
  let message: string;
  let readyReplicas = inputs.observed?.readyReplicas ?? 0;
  if (inputs.specProblems.length > 0) {
    phase = 'Failed';
    message = `spec is invalid: ${inputs.specProblems.join('; ')}`;
    conditions.push(condition('Ready', 'False', 'InvalidSpec', message));
  } else {
    const blocker = blockers[0];
    if (blocker !== undefined) {
      phase = 'Failed';
      message = blocker;
    } else if (inputs.observed) {
      ({ phase, message } = inputs.observed);
    } else {
      phase = 'Pending';
      message = 'MCP server is being created';
      readyReplicas = 0;
    }
    conditions.push(
      phase === 'Ready'
        ? condition('Ready', 'True', 'Ready', message)
        : condition('Ready', 'False', 'NotReady', message),
    );
  }

  return {
    phase,
    message,
    readyReplicas,
    ...(inputs.url !== undefined ? { url: inputs.url } : {}),
    ...(telemetryConfigHash !== undefined ? { telemetryConfigHash } : {}),
    conditions,
    keep,
    rollout: inputs.specProblems.length === 0 && blockers.length === 0 && telemetry.readable,
  };
}

function condition(type: string, status: 'True' | 'False', reason: string, message: string): ConditionInput {
  return { type, status, reason, message };
}
