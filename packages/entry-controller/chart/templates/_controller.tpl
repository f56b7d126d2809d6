{{- /* The kinds mcp-entry-controller watches (NOTES, here and in the umbrella chart). */ -}}
{{- define "entry-controller.watches" -}}
MCPServerEntry, MCPGroup, MCPExternalAuthConfig, ConfigMap, Secret
{{- end -}}

{{- /*
Exactly what mcp-entry-controller does: watch MCPServerEntries and what they name (MCPGroups,
MCPExternalAuthConfigs, CA bundle ConfigMaps, header Secrets), write MCPServerEntry status, record
Events. ConfigMaps and Secrets: list and watch only, never get; the controller keeps their key names
and drops every value before it caches them. The library renders these rules into a ClusterRole, or
into a Role per watched namespace.
*/ -}}
{{- define "entry-controller.rules" -}}
- apiGroups: [toolhive.stacklok.dev]
  resources: [mcpserverentries, mcpgroups, mcpexternalauthconfigs]
  verbs: [get, list, watch]
- apiGroups: [toolhive.stacklok.dev]
  resources: [mcpserverentries/status]
  verbs: [update, patch]
- apiGroups: [""]
  resources: [configmaps, secrets]
  verbs: [list, watch]
- apiGroups: [events.k8s.io]
  resources: [events]
  verbs: [create, patch]
{{- end -}}
