/**
 * A user's `spec.podTemplateSpec` (a freeform PodTemplateSpec in a custom resource): the check that
 * it is one where it matters, and its canonical form in Go's `json.Marshal` shape. Pure.
 *
 * Check (`checkPodTemplateSpec`): `{ok: false, message}` when the template does not fit a
 * PodTemplateSpec, e.g. `spec.podTemplateSpec.spec.containers[0].name: expected string, got number`
 * (every problem, `; `-separated, in the order of the fields below). What it checks is the JSON type
 * of the fields a `corev1.PodTemplateSpec` declares (ToolHive's check is Go's unmarshal into one),
 * quantities included (`resources.limits`, `overhead`: a quantity string or a finite number), and
 * also the names an apiserver would require later (containers, init containers, env, volumes, volume
 * mounts, container ports, sysctls), so the mistake shows on the custom resource instead of as a
 * workload the apiserver refuses. A `null` member passes unless it is a required name (Go reads it
 * as unset); a `null` list element does not. Unknown fields pass. With `refuseDirectives`, strategic-merge directives (members whose name
 * starts with `$`: `$patch`, `$retainKeys`, `$setElementOrder/…`, `$deleteFromPrimitiveList/…`) are
 * problems too (`…["$patch"]: strategic-merge directives are not supported`), for a controller whose
 * merge does not implement them. An absent template (`undefined`) is fine.
 *
 * Canonical form (`canonicalPodTemplateSpec`, for a checked template): a copy as Go's `json.Marshal`
 * writes the PodTemplateSpec it unmarshals, so the text is deterministic and, for what ToolHive
 * produces, byte-identical to it: known fields in Go's field order, maps and unknown members in
 * sorted key order, `null` members dropped (list elements are kept in place), members Go always
 * writes added with their empty value (`metadata: {}`, `spec: {}`, `containers: null`, `resources: {}`
 * on every container), quantities canonical (`0.5` -> `500m`; quantity.ts).
 */
import { canonicalQuantity, isQuantity } from './quantity.js';

type Json = Record<string, unknown>;

export type PodTemplateCheck = { ok: true } | { ok: false; message: string };

export interface PodTemplateCheckOptions {
  /** Where the template stands in its object: the start of every problem. Default `spec.podTemplateSpec`. */
  path?: string;
  /** Whether a strategic-merge directive is a problem. Default false (it passes as an unknown field). */
  refuseDirectives?: boolean;
}

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
const quantity: Shape = { kind: 'quantity' };
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
const keyRef = object({ name: str, key: str, optional: bool });
const envVarSource = object({
  fieldRef: anyObject,
  resourceFieldRef: anyObject,
  configMapKeyRef: keyRef,
  secretKeyRef: keyRef,
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
    resources: object({ limits: map(quantity), requests: map(quantity), claims: any }),
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
    overhead: map(quantity),
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
  // `any` has no case: every value fits.
  switch (shape.kind) {
    case 'string':
      if (typeof value !== 'string') mismatch();
      return;
    case 'boolean':
      if (typeof value !== 'boolean') mismatch();
      return;
    case 'integer':
      if (!Number.isInteger(value)) mismatch();
      return;
    case 'quantity':
      if (!(typeof value === 'string' && isQuantity(value)) && !Number.isFinite(value)) mismatch();
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

/** Appends a problem for every strategic-merge directive (a member whose name starts with `$`). */
function checkDirectives(value: unknown, path: string, problems: string[]): void {
  if (Array.isArray(value)) {
    value.forEach((item: unknown, i) => {
      checkDirectives(item, `${path}[${i}]`, problems);
    });
    return;
  }
  if (!isObject(value)) return;
  for (const [key, member] of Object.entries(value)) {
    if (key.startsWith('$')) {
      problems.push(`${memberPath(path, key)}: strategic-merge directives are not supported`);
    } else checkDirectives(member, memberPath(path, key), problems);
  }
}

/** Whether `template` is a PodTemplateSpec where it matters (see the module comment). */
export function checkPodTemplateSpec(
  template: unknown,
  options: PodTemplateCheckOptions = {},
): PodTemplateCheck {
  if (template === undefined) return { ok: true };
  const path = options.path ?? 'spec.podTemplateSpec';
  const problems: string[] = [];
  check(template, podTemplateSpec, path, problems);
  if (options.refuseDirectives === true) checkDirectives(template, path, problems);
  return problems.length > 0 ? { ok: false, message: problems.join('; ') } : { ok: true };
}

// --- Canonical form ------------------------------------------------------------------------------

/** `value` (already checked against `shape`) in Go's member order, nulls dropped, quantities canonical. */
function normalise(value: unknown, shape: Shape): unknown {
  if (Array.isArray(value)) {
    const item = shape.kind === 'array' ? shape.item : any;
    return value.map((element: unknown) => normalise(element, item));
  }
  if (shape.kind === 'quantity' && (typeof value === 'string' || typeof value === 'number')) {
    return canonicalQuantity(String(value)) ?? value;
  }
  if (!isObject(value)) return value;
  if (shape.kind === 'object') return normaliseObject(value, shape.fields, shape.always, any);
  // A map, or an object the schema does not describe: every member in key order.
  return normaliseObject(value, {}, {}, shape.kind === 'map' ? shape.value : any);
}

/** Known `fields` first, in their order (absent ones from `always`), then the others by key as `member`. */
function normaliseObject(
  value: Json,
  fields: Readonly<Record<string, Shape>>,
  always: Readonly<Record<string, unknown>>,
  member: Shape,
): Json {
  const out: Json = {};
  for (const [key, field] of Object.entries(fields)) {
    const known = value[key] ?? always[key];
    if (known !== undefined) out[key] = normalise(known, field);
  }
  for (const key of Object.keys(value).sort()) {
    if (key in fields || isAbsent(value[key])) continue;
    out[key] = normalise(value[key], member);
  }
  return out;
}

/**
 * A copy of `template` (one `checkPodTemplateSpec` accepts) in the member order and with the members
 * Go's `json.Marshal` writes (see the module comment); `template` is not changed.
 */
export function canonicalPodTemplateSpec(template: Readonly<Json>): Json {
  return normalise(template, podTemplateSpec) as Json;
}
