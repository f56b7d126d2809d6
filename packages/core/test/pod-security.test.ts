import { describe, expect, it } from 'vitest';
import {
  restrictedContainerSecurityContext,
  restrictedPodSecurityContext,
  restrictedUser,
} from '../src/pod-security.js';

describe('restricted security contexts', () => {
  it('runs the pod as non-root UID/GID 1000 with the runtime default seccomp profile', () => {
    expect(restrictedUser).toBe(1000);
    expect(JSON.stringify(restrictedPodSecurityContext())).toBe(
      '{"runAsNonRoot":true,"runAsUser":1000,"runAsGroup":1000,"fsGroup":1000,' +
        '"seccompProfile":{"type":"RuntimeDefault"}}',
    );
  });

  it('drops every capability and privilege of the container and makes its root filesystem read-only', () => {
    expect(JSON.stringify(restrictedContainerSecurityContext())).toBe(
      '{"capabilities":{"drop":["ALL"]},"privileged":false,"runAsUser":1000,"runAsGroup":1000,' +
        '"runAsNonRoot":true,"readOnlyRootFilesystem":true,"allowPrivilegeEscalation":false,' +
        '"seccompProfile":{"type":"RuntimeDefault"}}',
    );
  });

  it('returns a fresh object on every call', () => {
    const pod = restrictedPodSecurityContext();
    pod.seccompProfile.type = 'Changed' as 'RuntimeDefault';
    pod.runAsUser = 0;
    expect(restrictedPodSecurityContext().seccompProfile).toEqual({ type: 'RuntimeDefault' });
    expect(restrictedPodSecurityContext().runAsUser).toBe(1000);
    const container = restrictedContainerSecurityContext();
    (container.capabilities.drop as string[]).push('NET_RAW');
    container.seccompProfile.type = 'Changed' as 'RuntimeDefault';
    expect(restrictedContainerSecurityContext().capabilities).toEqual({ drop: ['ALL'] });
    expect(restrictedContainerSecurityContext().seccompProfile).toEqual({ type: 'RuntimeDefault' });
  });
});
