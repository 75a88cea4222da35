{{/*
Names derive from the release name only, so the Ingress that Pulumi creates outside the chart
can name the Services: <release>-frontend and <release>-backend. Helm caps a release name at
53 characters, which keeps these within the 63 of a Service name.
*/}}
{{- define "tenant.componentName" -}}
{{- printf "%s-%s" .root.Release.Name .component -}}
{{- end -}}

{{/* Labels of every object; call with (dict "root" $ "component" "frontend"). */}}
{{- define "tenant.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: aims
aims.example.org/tenant: {{ .root.Values.tenant.name }}
{{ include "tenant.selectorLabels" . }}
{{- end -}}

{{/* Labels that select the pods of one component; never change them (Deployment selectors are immutable). */}}
{{- define "tenant.selectorLabels" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* image: repository:tag, the chart's appVersion when no tag is set. */}}
{{- define "tenant.image" -}}
{{- printf "%s:%s" .repository (.tag | default .appVersion) -}}
{{- end -}}

{{/* Pod-level security: non-root, the runtime's default seccomp profile. */}}
{{- define "tenant.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.securityContext.runAsUser }}
runAsGroup: {{ .Values.securityContext.runAsGroup }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Container-level security, repeated on every container so each one stands on its own. */}}
{{- define "tenant.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.securityContext.runAsUser }}
runAsGroup: {{ .Values.securityContext.runAsGroup }}
allowPrivilegeEscalation: false
privileged: false
readOnlyRootFilesystem: true
capabilities:
  drop:
    - ALL
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Settings every pod shares: no API token, no service environment variables. */}}
{{- define "tenant.podDefaults" -}}
automountServiceAccountToken: false
enableServiceLinks: false
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* Environment of the backend container and its init containers. */}}
{{- define "tenant.backendEnv" -}}
- name: TENANT_SUBDOMAIN
  value: {{ .Values.tenant.name | quote }}
- name: ALLOWED_HOSTS
  value: {{ printf "%s,%s" .Values.tenant.host (include "tenant.componentName" (dict "root" . "component" "backend")) | quote }}
- name: CSRF_TRUSTED_ORIGINS
  value: {{ printf "https://%s" .Values.tenant.host | quote }}
- name: DB_HOST
  value: {{ .Values.database.host | quote }}
- name: DB_PORT
  value: {{ .Values.database.port | quote }}
- name: TENANT_DB_NAME
  value: {{ .Values.database.name | quote }}
- name: DB_USER
  valueFrom:
    secretKeyRef:
      name: {{ .Values.database.credentialsSecret }}
      key: username
- name: DB_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .Values.database.credentialsSecret }}
      key: password
- name: SECRET_KEY
  valueFrom:
    secretKeyRef:
      name: {{ .Values.djangoSecret }}
      key: secret-key
- name: HOME
  value: /tmp
- name: PYTHONDONTWRITEBYTECODE
  value: "1"
{{- with .Values.backend.env }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Spread a component's pods over nodes when the cluster has several. */}}
{{- define "tenant.topologySpread" -}}
topologySpreadConstraints:
  - maxSkew: 1
    topologyKey: kubernetes.io/hostname
    whenUnsatisfiable: ScheduleAnyway
    labelSelector:
      matchLabels:
        {{- include "tenant.selectorLabels" . | nindent 8 }}
{{- end -}}

{{/*
A component with several pods prefers nodes that run none of its pods yet, so one node failing
cannot take all of them; only preferred, so a single-node cluster and a rolling update's extra
pod still schedule. Call with (dict "root" $ "component" "frontend").
*/}}
{{- define "tenant.podAntiAffinity" -}}
{{- if gt (int (index .root.Values .component).replicas) 1 }}
affinity:
  podAntiAffinity:
    preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 100
        podAffinityTerm:
          topologyKey: kubernetes.io/hostname
          labelSelector:
            matchLabels:
              {{- include "tenant.selectorLabels" . | nindent 14 }}
{{- end }}
{{- end -}}

{{/* A container's resources: the plan's CPU and memory, and its component's local disk. Call with the component's values. */}}
{{- define "tenant.resources" -}}
requests:
  {{- toYaml .resources.requests | nindent 2 }}
  ephemeral-storage: {{ .ephemeralStorage.request }}
limits:
  {{- toYaml .resources.limits | nindent 2 }}
  ephemeral-storage: {{ .ephemeralStorage.limit }}
{{- end -}}

{{/*
Liveness is a TCP connect to the app's port, not the readiness request: it restarts a container
whose server stopped listening, but never because the database or the backend is down (which
fails readiness and only takes the pod out of its Service). Call with the component's values.
*/}}
{{- define "tenant.livenessProbe" -}}
livenessProbe:
  tcpSocket:
    port: http
  initialDelaySeconds: {{ .livenessProbe.initialDelaySeconds }}
  periodSeconds: {{ .livenessProbe.periodSeconds }}
  timeoutSeconds: 5
  failureThreshold: {{ .livenessProbe.failureThreshold }}
{{- end -}}

{{/* Rolling updates add one pod at a time and never remove a ready one first (the quota has room for it). */}}
{{- define "tenant.strategy" -}}
revisionHistoryLimit: 3
strategy:
  type: RollingUpdate
  rollingUpdate:
    maxSurge: 1
    maxUnavailable: 0
{{- end -}}
