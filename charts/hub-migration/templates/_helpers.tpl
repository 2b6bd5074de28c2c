{{/*
Names and labels shared by every template. The plugin, its Service and its Deployment are all
named after the chart: the ConsolePlugin's name must equal the plugin's own name
(package.json consolePlugin.name), so it cannot follow the release name.
*/}}
{{- define "hub-migration.name" -}}
{{ .Chart.Name }}
{{- end }}

{{- define "hub-migration.chart" -}}
{{ printf "%s-%s" .Chart.Name .Chart.Version | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels that select the BFF's pods. */}}
{{- define "hub-migration.selectorLabels" -}}
app.kubernetes.io/name: {{ include "hub-migration.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: bff
{{- end }}

{{/* Labels on every object of the release. */}}
{{- define "hub-migration.labels" -}}
app.kubernetes.io/name: {{ include "hub-migration.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: hub-migration
helm.sh/chart: {{ include "hub-migration.chart" . }}
{{- end }}

{{/* The image reference: repository@digest, or repository:tag (the tag defaults to appVersion). */}}
{{- define "hub-migration.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end }}
{{- end }}

{{/* The Secret the service-ca operator fills with the Service's serving certificate. */}}
{{- define "hub-migration.certSecret" -}}
{{ include "hub-migration.name" . }}-serving-cert
{{- end }}

{{/* Whether the engine acts on local-cluster (the global hub) as a source or target hub. */}}
{{- define "hub-migration.localHubEngine" -}}
{{- if and .Values.engine.enabled .Values.rbac.localClusterHub }}true{{ end }}
{{- end }}

{{/* Where the engine creates the registration ServiceAccount on a target hub (fixed by the engine). */}}
{{- define "hub-migration.registrationNamespace" -}}
open-cluster-management-global-hub-agent
{{- end }}

{{/* The restricted-v2 container security context: non-root, read-only, no capabilities. */}}
{{- define "hub-migration.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop:
    - ALL
{{- end }}
