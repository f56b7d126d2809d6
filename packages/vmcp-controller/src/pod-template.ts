/**
 * `spec.podTemplateSpec` of a VirtualMCPServer: the check that it is a pod template, and its merge
 * over the generated pod template of the vmcp Deployment (ToolHive: `NewPodTemplateSpecBuilder(…,
 * "vmcp")` then `ApplyPodTemplateSpecPatch`, a strategic merge patch; operator-behaviour §7, §9.2).
 * Pure.
 *
 * Check (`checkPodTemplateSpec`): `{ok: false, message}` when the template does not fit a
 * PodTemplateSpec where it matters, e.g. `spec.podTemplateSpec.spec.containers[0].name: expected
 * string, got number` (every problem, `; `-separated). The reconcile reports it as
 * `PodTemplateSpecValid=False` / `InvalidPodTemplateSpec` and builds no Deployment. Like the server
 * controller's pod-patch check, it also requires the names an apiserver would require later
 * (containers, env, volumes, volume mounts, container ports), so the mistake shows on the
 * VirtualMCPServer instead of as a Deployment the apiserver refuses. It refuses strategic-merge
 * directives (`$patch`, `$setElementOrder/…`, `$retainKeys`, `$deleteFromPrimitiveList/…`): the merge
 * below does not implement them, and passing them on would make the apiserver refuse the Deployment.
 * Unknown fields pass (the apiserver prunes or rejects them).
 *
 * Merge (`mergePodTemplate`), the strategic-merge rules that matter for a pod, kept simple:
 * - objects merge member by member; a scalar or a list without a merge key in the template replaces
 *   ours (`args`, `command`, `tolerations`, `envFrom`, ...); `null` deletes our member;
 * - lists with a Kubernetes patch merge key merge by it: `containers`, `initContainers`,
 *   `ephemeralContainers`, `volumes`, `imagePullSecrets`, `env`, `resourceClaims`, `schedulingGates`
 *   by `name`, `volumeMounts` by `mountPath`, container `ports` by `containerPort`, `volumeDevices` by
 *   `devicePath`, `hostAliases` by `ip`, `topologySpreadConstraints` by `topologyKey`. A template
 *   element whose key matches one of ours is merged into it (so a container named `vmcp` changes
 *   ours: resources, env, probes, ...); other elements are appended after ours, in template order
 *   (so a container with another name is a sidecar). As in any strategic merge, an element merges
 *   member by member: a template env var `{name: HOME, value}` over ours works, but a `value` over
 *   one of ours that has `valueFrom` keeps both and the apiserver refuses the Deployment (422);
 *   the template must then also set `valueFrom: null`;
 * - `metadata`: only `labels` and `annotations` are taken, merged with ours; DESIGN: on a clash OURS
 *   win (ToolHive lets the template win), because the selector labels must match the Deployment's
 *   selector (the apiserver refuses it otherwise) and the checksum annotation is what rolls the pods
 *   on a config change.
 * The result is written as the apiserver stores it, so a steady state applies nothing: quantities
 * canonical (`0.5` -> `500m`), `protocol: TCP` on container ports that omit it (a key of the ports
 * list-map, which server-side apply on v1.20 needs), no `null` members. Equal inputs give deep-equal
 * output.
 */
import { canonicalQuantity, isQuantity } from '@mcp-controllers/core';

type Json = Record<string, unknown>;

export type PodTemplateCheck = { ok: true } | { ok: false; message: string };

/** A pod template as the builders emit it. */
export interface PodTemplate {
  metadata: { labels: Record<string, string>; annotations: Record<string, string> };
  spec: Json;
}

// --- A small structural schema of the PodTemplateSpec fields that matter ---------------------------

type Shape =
  | { kind: 'string' | 'boolean' | 'integer' | 'quantity' | 'any' | 'anyObject' }
  | { kind: 'array'; item: Shape }
  | { kind: 'map'; value: Shape }
  | { kind: 'object'; fields: Readonly<Record<string, Shape>>; required: readonly string[] };

