/** The API-backed lookup volumes and env use: KubeClient reads; 404 → undefined. */
import { isNotFound, type KubeClient, type ResourceRef } from '../../../client/index.js';
import type { IssuedToken, TokenRequestSpec, VolumeLookup } from './types.js';

const core = (plural: string, namespaced = true): ResourceRef => ({ group: '', version: 'v1', plural, namespaced });
const CONFIGMAPS = core('configmaps');
const SECRETS = core('secrets');
const PVCS = core('persistentvolumeclaims');
const PVS = core('persistentvolumes', false);

async function orUndefined<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

/** A VolumeLookup (also a ConfigLookup for resolveEnv) reading through the API with `client`. */
export function kubeLookup(client: KubeClient): VolumeLookup {
  return {
    getConfigMap: (ns, name) => orUndefined(client.get(CONFIGMAPS, ns, name)),
    getSecret: (ns, name) => orUndefined(client.get(SECRETS, ns, name)),
    getPersistentVolumeClaim: (ns, name) => orUndefined(client.get(PVCS, ns, name)),
    getPersistentVolume: (name) => orUndefined(client.get(PVS, undefined, name)),
    async requestServiceAccountToken(ns: string, sa: string, spec: TokenRequestSpec): Promise<IssuedToken | undefined> {
      const body = { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec };
      const path = `/api/v1/namespaces/${encodeURIComponent(ns)}/serviceaccounts/${encodeURIComponent(sa)}/token`;
      const res = await orUndefined(client.request<any>('POST', path, body));
      if (!res?.status?.token) return undefined;
      return { token: res.status.token, expirationTimestamp: res.status.expirationTimestamp };
    },
  };
}
