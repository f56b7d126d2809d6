/**
 * What a workload (MCPServer, VirtualMCPServer) sees of the MCPGroup and the MCPTelemetryConfig its
 * spec references, and the `GroupRefValidated` / `TelemetryConfigRefValidated` conditions that report
 * them. Pure: the caller reads the cache (`Informer.lookupKey` of @mcp-controllers/core, whose answer
 * `CachedLookup` matches structurally) and writes status.
 *
 * The rule every reader follows: a kind that cannot be read now (`unknown`: its list is failing or has
 * not completed) is never taken for "absent". The group condition is then left out (the caller keeps
 * it as stored); the telemetry condition says so with the kind's own fetch-error reason and
 * `readable: false` (the caller rolls nothing out until it can be read). A kind whose CRD is not
 * installed (`missing`) has no objects: the reference is `absent`.
 *
 * A referenced telemetry config is re-validated here as its own controller validates it
 * (`validateTelemetryConfig`, as ToolHive's consumers do): an invalid one is never wired in, whatever
 * its status says. Nothing here throws.
 */
import { validateTelemetryConfig, type MCPTelemetryConfigSpec } from './telemetry.js';

/** The cache's answer for one `namespace/name` (`IndexLookup` of @mcp-controllers/core). */
export type CachedLookup<T> =
  | { state: 'ok'; objects: readonly T[] }
  | { state: 'missing'; cause: string }
  | { state: 'unknown'; cause: string };

/** The referenced MCPGroup as one reconcile found it. */
export type GroupRefView =
  { state: 'found'; phase?: string } | { state: 'absent' } | { state: 'unknown'; cause: string };

/** The referenced MCPTelemetryConfig as one reconcile found it. */
export type TelemetryRefView =
  | { state: 'valid'; configHash?: string }
  | { state: 'absent' }
  | { state: 'invalid'; problems: readonly string[] }
  | { state: 'unknown'; cause: string };

/** A referenced MCPTelemetryConfig that passed validation: what a workload's builders wire in. */
export interface TelemetryRef {
  /** The config's spec, parsed (CRD defaults applied) and valid. */
  spec: MCPTelemetryConfigSpec;
  /** `spec.telemetryConfigRef.serviceName` of the workload; the workload's name when empty. */
  serviceName?: string;
}

/** A condition as the caller merges it into status (`ConditionInput` of @mcp-controllers/core). */
export interface RefCondition {
  type: string;
  status: 'True' | 'False';
  reason: string;
  message: string;
}

/** The group behind `spec.groupRef`, from the cache's answer for its key; `object` when there is one. */
export function readGroupRef<T extends { status?: { phase?: string } }>(
  lookup: CachedLookup<T>,
): { view: GroupRefView; object?: T } {
  if (lookup.state === 'unknown') return { view: { state: 'unknown', cause: lookup.cause } };
  const [group] = lookup.state === 'ok' ? lookup.objects : [];
  if (!group) return { view: { state: 'absent' } };
  const phase = group.status?.phase;
  return { view: { state: 'found', ...(phase !== undefined ? { phase } : {}) }, object: group };
}

/**
 * The telemetry config behind `spec.telemetryConfigRef`, from the cache's answer for its key,
 * re-validated. A valid one comes with the `ref` to wire in and its `resourceVersion` (`version`, ''
 * when it has none), so a caller can tell when what it built from it is stale.
 */
export function readTelemetryRef(
  lookup: CachedLookup<{ metadata: { resourceVersion?: string }; status?: { configHash?: string } }>,
  serviceName: string | undefined,
): { view: TelemetryRefView; ref?: TelemetryRef; version?: string } {
  if (lookup.state === 'unknown') return { view: { state: 'unknown', cause: lookup.cause } };
  const [config] = lookup.state === 'ok' ? lookup.objects : [];
  if (!config) return { view: { state: 'absent' } };
  const validation = validateTelemetryConfig(config);
  if (!validation.valid) return { view: { state: 'invalid', problems: validation.problems } };
  const hash = config.status?.configHash;
  return {
    view: { state: 'valid', ...(hash !== undefined ? { configHash: hash } : {}) },
    ref: { spec: validation.spec, ...(serviceName ? { serviceName } : {}) },
    version: config.metadata.resourceVersion ?? '',
  };
}

/** What differs between the kinds' `GroupRefValidated` (each keeps the wording it has always had). */
export interface GroupRefWording {
  /** The reason of `True`: the kind's condition catalog names it (`GroupRefIsValid`, `GroupRefValid`). */
  validReason: string;
  /** What `GroupRefNotReady` says in parentheses of a group in `phase` (undefined: it has no status). */
  notReadyDetail: (phase: string | undefined) => string;
  /** The message of `True` for the group `name`; without it, "MCPGroup '<name>' is valid and ready". */
  validMessage?: (name: string) => string;
}

