/**
 * Framework: one profile's plugins instantiated and run at each extension point in profile
 * order, as kube-scheduler's framework runtime does — Filter stops at the first plugin that
 * rejects a node, Score sums weight × normalized score, Unreserve runs in reverse. It is also
 * the FrameworkHandle the plugins see. The scheduler supplies the snapshot, the nominated pods,
 * the binder and the volume hook through FrameworkOptions.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { CycleState } from './cycle-state.js';
import {
  implementsPoint, MAX_NODE_SCORE, type BindPlugin, type ExtensionPoint, type FilterPlugin, type FrameworkHandle,
  type NodeScore, type NodeStatusMap, type PermitPlugin, type Plugin, type PostFilterPlugin, type PostFilterResult,
  type PreBindPlugin, type PreFilterPlugin, type PreScorePlugin, type ReservePlugin, type ScorePlugin, type VolumeBinder,
} from './interfaces.js';
import type { NodeInfo } from './node-info.js';
import type { PodInfo } from './pod-info.js';
import type { Profile } from './profile.js';
import { globalRegistry, type PluginRegistry } from './registry.js';
import type { Snapshot } from './snapshot.js';
import { errorStatus, isRejected, skip, success, unschedulable, withPlugin, type Status } from './status.js';

export interface FrameworkOptions {
  registry?: PluginRegistry;
  /** The current cycle's snapshot (the scheduler swaps it per cycle). */
  snapshot?: () => Snapshot;
  nominatedPodsForNode?: (nodeName: string) => PodInfo[];
  bind?: (pod: Pod, nodeName: string) => Promise<void>;
  volumeBinder?: VolumeBinder;
}

const ALWAYS_PASS: VolumeBinder = { findPodVolumes: () => [] };

export class Framework implements FrameworkHandle {
  readonly profile: Profile;
  readonly plugins = new Map<string, Plugin>();
  readonly weights = new Map<string, number>();
  private readonly points = new Map<ExtensionPoint, Plugin[]>();
  private currentSnapshot?: Snapshot;
  readonly volumeBinder: VolumeBinder;

  constructor(profile: Profile, private readonly opts: FrameworkOptions = {}) {
    this.profile = profile;
    this.volumeBinder = opts.volumeBinder ?? ALWAYS_PASS;
    const registry = opts.registry ?? globalRegistry();
    for (const ref of profile.plugins) {
      const factory = registry.get(ref.name);
      if (!factory) throw new Error(`scheduler profile "${profile.schedulerName}": plugin "${ref.name}" is not registered`);
      const plugin = factory(this, profile.pluginArgs?.[ref.name]);
      this.plugins.set(ref.name, plugin);
      this.weights.set(ref.name, ref.weight ?? 1);
    }
    for (const point of ['preFilter', 'filter', 'postFilter', 'preScore', 'score', 'reserve', 'permit', 'preBind', 'bind'] as const) {
      const off = new Set(profile.disabled?.[point] ?? []);
      this.points.set(point, [...this.plugins.values()].filter((p) => !off.has(p.name) && implementsPoint(p, point)));
    }
  }

  /** The enabled plugin names per extension point (score entries carry their weight). */
  describe(): Record<ExtensionPoint, string[]> {
    const out = {} as Record<ExtensionPoint, string[]>;
    for (const [point, list] of this.points) {
      out[point] = list.map((p) => (point === 'score' ? `${p.name}(${this.weights.get(p.name)})` : p.name));
    }
    return out;
  }

  private list<T extends Plugin>(point: ExtensionPoint): T[] {
    return (this.points.get(point) ?? []) as T[];
  }

  // --- FrameworkHandle -----------------------------------------------------------------------

  setSnapshot(s: Snapshot): void {
    this.currentSnapshot = s;
  }

  snapshot(): Snapshot {
    const s = this.currentSnapshot ?? this.opts.snapshot?.();
    if (!s) throw new Error('scheduler framework: no snapshot for this cycle');
    return s;
  }

