/**
 * A StatefulSet pod's stable identity and storage, as upstream's stateful_set_utils: names
 * `<set>-<ordinal>`, hostname and subdomain, the pod-name / pod-index / revision labels, the
 * per-ordinal claims `<template>-<set>-<ordinal>` and the volumes that mount them, and the
 * ownerReferences persistentVolumeClaimRetentionPolicy puts on the claims. Pure code.
 */
import type { KObject } from '../../client/rest-client.js';
import { CONTROLLER_REVISION_HASH_LABEL, controllerRef } from '../history.js';

export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

export const startOrdinal = (set: KObject): number => Number(set.spec?.ordinals?.start ?? 0);
export const replicasOf = (set: KObject): number => Number(set.spec?.replicas ?? 1);

export function podName(set: KObject, ordinal: number): string {
  return `${set.metadata.name}-${ordinal}`;
}

/** The ordinal of a pod named `<set>-<n>`, or -1 (upstream's getParentNameAndOrdinal). */
export function ordinalOf(set: KObject, pod: KObject): number {
  const name: string = pod.metadata?.name ?? '';
  const prefix = `${set.metadata.name}-`;
  if (!name.startsWith(prefix)) return -1;
  const rest = name.slice(prefix.length);
  return /^(0|[1-9][0-9]*)$/.test(rest) ? Number(rest) : -1;
}

export function inOrdinalRange(set: KObject, ordinal: number): boolean {
  const start = startOrdinal(set);
  return ordinal >= start && ordinal < start + replicasOf(set);
}

export function claimName(set: KObject, template: KObject, ordinal: number): string {
  return `${template.metadata?.name}-${set.metadata.name}-${ordinal}`;
}

/** The claims a pod of `ordinal` needs, by claim template name (upstream's getPersistentVolumeClaims). */
export function claimsFor(set: KObject, ordinal: number): Map<string, KObject> {
  const claims = new Map<string, KObject>();
  for (const t of set.spec?.volumeClaimTemplates ?? []) {
    const labels = { ...(t.metadata?.labels ?? {}), ...(set.spec?.selector?.matchLabels ?? {}) };
    const metadata: KObject = { name: claimName(set, t, ordinal), namespace: set.metadata.namespace, labels };
    if (t.metadata?.annotations) metadata.annotations = { ...t.metadata.annotations };
    claims.set(t.metadata?.name, { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata, spec: structuredClone(t.spec ?? {}) });
  }
  return claims;
}

/** Sets the pod's volumes: one per claim template (replacing a template volume of that name), then the template's others. */
export function applyStorage(set: KObject, pod: KObject, ordinal: number): void {
  const claims = claimsFor(set, ordinal);
  const volumes: KObject[] = [];
  for (const [name, claim] of claims) volumes.push({ name, persistentVolumeClaim: { claimName: claim.metadata.name } });
  for (const v of pod.spec.volumes ?? []) if (!claims.has(v.name)) volumes.push(v);
  if (volumes.length) pod.spec.volumes = volumes;
}

export function storageMatches(set: KObject, pod: KObject, ordinal: number): boolean {
  const vols = new Map<string, KObject>((pod.spec?.volumes ?? []).map((v: KObject) => [v.name, v]));
  for (const [name, claim] of claimsFor(set, ordinal)) {
    if (vols.get(name)?.persistentVolumeClaim?.claimName !== claim.metadata.name) return false;
  }
  return true;
}

export function identityMatches(set: KObject, pod: KObject, ordinal: number): boolean {
  const l = pod.metadata?.labels ?? {};
  return ordinal >= 0 && pod.metadata?.name === podName(set, ordinal)
    && pod.metadata?.namespace === set.metadata.namespace
    && l[POD_NAME_LABEL] === pod.metadata.name
    && l[POD_INDEX_LABEL] === String(ordinal);
}

