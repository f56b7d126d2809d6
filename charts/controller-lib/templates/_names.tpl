{{- /*
Names and labels. Every define here takes the library context: (dict "top" $ "controller" "<name>"),
where $ is the controller chart's root context and <name> its chart name (e.g. group-controller).
*/ -}}

{{- define "controller-lib.fullname" -}}
{{- $v := .top.Values -}}
{{- if $v.fullnameOverride -}}
{{- $v.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .top.Release.Name .controller | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "controller-lib.selectorLabels" -}}
app.kubernetes.io/name: {{ .controller }}
app.kubernetes.io/instance: {{ .top.Release.Name }}
{{- end -}}

{{- /* The standard app.kubernetes.io/* labels, on every object and on the pods. */ -}}
{{- define "controller-lib.labels" -}}
{{ include "controller-lib.selectorLabels" . }}
app.kubernetes.io/version: {{ .top.Chart.AppVersion | quote }}
app.kubernetes.io/component: controller
app.kubernetes.io/part-of: mcp-controllers
app.kubernetes.io/managed-by: {{ .top.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .controller .top.Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "controller-lib.serviceAccountName" -}}
{{- $sa := .top.Values.serviceAccount -}}
{{- if $sa.create -}}
{{- default (include "controller-lib.fullname" .) $sa.name -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false" $sa.name -}}
{{- end -}}
{{- end -}}

{{- /* The Lease name: unique per release by default, so two releases never share a Lease. */ -}}
{{- define "controller-lib.leaderElectionId" -}}
{{- default (include "controller-lib.fullname" .) .top.Values.leaderElection.id -}}
{{- end -}}

{{- /* repository@digest when image.digest is set (it wins over the tag), else repository:tag. */ -}}
{{- define "controller-lib.image" -}}
{{- $img := .top.Values.image -}}
{{- if $img.digest -}}
{{- printf "%s@%s" $img.repository $img.digest -}}
{{- else -}}
{{- printf "%s:%s" $img.repository (default .top.Chart.AppVersion $img.tag) -}}
{{- end -}}
{{- end -}}

{{- /* global.imagePullSecrets (set once in the umbrella chart) merged with the chart's own, as a
YAML list; empty when there are none. */ -}}
{{- define "controller-lib.imagePullSecrets" -}}
{{- $global := list -}}
{{- with .top.Values.global -}}{{- $global = default list .imagePullSecrets -}}{{- end -}}
{{- $all := concat $global (default list .top.Values.imagePullSecrets) | uniq -}}
{{- with $all -}}
{{- toYaml . -}}
{{- end -}}
{{- end -}}
