/**
 * The `--k8s-pod-patch` JSON of MCPServer `<n>` (runtime-formats b.3): the user's
 * `spec.podTemplateSpec`, checked as a PodTemplateSpec, with
 * - `spec.serviceAccountName` = `spec.serviceAccount`, or `<n>-sa` when that is unset or empty;
 * - each `spec.secrets[i]` as env `{name: targetEnvName || key, valueFrom.secretKeyRef{name, key}}` on
 *   the container named `mcp` (appended when the template has none). DESIGN: an env var of the same
 *   name already there is replaced (removed, the secret's appended), where ToolHive appends a
 *   duplicate; the value the pod sees is the same (the last wins), and the runner's server-side apply
 *   of its StatefulSet would reject a duplicate key.
 * Pure. The proxy runner copies the patch's labels and annotations onto the MCP server's pod template
 * and, when the patch has a `spec`, uses it in place of the template's spec.
 *
 * Failure: `{ok: false, message}` when the template does not fit a PodTemplateSpec where it matters,
 * e.g. `spec.podTemplateSpec.spec.containers[0].name: expected string, got number` (every problem,
 * `; `-separated). The reconcile reports it as `PodTemplateValid=False` / `InvalidPodTemplateSpec`
 * and rolls nothing out. ToolHive's check is Go's unmarshal into `corev1.PodTemplateSpec` (types
 * only); this one also requires the names an apiserver would require later (containers, env,
 * volumes, volume mounts, container ports), so the mistake shows on the MCPServer instead of as a
 * runner that cannot create its StatefulSet. Unknown fields pass through.
 *
 * Output is deterministic and, for what ToolHive itself produces, byte-identical to its Go
 * `json.Marshal`: known fields in Go's field order, maps and unknown fields in sorted key order,
 * `null` members dropped, `metadata`/`spec` always present, `containers` always present (`null` for
 * a template without any, as Go writes a nil list), `resources: {}` on every container, quantities
 * in canonical form, `<`, `>`, `&` escaped. Byte-identity spares a server moved over from ToolHive's
 * operator a rollout; for everything else only determinism matters. The minimal patch is
 * `{"metadata":{},"spec":{"containers":[],"serviceAccountName":"<n>-sa"}}`.
 */
import { serverNames } from './names.js';
import { canonicalQuantity, isQuantity } from '@mcp-controllers/core';
import type { Server } from './types.js';

export type PodPatchResult = { ok: true; json: string } | { ok: false; message: string };

/** The container the secrets go to: the MCP server's, in the runner's StatefulSet. */
export const mcpContainerName = 'mcp';

// --- A small structural schema of the PodTemplateSpec fields that matter ---------------------------

type Shape =
  | { kind: 'string' | 'boolean' | 'integer' | 'quantity' | 'any' | 'anyObject' }
  | { kind: 'array'; item: Shape }
  | { kind: 'map'; value: Shape }
  | {
      kind: 'object';
      /** Known fields, in Go's field order (the serialisation order). */
      fields: Readonly<Record<string, Shape>>;
      required: readonly string[];
      /** Members Go always writes (non-pointer structs, non-omitempty lists), with their empty value. */
      always: Readonly<Record<string, unknown>>;
    };

const str: Shape = { kind: 'string' };
const bool: Shape = { kind: 'boolean' };
const int: Shape = { kind: 'integer' };
const any: Shape = { kind: 'any' };
const anyObject: Shape = { kind: 'anyObject' };
const array = (item: Shape): Shape => ({ kind: 'array', item });
const map = (value: Shape): Shape => ({ kind: 'map', value });
const object = (
  fields: Record<string, Shape>,
  required: string[] = [],
  always: Record<string, unknown> = {},
): Shape => ({ kind: 'object', fields, required, always });

