{{- /* The kinds mcp-server-controller watches (NOTES, here and in the umbrella chart). */ -}}
{{- define "server-controller.watches" -}}
MCPServer, MCPGroup, MCPTelemetryConfig, Deployment, Service, ConfigMap, ServiceAccount, Role, RoleBinding, StatefulSet, Pod
{{- end -}}

{{- /*
Env of the controller container, added by the library after POD_NAMESPACE and before extraEnv.
TOOLHIVE_RUNNER_IMAGE is the variable ToolHive's operator reads for the same purpose: the image of
the proxy runner every MCPServer's Deployment runs.
*/ -}}
{{- define "server-controller.env" -}}
- name: TOOLHIVE_RUNNER_IMAGE
  value: {{ .Values.runner.image | quote }}
{{- end -}}

{{- /*
Exactly what mcp-server-controller does: watch MCPServers and what they name (MCPGroups,
MCPTelemetryConfigs), server-side apply the objects each MCPServer owns (RunConfig ConfigMap, proxy
Deployment, Service, ServiceAccounts, the proxy runner's Role and RoleBinding), read the pods and the
runner's StatefulSet for status, delete what the runner created without owner references when an
MCPServer goes, write MCPServer status and its finalizer, record Events. Secrets: none; secret
values reach pods as secretKeyRefs, never through the controller. The library renders these rules
into a ClusterRole, or into a Role per watched namespace.

Owned objects are written with server-side apply, which is a PATCH; each also needs create, because
the apiserver authorises an apply that creates the object as create too (without it the chart test's
apply of the runner's Role is refused with 403).

The proxy runner's Role (<name>-proxy-runner, ToolHive's defaultRBACRules) is created by this
controller, and Kubernetes' RBAC escalation prevention lets a subject create or update a Role only
with rules it holds itself (without the escalate verb, which it must not have): so every rule of that
Role (statefulsets and services full CRUD; pods get, list, watch; pods/log get; pods/attach create,
get; configmaps get, list, watch) is also here, merged into the rules below. The chart test checks
the union against the runner's rules.
*/ -}}
{{- define "server-controller.rules" -}}
# MCPServers: watched; patched only to add and remove our finalizer (a guarded JSON patch).
- apiGroups: [toolhive.stacklok.dev]
  resources: [mcpservers]
  verbs: [get, list, watch, patch]
- apiGroups: [toolhive.stacklok.dev]
  resources: [mcpservers/status]
  verbs: [update, patch]
# Owner references with blockOwnerDeletion: true on the objects an MCPServer owns need update on its
# finalizers subresource where the OwnerReferencesPermissionEnforcement admission plugin is on
# (e.g. OpenShift).
- apiGroups: [toolhive.stacklok.dev]
  resources: [mcpservers/finalizers]
  verbs: [update]
# What an MCPServer names: GroupRefValidated from the MCPGroup's status, telemetry from the
# MCPTelemetryConfig's spec and status.configHash. Read only.
- apiGroups: [toolhive.stacklok.dev]
  resources: [mcpgroups, mcptelemetryconfigs]
  verbs: [get, list, watch]
# Owned: the RunConfig ConfigMap <name>-runconfig and the ServiceAccounts <name>-proxy-runner and
# <name>-sa. ConfigMaps get, list, watch: also a rule of the runner's Role.
- apiGroups: [""]
  resources: [configmaps, serviceaccounts]
  verbs: [get, list, watch, create, patch, delete]
# Owned: the proxy Service mcp-<name>-proxy. Deleted at clean-up: mcp-<name> and mcp-<name>-headless,
# which the runner creates without owner references. update: a rule of the runner's Role.
- apiGroups: [""]
  resources: [services]
  verbs: [get, list, watch, create, update, patch, delete]
# Owned: the proxy Deployment <name>.
- apiGroups: [apps]
  resources: [deployments]
  verbs: [get, list, watch, create, patch, delete]
# The runner's StatefulSet <name>: watched for status (missing -> Pending), deleted at clean-up (the
# runner sets no owner reference). create, update, patch: rules of the runner's Role.
- apiGroups: [apps]
  resources: [statefulsets]
  verbs: [get, list, watch, create, update, patch, delete]
# Owned: the runner's Role and RoleBinding <name>-proxy-runner.
- apiGroups: [rbac.authorization.k8s.io]
  resources: [roles, rolebindings]
  verbs: [get, list, watch, create, patch, delete]
# Pods of the proxy Deployment: phase, readyReplicas and message from their state. pods/log and
# pods/attach are only here because the runner's Role grants them (see above); the controller itself
# never reads logs or attaches.
- apiGroups: [""]
  resources: [pods]
  verbs: [get, list, watch]
- apiGroups: [""]
  resources: [pods/log]
  verbs: [get]
- apiGroups: [""]
  resources: [pods/attach]
  verbs: [create, get]
- apiGroups: [events.k8s.io]
  resources: [events]
  verbs: [create, patch]
{{- end -}}
