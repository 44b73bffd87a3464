/**
 * machinery/node-selection: whether a pod may go to a node by its labels and taints, as upstream's
 * component-helpers (nodeSelector, required node affinity's NodeSelectorTerms with matchExpressions
 * and matchFields) and v1 Toleration.ToleratesTaint. Pure code shared by the scheduler's plugins,
 * the DaemonSet controller and the node lifecycle controller.
 */
import type { Node, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, Pod, Taint, Toleration } from 'kubernetes-types/core/v1.js';

function requirementMatches(r: NodeSelectorRequirement, value: string | undefined, has: boolean): boolean {
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In': return has && values.includes(value as string);
    case 'NotIn': return !has || !values.includes(value as string);
    case 'Exists': return has;
    case 'DoesNotExist': return !has;
    case 'Gt':
    case 'Lt': {
      if (!has || values.length !== 1 || !/^-?\d+$/.test(value as string) || !/^-?\d+$/.test(values[0])) return false;
      const n = Number(value);
      const want = Number(values[0]);
      return r.operator === 'Gt' ? n > want : n < want;
    }
    default: return false;
  }
}

/** Whether one node selector term matches (its requirements are ANDed; an empty term matches nothing). */
export function nodeSelectorTermMatches(term: NodeSelectorTerm, node: Node): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata?.labels ?? {};
  for (const r of exprs) {
    if (!requirementMatches(r, labels[r.key], Object.prototype.hasOwnProperty.call(labels, r.key))) return false;
  }
  for (const r of fields) {
    if (r.key !== 'metadata.name') return false;
    if (!requirementMatches(r, node.metadata?.name, true)) return false;
  }
  return true;
}

/** Whether a NodeSelector (terms ORed) matches the node. */
export function nodeSelectorMatches(sel: NodeSelector, node: Node): boolean {
  return (sel.nodeSelectorTerms ?? []).some((t) => nodeSelectorTermMatches(t, node));
}

/** Whether the node satisfies the pod's spec.nodeSelector and required node affinity. */
export function podMatchesNodeSelectorAndAffinity(pod: Pick<Pod, 'spec'>, node: Node): boolean {
  const sel = pod.spec?.nodeSelector;
  if (sel) {
    const labels = node.metadata?.labels ?? {};
    for (const [k, v] of Object.entries(sel)) if (labels[k] !== v) return false;
  }
  const req = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (req && !nodeSelectorMatches(req, node)) return false;
  return true;
}

/** v1 Toleration.ToleratesTaint (an empty operator is Equal). */
export function toleratesTaint(
  t: Pick<Toleration, 'key' | 'operator' | 'value' | 'effect'>, taint: Pick<Taint, 'key' | 'value' | 'effect'>,
): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator || 'Equal') {
    case 'Exists': return true;
    case 'Equal': return (t.value ?? '') === (taint.value ?? '');
    default: return false;
  }
}

export function taintToleratedBy(taint: Taint, tolerations: Toleration[] | undefined): boolean {
  return (tolerations ?? []).some((t) => toleratesTaint(t, taint));
}

/** The first taint with one of the effects that no toleration tolerates. */
export function findUntoleratedTaint(
  taints: Taint[] | undefined, tolerations: Toleration[] | undefined, effects: readonly string[],
): Taint | undefined {
  for (const taint of taints ?? []) {
    if (!effects.includes(taint.effect)) continue;
    if (!taintToleratedBy(taint, tolerations)) return taint;
  }
  return undefined;
}
