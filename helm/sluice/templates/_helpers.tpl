{{/* Chart name, truncated to the 63 characters a label allows. */}}
{{- define "sluice.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Resource name: the release name, with the chart name appended unless it already contains it. */}}
{{- define "sluice.fullname" -}}
{{- if contains .Chart.Name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "sluice.selectorLabels" -}}
app.kubernetes.io/name: {{ include "sluice.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "sluice.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "sluice.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "sluice.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "sluice.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The Secret holding the database and ops passwords: the user's own, or the chart's. */}}
{{- define "sluice.secretName" -}}
{{- default (include "sluice.fullname" .) .Values.existingSecret.name }}
{{- end }}

{{/* The application's single HTTP port (server.port in application.yml): actuator only. */}}
{{- define "sluice.managementPort" -}}
8081
{{- end }}

{{- define "sluice.drainDeadlineSeconds" -}}
{{- $drain := int .Values.shutdown.drainDeadlineSeconds }}
{{- if or (lt $drain 0) (gt $drain 3600) }}
{{- fail "shutdown.drainDeadlineSeconds must be between 0 and 3600 (sluice.shutdown.drain-deadline)" }}
{{- end }}
{{- $drain }}
{{- end }}

{{/*
spring.lifecycle.timeout-per-shutdown-phase: the drain deadline plus the abort that may follow it,
so Boot's graceful shutdown never cuts a drain short.
*/}}
{{- define "sluice.shutdownPhaseSeconds" -}}
{{- add (include "sluice.drainDeadlineSeconds" . | int) 5 }}
{{- end }}

{{/*
The pod's termination grace period: max(terminationGracePeriodSeconds, drain deadline + margin).
A smaller value would let the kubelet SIGKILL a pod that is still draining.
*/}}
{{- define "sluice.terminationGracePeriodSeconds" -}}
{{- $floor := add (include "sluice.drainDeadlineSeconds" . | int) (int .Values.shutdown.graceMarginSeconds) }}
{{- max (int .Values.terminationGracePeriodSeconds) $floor }}
{{- end }}

{{/* KEDA's replica ceiling: the partition count unless allowed above it. */}}
{{- define "sluice.kedaMaxReplicaCount" -}}
{{- $partitions := int .Values.kafka.partitions }}
{{- $max := $partitions }}
{{- if not (kindIs "string" .Values.keda.maxReplicaCount) }}
{{- $max = int .Values.keda.maxReplicaCount }}
{{- else if ne .Values.keda.maxReplicaCount "" }}
{{- $max = int .Values.keda.maxReplicaCount }}
{{- end }}
{{- if and (gt $max $partitions) (not .Values.keda.allowAbovePartitionCount) }}
{{- fail (printf "keda.maxReplicaCount (%d) is above kafka.partitions (%d): extra replicas would sit idle in the consumer group; set keda.allowAbovePartitionCount=true to allow it" $max $partitions) }}
{{- end }}
{{- $max }}
{{- end }}
