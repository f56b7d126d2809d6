/**
 * A cache transform for Pods (`CacheOptions.transform`): what a controller's phase reads of a Pod and
 * nothing else, so a cluster's Pods cost little memory. Pure; the result shares nothing mutable with
 * the input but the `labels` map and the container `state` objects (the informer's copy, which nothing
 * else holds).
 *
 * Every Pod keeps `apiVersion`, `kind` and `metadata.{name, namespace, uid, resourceVersion, labels,
 * deletionTimestamp}` (what the store, the watch mapping and the phase need). A Pod whose labels
 * `keepsStatus` accepts (the controller's own) also keeps `status.phase`, `status.containerStatuses[]`
 * as `{ready, state}`, and, when `conditions` is given, `status.conditions[]` of the types it names
 * as `{type, status}`; any other Pod keeps no `status` at all.
 */
import type { KubeObject } from './object.js';

/** The parts of a Pod that `podStatusView` keeps and a phase reads. */
export interface PodView {
  metadata: { deletionTimestamp?: string };
  status?: {
    phase?: string;
    conditions?: { type?: string; status?: string }[];
    containerStatuses?: {
      ready?: boolean;
      state?: { waiting?: { reason?: string }; terminated?: { exitCode?: number; reason?: string } };
    }[];
  };
}

export interface PodViewOptions {
  /** Whether a Pod with these labels is one of the controller's, whose status is kept. */
  keepsStatus: (labels: Readonly<Record<string, string>> | undefined) => boolean;
  /** The condition types kept (`status.conditions` is left out when this is absent). */
  conditions?: readonly string[];
}

/** `pod` reduced to what the module comment lists. */
export function podStatusView(pod: KubeObject, options: PodViewOptions): KubeObject {
  const { name, namespace, uid, resourceVersion, labels, deletionTimestamp } = pod.metadata;
  const status = pod.status as PodView['status'];
  const kept = options.conditions;
  return {
    apiVersion: pod.apiVersion,
    kind: pod.kind,
    metadata: {
      name,
      namespace,
      uid,
      resourceVersion,
      ...(labels !== undefined ? { labels } : {}),
      ...(deletionTimestamp !== undefined ? { deletionTimestamp } : {}),
    },
    ...(status && options.keepsStatus(labels)
      ? {
          status: {
            phase: status.phase,
            ...(kept
              ? {
                  conditions: status.conditions
                    ?.filter((c) => kept.some((type) => type === c.type))
                    .map((c) => ({ type: c.type, status: c.status })),
                }
              : {}),
            containerStatuses: status.containerStatuses?.map((c) => ({ ready: c.ready, state: c.state })),
          },
        }
      : {}),
  };
}
