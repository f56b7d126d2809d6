/**
 * The VirtualMCPServer status this controller writes, computed from what one reconcile saw. Pure.
 *
 * Conditions owned here (the vmcp runtime writes `BackendsDiscovered` and `discoveredBackends` into
 * the same status; those are never touched):
 * - `Valid`: the spec parses (schema and CEL rules) and uses only what this controller serves; the
 *   message names every field that does not (OIDC, authorization ConfigMaps and MCPAuthzConfigs,
 *   MCPExternalAuthConfig and MCPToolConfig references, composite tool definitions, EmbeddingServers,
 *   the embedded auth server) and every duplicate composite tool.
 * - `PodTemplateSpecValid`: whether `spec.podTemplateSpec` is a pod template.
 * - `GroupRefValidated`: from the MCPGroup's `status.phase`; kept as stored while the group cannot be
 *   read now.
 * - `TelemetryConfigRefValidated` while `spec.telemetryConfigRef` is set: `Valid`, `NotFound`,
 *   `Invalid`, or `FetchError` when it cannot be read now.
 * - `HMACSecretValid`: whether the session HMAC Secret can be used; kept as stored while it was not
 *   looked at (a blocker came first).
 * - `BackendsConfigured` in inline (static) mode: how many members became backends of
 *   `config.yaml`, and why each other one did not; `False` with none. In either mode, `False` /
 *   `MembersUnreadable` while a member kind the group lists cannot be read (nothing is rolled out
 *   then: a config without those members would drop them).
 * - `Ready`: from the pods and `discoveredBackends` (phase.ts), or why nothing is rolled out.
 *
 * A blocker means nothing is created or changed (what runs keeps running on its last config) and the
 * phase and message name it; the first one, in the order above, is reported:
 * | blocker                                      | phase   | Ready reason  |
 * | spec invalid, unsupported field, pod template | Failed  | InvalidSpec   |
 * | group missing                                | Failed  | GroupNotReady |
 * | group not ready                              | Pending | GroupNotReady |
 * | telemetry config missing or invalid          | Failed  | NotRolledOut  |
 * | HMAC Secret unusable, ownership conflict     | Failed  | NotRolledOut  |
 * | inline mode without a usable backend         | Pending | NotRolledOut  |
 * A group or telemetry config that cannot be read now is not a blocker for the phase (what runs is
 * unaffected), but nothing is rolled out until it can be read.
 */
import {
  groupRefCondition,
  telemetryRefStatus,
  type GroupRefView,
  type GroupRefWording,
  type TelemetryRefView,
} from '@mcp-controllers/api';
import type { ConditionInput } from '@mcp-controllers/core';
import type { SkippedMember } from './config.js';
import { backendCount, type DiscoveredBackend, type VmcpPhase, type VmcpPhaseResult } from './phase.js';

export const ownedConditionTypes = [
  'Ready',
  'Valid',
  'PodTemplateSpecValid',
  'GroupRefValidated',
  'TelemetryConfigRefValidated',
  'HMACSecretValid',
  'BackendsConfigured',
] as const;

/**
 * VirtualMCPServer's wording of `GroupRefValidated`: `GroupRefValid`, and "phase: …" or "no status
 * yet; …" for a group that is not ready (the `GroupNotReady` blocker says the same).
 */
export const groupRefWording: GroupRefWording = {
  validReason: 'GroupRefValid',
  // No status at all: the group controller is probably not running; say which one.
  notReadyDetail: (phase) =>
    phase !== undefined ? `phase: ${phase}` : 'no status yet; is mcp-group-controller running?',
};

/** The HMAC Secret as this reconcile found it; `unchecked` when a blocker came before it. */
export type HmacView = { state: 'valid' } | { state: 'invalid'; problem: string } | { state: 'unchecked' };

export interface VmcpStatusInputs {
  namespace: string;
  /** Problems of the spec: the schema and its CEL rules, then fields this controller cannot serve. */
  specProblems: readonly string[];
  /** undefined: valid; otherwise why `spec.podTemplateSpec` is not a pod template. */
  podTemplateProblem?: string;
  groupName: string;
  group: GroupRefView;
  telemetryName?: string;
  telemetry?: TelemetryRefView;
  /** Group members of a kind that cannot be read now (they would change the config). */
  membersUnknown?: string;
  /** Inline (static) mode: the backends made and the members skipped. Absent in discovered mode. */
  inline?: { backends: readonly string[]; skipped: readonly SkippedMember[]; noBackends?: string };
  hmac: HmacView;
  /** Why the owned objects could not be applied (an ownership conflict), if so. */
  applyProblem?: string;
  /** From the pods and `discoveredBackends`. */
  observed: VmcpPhaseResult;
  discoveredBackends?: readonly Pick<DiscoveredBackend, 'name' | 'status'>[] | undefined;
  url: string;
  /** The stored status, for what this reconcile could not recompute. */
  previous?: { telemetryConfigHash?: string };
}

export interface VmcpStatusResult {
  phase: VmcpPhase;
  message: string;
  url: string;
  backendCount: number;
  telemetryConfigHash?: string;
  conditions: ConditionInput[];
  /** Condition types to keep as stored (their subject could not be looked at now). */
  keep: string[];
  /** False when a blocker, or an input that cannot be read now, forbids changing the owned objects. */
  rollout: boolean;
  /** True while the group is missing or not ready: the reconcile looks again after a fixed delay. */
  waitingForGroup: boolean;
}

