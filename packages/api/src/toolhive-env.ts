/**
 * Env that ToolHive's operator puts into every workload container it builds (the MCPServer's proxy
 * runner, the VirtualMCPServer's vmcp), in its order. Pure; nothing throws.
 *
 * - `sessionRedisPasswordEnv`: `THV_SESSION_REDIS_PASSWORD` from the Secret key `passwordRef` names,
 *   when `spec.sessionStorage` is Redis with a password; the value is never read, only referenced.
 * - `toolhiveDefaultEnv`: what the operator appends after the workload's own env: each of
 *   `XDG_CONFIG_HOME=/tmp`, `HOME=/tmp`, `TOOLHIVE_RUNTIME=kubernetes`, `UNSTRUCTURED_LOGS=false` the
 *   env does not set, then `TOOLHIVE_SECRETS_PROVIDER=environment` when a `TOOLHIVE_SECRET_*`
 *   variable is set (those values are resolved by the environment provider only, so it overrides a
 *   provider set before; the caller settles the repeated name, last value wins).
 */

/** The Redis password env of `spec.sessionStorage`; empty unless it is Redis with a `passwordRef`. */
export function sessionRedisPasswordEnv(
  sessionStorage: { provider?: string; passwordRef?: { name: string; key: string } } | undefined,
): { name: string; valueFrom: { secretKeyRef: { name: string; key: string } } }[] {
  if (sessionStorage?.provider !== 'redis' || !sessionStorage.passwordRef) return [];
  const { name, key } = sessionStorage.passwordRef;
  return [{ name: 'THV_SESSION_REDIS_PASSWORD', valueFrom: { secretKeyRef: { name, key } } }];
}

const secretPrefix = 'TOOLHIVE_SECRET_';
const secretsProvider = 'TOOLHIVE_SECRETS_PROVIDER';
const defaults = [
  ['XDG_CONFIG_HOME', '/tmp'],
  ['HOME', '/tmp'],
  ['TOOLHIVE_RUNTIME', 'kubernetes'],
  ['UNSTRUCTURED_LOGS', 'false'],
] as const;

/** What ToolHive appends to a workload container's `env` (see the module comment), in its order. */
export function toolhiveDefaultEnv(env: readonly { name: string }[]): { name: string; value: string }[] {
  const set = new Set(env.map((e) => e.name));
  const appended: { name: string; value: string }[] = defaults
    .filter(([name]) => !set.has(name))
    .map(([name, value]) => ({ name, value }));
  if ([...set].some((name) => name.startsWith(secretPrefix) && name !== secretsProvider)) {
    appended.push({ name: secretsProvider, value: 'environment' });
  }
  return appended;
}
