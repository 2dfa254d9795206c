{{- define "hearth.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "hearth.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "hearth.gatewaySelector" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: gateway
{{- end -}}

{{- define "hearth.secretName" -}}
{{- default (include "hearth.fullname" .) .Values.existingSecret -}}
{{- end -}}

{{- define "hearth.image" -}}
{{ .Values.image.repository }}:{{ default .Chart.AppVersion .Values.image.tag }}
{{- end -}}

{{/* Many gateways share nothing but these three stores: refuse a cluster that would split its state. */}}
{{- define "hearth.checkCluster" -}}
{{- if gt (int .Values.replicaCount) 1 -}}
{{- if not .Values.database.url -}}
{{- fail "replicaCount > 1 needs database.url (PostgreSQL): SQLite is one machine's file" -}}
{{- end -}}
{{- if and (not .Values.redis.url) (not .Values.existingSecret) -}}
{{- fail "replicaCount > 1 needs redis.url (or HEARTH_LIMITS_REDIS_URL in existingSecret): limits would multiply with the replicas" -}}
{{- end -}}
{{- if not .Values.s3.bucket -}}
{{- fail "replicaCount > 1 needs s3.bucket: uploads and outputs would be on one pod's disk" -}}
{{- end -}}
{{- end -}}
{{- end -}}
