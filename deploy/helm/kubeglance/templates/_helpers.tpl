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

{{/* The authentication modes configured under .Values.auth, comma-separated (empty: none). */}}
{{- define "kubeglance.authModes" -}}
{{- $modes := list -}}
{{- if .Values.auth.tokens.existingSecret }}{{ $modes = append $modes "tokens" }}{{ end -}}
{{- if .Values.auth.oidc.issuer }}{{ $modes = append $modes "oidc" }}{{ end -}}
{{- if .Values.auth.proxy.header }}{{ $modes = append $modes "proxy" }}{{ end -}}
{{- join "," $modes -}}
{{- end -}}

{{/* True when kubeglance uses Redis: an existing Secret's URL, or the in-chart Redis. */}}
{{- define "kubeglance.redis" -}}
{{- if or (include "kubeglance.redisExisting" .) .Values.redis.deploy -}}true{{- end -}}
{{- end -}}

{{- define "kubeglance.redisExisting" -}}
{{- if and (kindIs "map" .Values.redis.url) .Values.redis.url.existingSecret -}}true{{- end -}}
{{- end -}}

{{/* The in-chart Redis (redis.deploy): its Deployment, Service, Secret and NetworkPolicy name. */}}
{{- define "kubeglance.redisName" -}}
{{- printf "%s-redis" (include "kubeglance.fullname" . | trunc 57 | trimSuffix "-") -}}
{{- end -}}

{{/*
The in-chart Redis's labels. Its name differs from kubeglance's, so kubeglance's Deployment,
Service and PodDisruptionBudget never select the Redis pod.
*/}}
{{- define "kubeglance.redisSelectorLabels" -}}
app.kubernetes.io/name: {{ printf "%s-redis" (include "kubeglance.name" .) }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "kubeglance.redisLabels" -}}
{{ include "kubeglance.redisSelectorLabels" . }}
app.kubernetes.io/component: redis
app.kubernetes.io/part-of: {{ include "kubeglance.name" . }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* The Secret and key KUBEGLANCE_REDIS_URL comes from, as "name/key" (empty: no Redis). */}}
{{- define "kubeglance.redisUrlSecret" -}}
{{- if include "kubeglance.redisExisting" . -}}
{{- printf "%s/%s" .Values.redis.url.existingSecret .Values.redis.url.key -}}
{{- else if .Values.redis.deploy -}}
{{- printf "%s/url" (include "kubeglance.redisName" .) -}}
{{- end -}}
{{- end -}}

{{- define "kubeglance.authzConfigMap" -}}
{{- if .Values.authz.existingConfigMap -}}
{{- .Values.authz.existingConfigMap -}}
{{- else if .Values.authz.rules -}}
{{- printf "%s-authz" (include "kubeglance.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/*
Refuses values that would expose the cluster map, or that kubeglance would refuse at start: each
message says what to set. Included by deployment.yaml.
*/}}
{{- define "kubeglance.validate" -}}
{{- $auth := include "kubeglance.authModes" . -}}
{{- if not (kindIs "map" .Values.redis.url) -}}
{{- fail "redis.url must name a Secret, not hold the URL (it may carry a password): set redis.url.existingSecret and redis.url.key" -}}
{{- end -}}
{{- if and .Values.redis.deploy (include "kubeglance.redisExisting" .) -}}
{{- fail (printf "set either redis.deploy (a Redis run by this chart) or redis.url.existingSecret (your own Redis, here %q), not both" .Values.redis.url.existingSecret) -}}
{{- end -}}
{{- if and (gt (int .Values.replicaCount) 1) (not (include "kubeglance.redis" .)) -}}
{{- fail (printf "replicaCount is %v, but several replicas need Redis to share the cluster state: set redis.deploy: true (a Redis run by this chart), or redis.url.existingSecret (a Secret whose key %q holds your own Redis's redis:// URL), or keep replicaCount: 1" .Values.replicaCount .Values.redis.url.key) -}}
{{- end -}}
{{- if and .Values.insecureNoAuth $auth -}}
{{- fail (printf "insecureNoAuth cannot be combined with authentication (auth: %s): remove insecureNoAuth" $auth) -}}
{{- end -}}
{{- if and (not (include "kubeglance.loopback" .)) (not $auth) (not .Values.insecureNoAuth) -}}
{{- fail (printf "host %s is reachable from outside the pod, so it needs authentication: set auth.tokens.existingSecret, auth.oidc.issuer or auth.proxy.header (or keep host: 127.0.0.1 and use kubectl port-forward; insecureNoAuth: true exposes the cluster map to anyone who can reach the pod)" .Values.host) -}}
{{- end -}}
{{- if and .Values.auth.tokens.existingSecret (not .Values.auth.tokens.key) -}}
{{- fail "auth.tokens.key must name the Secret's key holding the token file" -}}
{{- end -}}
{{- with .Values.auth.oidc -}}
{{- if .issuer -}}
{{- if not .clientId }}{{ fail "auth.oidc.issuer needs auth.oidc.clientId: the client id kubeglance is registered under" }}{{ end -}}
{{- if not .redirectUrl }}{{ fail "auth.oidc.issuer needs auth.oidc.redirectUrl: the public URL of /auth/callback, e.g. https://kubeglance.example.com/auth/callback" }}{{ end -}}
{{- if not (and .clientSecret.existingSecret .clientSecret.key) }}{{ fail "auth.oidc.issuer needs auth.oidc.clientSecret.existingSecret and .key: the Secret holding the client secret" }}{{ end -}}
{{- else if or .clientId .redirectUrl .clientSecret.existingSecret .groupsClaim .scopes -}}
{{- fail "auth.oidc settings only apply together with auth.oidc.issuer" -}}
{{- end -}}
{{- end -}}
{{- with .Values.auth.proxy -}}
{{- if .header -}}
{{- if not .trustedCIDRs }}{{ fail "auth.proxy.header needs auth.proxy.trustedCIDRs: the proxy's addresses (the header is believed from those only)" }}{{ end -}}
{{- else if or .groupsHeader .trustedCIDRs -}}
{{- fail "auth.proxy.groupsHeader and trustedCIDRs only apply together with auth.proxy.header" -}}
{{- end -}}
{{- end -}}
{{- if and .Values.authz.rules .Values.authz.existingConfigMap -}}
{{- fail "authz: set either rules or existingConfigMap, not both" -}}
{{- end -}}
{{- end -}}
