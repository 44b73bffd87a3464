/**
 * DefaultTolerationSeconds: every pod tolerates node.kubernetes.io/not-ready:NoExecute and
 * node.kubernetes.io/unreachable:NoExecute for 300 s unless it already tolerates them (a
 * toleration with that key, or no key, and effect NoExecute or none), as upstream's plugin does;
 * the two durations are settings (upstream's --default-not-ready-toleration-seconds and
 * --default-unreachable-toleration-seconds).
 * With the node lifecycle controller this is what evicts pods from a failed node after five minutes.
 */
import type { AdmissionPluginFactory } from './types.js';

export const DEFAULT_TOLERATION_SECONDS = 300;
const NOT_READY = 'node.kubernetes.io/not-ready';
const UNREACHABLE = 'node.kubernetes.io/unreachable';

interface Toleration {
  key?: string;
  operator?: string;
  effect?: string;
  tolerationSeconds?: number;
}

const tolerates = (t: Toleration, key: string): boolean =>
  (t.key === key || !t.key) && (t.effect === 'NoExecute' || !t.effect);

export const defaultTolerationSeconds: AdmissionPluginFactory = (_lookup, config) => {
  const seconds: Record<string, number> = {
    [NOT_READY]: config.defaultNotReadyTolerationSeconds ?? DEFAULT_TOLERATION_SECONDS,
    [UNREACHABLE]: config.defaultUnreachableTolerationSeconds ?? DEFAULT_TOLERATION_SECONDS,
  };
  return {
    name: 'DefaultTolerationSeconds',
    admit(a) {
      if (a.resource.group !== '' || a.resource.plural !== 'pods' || a.subresource) return;
      if (a.operation !== 'CREATE' && a.operation !== 'UPDATE') return;
      const pod = a.object;
      if (!pod || typeof pod !== 'object') return;
      const spec = (pod.spec ??= {});
      const tolerations: Toleration[] = Array.isArray(spec.tolerations) ? spec.tolerations : [];
      const add: Toleration[] = [];
      for (const key of [NOT_READY, UNREACHABLE]) {
        if (!tolerations.some((t) => t && tolerates(t, key))) {
          add.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: seconds[key] });
        }
      }
      if (add.length) spec.tolerations = [...tolerations, ...add];
    },
  };
};
