/**
 * ClaimVolumeBinder: the scheduler's volume binder (upstream's VolumeBinding plugin logic), over
 * a VolumeCatalog (the cluster's claims, volumes and storage classes) and a VolumeWriter (the API
 * writes). Pure decisions here; src/scheduler/run.ts backs both with informers and the REST client.
 *
 * - PreFilter: a missing claim → `persistentvolumeclaim "x" not found`; a claim being deleted →
 *   `persistentvolumeclaim "x" is being deleted`; an unbound claim of an Immediate class (or with
 *   no class) → `pod has unbound immediate PersistentVolumeClaims` (all unresolvable).
 * - Filter per node: bound claims' volumes must exist and their nodeAffinity must match; unbound
 *   claims of a WaitForFirstConsumer class take the smallest matching Available volume the node
 *   may use, or else are provisioned by the class's provisioner (allowedTopologies must match;
 *   kubernetes.io/no-provisioner never provisions).
 * - Reserve remembers the choice (assumed volumes are not offered to other claims); PreBind
 *   writes it — claimRef on a chosen static volume, the `volume.kubernetes.io/selected-node`
 *   annotation on claims to provision — and waits (bounded) until every claim is Bound.
 */
import type { Pod, PersistentVolume, PersistentVolumeClaim, Node } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { matches, selectorFromObject, type LabelSelectorObject } from '../machinery/labels.js';
import { nodeSelectorMatches, nodeSelectorTermMatches } from '../machinery/node-selection.js';
import { compareQuantities, tryParseQuantity } from '../machinery/quantity.js';
import type { NodeInfo, VolumeBinder } from './framework/index.js';

export const ANN_SELECTED_NODE = 'volume.kubernetes.io/selected-node';
export const ANN_BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
export const ANN_BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';
export const NO_PROVISIONER = 'kubernetes.io/no-provisioner';

export const ERR_UNBOUND_IMMEDIATE = 'pod has unbound immediate PersistentVolumeClaims';
export const ERR_NODE_CONFLICT = 'node(s) had volume node affinity conflict';
export const ERR_BIND_CONFLICT = "node(s) didn't find available persistent volumes to bind";
export const ERR_PV_NOT_EXIST = 'node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)';

export interface VolumeCatalog {
  claim(namespace: string, name: string): PersistentVolumeClaim | undefined;
  volume(name: string): PersistentVolume | undefined;
  volumes(): readonly PersistentVolume[];
  storageClass(name: string): StorageClass | undefined;
}

export interface VolumeWriter {
  /** Merge-patches metadata.annotations of a claim. */
  annotateClaim(claim: PersistentVolumeClaim, annotations: Record<string, string>): Promise<void>;
  /** Sets spec.claimRef (and the bound-by-controller annotation) of a volume, with its resourceVersion as precondition. */
  prebindVolume(pv: PersistentVolume, claim: PersistentVolumeClaim): Promise<void>;
  /** Resolves when changes may have happened (an informer event) or after the given delay. */
  changed(ms: number): Promise<void>;
}

export interface ClaimVolumeBinderOptions {
  /** How long PreBind waits for claims to become Bound (default 600 s, as upstream's bind timeout). */
  bindTimeoutMs?: number;
}

/** The decision for one unbound claim on one node. */
interface ClaimDecision {
  claim: PersistentVolumeClaim;
  /** A static volume to pre-bind, or undefined to provision. */
  pv?: PersistentVolume;
}

interface PodClaims {
  bound: PersistentVolumeClaim[];
  /** Unbound claims whose class delays binding to the first consumer. */
  delayed: PersistentVolumeClaim[];
}

export class PodClaimError extends Error {}

function claimNames(pod: Pod): string[] {
  const out: string[] = [];
  for (const v of pod.spec?.volumes ?? []) {
    if (v.persistentVolumeClaim?.claimName) out.push(v.persistentVolumeClaim.claimName);
    else if (v.ephemeral) out.push(`${pod.metadata?.name ?? ''}-${v.name}`);
  }
  return out;
}