const seccompProfile = object({ type: str, localhostProfile: str });
const securityContext = object({
  capabilities: object({ add: array(str), drop: array(str) }),
  privileged: bool,
  seLinuxOptions: anyObject,
  windowsOptions: anyObject,
  runAsUser: int,
  runAsGroup: int,
  runAsNonRoot: bool,
  readOnlyRootFilesystem: bool,
  allowPrivilegeEscalation: bool,
  procMount: str,
  seccompProfile,
  appArmorProfile: anyObject,
});
const podSecurityContext = object({
  seLinuxOptions: anyObject,
  windowsOptions: anyObject,
  runAsUser: int,
  runAsGroup: int,
  runAsNonRoot: bool,
  supplementalGroups: array(int),
  supplementalGroupsPolicy: str,
  fsGroup: int,
  sysctls: array(object({ name: str, value: str }, ['name'])),
  fsGroupChangePolicy: str,
  seccompProfile,
  appArmorProfile: anyObject,
  seLinuxChangePolicy: str,
});
const envVarSource = object({
  fieldRef: anyObject,
  resourceFieldRef: anyObject,
  configMapKeyRef: object({ name: str, key: str, optional: bool }),
  secretKeyRef: object({ name: str, key: str, optional: bool }),
  fileKeyRef: anyObject,
});
const container = object(
  {
    name: str,
    image: str,
    command: array(str),
    args: array(str),
    workingDir: str,
    ports: array(
      object({ name: str, hostPort: int, containerPort: int, protocol: str, hostIP: str }, ['containerPort']),
    ),
    envFrom: array(anyObject),
    env: array(object({ name: str, value: str, valueFrom: envVarSource }, ['name'])),
    resources: object({
      limits: map({ kind: 'quantity' }),
      requests: map({ kind: 'quantity' }),
      claims: any,
    }),
    resizePolicy: any,
    restartPolicy: str,
    restartPolicyRules: any,
    volumeMounts: array(
      object(
        {
          name: str,
          readOnly: bool,
          recursiveReadOnly: str,
          mountPath: str,
          subPath: str,
          mountPropagation: str,
          subPathExpr: str,
        },
        ['name', 'mountPath'],
      ),
    ),
    volumeDevices: any,
    livenessProbe: anyObject,
    readinessProbe: anyObject,
    startupProbe: anyObject,
    lifecycle: anyObject,
    terminationMessagePath: str,
    terminationMessagePolicy: str,
    imagePullPolicy: str,
    securityContext,
    stdin: bool,
    stdinOnce: bool,
    tty: bool,
  },
  ['name'],
  { resources: {} },
);
const podSpec = object(
  {
    volumes: array(object({ name: str }, ['name'])),
    initContainers: array(container),
    containers: array(container),
    ephemeralContainers: any,
    restartPolicy: str,
    terminationGracePeriodSeconds: int,
    activeDeadlineSeconds: int,
    dnsPolicy: str,
    nodeSelector: map(str),
    serviceAccountName: str,
    serviceAccount: str,
    automountServiceAccountToken: bool,
    nodeName: str,
    hostNetwork: bool,
    hostPID: bool,
    hostIPC: bool,
    shareProcessNamespace: bool,
    securityContext: podSecurityContext,
    imagePullSecrets: array(object({ name: str })),
    hostname: str,
    subdomain: str,
    affinity: anyObject,
    schedulerName: str,
    tolerations: array(object({ key: str, operator: str, value: str, effect: str, tolerationSeconds: int })),
    hostAliases: any,
    priorityClassName: str,
    priority: int,
    dnsConfig: anyObject,
    readinessGates: any,
    runtimeClassName: str,
    enableServiceLinks: bool,
    preemptionPolicy: str,
    overhead: map({ kind: 'quantity' }),
    topologySpreadConstraints: array(anyObject),
    setHostnameAsFQDN: bool,
    os: anyObject,
    hostUsers: bool,
    schedulingGates: any,
    resourceClaims: any,
    resources: anyObject,
    hostnameOverride: str,
  },
  [],
  // Go writes `containers` even when nil (no omitempty).
  { containers: null },
);
const podTemplateSpec = object(
  {
    metadata: object({
      name: str,
      generateName: str,
      namespace: str,
      labels: map(str),
      annotations: map(str),
    }),
    spec: podSpec,
  },
  [],
  { metadata: {}, spec: {} },
);

// --- Checking ------------------------------------------------------------------------------------

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isAbsent = (value: unknown): value is null | undefined => value === undefined || value === null;

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number' && !Number.isInteger(value)) return `number ${value}`;
  if (typeof value === 'string') return `string ${JSON.stringify(value)}`;
  return typeof value;
}

const expected: Record<Shape['kind'], string> = {
  string: 'string',
  boolean: 'boolean',
  integer: 'integer',
  quantity: 'quantity (e.g. 500m, 128Mi)',
  any: 'any value',
  anyObject: 'object',
  array: 'array',
  map: 'object (a map)',
  object: 'object',
};

const memberPath = (path: string, key: string) =>
  /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;

