/**
 * The Node authorizer (a simplified upstream NodeAuthorizer, together with the NodeRestriction admission
 * plugin in ../admission/node-restriction.ts): a node agent — user system:node:NAME in group system:nodes —
 * may read what a kubelet reads, write only its own Node, Lease and the pods bound to it, and read the
 * Secrets, ConfigMaps, PersistentVolumeClaims, PersistentVolumes and ServiceAccount tokens that pods bound to
 * it reference. Instead of upstream's graph of references, pods are looked up in the watch cache per request.
 * Gaps against upstream: list/watch of secrets/configmaps is refused (a kubelet here gets them by name);
 * ResourceClaims, CSI attachments and dynamic-resource references are not tracked.
 * Other users: no opinion.
 */
import type { UserInfo } from '../authn/index.js';
import type { KObject } from '../rest/codec.js';
import { CachedObjects } from './cached-objects.js';
import type { AuthorizationAttributes, Authorizer, AuthorizerContext, Decision } from './index.js';

export const NODES_GROUP = 'system:nodes';
export const NODE_USER_PREFIX = 'system:node:';
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

/** The node a user is, or undefined when the user is not a node identity. */
export function nodeNameOf(user: UserInfo): string | undefined {
  if (!user.username.startsWith(NODE_USER_PREFIX) || !user.groups.includes(NODES_GROUP)) return undefined;
  const name = user.username.slice(NODE_USER_PREFIX.length);
  return name || undefined;
}

const READ = ['get', 'list', 'watch'];
const allow: Decision = { allowed: true, reason: '' };
const noOpinion: Decision = { allowed: false, reason: '' };
/** Upstream's node authorizer never denies outright: it has no opinion, with a reason, so RBAC may still allow. */
const deny = (reason: string): Decision => ({ allowed: false, reason });

/** Things a node may read or do regardless of which node it is (upstream's system:node rules, unscoped part). */
const STATIC: { group: string; resources: string[]; verbs: string[] }[] = [
  { group: '', resources: ['services', 'endpoints', 'nodes'], verbs: READ },
  { group: '', resources: ['pods'], verbs: READ },
  { group: 'discovery.k8s.io', resources: ['endpointslices'], verbs: READ },
  { group: '', resources: ['events'], verbs: ['create', 'update', 'patch'] },
  { group: 'events.k8s.io', resources: ['events'], verbs: ['create', 'update', 'patch'] },
  { group: 'authentication.k8s.io', resources: ['tokenreviews'], verbs: ['create'] },
  { group: 'authorization.k8s.io', resources: ['subjectaccessreviews', 'localsubjectaccessreviews'], verbs: ['create'] },
  { group: 'certificates.k8s.io', resources: ['certificatesigningrequests'], verbs: ['create', 'get', 'list', 'watch'] },
  { group: 'storage.k8s.io', resources: ['csidrivers', 'csinodes', 'storageclasses'], verbs: READ },
  { group: 'storage.k8s.io', resources: ['volumeattachments'], verbs: ['get'] },
  { group: 'node.k8s.io', resources: ['runtimeclasses'], verbs: READ },
];

export class NodeAuthorizer implements Authorizer {
  readonly name = 'Node';
  private pods?: CachedObjects;
  private pvcs?: CachedObjects;

  attach(ctx: AuthorizerContext): void {
    this.pods = new CachedObjects(ctx.cache, '/registry/core/pods/');
    this.pvcs = new CachedObjects(ctx.cache, '/registry/core/persistentvolumeclaims/');
  }

  private pod(namespace: string, name: string): KObject | undefined {
    return this.pods?.get(`/registry/core/pods/${namespace}/${name}`);
  }

  /** Pods bound to the node, in one namespace or all. */
  private podsOn(node: string, namespace?: string): KObject[] {
    if (!this.pods) return [];
    const out: KObject[] = [];
    for (const p of this.pods.values()) {
      if (p.spec?.nodeName !== node) continue;
      if (namespace !== undefined && p.metadata.namespace !== namespace) continue;
      out.push(p);
    }
    return out;
  }

