/**
 * A container's HTTP GET probe (liveness, readiness, startup), written as the apiserver stores it
 * when the fields it defaults (`scheme: HTTP`, `successThreshold: 1`) are left to it: a server-side
 * apply of a workload holding it shows no drift. Pure; each call returns a fresh object.
 */

/** When and how often the kubelet probes; an absent `initialDelaySeconds` is the apiserver's 0. */
export type ProbeTiming = {
  initialDelaySeconds?: number;
  periodSeconds: number;
  timeoutSeconds: number;
  failureThreshold: number;
};

export type HttpGetProbe = { httpGet: { path: string; port: string | number } } & ProbeTiming;

/** `GET <path>` on `port` (a container port's name or number), on the given timing. */
export function httpGetProbe(path: string, port: string | number, timing: ProbeTiming): HttpGetProbe {
  return { httpGet: { path, port }, ...timing };
}
