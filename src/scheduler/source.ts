/**
 * SchedulerSource: everything the scheduler needs from the cluster, as one small interface.
 * The scheduler's core never does I/O itself; a source backed by src/client/ (informers and
 * the REST client) plugs in for real, an in-memory one for tests and benchmarks.
 */
import type { Namespace, Node, Pod } from 'kubernetes-types/core/v1.js';

export type SourceEvent =
  | { kind: 'Node'; type: 'add' | 'update' | 'delete'; object: Node; old?: Node }
  | { kind: 'Pod'; type: 'add' | 'update' | 'delete'; object: Pod; old?: Pod }
  | { kind: 'Namespace'; type: 'add' | 'update' | 'delete'; object: Namespace; old?: Namespace };

export interface PodScheduledCondition {
  type: 'PodScheduled';
  status: 'False';
  /** 'Unschedulable' or 'SchedulerError'. */
  reason: string;
  message: string;
}

export interface PodStatusUpdate {
  /** Sets the PodScheduled condition. */
  condition?: PodScheduledCondition;
  /** Sets status.nominatedNodeName; null clears it. */
  nominatedNodeName?: string | null;
}

export interface SchedulerSource {
  /** Every node now known (after the initial list). */
  nodes(): readonly Node[];
  /** Every pod now known, bound or not. */
  pods(): readonly Pod[];
  /** Namespaces, for namespaceSelector in pod affinity terms (optional). */
  namespaces?(): readonly Namespace[];
  /** Subscribes to changes; returns an unsubscribe function. Re-reported objects are fine. */
  onChange(handler: (event: SourceEvent) => void): () => void;
  /** POST pods/{name}/binding. */
  bind(pod: Pod, nodeName: string): Promise<void>;
  /** Deletes a pod (a preemption victim). */
  deletePod(pod: Pod): Promise<void>;
  /** Patches pod status: the PodScheduled condition and/or nominatedNodeName. */
  patchPodStatus(pod: Pod, update: PodStatusUpdate): Promise<void>;
  /** Records an Event about the pod from the scheduler (reportingController default-scheduler). */
  recordEvent(pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void>;
}