  authorize(a: AuthorizationAttributes): Decision {
    const node = nodeNameOf(a.user);
    if (node === undefined || !a.isResourceRequest) return noOpinion;
    const group = a.group ?? '';
    const resource = a.resource ?? '';
    const sub = a.subresource ?? '';
    const ns = a.namespace ?? '';
    const name = a.name ?? '';
    const noRelationship = deny(`no relationship found between node '${node}' and this object`);

    if (group === '') {
      switch (resource) {
        case 'secrets':
        case 'configmaps':
        case 'persistentvolumeclaims':
        case 'persistentvolumes': {
          if (resource === 'persistentvolumeclaims' && sub === 'status' && ['update', 'patch'].includes(a.verb)) {
            return this.references(node, resource, ns, name) ? allow : noRelationship;
          }
          if (sub) return noOpinion;
          if (a.verb !== 'get' && !(name && (a.verb === 'list' || a.verb === 'watch'))) return deny('can only get individual resources of this type');
          return this.references(node, resource, ns, name) ? allow : noRelationship;
        }
        case 'serviceaccounts':
          if (sub === 'token' && a.verb === 'create') return this.references(node, resource, ns, name) ? allow : noRelationship;
          if (!sub && a.verb === 'get') return this.references(node, resource, ns, name) ? allow : noRelationship;
          return noOpinion;
        case 'nodes':
          if (sub === '' && READ.includes(a.verb)) return allow;
          if (sub === '' && a.verb === 'create') return allow; // NodeRestriction admission checks the name
          // Any node name here, as upstream: NodeRestriction admission refuses changes to other nodes.
          if ((sub === '' && ['update', 'patch', 'delete'].includes(a.verb)) || (sub === 'status' && ['update', 'patch'].includes(a.verb))) return allow;
          return noOpinion;
        case 'pods': {
          if (sub === '' && READ.includes(a.verb)) return allow;
          if (sub === '' && a.verb === 'create') return allow; // mirror pods; NodeRestriction checks the binding
          if ((sub === '' && a.verb === 'delete') || (sub === 'status' && ['update', 'patch'].includes(a.verb))) {
            const pod = this.pod(ns, name);
            if (!pod) return noRelationship;
            return pod.spec?.nodeName === node ? allow : deny(`node '${node}' can only modify pods bound to it`);
          }
          if (sub === 'eviction' && a.verb === 'create') return allow;
          return noOpinion;
        }
      }
    }
    if (group === 'coordination.k8s.io' && resource === 'leases' && !sub) {
      if (ns !== NODE_LEASE_NAMESPACE) return noOpinion;
      if (a.verb === 'create') return allow; // NodeRestriction checks the name
      if (['get', 'update', 'patch', 'delete'].includes(a.verb)) {
        return name === node ? allow : deny(`node '${node}' can only access its own lease`);
      }
      return noOpinion;
    }
    const combined = sub ? `${resource}/${sub}` : resource;
    for (const r of STATIC) {
      if (r.group === group && r.resources.includes(combined) && r.verbs.includes(a.verb)) return allow;
    }
    return noOpinion;
  }

  /** Whether a pod bound to the node references the object. */
  private references(node: string, resource: string, namespace: string, name: string): boolean {
    if (!name) return false;
    if (resource === 'persistentvolumes') {
      for (const pod of this.podsOn(node)) {
        for (const claim of claimNames(pod)) {
          const pvc = this.pvcs?.get(`/registry/core/persistentvolumeclaims/${pod.metadata.namespace}/${claim}`);
          if (pvc?.spec?.volumeName === name) return true;
        }
      }
      return false;
    }
    for (const pod of this.podsOn(node, namespace)) {
      if (resource === 'serviceaccounts' && (pod.spec?.serviceAccountName || 'default') === name) return true;
      if (resource === 'persistentvolumeclaims' && claimNames(pod).includes(name)) return true;
      if (resource === 'secrets' && secretNames(pod).includes(name)) return true;
      if (resource === 'configmaps' && configMapNames(pod).includes(name)) return true;
    }
    return false;
  }
}

const list = (v: unknown): any[] => (Array.isArray(v) ? v : []);

function containersOf(pod: KObject): any[] {
  return [...list(pod.spec?.initContainers), ...list(pod.spec?.containers), ...list(pod.spec?.ephemeralContainers)];
}

function claimNames(pod: KObject): string[] {
  const out: string[] = [];
  for (const v of list(pod.spec?.volumes)) {
    if (v?.persistentVolumeClaim?.claimName) out.push(v.persistentVolumeClaim.claimName);
    if (v?.ephemeral && v.name) out.push(`${pod.metadata.name}-${v.name}`);
  }
  return out;
}

function secretNames(pod: KObject): string[] {
  const out: string[] = [];
  for (const s of list(pod.spec?.imagePullSecrets)) if (s?.name) out.push(s.name);
  for (const v of list(pod.spec?.volumes)) {
    if (v?.secret?.secretName) out.push(v.secret.secretName);
    for (const src of list(v?.projected?.sources)) if (src?.secret?.name) out.push(src.secret.name);
    for (const key of ['cephfs', 'cinder', 'flexVolume', 'rbd', 'scaleIO', 'storageos', 'iscsi', 'csi']) {
      const ref = v?.[key]?.secretRef ?? v?.[key]?.nodePublishSecretRef;
      if (ref?.name) out.push(ref.name);
    }
    if (v?.azureFile?.secretName) out.push(v.azureFile.secretName);
  }
  for (const c of containersOf(pod)) {
    for (const e of list(c?.env)) if (e?.valueFrom?.secretKeyRef?.name) out.push(e.valueFrom.secretKeyRef.name);
    for (const e of list(c?.envFrom)) if (e?.secretRef?.name) out.push(e.secretRef.name);
  }
  return out;
}

function configMapNames(pod: KObject): string[] {
  const out: string[] = [];
  for (const v of list(pod.spec?.volumes)) {
    if (v?.configMap?.name) out.push(v.configMap.name);
    for (const src of list(v?.projected?.sources)) if (src?.configMap?.name) out.push(src.configMap.name);
  }
  for (const c of containersOf(pod)) {
    for (const e of list(c?.env)) if (e?.valueFrom?.configMapKeyRef?.name) out.push(e.valueFrom.configMapKeyRef.name);
    for (const e of list(c?.envFrom)) if (e?.configMapRef?.name) out.push(e.configMapRef.name);
  }
  return out;
}
