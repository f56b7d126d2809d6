/**
 * Kubernetes `MicroTime` (Lease acquire/renew times, events.k8s.io eventTime) must carry exactly six
 * fractional digits; `Date#toISOString()` gives three, which the apiserver rejects with a 400.
 */
export function microTime(date: Date = new Date()): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** Kubernetes `Time` (conditions' lastTransitionTime): RFC 3339 with whole seconds. */
export function rfc3339(date: Date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
