/**
 * The security contexts of a pod that meets the `restricted` Pod Security Standard on vanilla
 * Kubernetes (ToolHive's SecurityContextBuilder outside OpenShift): non-root as UID/GID 1000 (the
 * user of the images the controllers run), no privilege escalation, every capability dropped, a
 * read-only root filesystem, the runtime's default seccomp profile. Pure.
 *
 * Each call returns a fresh object, so a builder may hand it out and a caller may change its copy.
 * Every field is written as the apiserver stores it, so a server-side apply of a workload that holds
 * them shows no drift.
 */

/** `spec.template.spec.securityContext`. */
export type RestrictedPodSecurityContext = {
  runAsNonRoot: true;
  runAsUser: number;
  runAsGroup: number;
  fsGroup: number;
  seccompProfile: { type: 'RuntimeDefault' };
};

/** A container's `securityContext`. */
export type RestrictedContainerSecurityContext = {
  capabilities: { drop: ['ALL'] };
  privileged: false;
  runAsUser: number;
  runAsGroup: number;
  runAsNonRoot: true;
  readOnlyRootFilesystem: true;
  allowPrivilegeEscalation: false;
  seccompProfile: { type: 'RuntimeDefault' };
};

/** The UID and GID the pods run as. */
export const restrictedUser = 1000;

export function restrictedPodSecurityContext(): RestrictedPodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: restrictedUser,
    runAsGroup: restrictedUser,
    fsGroup: restrictedUser,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

export function restrictedContainerSecurityContext(): RestrictedContainerSecurityContext {
  return {
    capabilities: { drop: ['ALL'] },
    privileged: false,
    runAsUser: restrictedUser,
    runAsGroup: restrictedUser,
    runAsNonRoot: true,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}
