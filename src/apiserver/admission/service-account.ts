/**
 * ServiceAccount admission (upstream's plugin of that name), on pod creation:
 *  - a pod without spec.serviceAccountName runs as `default`;
 *  - the ServiceAccount must exist (403 `error looking up service account NS/NAME: ...` otherwise);
 *    the `default` account is looked up a few times, since its controller creates it just after the
 *    namespace appears;
 *  - unless automountServiceAccountToken is false (on the pod, else on the account), every container
 *    and init container mounts a projected `kube-api-access-XXXXX` volume (a bound token, the cluster
 *    CA from ConfigMap kube-root-ca.crt, and the namespace) read-only at
 *    /var/run/secrets/kubernetes.io/serviceaccount, unless it already mounts something there;
 *  - mirror pods (static pods seen through the API) may not name a service account and get no token.
 */
import { randomInt } from 'node:crypto';
import { forbidden } from '../status.js';
import type { AdmissionLookup, AdmissionPluginFactory } from './types.js';

export const DEFAULT_SERVICE_ACCOUNT = 'default';
export const TOKEN_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
export const TOKEN_VOLUME_PREFIX = 'kube-api-access-';
export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
const MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';
/** The token lifetime kubelets ask for in the projected volume (extended to a year, warning after this). */
const PROJECTED_EXPIRATION_SECONDS = 3607;
const DEFAULT_MODE = 0o644;
/** The alphabet upstream's random name suffixes use (no vowels, no confusable digits). */
const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

export function randomSuffix(n = 5): string {
  let s = '';
  for (let i = 0; i < n; i++) s += ALPHANUMS[randomInt(ALPHANUMS.length)];
  return s;
}

export function tokenVolume(name: string): Record<string, unknown> {
  return {
    name,
    projected: {
      sources: [
        { serviceAccountToken: { expirationSeconds: PROJECTED_EXPIRATION_SECONDS, path: 'token' } },
        { configMap: { name: ROOT_CA_CONFIGMAP, items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
      defaultMode: DEFAULT_MODE,
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function findServiceAccount(lookup: AdmissionLookup, namespace: string, name: string, attempts: number, delayMs: () => number) {
  for (let i = 0; i < attempts; i++) {
    if (i > 0) await sleep(delayMs());
    const sa = await lookup.get('', 'serviceaccounts', namespace, name);
    if (sa) return sa;
  }
  return undefined;
}

export const serviceAccount: AdmissionPluginFactory = (lookup, config) => ({
  name: 'ServiceAccount',
  async admit(a) {
    if (a.resource.group !== '' || a.resource.plural !== 'pods' || a.subresource || a.operation !== 'CREATE') return;
    const pod = a.object;
    if (!pod || typeof pod !== 'object') return;
    const spec = (pod.spec ??= {});
    const podName = a.name || String(pod.metadata?.generateName ?? '');
    const refuse = (why: string) => forbidden(`pods "${podName}" is forbidden: ${why}`);

    if (pod.metadata?.annotations?.[MIRROR_ANNOTATION] !== undefined) {
      if (spec.serviceAccountName) throw refuse('a mirror pod may not reference service accounts');
      return;
    }
    if (!spec.serviceAccountName) spec.serviceAccountName = DEFAULT_SERVICE_ACCOUNT;
    spec.serviceAccount = spec.serviceAccountName;
    const name = String(spec.serviceAccountName);
    const attempts = name === DEFAULT_SERVICE_ACCOUNT ? config.serviceAccountLookupAttempts ?? 10 : 1;
    const sa = await findServiceAccount(lookup, a.namespace, name, attempts, () => 100 + randomInt(100));
    if (!sa) throw refuse(`error looking up service account ${a.namespace}/${name}: serviceaccount "${name}" not found`);

    const automount = typeof spec.automountServiceAccountToken === 'boolean'
      ? spec.automountServiceAccountToken
      : typeof sa.automountServiceAccountToken === 'boolean' ? sa.automountServiceAccountToken : true;
    if (!automount) return;

    const volumes: any[] = Array.isArray(spec.volumes) ? spec.volumes : [];
    const existing = volumes.find((v) => typeof v?.name === 'string' && v.name.startsWith(TOKEN_VOLUME_PREFIX));
    const names = new Set(volumes.map((v) => v?.name));
    let volumeName: string = existing?.name ?? '';
    while (!volumeName || (!existing && names.has(volumeName))) volumeName = TOKEN_VOLUME_PREFIX + randomSuffix();
    let needed = false;
    for (const list of [spec.initContainers, spec.containers]) {
      if (!Array.isArray(list)) continue;
      for (const c of list) {
        if (!c || typeof c !== 'object') continue;
        const mounts: any[] = Array.isArray(c.volumeMounts) ? c.volumeMounts : [];
        if (mounts.some((m) => m?.mountPath === TOKEN_MOUNT_PATH)) continue;
        c.volumeMounts = [...mounts, { name: volumeName, readOnly: true, mountPath: TOKEN_MOUNT_PATH }];
        needed = true;
      }
    }
    if (needed && !existing) spec.volumes = [...volumes, tokenVolume(volumeName)];
  },
});
