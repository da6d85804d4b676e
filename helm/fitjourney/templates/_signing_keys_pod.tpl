{{/* Pod of the signing-key Jobs: load the Secret's keys into a scratch folder, run `fitjourney-auth <command>`
     on it, write the folder back into the Secret. Args (dict "root" $ "secretName" s "command" "init-keys|rotate-keys"). */}}
{{- define "fitjourney.signingKeysPod" -}}
{{- $root := .root -}}
metadata:
  labels:
    {{- include "fitjourney.labels" $root | nindent 4 }}
    {{- include "fitjourney.selector" (dict "root" $root "name" "auth" "component" "signing-keys") | nindent 4 }}
spec:
  restartPolicy: Never
  serviceAccountName: {{ $root.Release.Name }}-{{ ternary "signing-keys" "rotate-keys" (eq .command "init-keys") }}
  automountServiceAccountToken: true
  securityContext:
    {{- include "fitjourney.podSecurity" (dict) | nindent 4 }}
  initContainers:
    - name: load
      image: {{ $root.Values.kubectlImage }}
      command: ["/bin/sh", "-ec"]
      args:
        - |
          if kubectl get secret "$STORE_NAME" -o json > /tmp/secret.json 2>/dev/null; then
            for key in $(jq -r '.data | keys[] | select(endswith(".pem"))' /tmp/secret.json); do
              jq -r --arg k "$key" '.data[$k]' /tmp/secret.json | base64 -d > "/keys/$key"
            done
          fi
          rm -f /tmp/secret.json
      env:
        - {name: STORE_NAME, value: {{ .secretName | quote }}}
        - {name: HOME, value: /tmp}
      resources:
        requests: {cpu: 50m, memory: 64Mi}
        limits: {cpu: 500m, memory: 256Mi}
      securityContext:
        {{- include "fitjourney.containerSecurity" . | nindent 8 }}
      volumeMounts:
        - {name: keys, mountPath: /keys}
        - {name: tmp, mountPath: /tmp}
    - name: {{ .command }}
      image: {{ include "fitjourney.image" (dict "root" $root "name" "auth") }}
      command: ["fitjourney-auth", {{ .command | quote }}]
      env:
        - {name: ENVIRONMENT, value: {{ $root.Values.environment | quote }}}
        - {name: KEY_DIR, value: /keys}
        - {name: OBJECT_STORE_URL, value: {{ printf "s3://%s/auth" $root.Values.objectStore.bucket | quote }}}
      resources:
        requests: {cpu: 100m, memory: 128Mi}
        limits: {cpu: "1", memory: 256Mi}
      securityContext:
        {{- include "fitjourney.containerSecurity" . | nindent 8 }}
      volumeMounts:
        - {name: keys, mountPath: /keys}
        - {name: tmp, mountPath: /tmp}
  containers:
    - name: store
      image: {{ $root.Values.kubectlImage }}
      command: ["/bin/sh", "-ec"]
      args:
        - |
          kubectl create secret generic "$STORE_NAME" --from-file=/keys --dry-run=client -o yaml \
            | kubectl apply -f -
      env:
        - {name: STORE_NAME, value: {{ .secretName | quote }}}
        - {name: HOME, value: /tmp}
      resources:
        requests: {cpu: 50m, memory: 64Mi}
        limits: {cpu: 500m, memory: 256Mi}
      securityContext:
        {{- include "fitjourney.containerSecurity" . | nindent 8 }}
      volumeMounts:
        - {name: keys, mountPath: /keys, readOnly: true}
        - {name: tmp, mountPath: /tmp}
  volumes:
    - name: keys
      emptyDir: {medium: Memory, sizeLimit: 16Mi}
    - name: tmp
      emptyDir: {sizeLimit: 64Mi}
{{- end -}}