interface Blocker {
  phase: VmcpPhase;
  reason: 'InvalidSpec' | 'GroupNotReady' | 'NotRolledOut';
  message: string;
}

export function vmcpStatus(inputs: VmcpStatusInputs): VmcpStatusResult {
  const conditions: ConditionInput[] = [];
  const keep: string[] = [];
  const blockers: Blocker[] = [];
  const block = (phase: VmcpPhase, reason: Blocker['reason'], message: string) =>
    blockers.push({ phase, reason, message });
  let readable = inputs.membersUnknown === undefined;

  if (inputs.specProblems.length > 0) {
    const message = `spec cannot be used as written: ${inputs.specProblems.join('; ')}`;
    conditions.push(condition('Valid', 'False', 'ValidationFailed', message));
    block('Failed', 'InvalidSpec', message);
  } else {
    conditions.push(condition('Valid', 'True', 'ValidationSucceeded', 'spec is valid'));
  }

  if (inputs.podTemplateProblem !== undefined) {
    const message = `Invalid PodTemplateSpec: ${inputs.podTemplateProblem}`;
    conditions.push(condition('PodTemplateSpecValid', 'False', 'InvalidPodTemplateSpec', message));
    block('Failed', 'InvalidSpec', message);
  } else {
    conditions.push(
      condition('PodTemplateSpecValid', 'True', 'PodTemplateSpecValid', 'spec.podTemplateSpec is valid'),
    );
  }

  const g = inputs.groupName;
  const group = inputs.group;
  let waitingForGroup = false;
  const groupCondition = groupRefCondition({ name: g, namespace: inputs.namespace }, group, groupRefWording);
  if (groupCondition) conditions.push(groupCondition);
  if (group.state === 'unknown') {
    keep.push('GroupRefValidated');
    readable = false;
  } else if (group.state === 'absent') {
    waitingForGroup = true;
    block(
      'Failed',
      'GroupNotReady',
      `Referenced MCPGroup ${g} not found; create it or fix spec.groupRef.name`,
    );
  } else if (group.phase !== 'Ready') {
    waitingForGroup = true;
    block(
      'Pending',
      'GroupNotReady',
      `Referenced MCPGroup ${g} is not ready (${groupRefWording.notReadyDetail(group.phase)})`,
    );
  }

  const telemetry = telemetryRefStatus(inputs, 'TelemetryConfigRefFetchError');
  if (telemetry.condition) conditions.push(telemetry.condition);
  if (telemetry.blocker !== undefined) block('Failed', 'NotRolledOut', telemetry.blocker);
  if (!telemetry.readable) readable = false;
  const telemetryConfigHash = telemetry.configHash;

  if (inputs.hmac.state === 'unchecked') keep.push('HMACSecretValid');
  else if (inputs.hmac.state === 'invalid') {
    conditions.push(condition('HMACSecretValid', 'False', 'HMACSecretInvalid', inputs.hmac.problem));
    block('Failed', 'NotRolledOut', inputs.hmac.problem);
  } else {
    conditions.push(
      condition('HMACSecretValid', 'True', 'HMACSecretValid', 'the session HMAC Secret is in place'),
    );
  }

  if (inputs.membersUnknown !== undefined) {
    conditions.push(
      condition(
        'BackendsConfigured',
        'False',
        'MembersUnreadable',
        `cannot read the group's ${inputs.membersUnknown}; retrying, nothing is rolled out until they can be read (check the controller's RBAC and that the CRD is served)`,
      ),
    );
  } else if (inputs.inline) {
    const { backends, skipped, noBackends } = inputs.inline;
    const why = skipped.map((s) => `${s.kind} ${s.name}: ${s.reason}`).join('; ');
    if (noBackends !== undefined) {
      const message = why ? `${noBackends} (${why})` : noBackends;
      conditions.push(condition('BackendsConfigured', 'False', 'NoUsableBackends', message));
      block('Pending', 'NotRolledOut', message);
    } else {
      const listed = `${backends.length} backend${backends.length === 1 ? '' : 's'} in config.yaml: ${backends.join(', ')}`;
      conditions.push(
        condition(
          'BackendsConfigured',
          'True',
          'BackendsConfigured',
          why ? `${listed}; left out: ${why}` : listed,
        ),
      );
    }
  }

  if (inputs.applyProblem !== undefined) block('Failed', 'NotRolledOut', inputs.applyProblem);

  const blocker = blockers[0];
  let phase: VmcpPhase;
  let message: string;
  if (blocker) {
    ({ phase, message } = blocker);
    conditions.push(condition('Ready', 'False', blocker.reason, message));
  } else {
    const observed = inputs.observed;
    ({ phase, message } = observed);
    conditions.push(
      condition('Ready', observed.ready ? 'True' : 'False', observed.readyReason, observed.readyMessage),
    );
  }

  return {
    phase,
    message,
    url: inputs.url,
    backendCount: backendCount(inputs.discoveredBackends),
    ...(telemetryConfigHash !== undefined ? { telemetryConfigHash } : {}),
    conditions,
    keep,
    rollout: blockers.length === 0 && readable,
    waitingForGroup,
  };
}

function condition(type: string, status: 'True' | 'False', reason: string, message: string): ConditionInput {
  return { type, status, reason, message };
}
