{{- /* The kinds mcp-telemetry-controller watches (NOTES, here and in the umbrella chart). */ -}}
{{- define "telemetry-controller.watches" -}}
MCPTelemetryConfig, MCPServer, MCPRemoteProxy, VirtualMCPServer
{{- end -}}

{{- /*
Exactly what mcp-telemetry-controller does: watch MCPTelemetryConfigs and the three workload kinds
that reference them, write MCPTelemetryConfig status and its own finalizer, record Events. The
library renders these rules into a ClusterRole, or into a Role per watched namespace.
*/ -}}
{{- define "telemetry-controller.rules" -}}
- apiGroups: [toolhive.stacklok.dev]
  resources: [mcptelemetryconfigs]
  verbs: [get, list, watch, update, patch]
- apiGroups: [toolhive.stacklok.dev]
  resources: [mcptelemetryconfigs/status]
  verbs: [update, patch]
- apiGroups: [toolhive.stacklok.dev]
  resources: [mcptelemetryconfigs/finalizers]
  verbs: [update]
- apiGroups: [toolhive.stacklok.dev]
  resources: [mcpservers, mcpremoteproxies, virtualmcpservers]
  verbs: [get, list, watch]
- apiGroups: [events.k8s.io]
  resources: [events]
  verbs: [create, patch]
{{- end -}}
