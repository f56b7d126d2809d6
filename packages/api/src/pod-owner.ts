/**
 * Which workload a pod that ToolHive's operator labels belongs to (its `labelsForMCPServer`,
 * `labelsForVirtualMCPServer`): a pod with `app.kubernetes.io/name: <appName>` and `toolhive: true`
 * belongs to the workload its `app.kubernetes.io/instance` label names (else its `toolhive-name`).
 * Pure; any other pod belongs to none, and nothing throws.
 */

/**
 * The queue key (`namespace/name`) of the workload of `appName` (`mcpserver`, `virtualmcpserver`) that
 * `pod` belongs to, as a one-element list; empty for any other pod. Serves as a pod index's indexer
 * and as the mapper of a watch on pods alike.
 */
export function toolhivePodOwnerKeys(
  pod: { metadata: { namespace?: string; labels?: Record<string, string> } },
  appName: string,
): string[] {
  const labels = pod.metadata.labels ?? {};
  if (labels['app.kubernetes.io/name'] !== appName || labels.toolhive !== 'true') return [];
  const instance = labels['app.kubernetes.io/instance'] ?? labels['toolhive-name'];
  return instance ? [`${pod.metadata.namespace ?? ''}/${instance}`] : [];
}
