{{/* Chart name (nameOverride replaces it), truncated to the 63 characters a label allows. */}}
{{- define "sluice.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Name of every resource the chart creates: fullnameOverride as given; else the release name, with
the name (chart name or nameOverride) appended unless the release name already contains it.
*/}}
{{- define "sluice.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
The metrics' application tag: spring.application.name, which the chart leaves at the
application's "sluice" unless config.spring.application.name sets it (not a resource name:
nameOverride does not change it).
*/}}
{{- define "sluice.applicationTag" -}}
{{- $spring := (.Values.config | default dict).spring | default dict }}
{{- (($spring.application | default dict).name) | default "sluice" }}
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
{{- /* values.schema.json refuses a non-integer (e.g. "60s") before this runs */ -}}
{{- $drain := int .Values.shutdown.drainDeadlineSeconds }}
{{- if or (lt $drain 1) (gt $drain 3600) }}
{{- fail "shutdown.drainDeadlineSeconds must be between 1 and 3600 (sluice.shutdown.drain-deadline)" }}
{{- end }}
{{- $drain }}
{{- end }}

{{/* shutdown.abortTimeout ("500ms", "2s") in whole seconds, rounded up. */}}
{{- define "sluice.abortTimeoutSeconds" -}}
{{- $abort := toString .Values.shutdown.abortTimeout }}
{{- if regexMatch "^[0-9]+ms$" $abort }}
{{- div (add (trimSuffix "ms" $abort | int) 999) 1000 }}
{{- else if regexMatch "^[0-9]+s$" $abort }}
{{- trimSuffix "s" $abort | int }}
{{- else }}
{{- fail (printf "shutdown.abortTimeout must look like 500ms or 2s (sluice.shutdown.abort-timeout), not %q" $abort) }}
{{- end }}
{{- end }}

{{/*
spring.lifecycle.timeout-per-shutdown-phase: the drain deadline plus the abort that may follow it
plus 5 s for the commit and close, so Boot's graceful shutdown never cuts a drain short (the
application checks the same sum at start-up).
*/}}
{{- define "sluice.shutdownPhaseSeconds" -}}
{{- add (include "sluice.drainDeadlineSeconds" . | int) (include "sluice.abortTimeoutSeconds" . | int) 5 }}
{{- end }}

{{/*
The preStop hook's command: POST the configured shutdown.mode (drain or abort) and wait for
STOPPED, at most the drain deadline; curl gives up 5 s later. -f: an HTTP error fails the hook.
*/}}
{{- define "sluice.preStopCommand" -}}
{{- $drain := include "sluice.drainDeadlineSeconds" . | int -}}
{{- $action := include "sluice.shutdownMode" . -}}
curl -fsS -o /dev/null -u "$SLUICE_OPS_USERNAME:$SLUICE_OPS_PASSWORD" -X POST --max-time {{ add $drain 5 }} "http://localhost:{{ include "sluice.managementPort" . }}/actuator/pipeline/{{ $action }}?wait={{ $drain }}s"
{{- end }}

{{- define "sluice.shutdownMode" -}}
{{- $mode := toString .Values.shutdown.mode }}
{{- if not (has $mode (list "drain" "abort")) }}
{{- fail (printf "shutdown.mode must be drain or abort (sluice.shutdown.mode), not %q" $mode) }}
{{- end }}
{{- $mode }}
{{- end }}

{{/*
A password for the chart's Secret, base64: the value given, else (on an upgrade) the one the
release's Secret already holds, so a helm upgrade that omits it keeps it, else a failure naming
the value. Only an upgrade looks the Secret up: install and template need no cluster.
Arguments: dict "root" . "value" <given> "key" <secret key> "name" <values path>.
*/}}
{{- define "sluice.secretValue" -}}
{{- if .value }}
{{- .value | toString | b64enc }}
{{- else }}
{{- $existing := dict }}
{{- if .root.Release.IsUpgrade }}
{{- $existing = lookup "v1" "Secret" .root.Release.Namespace (include "sluice.fullname" .root) | default dict }}
{{- end }}
{{- $stored := get ($existing.data | default dict) .key }}
{{- if $stored }}
{{- $stored }}
{{- else }}
{{- fail (printf "%s is required: set it (--set %s=...) or name a Secret you manage in existingSecret.name; a helm upgrade that omits it keeps the stored one" .name .name) }}
{{- end }}
{{- end }}
{{- end }}

{{/*
The pod's termination grace period: max(terminationGracePeriodSeconds, drain deadline + abort
timeout + margin). A smaller value would let the kubelet SIGKILL a pod that is still draining.
*/}}
{{- define "sluice.terminationGracePeriodSeconds" -}}
{{- $floor := add (include "sluice.drainDeadlineSeconds" . | int) (include "sluice.abortTimeoutSeconds" . | int) (int .Values.shutdown.graceMarginSeconds) }}
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

{{/*
The JVM's processor count: jvm.activeProcessorCount, else the CPU request rounded up (at least
1), else nothing (the JVM counts the cgroup's quota or the node's cores). The JVM ignores CPU
requests (shares), so without it a pod requesting 500m on a 32-core node sizes its GC threads,
compiler threads and common pool for 32.
*/}}
{{- define "sluice.activeProcessorCount" -}}
{{- if .Values.jvm.activeProcessorCount }}
{{- int .Values.jvm.activeProcessorCount }}
{{- else }}
{{- $cpu := ((.Values.resources | default dict).requests | default dict).cpu }}
{{- if $cpu }}
{{- $quantity := toString $cpu }}
{{- if regexMatch "^[0-9]+m$" $quantity }}
{{- max 1 (div (add (trimSuffix "m" $quantity | int) 999) 1000) }}
{{- else if regexMatch "^[0-9]+(\\.[0-9]+)?$" $quantity }}
{{- max 1 (ceil (float64 $quantity) | int) }}
{{- else }}
{{- fail (printf "resources.requests.cpu must look like 500m or 2 to give the JVM its processor count, not %q; or set jvm.activeProcessorCount" $quantity) }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}

{{/* JDK_JAVA_OPTIONS: the processor count, then jvm.extraOptions (empty when both are). */}}
{{- define "sluice.jdkJavaOptions" -}}
{{- $processors := include "sluice.activeProcessorCount" . }}
{{- $options := list }}
{{- if $processors }}
{{- $options = append $options (printf "-XX:ActiveProcessorCount=%s" $processors) }}
{{- end }}
{{- with .Values.jvm.extraOptions }}
{{- $options = append $options . }}
{{- end }}
{{- join " " $options }}
{{- end }}
