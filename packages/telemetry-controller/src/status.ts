/**
 * What an MCPTelemetryConfig's status should say. Pure: the reconciler passes the stored object, the
 * validation result and the references it found in the cache.
 */
import { mcpTelemetryConfigConditions } from '@mcp-controllers/api';
import { stableHash, type ConditionInput } from '@mcp-controllers/core';
import type { TelemetrySpec, Validation } from './validation.js';

const { types, reasons } = mcpTelemetryConfigConditions;

export type WorkloadKind = 'MCPServer' | 'MCPRemoteProxy' | 'VirtualMCPServer';
export interface WorkloadRef {
  kind: WorkloadKind;
  name: string;
}

/**
 * The config hash: SHA-256 (16 hex digits) of the canonical JSON of the defaulted spec. Key order
 * and defaults the apiserver writes back do not change it; nor does the order of
 * `sensitiveHeaders`, a list keyed by name.
 */
export function configHash(spec: TelemetrySpec): string {
  const otel = spec.openTelemetry;
  const normalized = otel?.sensitiveHeaders
    ? {
        ...spec,
        openTelemetry: {
          ...otel,
          sensitiveHeaders: [...otel.sensitiveHeaders].sort((a, b) => a.name.localeCompare(b.name)),
        },
      }
    : spec;
  return stableHash(normalized, 16);
}

export function sortReferences(refs: readonly WorkloadRef[]): WorkloadRef[] {
  return [...refs].sort((a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name));
}

/** The condition types this controller owns; one absent from `conditions` is removed. */
export const ownedConditionTypes = [types.Valid, types.DeletionBlocked];

export interface TelemetryStatusInput {
  validation: Validation;
  /** The hash currently in status: an invalid spec keeps it. */
  storedHash: string | undefined;
  references: readonly WorkloadRef[];
  /** Kinds whose references are unknown (list failed for a reason other than a missing CRD). */
  unknownKinds: readonly { kind: WorkloadKind; cause: string }[];
  deleting: boolean;
}

export interface TelemetryStatus {
  fields: { configHash: string | undefined; referencingWorkloads: WorkloadRef[] };
  conditions: ConditionInput[];
  /** Whether the finalizer may go: deleting and provably unreferenced. */
  releasable: boolean;
}

export function telemetryStatus(input: TelemetryStatusInput): TelemetryStatus {
  const { validation, references, unknownKinds, deleting } = input;
  const conditions: ConditionInput[] = [
    validation.valid
      ? {
          type: types.Valid,
          status: 'True',
          reason: reasons.ValidationSucceeded,
          message: 'Spec validation passed',
        }
      : {
          type: types.Valid,
          status: 'False',
          reason: reasons.ValidationFailed,
          message: validation.problems.join('; '),
        },
  ];
  const sorted = sortReferences(references);
  if (deleting && sorted.length > 0) {
    conditions.push({
      type: types.DeletionBlocked,
      status: 'True',
      reason: reasons.ReferencedByWorkloads,
      message: `cannot delete: still referenced by ${sorted.map((r) => `${r.kind}/${r.name}`).join(', ')}; remove their spec.telemetryConfigRef and the deletion completes`,
    });
  } else if (deleting && unknownKinds.length > 0) {
    conditions.push({
      type: types.DeletionBlocked,
      status: 'True',
      reason: reasons.ReferencesUnknown,
      message: `cannot delete yet: references cannot be checked (${unknownKinds.map((u) => `${u.kind}: ${u.cause}`).join('; ')})`,
    });
  }
  return {
    fields: {
      configHash: validation.valid ? configHash(validation.spec) : input.storedHash,
      referencingWorkloads: sorted,
    },
    conditions,
    releasable: deleting && sorted.length === 0 && unknownKinds.length === 0,
  };
}
