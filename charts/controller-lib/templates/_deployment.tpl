{{- define "controller-lib.deployment" -}}
{{- $ctx := . -}}
{{- $top := .top -}}
{{- $v := $top.Values -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "controller-lib.fullname" . }}
  namespace: {{ $top.Release.Namespace }}
  labels:
    {{- include "controller-lib.labels" . | nindent 4 }}
spec:
  replicas: {{ $v.replicaCount }}
  selector:
    matchLabels:
      {{- include "controller-lib.selectorLabels" . | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "controller-lib.labels" . | nindent 8 }}
        {{- with $v.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- with $v.podAnnotations }}
      annotations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    spec:
      serviceAccountName: {{ include "controller-lib.serviceAccountName" . }}
      {{- with include "controller-lib.imagePullSecrets" . }}
      imagePullSecrets:
        {{- . | nindent 8 }}
      {{- end }}
      {{- with $v.priorityClassName }}
      priorityClassName: {{ . }}
      {{- end }}
      securityContext:
        {{- toYaml $v.podSecurityContext | nindent 8 }}
      terminationGracePeriodSeconds: 40
      containers:
        - name: manager
          image: {{ include "controller-lib.image" . | quote }}
          imagePullPolicy: {{ $v.image.pullPolicy }}
          args:
            - --leader-elect={{ $v.leaderElection.enabled }}
            - --leader-election-id={{ include "controller-lib.leaderElectionId" . }}
            - --metrics-bind-address=:{{ $v.metrics.port }}
            - --health-probe-bind-address=:{{ $v.healthProbe.port }}
            - --log-level={{ $v.logLevel }}
            - --max-concurrent-reconciles={{ $v.maxConcurrentReconciles }}
            {{- with $v.watchNamespaces }}
            - --watch-namespace={{ join "," . }}
            {{- end }}
            {{- range $v.extraArgs }}
            - {{ . | quote }}
            {{- end }}
          env:
            - name: POD_NAMESPACE
              valueFrom:
                fieldRef:
                  fieldPath: metadata.namespace
            {{- /* The controller's own env (optional, see controller-lib.controller), then the user's. */}}
            {{- with $ctx.env }}
            {{- . | nindent 12 }}
            {{- end }}
            {{- with $v.extraEnv }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
          ports:
            - name: metrics
              containerPort: {{ $v.metrics.port }}
              protocol: TCP
            - name: health
              containerPort: {{ $v.healthProbe.port }}
              protocol: TCP
          livenessProbe:
            httpGet:
              path: /healthz
              port: health
            initialDelaySeconds: 5
            periodSeconds: 20
          readinessProbe:
            httpGet:
              path: /readyz
              port: health
            periodSeconds: 10
          resources:
            {{- toYaml $v.resources | nindent 12 }}
          securityContext:
            {{- toYaml $v.securityContext | nindent 12 }}
          {{- with $v.extraVolumeMounts }}
          volumeMounts:
            {{- toYaml . | nindent 12 }}
          {{- end }}
      {{- with $v.extraVolumes }}
      volumes:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $v.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $v.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $v.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $v.topologySpreadConstraints }}
      topologySpreadConstraints:
        {{- /* A constraint without a labelSelector selects this controller's pods. */}}
        {{- range . }}
        {{- $c := deepCopy . }}
        {{- if not (hasKey $c "labelSelector") }}
        {{- $_ := set $c "labelSelector" (dict "matchLabels" (include "controller-lib.selectorLabels" $ctx | fromYaml)) }}
        {{- end }}
        {{- toYaml (list $c) | nindent 8 }}
        {{- end }}
      {{- end }}
{{- end -}}
