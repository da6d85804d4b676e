{{/* Shared pieces of every FitJourney object: labels, images, one service's merged settings, its environment. */}}

{{- define "fitjourney.labels" -}}
app.kubernetes.io/part-of: fitjourney
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* Selector labels: args (dict "root" $ "name" "core" "component" "api"). */}}
{{- define "fitjourney.selector" -}}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* One service's settings: serviceDefaults overlaid with its own entry. Args (dict "root" $ "name" n "svc" s). */}}
{{- define "fitjourney.merged" -}}
{{- $merged := mergeOverwrite (deepCopy .root.Values.serviceDefaults) (deepCopy .svc) -}}
{{- toYaml $merged -}}
{{- end -}}

{{- define "fitjourney.image" -}}
{{- $tag := .root.Values.image.tag | default .root.Chart.AppVersion -}}
{{- printf "%s%s/%s:%s" .root.Values.image.registry .root.Values.image.repositoryPrefix .name $tag -}}
{{- end -}}

{{/* Pod-level security: non-root, seccomp RuntimeDefault. */}}
{{- define "fitjourney.podSecurity" -}}
runAsNonRoot: true
runAsUser: {{ .uid | default 10001 }}
runAsGroup: {{ .uid | default 10001 }}
fsGroup: {{ .uid | default 10001 }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Container-level security: no privilege escalation, read-only root filesystem, every capability dropped. */}}
{{- define "fitjourney.containerSecurity" -}}
runAsNonRoot: true
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
privileged: false
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* postgresql+asyncpg URL; the password is expanded by Kubernetes from an earlier env var.
     Args (dict "root" $ "host" h "userVar" "DATABASE_USER" "passwordVar" "DATABASE_PASSWORD"). */}}
{{- define "fitjourney.databaseUrl" -}}
{{- $pg := .root.Values.postgresql -}}
{{- printf "postgresql+asyncpg://$(%s):$(%s)@%s:%v/%s?ssl=%s" .userVar .passwordVar .host $pg.port $pg.database $pg.sslmode -}}
{{- end -}}

{{/* Environment of a service's API, worker and migration containers.
     Args (dict "root" $ "name" n "s" merged "role" "api|worker|migrate"). */}}
{{- define "fitjourney.env" -}}
{{- $root := .root -}}
{{- $s := .s -}}
{{- $secret := $root.Values.secrets.existingSecret -}}
{{- $pg := $root.Values.postgresql -}}
- name: ENVIRONMENT
  value: {{ $root.Values.environment | quote }}
- name: SERVICE_NAME
  value: {{ .name | quote }}
- name: LOG_JSON
  value: {{ $root.Values.observability.logJson | quote }}
- name: LOG_LEVEL
  value: {{ $root.Values.observability.logLevel | quote }}
{{- if eq .role "migrate" }}
- name: DATABASE_USER
  value: {{ $s.database.ownerUser | quote }}
- name: DATABASE_PASSWORD
  valueFrom:
    secretKeyRef: {name: {{ $secret }}, key: {{ printf "%s-db-owner-password" .name }}}
{{- else }}
- name: DATABASE_USER
  value: {{ $s.database.user | quote }}
- name: DATABASE_PASSWORD
  valueFrom:
    secretKeyRef: {name: {{ $secret }}, key: {{ printf "%s-db-password" .name }}}
{{- end }}
- name: DATABASE_URL
  value: {{ include "fitjourney.databaseUrl" (dict "root" $root "host" $pg.host "userVar" "DATABASE_USER" "passwordVar" "DATABASE_PASSWORD") | quote }}
- name: DB_POOL_SIZE
  value: {{ $s.dbPoolSize | default 20 | quote }}
{{- if and $s.readDatabase $s.readDatabase.enabled (ne .role "migrate") }}
- name: DATABASE_READ_USER
  value: {{ $s.readDatabase.user | quote }}
- name: DATABASE_READ_PASSWORD
  valueFrom:
    secretKeyRef: {name: {{ $secret }}, key: {{ printf "%s-db-reader-password" .name }}}
- name: READ_DATABASE_URL
  value: {{ include "fitjourney.databaseUrl" (dict "root" $root "host" ($pg.readHost | default $pg.host) "userVar" "DATABASE_READ_USER" "passwordVar" "DATABASE_READ_PASSWORD") | quote }}
{{- end }}
{{- if ne .role "migrate" }}
{{- $redis := $root.Values.redis }}
{{- if $redis.authTokenKey }}
- name: REDIS_AUTH_TOKEN
  valueFrom:
    secretKeyRef: {name: {{ $secret }}, key: {{ $redis.authTokenKey }}}
- name: REDIS_URL
  value: {{ printf "%s://:$(REDIS_AUTH_TOKEN)@%s:%v/%v" (ternary "rediss" "redis" $redis.tls) $redis.host $redis.port $redis.db | quote }}
{{- else }}
- name: REDIS_URL
  value: {{ printf "%s://%s:%v/%v" (ternary "rediss" "redis" $redis.tls) $redis.host $redis.port $redis.db | quote }}
{{- end }}
{{- $mq := $root.Values.rabbitmq }}
- name: RABBITMQ_PASSWORD
  valueFrom:
    secretKeyRef: {name: {{ $secret }}, key: {{ $mq.passwordKey }}}
- name: BROKER_URL
  value: {{ printf "%s://%s:$(RABBITMQ_PASSWORD)@%s:%v/%s" (ternary "amqps" "amqp" $mq.tls) $mq.user $mq.host $mq.port $mq.vhost | quote }}
- name: EVENTS_EXCHANGE
  value: {{ $mq.exchange | quote }}
- name: RUN_EVENT_WORKER
  value: {{ if eq .role "worker" }}"true"{{ else }}{{ (not $s.worker.enabled) | quote }}{{ end }}
- name: OBJECT_STORE_URL
  value: {{ printf "s3://%s/%s" $root.Values.objectStore.bucket ($s.objectStorePrefix | default (printf "%s/" .name)) | trimSuffix "/" | quote }}
- name: S3_REGION
  value: {{ $root.Values.objectStore.region | quote }}
{{- with $root.Values.objectStore.endpointUrl }}
- name: S3_ENDPOINT_URL
  value: {{ . | quote }}
{{- end }}
- name: JWKS_URL
  value: {{ printf "http://%s-kong-proxy.%s.svc/api/v1/auth/.well-known/jwks.json" $root.Release.Name $root.Release.Namespace | quote }}
{{- with $root.Values.observability.otlpEndpoint }}
- name: OTLP_ENDPOINT
  value: {{ . | quote }}
{{- end }}
{{- range $env, $ref := $s.secretEnv }}
- name: {{ $env }}
  valueFrom:
    secretKeyRef: {name: {{ $secret }}, key: {{ $ref.key }}, optional: {{ $ref.optional | default false }}}
{{- end }}
{{- range $env, $value := $s.env }}
- name: {{ $env }}
  value: {{ $value | quote }}
{{- end }}
{{- end }}
{{- end -}}
