/**
 * Which nodes a DaemonSet's pods belong on, and the pods it makes, as upstream's daemon
 * controller and daemon util: the automatic tolerations every daemon pod gets, nodeSelector and
 * required node affinity, taints (NoSchedule/NoExecute to start, NoExecute to keep running), and
 * the `matchFields metadata.name In [node]` affinity that pins a pod to its node. Pure code; the
 * selector and toleration matching itself is machinery/node-selection's.
 */
import type { KObject } from '../../client/rest-client.js';
import type { Node, Taint } from 'kubernetes-types/core/v1.js';
import { findUntoleratedTaint, podMatchesNodeSelectorAndAffinity } from '../../machinery/node-selection.js';
import { CONTROLLER_REVISION_HASH_LABEL, controllerRef } from '../history.js';

const T = 'node.kubernetes.io/';

/** upstream AddOrUpdateDaemonPodTolerations. */
export function daemonTolerations(spec: KObject): KObject[] {
  const want: KObject[] = [
    { key: `${T}not-ready`, operator: 'Exists', effect: 'NoExecute' },
    { key: `${T}unreachable`, operator: 'Exists', effect: 'NoExecute' },
    { key: `${T}disk-pressure`, operator: 'Exists', effect: 'NoSchedule' },
    { key: `${T}memory-pressure`, operator: 'Exists', effect: 'NoSchedule' },
    { key: `${T}pid-pressure`, operator: 'Exists', effect: 'NoSchedule' },
    { key: `${T}unschedulable`, operator: 'Exists', effect: 'NoSchedule' },
  ];
  if (spec.hostNetwork) want.push({ key: `${T}network-unavailable`, operator: 'Exists', effect: 'NoSchedule' });
  const out: KObject[] = [...(spec.tolerations ?? [])];
  for (const t of want) {
    // upstream AddOrUpdateTolerationInPodSpec: one with the same key, operator, value and effect is replaced.
    const i = out.findIndex((o) => (o.key ?? '') === t.key && (o.operator || 'Equal') === t.operator && (o.value ?? '') === '' && (o.effect ?? '') === t.effect);
    if (i >= 0) out[i] = t;
    else out.push(t);
  }
  return out;
}

/** Every taint with one of `effects` is tolerated. */
export function toleratesTaints(tolerations: KObject[], taints: KObject[], effects: string[]): boolean {
  return !findUntoleratedTaint(taints as Taint[], tolerations, effects);
}

export interface Placement {
  /** A daemon pod should be created on the node if none is there. */
  shouldRun: boolean;
  /** A daemon pod already on the node may stay. */
  shouldContinueRunning: boolean;
}

/** upstream NodeShouldRunDaemonPod. */
export function nodeShouldRunDaemonPod(node: KObject, ds: KObject): Placement {
  const spec = ds.spec?.template?.spec ?? {};
  if (spec.nodeName && spec.nodeName !== node.metadata.name) return { shouldRun: false, shouldContinueRunning: false };
  if (!podMatchesNodeSelectorAndAffinity({ spec }, node as Node)) return { shouldRun: false, shouldContinueRunning: false };
  const tolerations = daemonTolerations(spec);
  const taints: KObject[] = node.spec?.taints ?? [];
  return {
    shouldRun: toleratesTaints(tolerations, taints, ['NoSchedule', 'NoExecute']),
    shouldContinueRunning: toleratesTaints(tolerations, taints, ['NoExecute']),
  };
}

/** upstream ReplaceDaemonSetPodNodeNameNodeAffinity: the required terms become `metadata.name In [node]`. */
export function pinToNode(affinity: KObject | undefined, nodeName: string): KObject {
  const term = { matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] };
  const a = structuredClone(affinity ?? {});
  a.nodeAffinity = { ...(a.nodeAffinity ?? {}) };
  a.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = {
    ...(a.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution ?? {}), nodeSelectorTerms: [term],
  };
  return a;
}

/** The node a daemon pod is on or pinned to (upstream GetTargetNodeName). */
export function targetNodeName(pod: KObject): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  for (const t of pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    for (const f of t.matchFields ?? []) {
      if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
    }
  }
  return undefined;
}

/** A new daemon pod for a node (upstream CreatePodTemplate + pinning), labelled with the revision hash. */
export function newDaemonPod(ds: KObject, nodeName: string, hash: string): KObject {
  const t = ds.spec?.template ?? {};
  const metadata: KObject = {
    generateName: `${ds.metadata.name}-`,
    namespace: ds.metadata.namespace,
    labels: { ...(t.metadata?.labels ?? {}), [CONTROLLER_REVISION_HASH_LABEL]: hash },
    ownerReferences: [controllerRef(ds, 'DaemonSet')],
  };
  if (t.metadata?.annotations) metadata.annotations = { ...t.metadata.annotations };
  if (t.metadata?.finalizers) metadata.finalizers = [...t.metadata.finalizers];
  const spec = structuredClone(t.spec ?? {});
  spec.tolerations = daemonTolerations(spec);
  spec.affinity = pinToNode(spec.affinity, nodeName);
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec };
}

/** int-or-percent scaled against `total`, rounding up (upstream GetScaledValueFromIntOrPercent(…, true)). */
export function scaledValue(v: unknown, total: number): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^\d+%$/.test(v)) return Math.ceil((Number(v.slice(0, -1)) * total) / 100);
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  return 0;
}

/** upstream's surge/unavailable for a rolling update over `desired` nodes. */
export function rollingLimits(ds: KObject, desired: number): { maxSurge: number; maxUnavailable: number } {
  const ru = ds.spec?.updateStrategy?.rollingUpdate ?? {};
  const maxSurge = scaledValue(ru.maxSurge ?? 0, desired);
  let maxUnavailable = scaledValue(ru.maxUnavailable ?? 1, desired);
  if (desired > 0 && maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable };
}
