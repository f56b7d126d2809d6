{{- define "controller-lib.serviceAccount" -}}
{{- $v := .top.Values -}}
{{- if $v.serviceAccount.create }}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "controller-lib.serviceAccountName" . }}
  namespace: {{ .top.Release.Namespace }}
  labels:
    {{- include "controller-lib.labels" . | nindent 4 }}
  {{- with $v.serviceAccount.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}
{{- end -}}