const str: Shape = { kind: 'string' };
const bool: Shape = { kind: 'boolean' };
const int: Shape = { kind: 'integer' };
const any: Shape = { kind: 'any' };
const anyObject: Shape = { kind: 'anyObject' };
const quantity: Shape = { kind: 'quantity' };
const array = (item: Shape): Shape => ({ kind: 'array', item });
const map = (value: Shape): Shape => ({ kind: 'map', value });
const object = (fields: Record<string, Shape>, required: string[] = []): Shape => ({
  kind: 'object',
  fields,
  required,
});

const seccompProfile = object({ type: str, localhostProfile: str });
const securityContext = object({
  capabilities: object({ add: array(str), drop: array(str) }),
  privileged: bool,
  runAsUser: int,
  runAsGroup: int,
  runAsNonRoot: bool,
  readOnlyRootFilesystem: bool,
  allowPrivilegeEscalation: bool,
  procMount: str,
  seccompProfile,
  seLinuxOptions: anyObject,
  windowsOptions: anyObject,
  appArmorProfile: anyObject,
});
const podSecurityContext = object({
  runAsUser: int,
  runAsGroup: int,
  runAsNonRoot: bool,
  supplementalGroups: array(int),
  fsGroup: int,
  fsGroupChangePolicy: str,
  sysctls: array(object({ name: str, value: str }, ['name'])),
  seccompProfile,
  seLinuxOptions: anyObject,
  windowsOptions: anyObject,
  appArmorProfile: anyObject,
});
const ref = object({ name: str, key: str, optional: bool });
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
    env: array(
      object(
        {
          name: str,
          value: str,
          valueFrom: object({
            fieldRef: anyObject,
            resourceFieldRef: anyObject,
            configMapKeyRef: ref,
            secretKeyRef: ref,
          }),
        },
        ['name'],
      ),
    ),
    resources: object({ limits: map(quantity), requests: map(quantity), claims: any }),
    volumeMounts: array(
      object({ name: str, readOnly: bool, mountPath: str, subPath: str, subPathExpr: str }, [
        'name',
        'mountPath',
      ]),
    ),
    livenessProbe: anyObject,
    readinessProbe: anyObject,
    startupProbe: anyObject,
    lifecycle: anyObject,
    imagePullPolicy: str,
    securityContext,
    stdin: bool,
    tty: bool,
  },
  ['name'],
);
const podTemplateSpec = object({
  metadata: object({ labels: map(str), annotations: map(str) }),
  spec: object({
    volumes: array(object({ name: str }, ['name'])),
    initContainers: array(container),
    containers: array(container),
    restartPolicy: str,
    terminationGracePeriodSeconds: int,
    activeDeadlineSeconds: int,
    dnsPolicy: str,
    nodeSelector: map(str),
    serviceAccountName: str,
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
    priorityClassName: str,
    priority: int,
    dnsConfig: anyObject,
    runtimeClassName: str,
    enableServiceLinks: bool,
    preemptionPolicy: str,
    overhead: map(quantity),
    topologySpreadConstraints: array(anyObject),
  }),
});

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

/** Whether `template` (the stored `spec.podTemplateSpec`) can be merged; undefined is fine. */
export function checkPodTemplateSpec(template: Json | undefined): PodTemplateCheck {
  if (template === undefined) return { ok: true };
  const problems: string[] = [];
  check(template, podTemplateSpec, 'spec.podTemplateSpec', problems);
  checkDirectives(template, 'spec.podTemplateSpec', problems);
  return problems.length > 0 ? { ok: false, message: problems.join('; ') } : { ok: true };
}

// --- Merging -------------------------------------------------------------------------------------

/** Kubernetes' patch merge keys of the pod template's lists (by member name). */
const mergeKeys: Readonly<Record<string, string>> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  volumes: 'name',
  imagePullSecrets: 'name',
  env: 'name',
  resourceClaims: 'name',
  schedulingGates: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  ports: 'containerPort',
  hostAliases: 'ip',
  topologySpreadConstraints: 'topologyKey',
};

