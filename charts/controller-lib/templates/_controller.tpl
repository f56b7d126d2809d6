{{- /*
Every object of a controller chart, from its one template:
  {{ include "controller-lib.controller" (dict "top" . "controller" "<chart name>") }}
The chart defines "<chart name>.rules" (its RBAC rules) and "<chart name>.watches" (the kinds it
watches, for NOTES). A controller that needs env of its own, derived from its values, passes it as a
YAML list of EnvVars under the optional key "env":
  {{ include "controller-lib.controller" (dict "top" . "controller" "<chart name>" "env" (include "<chart name>.env" .)) }}
it is rendered after POD_NAMESPACE and before extraEnv. Fails the render on invalid combinations (see
controller-lib.validate).
*/ -}}
{{- define "controller-lib.controller" -}}
{{- include "controller-lib.validate" . }}
{{- include "controller-lib.serviceAccount" . }}
{{- include "controller-lib.rbac" . }}
---
{{ include "controller-lib.deployment" . }}
{{- with include "controller-lib.metricsService" . }}
---
{{- . }}
{{- end }}
{{- with include "controller-lib.serviceMonitor" . }}
---
{{- . }}
{{- end }}
{{- with include "controller-lib.podDisruptionBudget" . }}
---
{{- . }}
{{- end }}
{{- end -}}

{{- /* One line of NOTES: what the controller watches, where. Used by the umbrella chart too. */ -}}
{{- define "controller-lib.watchSummary" -}}
{{- $v := .top.Values -}}
{{- printf "mcp-%s watches %s in " .controller (include (printf "%s.watches" .controller) .top) -}}
{{- if $v.watchNamespaces -}}
namespaces {{ join ", " $v.watchNamespaces }} (Roles in those namespaces only)
{{- else -}}
all namespaces
{{- end -}}
{{- end -}}

{{- define "controller-lib.notes" -}}
{{- $v := .top.Values -}}
{{ include "controller-lib.watchSummary" . }}.
It runs as Deployment {{ include "controller-lib.fullname" . }} in namespace {{ .top.Release.Namespace }}
{{- if $v.leaderElection.enabled }}, electing a leader through Lease {{ include "controller-lib.leaderElectionId" . }}{{ end }}.
It needs the CRDs of the kinds it watches (chart mcp-controllers-crds, installed once per cluster).

  kubectl -n {{ .top.Release.Namespace }} logs deploy/{{ include "controller-lib.fullname" . }}
{{- end -}}
