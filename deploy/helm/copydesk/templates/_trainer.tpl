{{/* The replay-train pod, shared by the CronJob and the one-shot Job. */}}
{{- define "copydesk.trainerPodSpec" -}}
serviceAccountName: {{ include "copydesk.serviceAccountName" . }}
automountServiceAccountToken: false
restartPolicy: Never
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.trainer.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.trainer.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
containers:
  - name: trainer
    image: {{ include "copydesk.image" . }}
    imagePullPolicy: {{ .Values.image.pullPolicy }}
    command: [copydesk-trainer]
    args: [replay-train]
    env:
      {{- include "copydesk.kafkaEnv" . | nindent 6 }}
      - name: COPYDESK_MODEL_STORE
        value: {{ .Values.modelStore.mountPath | quote }}
      - name: COPYDESK_EPOCHS
        value: {{ .Values.trainer.epochs | quote }}
      - name: COPYDESK_LEARNING_RATE
        value: {{ .Values.trainer.learningRate | quote }}
      - name: COPYDESK_ENGINE  # the gate drafts with the consumers' engine: no train/serve skew
        value: {{ .Values.consumer.engine | quote }}
      - name: COPYDESK_HELD_OUT_SHARE
        value: {{ .Values.trainer.heldOutShare | quote }}
      - name: COPYDESK_INCREMENTAL
        value: {{ .Values.trainer.incremental | quote }}
      - name: COPYDESK_PROGRESS
        value: "false"
      {{- with .Values.trainer.pushgateway }}
      - name: COPYDESK_PUSHGATEWAY
        value: {{ . | quote }}
      {{- end }}
    resources:
      {{- include "copydesk.gpuResources" .Values.trainer | nindent 6 }}
    securityContext:
      {{- toYaml .Values.securityContext | nindent 6 }}
    volumeMounts:
      - name: tmp
        mountPath: /tmp
      - name: model-store
        mountPath: {{ .Values.modelStore.mountPath }}
      {{- include "copydesk.kafkaSecretMounts" . | indent 6 }}
volumes:
  - name: tmp
    emptyDir:
      sizeLimit: 8Gi
  - name: model-store
    persistentVolumeClaim:
      claimName: {{ include "copydesk.modelStoreClaim" . }}
  {{- include "copydesk.kafkaSecretVolumes" . | indent 2 }}
{{- end -}}
