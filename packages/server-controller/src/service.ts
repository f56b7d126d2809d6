/**
 * The proxy Service `mcp-<n>-proxy` of MCPServer `<n>` (ToolHive's serviceForMCPServer, runtime-formats
 * b.1): ClusterIP, selecting the proxy pods by `serverLabels`, port `http` proxyPort -> proxyPort/TCP,
 * `sessionAffinity` from the spec, labels and annotations from `resourceOverrides.proxyService`
 * (ours win on a clash). Pure; owner references are the reconcile's.
 *
 * Stored-shape notes: `protocol: TCP` is a key of the ports list-map (server-side apply on v1.20
 * fails without it); `targetPort` is a number (an IntOrString, compared with ===). The apiserver's
 * `clusterIP` and, for `ClientIP`, `sessionAffinityConfig` (10800 s) are left to it; it drops the
 * latter itself on a switch to `None`.
 */
import type { KubeObject } from '@mcp-controllers/core';
import { mergeOver, serverLabels, serverNames, sortedMap } from './names.js';
import type { Server } from './types.js';

export function proxyService(server: Server): KubeObject {
  const { name, namespace } = server.metadata;
  const labels = serverLabels(name);
  const overrides = server.spec.resourceOverrides?.proxyService;
  const annotations = sortedMap(overrides?.annotations);
  const port = server.spec.proxyPort;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: serverNames(name).proxyService,
      namespace,
      labels: mergeOver(labels, overrides?.labels),
      ...(annotations ? { annotations } : {}),
    },
    spec: {
      type: 'ClusterIP',
      selector: labels,
      ports: [{ name: 'http', port, targetPort: port, protocol: 'TCP' }],
      sessionAffinity: server.spec.sessionAffinity,
    },
  };
}