/** Fixes name labels, hostname and subdomain in place (upstream's updateIdentity + initIdentity). */
export function applyIdentity(set: KObject, pod: KObject, ordinal: number): void {
  pod.metadata.name = podName(set, ordinal);
  pod.metadata.namespace = set.metadata.namespace;
  pod.metadata.labels = { ...(pod.metadata.labels ?? {}), [POD_NAME_LABEL]: pod.metadata.name, [POD_INDEX_LABEL]: String(ordinal) };
  pod.spec.hostname = pod.metadata.name;
  if (set.spec?.serviceName) pod.spec.subdomain = set.spec.serviceName;
}

/**
 * A new pod for `ordinal` from the set's template (the set as of the wanted revision), labelled
 * with that revision's name.
 */
export function newStatefulPod(set: KObject, ordinal: number, revisionName: string): KObject {
  const t = set.spec?.template ?? {};
  const metadata: KObject = {
    name: podName(set, ordinal),
    namespace: set.metadata.namespace,
    labels: { ...(t.metadata?.labels ?? {}) },
    ownerReferences: [controllerRef(set, 'StatefulSet')],
  };
  if (t.metadata?.annotations) metadata.annotations = { ...t.metadata.annotations };
  if (t.metadata?.finalizers) metadata.finalizers = [...t.metadata.finalizers];
  const pod: KObject = { apiVersion: 'v1', kind: 'Pod', metadata, spec: structuredClone(t.spec ?? {}) };
  applyIdentity(set, pod, ordinal);
  applyStorage(set, pod, ordinal);
  pod.metadata.labels[CONTROLLER_REVISION_HASH_LABEL] = revisionName;
  return pod;
}

export const podRevision = (pod: KObject): string | undefined => pod.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL];

const refTo = (refs: KObject[], uid: string): boolean => refs.some((r) => r.uid === uid);

/**
 * The ownerReferences a claim should carry under persistentVolumeClaimRetentionPolicy
 * (upstream's updateClaimOwnerRefForSetAndPod): whenDeleted=Delete → owned by the set while
 * its pod is in range; whenScaled=Delete → owned by the pod once the pod is condemned.
 * `pod` may be undefined when the pod does not exist. Returns undefined when nothing changes.
 */
export function claimOwnerRefs(set: KObject, claim: KObject, pod: KObject | undefined, ordinal: number): KObject[] | undefined {
  const policy = set.spec?.persistentVolumeClaimRetentionPolicy ?? {};
  const whenDeleted = policy.whenDeleted ?? 'Retain';
  const whenScaled = policy.whenScaled ?? 'Retain';
  const refs: KObject[] = claim.metadata?.ownerReferences ?? [];
  const setUid = set.metadata.uid;
  const podUid = pod?.metadata?.uid;
  const inRange = inOrdinalRange(set, ordinal);
  let wantSet: boolean;
  let wantPod: boolean;
  if (whenScaled === 'Retain' && whenDeleted === 'Retain') [wantSet, wantPod] = [false, false];
  else if (whenScaled === 'Retain') [wantSet, wantPod] = [true, false];
  else if (whenDeleted === 'Retain') [wantSet, wantPod] = [false, !inRange];
  else [wantSet, wantPod] = [inRange, !inRange];
  if (!podUid) wantPod = false;
  let next = refs.filter((r) => !(r.kind === 'StatefulSet' && r.apiVersion === 'apps/v1' && r.name === set.metadata.name));
  if (wantSet) next = [...next, controllerRef(set, 'StatefulSet')];
  // Only the current pod's reference counts; references to earlier pods of that name are dropped.
  next = next.filter((r) => !(r.kind === 'Pod' && r.apiVersion === 'v1' && r.name === podName(set, ordinal)));
  if (wantPod && pod) next = [...next, { apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name, uid: podUid }];
  const same = next.length === refs.length && next.every((r) => refs.some((o) => o.uid === r.uid && !!o.controller === !!r.controller));
  if (same && refTo(next, setUid) === wantSet) return undefined;
  return next;
}