/** Appends `path: expected X, got Y` for every mismatch under `value`; `value` is present. */
function check(value: unknown, shape: Shape, path: string, problems: string[]): void {
  const mismatch = () => problems.push(`${path}: expected ${expected[shape.kind]}, got ${describe(value)}`);
  switch (shape.kind) {
    case 'any':
      return;
    case 'string':
      if (typeof value !== 'string') mismatch();
      return;
    case 'boolean':
      if (typeof value !== 'boolean') mismatch();
      return;
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) mismatch();
      return;
    case 'quantity':
      if (
        !(typeof value === 'string' && isQuantity(value)) &&
        !(typeof value === 'number' && Number.isFinite(value))
      )
        mismatch();
      return;
    case 'anyObject':
      if (!isObject(value)) mismatch();
      return;
    case 'array':
      if (!Array.isArray(value)) return void mismatch();
      value.forEach((item: unknown, i) => {
        check(item, shape.item, `${path}[${i}]`, problems);
      });
      return;
    case 'map':
      if (!isObject(value)) return void mismatch();
      for (const [key, member] of Object.entries(value)) {
        if (!isAbsent(member)) check(member, shape.value, memberPath(path, key), problems);
      }
      return;
    case 'object':
      if (!isObject(value)) return void mismatch();
      for (const key of shape.required) {
        const field = shape.fields[key];
        if (field && isAbsent(value[key]))
          problems.push(
            `${memberPath(path, key)}: expected ${expected[field.kind]}, got ${describe(value[key])}`,
          );
      }
      for (const [key, field] of Object.entries(shape.fields)) {
        if (!isAbsent(value[key])) check(value[key], field, memberPath(path, key), problems);
      }
  }
}

// --- Serialising ---------------------------------------------------------------------------------

/** `value` (already checked against `shape`) in Go's member order, nulls dropped, quantities canonical. */
function normalise(value: unknown, shape: Shape): unknown {
  if (Array.isArray(value)) {
    const item = shape.kind === 'array' ? shape.item : any;
    return value.map((element: unknown) => (isAbsent(element) ? element : normalise(element, item)));
  }
  if (shape.kind === 'quantity' && (typeof value === 'string' || typeof value === 'number')) {
    return canonicalQuantity(String(value)) ?? value;
  }
  if (!isObject(value)) return value;
  const out: Json = {};
  const known = shape.kind === 'object' ? shape.fields : {};
  for (const [key, field] of Object.entries(known)) {
    const member = value[key] ?? (shape.kind === 'object' ? shape.always[key] : undefined);
    if (member !== undefined) out[key] = member === null ? null : normalise(member, field);
  }
  const member = shape.kind === 'map' ? shape.value : any;
  for (const key of Object.keys(value).sort()) {
    if (key in known || isAbsent(value[key])) continue;
    out[key] = normalise(value[key], member);
  }
  return out;
}

/** `JSON.stringify` plus Go's HTML-safe escapes, so the text matches `json.Marshal`'s. */
function goJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

// --- The patch -----------------------------------------------------------------------------------

export function podPatch(server: Pick<Server, 'metadata' | 'spec'>): PodPatchResult {
  const template = server.spec.podTemplateSpec;
  if (template !== undefined) {
    const problems: string[] = [];
    check(template, podTemplateSpec, 'spec.podTemplateSpec', problems);
    if (problems.length > 0) return { ok: false, message: problems.join('; ') };
  }
  // Without a template ToolHive starts from an empty one with an empty container list.
  const patch = normalise(template ?? { spec: { containers: [] } }, podTemplateSpec) as Json & { spec: Json };
  const spec = patch.spec;
  spec.serviceAccountName = server.spec.serviceAccount || serverNames(server.metadata.name).mcpServiceAccount;

  const secrets = server.spec.secrets ?? [];
  if (secrets.length > 0) {
    const containers = (spec.containers ?? []) as Json[];
    let target = containers.find((c) => c.name === mcpContainerName);
    if (!target) {
      target = { name: mcpContainerName };
      containers.push(target);
    }
    let env = (target.env ?? []) as Json[];
    for (const secret of secrets) {
      const name = secret.targetEnvName || secret.key;
      env = env.filter((e) => e.name !== name);
      env.push({ name, valueFrom: { secretKeyRef: { name: secret.name, key: secret.key } } });
    }
    target.env = env;
    spec.containers = containers;
  }
  // Members set above were appended; normalising again puts every member in Go's order.
  return { ok: true, json: goJson(normalise(patch, podTemplateSpec)) };
}
