/**
 * The RunConfig's `permission_profile_name_or_path` and `permission_profile`, resolved as ToolHive's
 * RunConfig builder does for an MCPServer (toolhive-core `permissions`, `loadPermissionProfile`,
 * `processVolumeMounts`). Pure.
 *
 * - No `spec.permissionProfile`: the builtin `network` profile, and no name or path.
 * - `builtin` `network`: that profile; `none` (and `stdio`, its old alias): the profile that allows
 *   nothing. The name is written too.
 * - `configmap` (or a builtin name ToolHive does not know): the name or path is written
 *   (`/etc/toolhive/profiles/<key>` for a ConfigMap, the mount the Deployment adds) and the profile
 *   is `null`. ToolHive's operator instead tries to read that path from its own file system, where it
 *   does not exist, and fails the whole reconcile. The proxy runner's Kubernetes runtime ignores the
 *   profile (toolhive `pkg/container/kubernetes`), so `null` runs the server where ToolHive would not.
 *
 * Host volumes are then added to the profile's `read` (`:ro`) or `write` list as `host:mount`, skipping
 * a mount target the profile already has, as the builder does.
 */
import type { ServerSpec } from './types.js';

export const permissionProfileMountPath = '/etc/toolhive/profiles';

/** A profile in the RunConfig's JSON shape; keys in the order of toolhive-core's `Profile`. */
export interface PermissionProfile {
  name: string;
  read?: string[];
  write?: string[];
  network: {
    outbound: { insecure_allow_all?: true };
    inbound: Record<string, never>;
  };
}

/** The profile name (or file path) to write, if any. */
export function permissionProfileNameOrPath(spec: ServerSpec): string | undefined {
  const profile = spec.permissionProfile;
  if (!profile) return undefined;
  const value =
    profile.type === 'configmap' ? `${permissionProfileMountPath}/${profile.key ?? ''}` : profile.name;
  // `omitempty`: an empty builtin name writes nothing and falls back to the default below.
  return value || undefined;
}

/** The resolved profile with the host volumes added, or null where ToolHive would read a file. */
export function permissionProfile(spec: ServerSpec): PermissionProfile | null {
  const nameOrPath = permissionProfileNameOrPath(spec);
  const profile = builtinProfile(nameOrPath ?? 'network');
  if (!profile) return null;
  const targets = new Set<string>();
  const read: string[] = [];
  const write: string[] = [];
  for (const volume of spec.volumes ?? []) {
    const target = cleanPath(volume.mountPath);
    if (targets.has(target)) continue;
    targets.add(target);
    (volume.readOnly ? read : write).push(`${volume.hostPath}:${volume.mountPath}`);
  }
  return {
    name: profile.name,
    ...(read.length ? { read } : {}),
    ...(write.length ? { write } : {}),
    network: profile.network,
  };
}

function builtinProfile(name: string): PermissionProfile | undefined {
  switch (name) {
    case 'none':
    case 'stdio':
      return { name: 'none', network: { outbound: {}, inbound: {} } };
    case 'network':
      return { name: 'network', network: { outbound: { insecure_allow_all: true }, inbound: {} } };
    default:
      return undefined;
  }
}

/** Go's `path.Clean`, which the builder applies to a mount target before comparing. */
export function cleanPath(path: string): string {
  if (path === '') return '.';
  const rooted = path.startsWith('/');
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(part);
  }
  const joined = out.join('/');
  if (rooted) return `/${joined}`;
  return joined || '.';
}
