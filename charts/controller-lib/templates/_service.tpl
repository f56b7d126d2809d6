{{- define "controller-lib.metricsService" -}}
{{- $v := .top.Values -}}
{{- if $v.metrics.service.enabled }}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "controller-lib.fullname" . }}-metrics
  namespace: {{ .top.Release.Namespace }}
  labels:
    {{- include "controller-lib.labels" . | nindent 4 }}
spec:
  type: {{ $v.metrics.service.type }}
  selector:
    {{- include "controller-lib.selectorLabels" . | nindent 4 }}
  ports:
    - name: metrics
      port: {{ $v.metrics.port }}
      targetPort: metrics
      protocol: TCP
{{- end }}
{{- end -}}

{{- /* Needs the monitoring.coreos.com CRDs (prometheus-operator). */ -}}
{{- define "controller-lib.serviceMonitor" -}}
{{- $v := .top.Values -}}
{{- $sm := $v.metrics.serviceMonitor -}}
{{- if $sm.enabled }}
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: {{ include "controller-lib.fullname" . }}
  namespace: {{ .top.Release.Namespace }}
  labels:
    {{- include "controller-lib.labels" . | nindent 4 }}
    {{- with $sm.labels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  selector:
    matchLabels:
      {{- include "controller-lib.selectorLabels" . | nindent 6 }}
  namespaceSelector:
    matchNames: [{{ .top.Release.Namespace }}]
  endpoints:
    - port: metrics
      path: /metrics
      interval: {{ $sm.interval }}
      {{- with $sm.scrapeTimeout }}
      scrapeTimeout: {{ . }}
      {{- end }}
{{- end }}
{{- end -}}

{{- define "controller-lib.podDisruptionBudget" -}}
{{- $pdb := .top.Values.podDisruptionBudget -}}
{{- if $pdb.enabled }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "controller-lib.fullname" . }}
  namespace: {{ .top.Release.Namespace }}
  labels:
    {{- include "controller-lib.labels" . | nindent 4 }}
spec:
  selector:
    matchLabels:
      {{- include "controller-lib.selectorLabels" . | nindent 6 }}
  {{- if hasKey $pdb "maxUnavailable" }}
  maxUnavailable: {{ $pdb.maxUnavailable }}
  {{- else }}
  minAvailable: {{ default 1 $pdb.minAvailable }}
  {{- end }}
{{- end }}
{{- end -}}
