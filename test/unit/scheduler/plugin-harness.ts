/** Runs one plugin through a real Framework (PreFilter → Filter, PreScore → Score → Normalize). */
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import {
  CycleState, Framework, Snapshot, registerDefaultPlugins, type Status,
} from '../../../src/scheduler/index.js';

const registry = registerDefaultPlugins(new Map());

export function frameworkWith(plugin: string, args?: unknown, snapshot?: Snapshot): Framework {
  const fwk = new Framework(
    { schedulerName: 'default-scheduler', plugins: [{ name: plugin }], pluginArgs: args ? { [plugin]: args } : undefined },
    { registry, snapshot: snapshot ? () => snapshot : undefined },
  );
  return fwk;
}

/** Each node's filter outcome: 'ok' or "<code>: <reasons>". */
export function filterAll(plugin: string, pod: Pod, nodes: Node[], pods: Pod[] = [], args?: unknown): Record<string, string> {
  const snap = Snapshot.from(nodes, pods);
  const fwk = frameworkWith(plugin, args, snap);
  const state = new CycleState();
  const pre = fwk.runPreFilter(state, pod, snap);
  const out: Record<string, string> = {};
  for (const ni of snap.nodeInfos) {
    const s: Status = pre.code === 'Success' ? fwk.runFilter(state, pod, ni) : pre;
    out[ni.name] = s.code === 'Success' ? 'ok' : `${s.code}: ${s.reasons.join(', ')}`;
  }
  return out;
}

/** Each node's normalized score (0..100) from one score plugin over the given (feasible) nodes. */
export function scoreAll(plugin: string, pod: Pod, nodes: Node[], pods: Pod[] = [], args?: unknown): Record<string, number> {
  const snap = Snapshot.from(nodes, pods);
  const fwk = frameworkWith(plugin, args, snap);
  const state = new CycleState();
  fwk.setSnapshot(snap);
  fwk.runPreScore(state, pod, snap.nodeInfos);
  const totals = fwk.runScore(state, pod, snap.nodeInfos);
  return Object.fromEntries(totals.map((t) => [t.name, t.score]));
}
