{{- /*
Render-time checks of combinations the values schema cannot express. Each fails the render with a
message that says what to change.
*/ -}}
{{- define "controller-lib.validate" -}}
{{- $v := .top.Values -}}
{{- if and (gt (int $v.replicaCount) 1) (not $v.leaderElection.enabled) -}}
{{- fail (printf "replicaCount is %d but leaderElection.enabled is false: replicas would reconcile the same objects at once. Enable leader election or set replicaCount to 1." (int $v.replicaCount)) -}}
{{- end -}}
{{- if eq (int $v.metrics.port) (int $v.healthProbe.port) -}}
{{- fail (printf "metrics.port and healthProbe.port are both %d: the two servers cannot bind the same port. Set them to different ports." (int $v.metrics.port)) -}}
{{- end -}}
{{- if and $v.metrics.serviceMonitor.enabled (not $v.metrics.service.enabled) -}}
{{- fail "metrics.serviceMonitor.enabled needs metrics.service.enabled: the ServiceMonitor selects the metrics Service. Enable the Service or disable the ServiceMonitor." -}}
{{- end -}}
{{- $pdb := $v.podDisruptionBudget -}}
{{- if and $pdb.enabled (hasKey $pdb "minAvailable") (hasKey $pdb "maxUnavailable") -}}
{{- fail "podDisruptionBudget: set minAvailable or maxUnavailable, not both." -}}
{{- end -}}
{{- end -}}
