{{/* Names: <release>-sipfleet unless overridden, DNS-label safe. */}}
{{- define "sipfleet.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "sipfleet.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 40 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "sipfleet.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "sipfleet.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Selector labels of one component: (list $ "master"|"uac"|"uas"). */}}
{{- define "sipfleet.selectorLabels" -}}
{{- $ := index . 0 -}}
app.kubernetes.io/name: {{ include "sipfleet.name" $ }}
app.kubernetes.io/instance: {{ $.Release.Name }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end }}

{{- define "sipfleet.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end }}

{{/* The master's Job and Service name: agents dial it. */}}
{{- define "sipfleet.master" -}}
{{ include "sipfleet.fullname" . }}-master
{{- end }}

{{/* UAS agent i's host name (list $ i): its pod in the headless Service. */}}
{{- define "sipfleet.uasHost" -}}
{{- $ := index . 0 -}}
{{- printf "%s-uas-%d.%s-uas" (include "sipfleet.fullname" $) (int (index . 1)) (include "sipfleet.fullname" $) }}
{{- end }}

{{/* The UAC agents' target: test.target, else UAS agent 0. */}}
{{- define "sipfleet.target" -}}
{{- if .Values.test.target }}
{{- tpl .Values.test.target . }}
{{- else if gt (int .Values.uas.replicas) 0 }}
{{- printf "%s:%d" (include "sipfleet.uasHost" (list . 0)) (int .Values.sip.port) }}
{{- else }}
{{- fail "test.target is empty and uas.replicas is 0: the UAC agents would have no one to call" }}
{{- end }}
{{- end }}

{{/* Agent names, as the master's -agents list. */}}
{{- define "sipfleet.agentNames" -}}
{{- $names := list }}
{{- range $i := until (int .Values.uac.replicas) }}{{ $names = append $names (printf "uac-%d" $i) }}{{ end }}
{{- range $i := until (int .Values.uas.replicas) }}{{ $names = append $names (printf "uas-%d" $i) }}{{ end }}
{{- join "," $names }}
{{- end }}

{{- define "sipfleet.uasNames" -}}
{{- $names := list }}
{{- range $i := until (int .Values.uas.replicas) }}{{ $names = append $names (printf "uas-%d" $i) }}{{ end }}
{{- join "," $names }}
{{- end }}

{{/* The control-plane TLS secrets' names. */}}
{{- define "sipfleet.masterSecret" -}}
{{ .Values.controlPlane.tls.masterSecret | default (printf "%s-master-tls" (include "sipfleet.fullname" .)) }}
{{- end }}
{{- define "sipfleet.agentSecret" -}}
{{ .Values.controlPlane.tls.agentSecret | default (printf "%s-agent-tls" (include "sipfleet.fullname" .)) }}
{{- end }}

{{/* Control-plane TLS options of a side: (list $ "master"|"agent"). */}}
{{- define "sipfleet.tlsArgs" -}}
{{- $ := index . 0 -}}
{{- if $.Values.controlPlane.tls.enabled -}}
- -ctl_tls_ca
- /etc/sipfleet/tls/ca.crt
- -ctl_tls_cert
- /etc/sipfleet/tls/tls.crt
- -ctl_tls_key
- /etc/sipfleet/tls/tls.key
{{- else -}}
- -allow_plaintext
{{- end }}
{{- end }}

{{/* Volume mounts every sipfleet container has: (list $ "master"|"agent"). */}}
{{- define "sipfleet.volumeMounts" -}}
{{- $ := index . 0 -}}
- name: scenarios
  mountPath: /etc/sipfleet/scenarios
  readOnly: true
- name: injection
  mountPath: /etc/sipfleet/injection
  readOnly: true
- name: work
  mountPath: /var/lib/sipfleet
{{- if $.Values.media.configMap }}
- name: media
  mountPath: /var/lib/sipfleet/pcap
  readOnly: true
{{- end }}
{{- if $.Values.controlPlane.tls.enabled }}
- name: tls
  mountPath: /etc/sipfleet/tls
  readOnly: true
{{- end }}
{{- end }}

{{- define "sipfleet.volumes" -}}
{{- $ := index . 0 -}}
- name: scenarios
  configMap:
    name: {{ include "sipfleet.fullname" $ }}-scenarios
- name: injection
  configMap:
    name: {{ include "sipfleet.fullname" $ }}-injection
- name: work
  emptyDir: {}
{{- if $.Values.media.configMap }}
- name: media
  configMap:
    name: {{ $.Values.media.configMap }}
{{- end }}
{{- if $.Values.controlPlane.tls.enabled }}
- name: tls
  secret:
    secretName: {{ if eq (index . 1) "master" }}{{ include "sipfleet.masterSecret" $ }}{{ else }}{{ include "sipfleet.agentSecret" $ }}{{ end }}
    defaultMode: 0440
    # Kubernetes' default, written out: podman 4.3's kube play crashes on a
    # secret volume without it (containers/podman#16636).
    optional: false
{{- end }}
{{- end }}

{{/* Agents on different nodes: (list $ role). */}}
{{- define "sipfleet.affinity" -}}
{{- $ := index . 0 -}}
{{- $own := get (get $.Values (index . 1)) "affinity" -}}
{{- if $own -}}
{{- toYaml $own }}
{{- else if eq $.Values.antiAffinity "hard" -}}
podAntiAffinity:
  requiredDuringSchedulingIgnoredDuringExecution:
    - topologyKey: kubernetes.io/hostname
      labelSelector:
        matchLabels:
          app.kubernetes.io/instance: {{ $.Release.Name }}
          sipfleet.dev/agent: "true"
{{- else if eq $.Values.antiAffinity "soft" -}}
podAntiAffinity:
  preferredDuringSchedulingIgnoredDuringExecution:
    - weight: 100
      podAffinityTerm:
        topologyKey: kubernetes.io/hostname
        labelSelector:
          matchLabels:
            app.kubernetes.io/instance: {{ $.Release.Name }}
            sipfleet.dev/agent: "true"
{{- end }}
{{- end }}

{{/* Checks what the schema cannot express; called once from the master's template. */}}
{{- define "sipfleet.check" -}}
{{- if gt (int .Values.rtp.minPort) (int .Values.rtp.maxPort) }}
{{- fail (printf "rtp.minPort (%d) is above rtp.maxPort (%d)" (int .Values.rtp.minPort) (int .Values.rtp.maxPort)) }}
{{- end }}
{{- end }}
