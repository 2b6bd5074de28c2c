{{/*
The script that adds the plugin to (action "enable") or removes it from (action "disable")
consoles.operator.openshift.io/cluster spec.plugins. It needs `oc` (or kubectl named oc) and
bash; the chart tests run it against the simulator.
*/}}
{{- define "hub-migration.consoleScript" -}}
set -euo pipefail
plugin={{ include "hub-migration.name" .root | quote }}
console=consoles.operator.openshift.io/cluster
plugins="$(oc get "$console" -o jsonpath='{range .spec.plugins[*]}{@}{"\n"}{end}')"
index=-1
i=0
while IFS= read -r name; do
  if [ "$name" = "$plugin" ]; then index=$i; break; fi
  i=$((i + 1))
done <<<"$plugins"
{{- if eq .action "enable" }}
if [ "$index" -ge 0 ]; then
  echo "console plugin $plugin is already enabled"
elif [ -z "$plugins" ]; then
  oc patch "$console" --type=json -p "[{\"op\":\"add\",\"path\":\"/spec/plugins\",\"value\":[\"$plugin\"]}]"
  echo "console plugin $plugin enabled"
else
  oc patch "$console" --type=json -p "[{\"op\":\"add\",\"path\":\"/spec/plugins/-\",\"value\":\"$plugin\"}]"
  echo "console plugin $plugin enabled"
fi
{{- else }}
if [ "$index" -lt 0 ]; then
  echo "console plugin $plugin is not enabled"
else
  # The test operation makes the removal fail, rather than remove another plugin, if the list
  # changed since it was read; the Job then retries.
  oc patch "$console" --type=json -p "[{\"op\":\"test\",\"path\":\"/spec/plugins/$index\",\"value\":\"$plugin\"},{\"op\":\"remove\",\"path\":\"/spec/plugins/$index\"}]"
  echo "console plugin $plugin disabled"
fi
{{- end }}
{{- end }}

{{/* A hook Job running the script above; called with (dict "root" . "action" … "hook" …). */}}
{{- define "hub-migration.consoleJob" -}}
apiVersion: batch/v1
kind: Job
metadata:
  name: {{ include "hub-migration.name" .root }}-console-{{ .action }}
  namespace: {{ .root.Release.Namespace }}
  labels:
    {{- include "hub-migration.labels" .root | nindent 4 }}
  annotations:
    helm.sh/hook: {{ .hook }}
    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
spec:
  backoffLimit: 6
  activeDeadlineSeconds: 600
  template:
    metadata:
      labels:
        {{- include "hub-migration.labels" .root | nindent 8 }}
        app.kubernetes.io/component: console-{{ .action }}
    spec:
      restartPolicy: OnFailure
      serviceAccountName: {{ include "hub-migration.name" .root }}-console-patcher
      securityContext:
        runAsNonRoot: true
        seccompProfile:
          type: RuntimeDefault
      containers:
        - name: patch-console
          image: {{ .root.Values.consoleJob.image | quote }}
          imagePullPolicy: IfNotPresent
          env:
            # oc keeps its discovery cache under $HOME; the root filesystem is read-only.
            - name: HOME
              value: /tmp
          command:
            - /bin/bash
            - -c
            - |
              {{- include "hub-migration.consoleScript" . | nindent 14 }}
          resources:
            {{- toYaml .root.Values.consoleJob.resources | nindent 12 }}
          securityContext:
            {{- include "hub-migration.containerSecurityContext" .root | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
      volumes:
        - name: tmp
          emptyDir:
            sizeLimit: 64Mi
{{- end }}