function claimKey(c: PersistentVolumeClaim): string {
  return `${c.metadata?.namespace ?? 'default'}/${c.metadata?.name ?? ''}`;
}

function podKey(pod: Pod): string {
  return pod.metadata?.uid ?? `${pod.metadata?.namespace}/${pod.metadata?.name}`;
}

function className(c: PersistentVolumeClaim): string {
  return c.spec?.storageClassName ?? c.metadata?.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? '';
}

function pvClassName(pv: PersistentVolume): string {
  return pv.spec?.storageClassName ?? pv.metadata?.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? '';
}

/** A claim is bound (for scheduling) once spec.volumeName is set. */
function isBound(c: PersistentVolumeClaim): boolean {
  return !!c.spec?.volumeName;
}

export function volumeFitsNode(pv: PersistentVolume, node: Node): boolean {
  const req = pv.spec?.nodeAffinity?.required;
  if (!req) return true;
  return nodeSelectorMatches(req, node);
}

function quantity(q: unknown) {
  return tryParseQuantity(q);
}

/** Whether an Available (or pre-bound to this claim) volume can serve the claim, by class, modes, size, selector, mode. */
export function volumeMatchesClaim(pv: PersistentVolume, claim: PersistentVolumeClaim): boolean {
  if (pv.metadata?.deletionTimestamp) return false;
  const ref = pv.spec?.claimRef;
  if (ref) {
    if (ref.name !== claim.metadata?.name || (ref.namespace ?? 'default') !== (claim.metadata?.namespace ?? 'default')) return false;
    if (ref.uid && ref.uid !== claim.metadata?.uid) return false;
  } else if (pv.status?.phase && pv.status.phase !== 'Available') {
    return false;
  }
  if (pvClassName(pv) !== className(claim)) return false;
  if ((pv.spec?.volumeMode ?? 'Filesystem') !== (claim.spec?.volumeMode ?? 'Filesystem')) return false;
  const modes = new Set(pv.spec?.accessModes ?? []);
  if (!(claim.spec?.accessModes ?? []).every((m) => modes.has(m))) return false;
  const want = quantity(claim.spec?.resources?.requests?.storage);
  const have = quantity(pv.spec?.capacity?.storage);
  if (want && (!have || compareQuantities(have, want) < 0)) return false;
  if (claim.spec?.selector) {
    let sel;
    try {
      sel = selectorFromObject(claim.spec.selector as LabelSelectorObject);
    } catch {
      return false;
    }
    if (!matches(sel, pv.metadata?.labels)) return false;
  }
  return true;
}

function allowedTopologiesMatch(sc: StorageClass, node: Node): boolean {
  const terms = sc.allowedTopologies ?? [];
  if (terms.length === 0) return true;
  return terms.some((t) => nodeSelectorTermMatches({
    matchExpressions: (t.matchLabelExpressions ?? []).map((e) => ({ key: e.key, operator: 'In', values: e.values })),
  }, node));
}

export class ClaimVolumeBinder implements VolumeBinder {
  /** pod → node → decisions, from the last Filter. */
  private readonly decisions = new Map<string, Map<string, ClaimDecision[]>>();
  /** pod → decisions taken at Reserve. */
  private readonly assumed = new Map<string, { node: string; decisions: ClaimDecision[] }>();
  private readonly bindTimeoutMs: number;

  constructor(private readonly catalog: VolumeCatalog, private readonly writer: VolumeWriter, opts: ClaimVolumeBinderOptions = {}) {
    this.bindTimeoutMs = opts.bindTimeoutMs ?? 600_000;
  }

  private isDelayed(c: PersistentVolumeClaim): boolean {
    const name = className(c);
    if (!name) return false;
    return this.catalog.storageClass(name)?.volumeBindingMode === 'WaitForFirstConsumer';
  }

