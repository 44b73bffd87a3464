/**
 * bench/lib/pod: a realistic Pod manifest (labels, two containers with ports, env, resources,
 * probes, volume mounts, a ConfigMap volume), optionally padded with an annotation so its JSON
 * is exactly `bytes` long, as the request body a client sends.
 */

const NAME = '__BENCH_NAME__';

function manifest(namespace: string, pad: string): object {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: NAME,
      namespace,
      labels: { app: 'bench-web', tier: 'frontend', release: 'stable', 'app.kubernetes.io/part-of': 'k8ts-bench' },
      annotations: { 'bench.k8ts.io/pad': pad },
    },
    spec: {
      containers: [
        {
          name: 'web',
          image: 'registry.k8s.io/nginx-slim:0.27',
          ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
          env: [
            { name: 'LOG_LEVEL', value: 'info' },
            { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          ],
          resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '500m', memory: '128Mi' } },
          readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 5 },
          livenessProbe: { tcpSocket: { port: 8080 }, initialDelaySeconds: 10 },
          volumeMounts: [{ name: 'config', mountPath: '/etc/web', readOnly: true }],
        },
        {
          name: 'log-shipper',
          image: 'docker.io/fluent/fluent-bit:3.0',
          args: ['--config', '/etc/fluent-bit/fluent-bit.conf'],
          resources: { requests: { cpu: '10m', memory: '16Mi' } },
        },
      ],
      volumes: [{ name: 'config', configMap: { name: 'web-config' } }],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
    },
  };
}

/** A pod body template; fill in a name with podBody(). */
export interface PodTemplate {
  parts: [string, string];
  bytes: number;
}

/** `bytes` 0 means no padding annotation at all (the bare realistic pod, ~1.2 KB). */
export function podTemplate(namespace: string, bytes: number, nameLength = 12): PodTemplate {
  const build = (pad: string): string => {
    const m = manifest(namespace, pad) as { metadata: { annotations?: object } };
    if (bytes === 0) delete m.metadata.annotations;
    return JSON.stringify(m);
  };
  let json = build('');
  if (bytes > 0) {
    const fill = bytes - (json.length - NAME.length + nameLength);
    json = build('x'.repeat(Math.max(0, fill)));
  }
  const i = json.indexOf(NAME);
  const parts: [string, string] = [json.slice(0, i), json.slice(i + NAME.length)];
  return { parts, bytes: parts[0].length + parts[1].length + nameLength };
}

export function podBody(t: PodTemplate, name: string): string {
  return t.parts[0] + name + t.parts[1];
}

/** Names of exactly 12 characters: prefix + zero-padded index. */
export function podName(prefix: string, i: number, length = 12): string {
  return prefix + String(i).padStart(length - prefix.length, '0');
}
