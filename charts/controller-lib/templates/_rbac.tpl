{{- /*
RBAC from the controller's own rules (the define "<controller>.rules", a YAML list of PolicyRules).
All namespaces: one ClusterRole and ClusterRoleBinding. With watchNamespaces set (Role-only mode): a
Role and RoleBinding in each watched namespace and no cluster-scoped object at all, so a namespace
admin can review everything the controller may do. Leader election: a Role for Leases in the release
namespace, reading and renewing only the one named by --leader-election-id. rbac.create=false renders none of these (bring your own, bound to the ServiceAccount).
*/ -}}
{{- define "controller-lib.rbac" -}}
{{- $ctx := . -}}
{{- $top := .top -}}
{{- $v := $top.Values -}}
{{- if $v.rbac.create }}
{{- $name := include "controller-lib.fullname" . -}}
{{- $rules := include (printf "%s.rules" .controller) $top -}}
{{- $subject := dict "kind" "ServiceAccount" "name" (include "controller-lib.serviceAccountName" .) "namespace" $top.Release.Namespace -}}
{{- if $v.watchNamespaces }}
{{- range $v.watchNamespaces }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: {{ $name }}
  namespace: {{ . }}
  labels:
    {{- include "controller-lib.labels" $ctx | nindent 4 }}
rules:
  {{- $rules | nindent 2 }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: {{ $name }}
  namespace: {{ . }}
  labels:
    {{- include "controller-lib.labels" $ctx | nindent 4 }}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: {{ $name }}
subjects:
  {{- toYaml (list $subject) | nindent 2 }}
{{- end }}
{{- else }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: {{ $name }}
  labels:
    {{- include "controller-lib.labels" . | nindent 4 }}
rules:
  {{- $rules | nindent 2 }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: {{ $name }}
  labels:
    {{- include "controller-lib.labels" . | nindent 4 }}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: {{ $name }}
subjects:
  {{- toYaml (list $subject) | nindent 2 }}
{{- end }}
{{- if $v.leaderElection.enabled }}
---
# Leader election: the Lease lives in the release namespace.
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: {{ $name }}-leader-election
  namespace: {{ $top.Release.Namespace }}
  labels:
    {{- include "controller-lib.labels" . | nindent 4 }}
rules:
  # Creating cannot be limited to a name (the object does not exist yet); reading and renewing can.
  - apiGroups: [coordination.k8s.io]
    resources: [leases]
    verbs: [create]
  - apiGroups: [coordination.k8s.io]
    resources: [leases]
    resourceNames: [{{ include "controller-lib.leaderElectionId" $ctx | quote }}]
    verbs: [get, update]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: {{ $name }}-leader-election
  namespace: {{ $top.Release.Namespace }}
  labels:
    {{- include "controller-lib.labels" . | nindent 4 }}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: {{ $name }}-leader-election
subjects:
  {{- toYaml (list $subject) | nindent 2 }}
{{- end }}
{{- end }}
{{- end -}}
