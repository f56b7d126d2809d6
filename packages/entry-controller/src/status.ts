/**
 * What an MCPServerEntry's status should say, with ToolHive's condition types, reasons and messages.
 * Pure: the reconciler looks the references up (in the cache) and passes what it found; a reference
 * that could not be looked up never reaches this module (the reconcile fails and retries instead),
 * so "absent" here always means the apiserver said it does not exist.
 *
 * One deliberate difference: a CA bundle ConfigMap must also hold the key the entry names
 * (`configMapRef.key`, required by the schema). ToolHive checks only that the ConfigMap exists, and its
 * vMCP then silently drops the backend.
 */
import {
  groupRefCondition,
  mcpServerEntryConditions,
  remoteURLProblem,
  type GroupRefWording,
  type MCPServerEntry,
} from '@mcp-controllers/api';
import type { ConditionInput } from '@mcp-controllers/core';

const { types, reasons } = mcpServerEntryConditions;

export type EntrySpec = MCPServerEntry['spec'];

/** What a lookup by name found. */
export type Found<T> = { state: 'found'; object: T } | { state: 'absent' };

export interface GroupView {
  metadata: { deletionTimestamp?: string };
  status?: { phase?: string };
}
/** Only key names matter (values are blanked in the cache). */
export interface KeysView {
  data?: Record<string, unknown>;
  binaryData?: Record<string, unknown>;
}

export interface EntryInputs {
  namespace: string;
  spec: EntrySpec;
  group: Found<GroupView>;
  /** Undefined when the entry names no MCPExternalAuthConfig. */
  authConfig?: Found<unknown>;
  /** Undefined when the entry names no CA bundle ConfigMap. */
  caBundle?: Found<KeysView>;
  /** By Secret name, for every Secret `headerForward.addHeadersFromSecret` names. */
  secrets: ReadonlyMap<string, Found<KeysView>>;
}

export interface EntryStatus {
  phase: 'Valid' | 'Failed';
  conditions: ConditionInput[];
}

/** The condition types this controller owns; one absent from `conditions` is removed. */
export const ownedConditionTypes = Object.values(types);

/** The CA bundle ConfigMap an entry names, if any (ToolHive: no `configMapRef`, nothing configured). */
export function caBundleRefOf(spec: EntrySpec): { name: string; key: string } | undefined {
  const ref = spec.caBundleRef?.configMapRef;
  if (!ref?.name) return undefined;
  return { name: ref.name, key: ref.key };
}

/** The header Secrets an entry names, in spec order. */
export function headerSecretRefsOf(spec: EntrySpec): { headerName: string; secret: string; key: string }[] {
  return (spec.headerForward?.addHeadersFromSecret ?? []).map((h) => ({
    headerName: h.headerName,
    secret: h.valueSecretRef.name,
    key: h.valueSecretRef.key,
  }));
}

export function entryStatus(input: EntryInputs): EntryStatus {
  const conditions = [
    remoteURLCondition(input.spec),
    groupCondition(input),
    authConfigCondition(input.authConfig),
    caBundleCondition(input.spec, input.caBundle),
    ...headerSecretsCondition(input.spec, input.secrets),
  ];
  const valid = conditions.every((c) => c.status === 'True');
  conditions.push(
    valid
      ? {
          type: types.Valid,
          status: 'True',
          reason: reasons.ConfigValid,
          message: 'All referenced resources are valid',
        }
      : {
          type: types.Valid,
          status: 'False',
          reason: reasons.ConfigInvalid,
          message: 'One or more referenced resources are missing or invalid',
        },
  );
  return { phase: valid ? 'Valid' : 'Failed', conditions };
}

function remoteURLCondition(spec: EntrySpec): ConditionInput {
  const problem = remoteURLProblem(spec.remoteUrl, { allowPrivateEndpoint: spec.allowPrivateEndpoint });
  return problem === undefined
    ? {
        type: types.RemoteURLValidated,
        status: 'True',
        reason: reasons.RemoteURLValid,
        message: 'Remote URL is valid',
      }
    : { type: types.RemoteURLValidated, status: 'False', reason: reasons.RemoteURLInvalid, message: problem };
}

