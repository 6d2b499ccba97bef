{{- define "kubeglance.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "kubeglance.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "kubeglance.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "kubeglance.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "kubeglance.selectorLabels" -}}
app.kubernetes.io/name: {{ include "kubeglance.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "kubeglance.labels" -}}
{{ include "kubeglance.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "kubeglance.loopback" -}}
{{- if or (eq .Values.host "localhost") (eq .Values.host "::1") (hasPrefix "127." .Values.host) -}}true{{- end -}}
{{- end -}}

{{/*
The kinds kubeglance reads (src/sources/kube/kinds.ts), namespaced ones: get/list/watch, and
metrics.k8s.io get/list. Never Secrets; ConfigMaps only with readConfigMaps.
*/}}
{{- define "kubeglance.namespacedRules" -}}
- apiGroups: [""]
  resources: [pods, services, events]
  verbs: [get, list, watch]
- apiGroups: [apps]
  resources: [deployments, replicasets, statefulsets, daemonsets]
  verbs: [get, list, watch]
- apiGroups: [batch]
  resources: [jobs, cronjobs]
  verbs: [get, list, watch]
- apiGroups: [discovery.k8s.io]
  resources: [endpointslices]
  verbs: [get, list, watch]
- apiGroups: [networking.k8s.io]
  resources: [ingresses, networkpolicies]
  verbs: [get, list, watch]
- apiGroups: [gateway.networking.k8s.io]
  resources: [gateways, httproutes, grpcroutes, referencegrants]
  verbs: [get, list, watch]
{{- if .Values.readConfigMaps }}
- apiGroups: [""]
  resources: [configmaps]
  verbs: [get, list, watch]
{{- end }}
{{- end -}}

{{/* Cluster-wide: the namespaced kinds plus Namespaces and Nodes, and node metrics. */}}
{{- define "kubeglance.clusterRules" -}}
- apiGroups: [""]
  resources: [namespaces, nodes]
  verbs: [get, list, watch]
{{ include "kubeglance.namespacedRules" . }}
- apiGroups: [metrics.k8s.io]
  resources: [nodes, pods]
  verbs: [get, list]
{{- end -}}
