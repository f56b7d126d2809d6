/**
 * Container env as a workload controller builds it and the apiserver stores it. `EnvVar` has only the
 * forms the builders emit (a value, a Secret's key, a field of the pod through the downward API).
 * `lastValuePerName` settles a name set twice. Pure; nothing throws.
 */

/** A container env var as the apiserver stores it (only the forms the builders emit). */
export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string };
    fieldRef?: { apiVersion: string; fieldPath: string };
  };
}

/**
 * `env` with each name once: a name set twice keeps its last value, in its last place. Kubernetes
 * resolves duplicates the same way, and server-side apply rejects a list with duplicate keys, so a
 * builder passes its env through this last. A new array of the same objects, in the given order.
 */
export function lastValuePerName<E extends { name: string }>(env: readonly E[]): E[] {
  return env.filter((e, i) => !env.slice(i + 1).some((later) => later.name === e.name));
}