  /** Sorts the pod's claims; throws PodClaimError with the upstream message when the pod cannot be scheduled anywhere. */
  private podClaims(pod: Pod): PodClaims {
    const ns = pod.metadata?.namespace ?? 'default';
    const out: PodClaims = { bound: [], delayed: [] };
    let immediate = false;
    for (const name of claimNames(pod)) {
      const c = this.catalog.claim(ns, name);
      if (!c) throw new PodClaimError(`persistentvolumeclaim "${name}" not found`);
      if (c.metadata?.deletionTimestamp) throw new PodClaimError(`persistentvolumeclaim "${name}" is being deleted`);
      if (isBound(c)) out.bound.push(c);
      else if (this.isDelayed(c)) out.delayed.push(c);
      else immediate = true;
    }
    if (immediate) throw new PodClaimError(ERR_UNBOUND_IMMEDIATE);
    return out;
  }

  preFilterPodVolumes(pod: Pod): string[] {
    // Scheduling cycles run one pod at a time: decisions of earlier cycles are no longer needed.
    this.decisions.clear();
    try {
      this.podClaims(pod);
      return [];
    } catch (e) {
      if (e instanceof PodClaimError) return [e.message];
      throw e;
    }
  }

  readWriteOncePodClaims(pod: Pod): string[] {
    const ns = pod.metadata?.namespace ?? 'default';
    return claimNames(pod)
      .filter((n) => (this.catalog.claim(ns, n)?.spec?.accessModes ?? []).includes('ReadWriteOncePod'))
      .map((n) => `${ns}/${n}`);
  }

  readWriteOnceClaims(pod: Pod): string[] {
    const ns = pod.metadata?.namespace ?? 'default';
    return claimNames(pod)
      .filter((n) => {
        const modes = this.catalog.claim(ns, n)?.spec?.accessModes ?? [];
        return modes.length > 0 && modes.every((m) => m === 'ReadWriteOnce');
      })
      .map((n) => `${ns}/${n}`);
  }

  private assumedVolumes(exceptPod: string): Set<string> {
    const out = new Set<string>();
    for (const [pod, a] of this.assumed) {
      if (pod === exceptPod) continue;
      for (const d of a.decisions) if (d.pv) out.add(d.pv.metadata?.name ?? '');
    }
    return out;
  }

  findPodVolumes(pod: Pod, nodeInfo: NodeInfo): string[] {
    let claims: PodClaims;
    try {
      claims = this.podClaims(pod);
    } catch (e) {
      if (e instanceof PodClaimError) return [e.message];
      throw e;
    }
    const node = nodeInfo.node;
    const reasons = new Set<string>();
    for (const c of claims.bound) {
      const pv = this.catalog.volume(c.spec?.volumeName ?? '');
      if (!pv) reasons.add(ERR_PV_NOT_EXIST);
      else if (!volumeFitsNode(pv, node)) reasons.add(ERR_NODE_CONFLICT);
    }
    const decisions: ClaimDecision[] = [];
    if (claims.delayed.length > 0) {
      const taken = this.assumedVolumes(podKey(pod));
      for (const c of claims.delayed) {
        const d = this.decide(c, node, taken);
        if (!d) {
          reasons.add(ERR_BIND_CONFLICT);
          continue;
        }
        if (d.pv) taken.add(d.pv.metadata?.name ?? '');
        decisions.push(d);
      }
    }
    if (reasons.size > 0) return [...reasons];
    let perNode = this.decisions.get(podKey(pod));
    if (!perNode) this.decisions.set(podKey(pod), (perNode = new Map()));
    perNode.set(nodeInfo.name, decisions);
    return [];
  }