/** `patch` merged over `base` (neither is modified); undefined means "delete". */
function mergeValue(base: unknown, patch: unknown, field: string): unknown {
  if (patch === null) return undefined;
  if (patch === undefined) return structuredClone(base);
  const key = mergeKeys[field];
  if (Array.isArray(patch)) {
    return key !== undefined && Array.isArray(base) ? mergeList(base, patch, key) : structuredClone(patch);
  }
  if (isObject(patch) && isObject(base)) {
    const out: Json = structuredClone(base);
    for (const [member, value] of Object.entries(patch)) {
      const merged = mergeValue(base[member], value, member);
      if (merged === undefined) Reflect.deleteProperty(out, member);
      else out[member] = merged;
    }
    return out;
  }
  return structuredClone(patch);
}

function mergeList(base: readonly unknown[], patch: readonly unknown[], key: string): unknown[] {
  const out = base.map((element) => structuredClone(element));
  for (const element of patch) {
    if (isAbsent(element)) continue;
    const id = isObject(element) ? element[key] : undefined;
    const at = isAbsent(id) ? -1 : out.findIndex((candidate) => isObject(candidate) && candidate[key] === id);
    if (at >= 0) out[at] = mergeValue(out[at], element, '');
    else out.push(structuredClone(element));
  }
  return out;
}

/** `map` with `ours` over it, keys sorted. */
function mergeOurs(ours: Record<string, string>, theirs: unknown): Record<string, string> {
  const merged: Record<string, string> = {};
  if (isObject(theirs)) {
    for (const [key, value] of Object.entries(theirs)) if (typeof value === 'string') merged[key] = value;
  }
  Object.assign(merged, ours);
  return Object.fromEntries(
    Object.keys(merged)
      .sort()
      .map((key) => [key, merged[key] ?? '']),
  );
}

/** A copy without `null`/`undefined` members (list elements are kept in place). */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((element: unknown) => withoutNulls(element));
  if (!isObject(value)) return value;
  const out: Json = {};
  for (const [key, member] of Object.entries(value)) if (!isAbsent(member)) out[key] = withoutNulls(member);
  return out;
}

function canonicalMap(map: unknown): unknown {
  if (!isObject(map)) return map;
  const out: Json = {};
  for (const [key, value] of Object.entries(map)) {
    out[key] =
      typeof value === 'string' || typeof value === 'number'
        ? (canonicalQuantity(String(value)) ?? value)
        : value;
  }
  return out;
}

/** A container as stored: canonical quantities, `protocol` on every port. In place. */
function storeContainer(value: unknown): void {
  if (!isObject(value)) return;
  const resources = value.resources;
  if (isObject(resources)) {
    if (resources.limits !== undefined) resources.limits = canonicalMap(resources.limits);
    if (resources.requests !== undefined) resources.requests = canonicalMap(resources.requests);
  }
  if (Array.isArray(value.ports)) {
    for (const port of value.ports) {
      if (isObject(port) && isAbsent(port.protocol)) port.protocol = 'TCP';
    }
  }
}

/**
 * `template` (checked with `checkPodTemplateSpec`) merged over `generated` by the rules of the module
 * comment; `generated` is returned unchanged (a copy) when there is no template.
 */
export function mergePodTemplate(generated: PodTemplate, template: Json | undefined): PodTemplate {
  if (template === undefined) return structuredClone(generated);
  const metadata = isObject(template.metadata) ? template.metadata : {};
  // A template without a spec (or with `spec: null`) changes only the metadata.
  const patch = isObject(template.spec) ? template.spec : undefined;
  const spec = withoutNulls(mergeValue(generated.spec, patch, 'spec')) as Json;
  for (const list of [spec.containers, spec.initContainers]) {
    if (Array.isArray(list)) list.forEach(storeContainer);
  }
  if (spec.overhead !== undefined) spec.overhead = canonicalMap(spec.overhead);
  return {
    metadata: {
      labels: mergeOurs(generated.metadata.labels, metadata.labels),
      annotations: mergeOurs(generated.metadata.annotations, metadata.annotations),
    },
    spec,
  };
}
