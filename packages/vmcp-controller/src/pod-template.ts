/**
 * `spec.podTemplateSpec` of a VirtualMCPServer: the check that it is a pod template, and its merge
 * over the generated pod template of the vmcp Deployment (ToolHive: `NewPodTemplateSpecBuilder(…,
 * "vmcp")` then `ApplyPodTemplateSpecPatch`, a strategic merge patch; operator-behaviour §7, §9.2).
 * Pure.
 *
 * Check (`checkPodTemplateSpec`, core's with directives refused): `{ok: false, message}` when the
 * template does not fit a PodTemplateSpec where it matters, e.g.
 * `spec.podTemplateSpec.spec.containers[0].name: expected string, got number` (every problem,
 * `; `-separated). The reconcile reports it as `PodTemplateSpecValid=False` /
 * `InvalidPodTemplateSpec` and builds no Deployment. Like the server controller's pod-patch check
 * (the same schema), it checks the types of the fields a PodTemplateSpec declares and requires the
 * names an apiserver would require later (containers, env, volumes, volume mounts, container ports),
 * so the mistake shows on the VirtualMCPServer instead of as a Deployment the apiserver refuses. It
 * refuses strategic-merge directives (`$patch`, `$setElementOrder/…`, `$retainKeys`,
 * `$deleteFromPrimitiveList/…`): the merge below does not implement them, and passing them on would
 * make the apiserver refuse the Deployment. Unknown fields pass (the apiserver prunes or rejects
 * them).
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
import {
  canonicalQuantity,
  checkPodTemplateSpec as checkTemplate,
  type PodTemplateCheck,
} from '@mcp-controllers/core';

export type { PodTemplateCheck };

type Json = Record<string, unknown>;

/** A pod template as the builders emit it. */
export interface PodTemplate {
  metadata: { labels: Record<string, string>; annotations: Record<string, string> };
  spec: Json;
}

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isAbsent = (value: unknown): value is null | undefined => value === undefined || value === null;

// --- Checking ------------------------------------------------------------------------------------

/** Whether `template` (the stored `spec.podTemplateSpec`) can be merged; undefined is fine. */
export function checkPodTemplateSpec(template: Json | undefined): PodTemplateCheck {
  return checkTemplate(template, { refuseDirectives: true });
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