/**
 * ToolHive's wording for an entry: the shared one of MCPServer, but for the message of a valid group.
 * A group with no phase was never reconciled: most likely its controller is not running.
 */
const groupRefWording: GroupRefWording = {
  validReason: reasons.GroupRefIsValid,
  validMessage: () => 'Referenced MCPGroup exists and is ready',
  notReadyDetail: (phase) =>
    phase ? `current phase: ${phase}` : 'it has no status yet; is mcp-group-controller running?',
};

function groupCondition({ spec, namespace, group }: EntryInputs): ConditionInput {
  // ToolHive's group controller writes this on its members while the group is deleted.
  if (group.state === 'found' && group.object.metadata.deletionTimestamp)
    return {
      type: types.GroupRefValidated,
      status: 'False',
      reason: reasons.GroupRefNotFound,
      message: 'Referenced MCPGroup is being deleted',
    };
  const phase = group.state === 'found' ? group.object.status?.phase : undefined;
  return groupRefCondition(
    { name: spec.groupRef.name, namespace },
    group.state === 'found' ? { state: 'found', ...(phase !== undefined ? { phase } : {}) } : group,
    groupRefWording,
  );
}

function authConfigCondition(found: Found<unknown> | undefined): ConditionInput {
  const type = types.ExternalAuthConfigValidated;
  if (!found)
    return {
      type,
      status: 'True',
      reason: reasons.AuthConfigNotConfigured,
      message: 'No external auth config reference configured',
    };
  return found.state === 'found'
    ? {
        type,
        status: 'True',
        reason: reasons.AuthConfigValid,
        message: 'Referenced MCPExternalAuthConfig exists',
      }
    : {
        type,
        status: 'False',
        reason: reasons.AuthConfigNotFound,
        message: 'Referenced MCPExternalAuthConfig not found',
      };
}

function caBundleCondition(spec: EntrySpec, found: Found<KeysView> | undefined): ConditionInput {
  const type = types.CABundleRefValidated;
  const ref = caBundleRefOf(spec);
  if (!ref || !found)
    return {
      type,
      status: 'True',
      reason: reasons.CABundleRefNotConfigured,
      message: 'No CA bundle reference configured',
    };
  if (found.state === 'absent')
    return {
      type,
      status: 'False',
      reason: reasons.CABundleRefNotFound,
      message: 'Referenced CA bundle ConfigMap not found',
    };
  if (!hasKey(found.object, ref.key))
    return {
      type,
      status: 'False',
      reason: reasons.CABundleRefNotFound,
      message: `Referenced CA bundle ConfigMap '${ref.name}' has no key '${ref.key}'; add the PEM bundle under that key or set spec.caBundleRef.configMapRef.key`,
    };
  return {
    type,
    status: 'True',
    reason: reasons.CABundleRefValid,
    message: 'Referenced CA bundle ConfigMap exists',
  };
}

/** No condition at all when no header comes from a Secret (ToolHive removes it). */
function headerSecretsCondition(
  spec: EntrySpec,
  secrets: ReadonlyMap<string, Found<KeysView>>,
): ConditionInput[] {
  const refs = headerSecretRefsOf(spec);
  if (refs.length === 0) return [];
  const failures: string[] = [];
  for (const { headerName, secret, key } of refs) {
    const found = secrets.get(secret);
    if (!found || found.state === 'absent')
      failures.push(`Secret ${quote(secret)} referenced for header ${quote(headerName)} not found`);
    // Only `data` counts: `stringData` is write-only and never stored.
    else if (!(key in (found.object.data ?? {})))
      failures.push(
        `Secret ${quote(secret)} has no key ${quote(key)} referenced for header ${quote(headerName)}`,
      );
  }
  const type = types.HeaderSecretRefsValidated;
  return [
    failures.length === 0
      ? {
          type,
          status: 'True',
          reason: reasons.HeaderSecretsValid,
          message: 'All referenced header Secrets exist with required keys',
        }
      : { type, status: 'False', reason: reasons.HeaderSecretNotFound, message: failures.join('; ') },
  ];
}

function hasKey(view: KeysView, key: string): boolean {
  return key in (view.data ?? {}) || key in (view.binaryData ?? {});
}

/** Go's %q for the names Kubernetes allows. */
const quote = (s: string) => JSON.stringify(s);