  nominatedPodsForNode(nodeName: string): PodInfo[] {
    return this.opts.nominatedPodsForNode?.(nodeName) ?? [];
  }

  bind(pod: Pod, nodeName: string): Promise<void> {
    if (!this.opts.bind) return Promise.reject(new Error('scheduler framework: no binder configured'));
    return this.opts.bind(pod, nodeName);
  }

  // --- extension points ----------------------------------------------------------------------

  runPreFilter(state: CycleState, pod: Pod, snapshot: Snapshot): Status {
    this.currentSnapshot = snapshot;
    for (const p of this.list<PreFilterPlugin>('preFilter')) {
      let s: Status;
      try {
        s = p.preFilter(state, pod, snapshot);
      } catch (e) {
        return withPlugin(errorStatus(e), p.name);
      }
      if (s.code === 'Skip') {
        state.skipFilter.add(p.name);
        continue;
      }
      if (s.code !== 'Success') return withPlugin(s, p.name);
    }
    return success();
  }

  runPreFilterAddPod(state: CycleState, podToSchedule: Pod, podToAdd: PodInfo, nodeInfo: NodeInfo): Status {
    for (const p of this.list<PreFilterPlugin>('preFilter')) {
      if (!p.addPod || state.skipFilter.has(p.name)) continue;
      const s = p.addPod(state, podToSchedule, podToAdd, nodeInfo);
      if (s.code !== 'Success') return withPlugin(s, p.name);
    }
    return success();
  }

  runPreFilterRemovePod(state: CycleState, podToSchedule: Pod, podToRemove: PodInfo, nodeInfo: NodeInfo): Status {
    for (const p of this.list<PreFilterPlugin>('preFilter')) {
      if (!p.removePod || state.skipFilter.has(p.name)) continue;
      const s = p.removePod(state, podToSchedule, podToRemove, nodeInfo);
      if (s.code !== 'Success') return withPlugin(s, p.name);
    }
    return success();
  }

