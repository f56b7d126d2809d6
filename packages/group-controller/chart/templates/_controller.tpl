{{- /* The kinds mcp-group-controller watches (NOTES, here and in the umbrella chart). */ -}}
{{- define "group-controller.watches" -}}
MCPGroup, MCPServer, MCPRemoteProxy, MCPServerEntry
{{- end -}}

{{- /*
Exactly what mcp-group-controller does: read MCPGroups and their member kinds through watches, write
MCPGroup status, record Events, and patch an MCPGroup being deleted to remove ToolHive's legacy
finalizer (toolhive.stacklok.dev/mcpgroup-finalizer). It writes nothing else. The library renders
these rules into a ClusterRole, or into a Role per watched namespace.
*/ -}}
{{- define "group-controller.rules" -}}
- apiGroups: [toolhive.stacklok.dev]
  resources: [mcpgroups, mcpservers, mcpremoteproxies, mcpserverentries]
  verbs: [get, list, watch]
- apiGroups: [toolhive.stacklok.dev]
  resources: [mcpgroups/status]
  verbs: [update, patch]
# Only to remove the legacy finalizer from groups being deleted (a guarded JSON patch).
- apiGroups: [toolhive.stacklok.dev]
  resources: [mcpgroups]
  verbs: [patch]
- apiGroups: [events.k8s.io]
  resources: [events]
  verbs: [create, patch]
{{- end -}}