/**
 * `GroupRefValidated` for the group `name` in `namespace`: `GroupRefNotFound`, `GroupRefNotReady`
 * (phase not `Ready`, or no status) or the valid reason. Undefined while the group cannot be read
 * (`unknown`): the caller keeps the stored condition. A caller that never passes `unknown` (it
 * retries instead) always gets a condition.
 */
export function groupRefCondition(
  ref: { name: string; namespace: string },
  view: Exclude<GroupRefView, { state: 'unknown' }>,
  wording: GroupRefWording,
): RefCondition;
export function groupRefCondition(
  ref: { name: string; namespace: string },
  view: GroupRefView,
  wording: GroupRefWording,
): RefCondition | undefined;
export function groupRefCondition(
  ref: { name: string; namespace: string },
  view: GroupRefView,
  wording: GroupRefWording,
): RefCondition | undefined {
  const type = 'GroupRefValidated';
  switch (view.state) {
    case 'unknown':
      return undefined;
    case 'absent':
      return {
        type,
        status: 'False',
        reason: 'GroupRefNotFound',
        message: `MCPGroup '${ref.name}' not found in namespace '${ref.namespace}'`,
      };
    case 'found':
      return view.phase === 'Ready'
        ? {
            type,
            status: 'True',
            reason: wording.validReason,
            message: wording.validMessage?.(ref.name) ?? `MCPGroup '${ref.name}' is valid and ready`,
          }
        : {
            type,
            status: 'False',
            reason: 'GroupRefNotReady',
            message: `MCPGroup '${ref.name}' is not ready (${wording.notReadyDetail(view.phase)})`,
          };
  }
}

export interface TelemetryRefStatus {
  /** `TelemetryConfigRefValidated`; undefined without a reference or without a view of it. */
  condition?: RefCondition;
  /** Why nothing may be rolled out: the config is missing or invalid. */
  blocker?: string;
  /** False while the config cannot be read: nothing is rolled out, though it is no blocker. */
  readable: boolean;
  /** `status.telemetryConfigHash` to write: the valid config's hash, the stored one otherwise. */
  configHash?: string;
}

/** What a workload's status computation knows of its `spec.telemetryConfigRef`. */
export interface TelemetryRefInputs {
  namespace: string;
  /** The referenced config's name; undefined when the spec sets none (the stored hash is dropped). */
  telemetryName?: string;
  /** The config as read; undefined when not looked at (the stored hash is kept). */
  telemetry?: TelemetryRefView;
  /** The stored status. */
  previous?: { telemetryConfigHash?: string };
}

/**
 * `TelemetryConfigRefValidated` and what follows from it. Reasons: `TelemetryConfigRefValid`,
 * `…NotFound`, `…Invalid`, and `fetchErrorReason` while it cannot be read (each kind's catalog names
 * its own: `TelemetryConfigRefError` for MCPServer, `TelemetryConfigRefFetchError` for
 * VirtualMCPServer).
 */
export function telemetryRefStatus(inputs: TelemetryRefInputs, fetchErrorReason: string): TelemetryRefStatus {
  const { telemetryName: name, telemetry: view } = inputs;
  if (name === undefined) return { readable: true };
  const previousHash = inputs.previous?.telemetryConfigHash;
  const previous = previousHash !== undefined ? { configHash: previousHash } : {};
  if (!view) return { readable: true, ...previous };
  const type = 'TelemetryConfigRefValidated';
  switch (view.state) {
    case 'valid':
      return {
        condition: {
          type,
          status: 'True',
          reason: 'TelemetryConfigRefValid',
          message: `MCPTelemetryConfig ${name} is valid`,
        },
        readable: true,
        ...(view.configHash !== undefined ? { configHash: view.configHash } : {}),
      };
    case 'absent': {
      const message = `MCPTelemetryConfig ${name} not found`;
      return {
        condition: { type, status: 'False', reason: 'TelemetryConfigRefNotFound', message },
        blocker: `${message} in namespace ${inputs.namespace}; create it or fix spec.telemetryConfigRef.name`,
        readable: true,
        ...previous,
      };
    }
    case 'invalid': {
      const message = `MCPTelemetryConfig ${name} is invalid: ${view.problems.join('; ')}`;
      return {
        condition: { type, status: 'False', reason: 'TelemetryConfigRefInvalid', message },
        blocker: message,
        readable: true,
        ...previous,
      };
    }
    case 'unknown':
      return {
        condition: {
          type,
          status: 'False',
          reason: fetchErrorReason,
          message: `cannot read MCPTelemetryConfig ${name} now (${view.cause}); retrying, nothing is rolled out until it can be read`,
        },
        readable: false,
        ...previous,
      };
  }
}
