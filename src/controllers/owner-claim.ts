/**
 * Controller references (upstream's ControllerRefManager): a controller adopts orphans its
 * selector matches (a strategic-merge patch adding a controller ownerReference with
 * blockOwnerDeletion) and releases objects it owns that no longer match (a patch deleting its
 * ownerReference). Adoption first re-reads the owner from the API so a controller being deleted,
 * or replaced by one of the same name, adopts nothing.
 */
import { isNotFound, type KObject, type KubeClient, type ResourceRef } from '../client/rest-client.js';

export interface OwnerKind {
  apiVersion: string;
  kind: string;
}

export function controllerRefOf(obj: KObject): KObject | undefined {
  return (obj.metadata?.ownerReferences ?? []).find((r: KObject) => r.controller === true);
}

export function newControllerRef(owner: KObject, k: OwnerKind): KObject {
  return {
    apiVersion: k.apiVersion, kind: k.kind, name: owner.metadata.name, uid: owner.metadata.uid,
    controller: true, blockOwnerDeletion: true,
  };
}

export interface ClaimOptions {
  client: KubeClient;
  /** The resource of the objects being claimed. */
  resource: ResourceRef;
  owner: KObject;
  ownerKind: OwnerKind;
  /** The owner's own resource (for the fresh read before adopting). */
  ownerResource: ResourceRef;
  matches: (obj: KObject) => boolean;
  log?: (msg: string) => void;
}

/**
 * The objects the owner controls after adopting matching orphans and releasing owned objects
 * that no longer match. Objects owned by another controller are left alone.
 */
export async function claimObjects(objects: KObject[], o: ClaimOptions): Promise<KObject[]> {
  const ownerUid = o.owner.metadata.uid;
  const deleting = !!o.owner.metadata.deletionTimestamp;
  const claimed: KObject[] = [];
  let adoptable: Promise<void> | undefined;
  const errors: unknown[] = [];
  for (const obj of objects) {
    const ref = controllerRefOf(obj);
    if (ref) {
      if (ref.uid !== ownerUid) continue;
      if (o.matches(obj)) {
        claimed.push(obj);
        continue;
      }
      if (deleting) continue;
      try {
        await o.client.patch(o.resource, obj.metadata.namespace, obj.metadata.name, 'strategic', {
          metadata: { ownerReferences: [{ $patch: 'delete', uid: ownerUid }], uid: obj.metadata.uid },
        });
      } catch (err) {
        if (!isNotFound(err)) errors.push(err);
      }
      continue;
    }
    if (deleting || !o.matches(obj) || obj.metadata?.deletionTimestamp) continue;
    if (o.owner.metadata.namespace && o.owner.metadata.namespace !== obj.metadata.namespace) continue;
    try {
      adoptable ??= canAdopt(o);
      await adoptable;
      const patched = await o.client.patch(o.resource, obj.metadata.namespace, obj.metadata.name, 'strategic', {
        metadata: { ownerReferences: [newControllerRef(o.owner, o.ownerKind)], uid: obj.metadata.uid },
      });
      claimed.push(patched);
    } catch (err) {
      if (!isNotFound(err)) errors.push(err);
    }
  }
  if (errors.length) {
    const e = errors[0];
    throw e instanceof Error ? e : new Error(String(e));
  }
  return claimed;
}

async function canAdopt(o: ClaimOptions): Promise<void> {
  const { namespace, name, uid } = o.owner.metadata;
  const fresh = await o.client.get(o.ownerResource, namespace, name);
  if (fresh.metadata.uid !== uid) {
    throw new Error(`original ${o.ownerKind.kind} ${namespace}/${name} is gone: got uid ${fresh.metadata.uid}, wanted ${uid}`);
  }
  if (fresh.metadata.deletionTimestamp) {
    throw new Error(`${o.ownerKind.kind} ${namespace}/${name} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
  }
}
