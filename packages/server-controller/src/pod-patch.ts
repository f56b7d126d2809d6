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
 * Failure: `{ok: false, message}` when the template does not fit a PodTemplateSpec where it matters
 * (core's `checkPodTemplateSpec`), e.g. `spec.podTemplateSpec.spec.containers[0].name: expected string, got number` (every problem,
 * `; `-separated). The reconcile reports it as `PodTemplateValid=False` / `InvalidPodTemplateSpec`
 * and rolls nothing out. ToolHive's check is Go's unmarshal into `corev1.PodTemplateSpec` (types
 * only); this one also requires the names an apiserver would require later (containers, env,
 * volumes, volume mounts, container ports), so the mistake shows on the MCPServer instead of as a
 * runner that cannot create its StatefulSet. Unknown fields pass through.
 *
 * Output is deterministic and, for what ToolHive itself produces, byte-identical to its Go
 * `json.Marshal` (core's `canonicalPodTemplateSpec`, then Go's escapes): known fields in Go's field order, maps and unknown fields in sorted key order,
 * `null` members dropped, `metadata`/`spec` always present, `containers` always present (`null` for
 * a template without any, as Go writes a nil list), `resources: {}` on every container, quantities
 * in canonical form, `<`, `>`, `&` escaped. Byte-identity spares a server moved over from ToolHive's
 * operator a rollout; for everything else only determinism matters. The minimal patch is
 * `{"metadata":{},"spec":{"containers":[],"serviceAccountName":"<n>-sa"}}`.
 */
import { canonicalPodTemplateSpec, checkPodTemplateSpec } from '@mcp-controllers/core';
import { serverNames } from './names.js';
import type { Server } from './types.js';

type Json = Record<string, unknown>;

export type PodPatchResult = { ok: true; json: string } | { ok: false; message: string };

/** The container the secrets go to: the MCP server's, in the runner's StatefulSet. */
export const mcpContainerName = 'mcp';

// --- Serialising ---------------------------------------------------------------------------------

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
  // `$patch` and other strategic-merge directives pass as unknown fields, as in ToolHive's check.
  const checked = checkPodTemplateSpec(template);
  if (!checked.ok) return checked;
  // Without a template ToolHive starts from an empty one with an empty container list.
  const patch = canonicalPodTemplateSpec(template ?? { spec: { containers: [] } }) as Json & { spec: Json };
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
  return { ok: true, json: goJson(canonicalPodTemplateSpec(patch)) };
}