  /** A static volume for the claim on this node (smallest that fits, pre-bound ones first), else provisioning, else nothing. */
  private decide(c: PersistentVolumeClaim, node: Node, taken: Set<string>): ClaimDecision | undefined {
    let best: PersistentVolume | undefined;
    for (const pv of this.catalog.volumes()) {
      if (taken.has(pv.metadata?.name ?? '')) continue;
      if (!volumeMatchesClaim(pv, c) || !volumeFitsNode(pv, node)) continue;
      if (pv.spec?.claimRef) return { claim: c, pv };
      const size = quantity(pv.spec?.capacity?.storage);
      const bestSize = best && quantity(best.spec?.capacity?.storage);
      if (!best || (size && bestSize && compareQuantities(size, bestSize) < 0)) best = pv;
    }
    if (best) return { claim: c, pv: best };
    const sc = this.catalog.storageClass(className(c));
    if (!sc || !sc.provisioner || sc.provisioner === NO_PROVISIONER) return undefined;
    if (!allowedTopologiesMatch(sc, node)) return undefined;
    return { claim: c };
  }

  assumePodVolumes(pod: Pod, nodeName: string): void {
    const key = podKey(pod);
    const decisions = this.decisions.get(key)?.get(nodeName) ?? [];
    this.decisions.delete(key);
    this.assumed.set(key, { node: nodeName, decisions });
  }

  revertAssumedPodVolumes(pod: Pod, _nodeName: string): void {
    this.assumed.delete(podKey(pod));
  }

  async bindPodVolumes(pod: Pod, nodeName: string): Promise<void> {
    const key = podKey(pod);
    const a = this.assumed.get(key);
    try {
      const decisions = a && a.node === nodeName ? a.decisions : [];
      for (const d of decisions) {
        const claim = this.catalog.claim(d.claim.metadata?.namespace ?? 'default', d.claim.metadata?.name ?? '') ?? d.claim;
        if (isBound(claim)) continue;
        if (d.pv) {
          const pv = this.catalog.volume(d.pv.metadata?.name ?? '') ?? d.pv;
          if (!pv.spec?.claimRef) await this.writer.prebindVolume(pv, claim);
        } else if (claim.metadata?.annotations?.[ANN_SELECTED_NODE] !== nodeName) {
          await this.writer.annotateClaim(claim, { [ANN_SELECTED_NODE]: nodeName });
        }
      }
      await this.waitBound(pod, nodeName, decisions);
    } finally {
      this.assumed.delete(key);
    }
  }

  /** Waits until every claim of the pod is Bound (volume present and bind completed), as upstream's checkBindings. */
  private async waitBound(pod: Pod, nodeName: string, decisions: ClaimDecision[]): Promise<void> {
    const deadline = Date.now() + this.bindTimeoutMs;
    const ns = pod.metadata?.namespace ?? 'default';
    const provisioned = new Set(decisions.filter((d) => !d.pv).map((d) => claimKey(d.claim)));
    for (;;) {
      let done = true;
      for (const name of claimNames(pod)) {
        const c = this.catalog.claim(ns, name);
        if (!c) throw new Error(`persistentvolumeclaim "${name}" not found`);
        if (c.metadata?.deletionTimestamp) throw new Error(`persistentvolumeclaim "${name}" is being deleted`);
        if (provisioned.has(claimKey(c)) && !isBound(c) && c.metadata?.annotations?.[ANN_SELECTED_NODE] === undefined) {
          throw new Error(`persistentvolumeclaim "${name}" provisioning was rescheduled`);
        }
        const pv = c.spec?.volumeName ? this.catalog.volume(c.spec.volumeName) : undefined;
        if (!pv || c.status?.phase !== 'Bound' || !c.metadata?.annotations?.[ANN_BIND_COMPLETED]) {
          done = false;
          continue;
        }
        if (!volumeFitsNode(pv, { metadata: { name: nodeName, labels: this.nodeLabels(nodeName) } })) {
          throw new Error(`pv "${pv.metadata?.name}" node affinity doesn't match node "${nodeName}"`);
        }
      }
      if (done) return;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('binding volumes: timed out waiting for the condition');
      await this.writer.changed(Math.min(left, 1000));
    }
  }

  /** Node labels for the final affinity check; supplied by whoever knows the nodes (default: hostname only). */
  nodeLabels: (nodeName: string) => Record<string, string> = (n) => ({ 'kubernetes.io/hostname': n });
}