  /** Every Filter plugin in order; the first that does not succeed decides. */
  runFilter(state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status {
    for (const p of this.list<FilterPlugin>('filter')) {
      if (state.skipFilter.has(p.name)) continue;
      let s: Status;
      try {
        s = p.filter(state, pod, nodeInfo);
      } catch (e) {
        return withPlugin(errorStatus(e), p.name);
      }
      if (s.code !== 'Success') return withPlugin(s, p.name);
    }
    return success();
  }

  /**
   * Filters with nominated pods: pods of equal or higher priority nominated to this node are
   * counted as if already there; if they fit, the node must also pass without them (as upstream).
   */
  runFilterWithNominatedPods(state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status {
    const nominated = this.nominatedPodsForNode(nodeInfo.name);
    if (nominated.length === 0) return this.runFilter(state, pod, nodeInfo);
    const prio = pod.spec?.priority ?? 0;
    const uid = pod.metadata?.uid;
    const toAdd = nominated.filter((n) => n.priority >= prio && n.uid !== uid);
    if (toAdd.length === 0) return this.runFilter(state, pod, nodeInfo);
    const st = state.clone();
    const ni = nodeInfo.clone();
    for (const n of toAdd) {
      ni.addPod(n);
      const s = this.runPreFilterAddPod(st, pod, n, ni);
      if (s.code !== 'Success') return s;
    }
    const withNominated = this.runFilter(st, pod, ni);
    if (withNominated.code !== 'Success') return withNominated;
    return this.runFilter(state, pod, nodeInfo);
  }

  runPostFilter(state: CycleState, pod: Pod, statuses: NodeStatusMap): PostFilterResult {
    let last: PostFilterResult = { status: unschedulable() };
    for (const p of this.list<PostFilterPlugin>('postFilter')) {
      let r: PostFilterResult;
      try {
        r = p.postFilter(state, pod, statuses);
      } catch (e) {
        return { status: withPlugin(errorStatus(e), p.name) };
      }
      if (r.status.code === 'Success') return { ...r, status: withPlugin(r.status, p.name) };
      if (!isRejected(r.status)) return { ...r, status: withPlugin(r.status, p.name) };
      last = { ...r, status: withPlugin(r.status, p.name) };
    }
    return last;
  }

  get hasPostFilter(): boolean {
    return this.list('postFilter').length > 0;
  }

  runPreScore(state: CycleState, pod: Pod, nodes: NodeInfo[]): Status {
    for (const p of this.list<PreScorePlugin>('preScore')) {
      let s: Status;
      try {
        s = p.preScore(state, pod, nodes);
      } catch (e) {
        return withPlugin(errorStatus(e), p.name);
      }
      if (s.code === 'Skip') {
        state.skipScore.add(p.name);
        continue;
      }
      if (s.code !== 'Success') return withPlugin(s, p.name);
    }
    return success();
  }

  /** Weighted sum of every Score plugin's normalized score, per node (same order as nodes). */
  runScore(state: CycleState, pod: Pod, nodes: NodeInfo[]): NodeScore[] {
    const totals: NodeScore[] = nodes.map((n) => ({ name: n.name, score: 0 }));
    for (const p of this.list<ScorePlugin>('score')) {
      if (state.skipScore.has(p.name)) continue;
      const scores: NodeScore[] = new Array(nodes.length);
      for (let i = 0; i < nodes.length; i++) scores[i] = { name: nodes[i].name, score: p.score(state, pod, nodes[i]) };
      p.normalizeScore?.(state, pod, scores);
      const w = this.weights.get(p.name) ?? 1;
      for (let i = 0; i < scores.length; i++) {
        const s = scores[i].score;
        if (!(s >= 0 && s <= MAX_NODE_SCORE)) {
          throw new Error(`scheduler plugin ${p.name} returned score ${s} for node ${scores[i].name}, outside 0..${MAX_NODE_SCORE}`);
        }
        totals[i].score += s * w;
      }
    }
    return totals;
  }

  runReserve(state: CycleState, pod: Pod, nodeName: string): Status {
    for (const p of this.list<ReservePlugin>('reserve')) {
      const s = p.reserve(state, pod, nodeName);
      if (s.code !== 'Success') return withPlugin(s, p.name);
    }
    return success();
  }

  runUnreserve(state: CycleState, pod: Pod, nodeName: string): void {
    const list = this.list<ReservePlugin>('reserve');
    for (let i = list.length - 1; i >= 0; i--) list[i].unreserve(state, pod, nodeName);
  }

  runPermit(state: CycleState, pod: Pod, nodeName: string): Status {
    for (const p of this.list<PermitPlugin>('permit')) {
      const s = p.permit(state, pod, nodeName);
      if (s.code !== 'Success') return withPlugin(s, p.name);
    }
    return success();
  }

  async runPreBind(state: CycleState, pod: Pod, nodeName: string): Promise<Status> {
    for (const p of this.list<PreBindPlugin>('preBind')) {
      let s: Status;
      try {
        s = await p.preBind(state, pod, nodeName);
      } catch (e) {
        s = errorStatus(e);
      }
      if (s.code !== 'Success' && s.code !== 'Skip') return withPlugin(s, p.name);
    }
    return success();
  }

  async runBind(state: CycleState, pod: Pod, nodeName: string): Promise<Status> {
    for (const p of this.list<BindPlugin>('bind')) {
      let s: Status;
      try {
        s = await p.bind(state, pod, nodeName);
      } catch (e) {
        s = errorStatus(e);
      }
      if (s.code === 'Skip') continue;
      return withPlugin(s, p.name);
    }
    return skip();
  }

  newCycleState(): CycleState {
    return new CycleState();
  }
}
