{{- define "copydesk.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "copydesk.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "copydesk.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
app.kubernetes.io/name: {{ include "copydesk.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "copydesk.selectorLabels" -}}
app.kubernetes.io/name: {{ include "copydesk.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "copydesk.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "copydesk.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "copydesk.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ .Values.image.tag }}
{{- end -}}
{{- end -}}

{{- define "copydesk.modelStoreClaim" -}}
{{- default (printf "%s-models" (include "copydesk.fullname" .)) .Values.modelStore.existingClaim -}}
{{- end -}}

{{/* Kafka connection as COPYDESK_* env vars; credentials only ever come from Secrets. */}}
{{- define "copydesk.kafkaEnv" -}}
- name: COPYDESK_BOOTSTRAP_SERVERS
  value: {{ .Values.kafka.bootstrapServers | quote }}
- name: COPYDESK_SECURITY_PROTOCOL
  value: {{ .Values.kafka.securityProtocol | quote }}
{{- if .Values.kafka.sasl.mechanism }}
{{- $_ := required "kafka.sasl.existingSecret is required with kafka.sasl.mechanism" .Values.kafka.sasl.existingSecret }}
- name: COPYDESK_SASL_MECHANISM
  value: {{ .Values.kafka.sasl.mechanism | quote }}
- name: COPYDESK_SASL_USERNAME_FILE
  value: /etc/copydesk/kafka-sasl/{{ .Values.kafka.sasl.usernameKey }}
- name: COPYDESK_SASL_PASSWORD_FILE
  value: /etc/copydesk/kafka-sasl/{{ .Values.kafka.sasl.passwordKey }}
{{- end }}
{{- if .Values.kafka.tls.existingSecret }}
- name: COPYDESK_SSL_CAFILE
  value: /etc/copydesk/kafka-tls/{{ .Values.kafka.tls.caKey }}
- name: COPYDESK_SSL_CHECK_HOSTNAME
  value: {{ .Values.kafka.tls.checkHostname | quote }}
{{- if .Values.kafka.tls.certKey }}
- name: COPYDESK_SSL_CERTFILE
  value: /etc/copydesk/kafka-tls/{{ .Values.kafka.tls.certKey }}
- name: COPYDESK_SSL_KEYFILE
  value: /etc/copydesk/kafka-tls/{{ .Values.kafka.tls.keyKey }}
{{- end }}
{{- end }}
- name: HF_HUB_OFFLINE
  value: "1"
- name: HF_HOME
  value: /tmp/hf
{{- end -}}

{{/* Kafka Secrets are mounted as files (never env vars: those leak into `ps e` and dumps). */}}
{{- define "copydesk.kafkaSecretVolumes" -}}
{{- if .Values.kafka.tls.existingSecret }}
- name: kafka-tls
  secret:
    secretName: {{ .Values.kafka.tls.existingSecret }}
    defaultMode: 0440
{{- end }}
{{- if .Values.kafka.sasl.mechanism }}
- name: kafka-sasl
  secret:
    secretName: {{ .Values.kafka.sasl.existingSecret }}
    defaultMode: 0440
{{- end }}
{{- end -}}

{{- define "copydesk.kafkaSecretMounts" -}}
{{- if .Values.kafka.tls.existingSecret }}
- name: kafka-tls
  mountPath: /etc/copydesk/kafka-tls
  readOnly: true
{{- end }}
{{- if .Values.kafka.sasl.mechanism }}
- name: kafka-sasl
  mountPath: /etc/copydesk/kafka-sasl
  readOnly: true
{{- end }}
{{- end -}}

{{- define "copydesk.gpuResources" -}}
{{- $resources := deepCopy .resources -}}
{{- if .gpu.enabled -}}
{{- $limits := default dict $resources.limits -}}
{{- $_ := set $limits .gpu.resourceName .gpu.count -}}
{{- $_ := set $resources "limits" $limits -}}
{{- end -}}
{{- toYaml $resources -}}
{{- end -}}
