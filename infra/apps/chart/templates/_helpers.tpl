{{- define "gourmetgram.name" -}}
gourmetgram-{{ .Values.environment }}
{{- end -}}

{{- define "gourmetgram.labels" -}}
app: {{ include "gourmetgram.name" . }}
app.kubernetes.io/name: gourmetgram-app
app.kubernetes.io/instance: {{ include "gourmetgram.name" . }}
app.kubernetes.io/part-of: gourmetgram
gourmetgram.io/environment: {{ .Values.environment }}
{{- end -}}
