{{- /* The kinds mcp-vmcp-controller watches (NOTES, here and in the umbrella chart). */ -}}
{{- define "vmcp-controller.watches" -}}
VirtualMCPServer, MCPGroup, MCPServer, MCPRemoteProxy, MCPServerEntry, MCPTelemetryConfig, Deployment, Service, ConfigMap, Secret, ServiceAccount, Role, RoleBinding, Pod
{{- end -}}

{{- /*
Env of the controller container, added by the library after POD_NAMESPACE and before extraEnv.
VMCP_IMAGE is the variable ToolHive's operator reads for the same purpose: the image every
VirtualMCPServer's Deployment runs.
*/ -}}
{{- define "vmcp-controller.env" -}}
- name: VMCP_IMAGE
  value: {{ .Values.vmcp.image | quote }}
{{- end -}}

{{- /*
Exactly what mcp-vmcp-controller does: watch VirtualMCPServers and what they aggregate or name
(MCPGroups, the group's MCPServers, MCPRemoteProxies and MCPServerEntries, MCPTelemetryConfigs),
server-side apply the objects each VirtualMCPServer owns (config ConfigMap, Deployment, Service, the
vmcp's ServiceAccount, Role and RoleBinding, the session HMAC Secret), read the pods for status,
write VirtualMCPServer status, record Events. No finalizer: everything it makes carries an owner
reference, so the garbage collector removes it with the VirtualMCPServer. The library renders these
rules into a ClusterRole, or into a Role per watched namespace.

Owned objects are written with server-side apply, which is a PATCH; each also needs create, because
the apiserver authorises an apply that creates the object as create too. No delete anywhere: the
controller deletes nothing (its objects go with their VirtualMCPServer through the garbage
collector), so it may not.

The vmcp's Role (<name>-vmcp, ToolHive's vmcpDiscoveredRules in the default discovered mode,
vmcpInlineRules, a subset, in inline mode) is created by this controller, and Kubernetes' RBAC
escalation prevention lets a subject create or update a Role only with rules it holds itself
(without the escalate verb, which it must not have): so every rule of that Role (configmaps and
secrets get, list, watch; mcpgroups, mcpservers, mcpremoteproxies, mcpserverentries,
mcpexternalauthconfigs, mcptoolconfigs get, list, watch; virtualmcpservers get;
virtualmcpservers/status update, patch) is also here, merged into the rules below. The chart test
checks the union against both rule sets.
*/ -}}
{{- define "vmcp-controller.rules" -}}
# VirtualMCPServers: watched, never patched (no finalizer).
- apiGroups: [toolhive.stacklok.dev]
  resources: [virtualmcpservers]
  verbs: [get, list, watch]
# Only the fields and conditions it owns; the vmcp runtime writes the rest of the status (a rule of the
# vmcp's Role too).
- apiGroups: [toolhive.stacklok.dev]
  resources: [virtualmcpservers/status]
  verbs: [update, patch]
# Owner references with blockOwnerDeletion: true on the objects a VirtualMCPServer owns need update on
# its finalizers subresource where the OwnerReferencesPermissionEnforcement admission plugin is on
# (e.g. OpenShift).
- apiGroups: [toolhive.stacklok.dev]
  resources: [virtualmcpservers/finalizers]
  verbs: [update]
# What a VirtualMCPServer names or aggregates: GroupRefValidated and the members from the MCPGroup's
# status, each member's URL, transport and state, telemetry from the MCPTelemetryConfig's spec and
# status.configHash. Read only.
- apiGroups: [toolhive.stacklok.dev]
  resources: [mcpgroups, mcpservers, mcpremoteproxies, mcpserverentries, mcptelemetryconfigs]
  verbs: [get, list, watch]
# Never read by the controller: only here because the vmcp's Role grants them (see above); the vmcp
# runtime resolves outgoing auth and tool configs itself in discovered mode.
- apiGroups: [toolhive.stacklok.dev]
  resources: [mcpexternalauthconfigs, mcptoolconfigs]
  verbs: [get, list, watch]
# Owned: the config ConfigMap <name>-vmcp-config (key config.yaml). get, list, watch: also a rule of
# the vmcp's Role.
- apiGroups: [""]
  resources: [configmaps]
  verbs: [get, list, watch, create, patch]
# Owned: the session HMAC Secret <name>-hmac-secret, created once and never updated (a new key would
# end every open session); read with one uncached get to validate it, as the cache keeps Secrets' key
# names only (and nothing at all of Secrets it does not own). list, watch: the cache, and a rule of the
# vmcp's Role.
- apiGroups: [""]
  resources: [secrets]
  verbs: [get, list, watch, create, patch]
# Owned: the Service vmcp-<name> and the ServiceAccount <name>-vmcp (none when spec.serviceAccount
# names an account).
- apiGroups: [""]
  resources: [services, serviceaccounts]
  verbs: [get, list, watch, create, patch]
# Owned: the vmcp Deployment <name>; spec.replicas, when the spec sets it, by a second apply of its own.
- apiGroups: [apps]
  resources: [deployments]
  verbs: [get, list, watch, create, patch]
# Owned: the vmcp's Role and RoleBinding <name>-vmcp (none when spec.serviceAccount names an account).
- apiGroups: [rbac.authorization.k8s.io]
  resources: [roles, rolebindings]
  verbs: [get, list, watch, create, patch]
# Pods of the vmcp Deployment: phase and message from their state (the cache keeps only that).
- apiGroups: [""]
  resources: [pods]
  verbs: [get, list, watch]
# Events on VirtualMCPServers (HMACSecretCreated, HMACSecretValidationFailed, ...); a repeat patches
# the series. The Lease of leader election is the library's own Role.
- apiGroups: [events.k8s.io]
  resources: [events]
  verbs: [create, patch]
{{- end -}}
