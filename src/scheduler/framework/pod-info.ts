/**
 * PodInfo: a pod plus everything the plugins derive from it once (effective requests, host
 * ports, parsed inter-pod affinity terms, priority), cached per pod object so a cycle over
 * thousands of nodes never re-parses quantities or selectors.
 */
import type { Pod, PodAffinityTerm, WeightedPodAffinityTerm } from 'kubernetes-types/core/v1.js';
import { matches, selectorFromObject, type LabelSelectorObject, type Selector } from '../../machinery/labels.js';
import { podNonZeroRequests, podRequests, type Resources } from './resources.js';

export interface HostPort {
  hostIP: string;
  protocol: string;
  port: number;
}

export interface AffinityTerm {
  /** Namespaces named by the term (the pod's own when neither names nor a selector is given). */
  namespaces: Set<string>;
  /** metav1.LabelSelector over namespace labels; null when not set. An empty selector matches all. */
  namespaceSelector: Selector | null;
  selector: Selector | null;
  topologyKey: string;
}

export interface WeightedAffinityTerm extends AffinityTerm {
  weight: number;
}

export interface PodInfo {
  readonly pod: Pod;
  readonly uid: string;
  /** namespace/name */
  readonly key: string;
  readonly namespace: string;
  readonly priority: number;
  readonly requests: Resources;
  readonly nonZeroRequests: Resources;
  readonly hostPorts: HostPort[];
  readonly requiredAffinityTerms: AffinityTerm[];
  readonly requiredAntiAffinityTerms: AffinityTerm[];
  readonly preferredAffinityTerms: WeightedAffinityTerm[];
  readonly preferredAntiAffinityTerms: WeightedAffinityTerm[];
}

export function podKey(pod: Pod): string {
  return `${pod.metadata?.namespace ?? 'default'}/${pod.metadata?.name ?? ''}`;
}

export function podUid(pod: Pod): string {
  return pod.metadata?.uid ?? podKey(pod);
}

export function podPriority(pod: Pod): number {
  return pod.spec?.priority ?? 0;
}

function safeSelector(sel: LabelSelectorObject | null | undefined): Selector | null {
  try {
    return selectorFromObject(sel);
  } catch {
    return null;
  }
}

function affinityTerm(pod: Pod, t: PodAffinityTerm): AffinityTerm {
  const ns = new Set(t.namespaces ?? []);
  const namespaceSelector = t.namespaceSelector ? safeSelector(t.namespaceSelector as LabelSelectorObject) : null;
  if (ns.size === 0 && !t.namespaceSelector) ns.add(pod.metadata?.namespace ?? 'default');
  return {
    namespaces: ns,
    namespaceSelector,
    selector: safeSelector(t.labelSelector as LabelSelectorObject | undefined),
    topologyKey: t.topologyKey,
  };
}

function weighted(pod: Pod, terms: WeightedPodAffinityTerm[] | undefined): WeightedAffinityTerm[] {
  return (terms ?? []).map((w) => ({ ...affinityTerm(pod, w.podAffinityTerm), weight: w.weight }));
}

function hostPortsOf(pod: Pod): HostPort[] {
  const out: HostPort[] = [];
  const add = (ports: { hostPort?: number; hostIP?: string; protocol?: string }[] | undefined) => {
    for (const p of ports ?? []) {
      if (!p.hostPort || p.hostPort <= 0) continue;
      out.push({ hostIP: p.hostIP || '0.0.0.0', protocol: p.protocol || 'TCP', port: p.hostPort });
    }
  };
  for (const c of pod.spec?.containers ?? []) add(c.ports);
  for (const c of pod.spec?.initContainers ?? []) if (c.restartPolicy === 'Always') add(c.ports);
  return out;
}

const cache = new WeakMap<Pod, PodInfo>();

/** The PodInfo of a pod object (cached per object; pods are never mutated in place). */
export function podInfoOf(pod: Pod): PodInfo {
  let pi = cache.get(pod);
  if (pi) return pi;
  const aff = pod.spec?.affinity;
  pi = {
    pod,
    uid: podUid(pod),
    key: podKey(pod),
    namespace: pod.metadata?.namespace ?? 'default',
    priority: podPriority(pod),
    requests: podRequests(pod),
    nonZeroRequests: podNonZeroRequests(pod),
    hostPorts: hostPortsOf(pod),
    requiredAffinityTerms: (aff?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => affinityTerm(pod, t)),
    requiredAntiAffinityTerms: (aff?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => affinityTerm(pod, t)),
    preferredAffinityTerms: weighted(pod, aff?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution),
    preferredAntiAffinityTerms: weighted(pod, aff?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution),
  };
  cache.set(pod, pi);
  return pi;
}

/**
 * Whether a term written by one pod selects another pod: the other pod's namespace is one the
 * term names (or matched by its namespace selector) and its labels match the label selector.
 */
export function termMatches(
  term: AffinityTerm, other: PodInfo, namespaceLabels?: (ns: string) => Record<string, string> | undefined,
): boolean {
  if (!term.namespaces.has(other.namespace)) {
    if (!term.namespaceSelector) return false;
    if (term.namespaceSelector.length > 0 && !matches(term.namespaceSelector, namespaceLabels?.(other.namespace))) return false;
  }
  return matches(term.selector, other.pod.metadata?.labels);
}

export function hasAffinity(pi: PodInfo): boolean {
  return pi.requiredAffinityTerms.length > 0 || pi.requiredAntiAffinityTerms.length > 0
    || pi.preferredAffinityTerms.length > 0 || pi.preferredAntiAffinityTerms.length > 0;
}
