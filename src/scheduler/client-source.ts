/**
 * ClientSchedulerSource: the SchedulerSource over src/client/ — shared informers for pods,
 * nodes and namespaces, and the REST client for pods/binding, pod status patches, deletes of
 * preemption victims, and client/'s EventRecorder for core/v1 Events (source default-scheduler).
 */
import type { Namespace, Node, Pod } from 'kubernetes-types/core/v1.js';
import {
  EventRecorder, resourcePath, type InformerFactory, type KObject, type KubeClient, type ResourceRef, type SharedInformer,
} from '../client/index.js';
import type { PodStatusUpdate, SchedulerSource, SourceEvent } from './source.js';

const PODS: ResourceRef = { group: '', version: 'v1', plural: 'pods', namespaced: true, kind: 'Pod' };
const NODES: ResourceRef = { group: '', version: 'v1', plural: 'nodes', namespaced: false, kind: 'Node' };
const NAMESPACES: ResourceRef = { group: '', version: 'v1', plural: 'namespaces', namespaced: false, kind: 'Namespace' };

export interface ClientSchedulerSourceOptions {
  /** Reported as the event source (default "default-scheduler"). */
  component?: string;
  /** reportingInstance of events (default: component). */
  instance?: string;
}

export class ClientSchedulerSource implements SchedulerSource {
  private readonly pods$: SharedInformer<KObject>;
  private readonly nodes$: SharedInformer<KObject>;
  private readonly namespaces$: SharedInformer<KObject>;
  private readonly events: EventRecorder;

  constructor(private readonly client: KubeClient, factory: InformerFactory, opts: ClientSchedulerSourceOptions = {}) {
    this.pods$ = factory.informerFor(PODS);
    this.nodes$ = factory.informerFor(NODES);
    this.namespaces$ = factory.informerFor(NAMESPACES);
    const component = opts.component ?? 'default-scheduler';
    this.events = new EventRecorder(client, { component, instance: opts.instance ?? component });
  }

  /** Resolves once pods, nodes and namespaces have been listed. */
  async waitForSync(): Promise<void> {
    await Promise.all([this.pods$.waitForSync(), this.nodes$.waitForSync(), this.namespaces$.waitForSync()]);
  }

  nodes(): Node[] {
    return this.nodes$.store.list() as Node[];
  }

  pods(): Pod[] {
    return this.pods$.store.list() as Pod[];
  }

  namespaces(): Namespace[] {
    return this.namespaces$.store.list() as Namespace[];
  }

  onChange(handler: (event: SourceEvent) => void): () => void {
    const wire = <K extends SourceEvent['kind']>(inf: SharedInformer<KObject>, kind: K) => inf.addEventHandler({
      onAdd: (o) => handler({ kind, type: 'add', object: o } as SourceEvent),
      onUpdate: (old, o) => handler({ kind, type: 'update', object: o, old } as SourceEvent),
      onDelete: (o) => handler({ kind, type: 'delete', object: o } as SourceEvent),
    });
    const offs = [wire(this.namespaces$, 'Namespace'), wire(this.nodes$, 'Node'), wire(this.pods$, 'Pod')];
    return () => offs.forEach((f) => f());
  }

  async bind(pod: Pod, nodeName: string): Promise<void> {
    const ns = pod.metadata?.namespace ?? 'default';
    const name = pod.metadata?.name ?? '';
    await this.client.request('POST', resourcePath(PODS, ns, name, 'binding'), {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name, namespace: ns, uid: pod.metadata?.uid },
      target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
    });
  }

  async deletePod(pod: Pod): Promise<void> {
    await this.client.delete(PODS, pod.metadata?.namespace ?? 'default', pod.metadata?.name ?? '', {
      preconditions: pod.metadata?.uid ? { uid: pod.metadata.uid } : undefined,
    });
  }

  async patchPodStatus(pod: Pod, update: PodStatusUpdate): Promise<void> {
    const status: Record<string, unknown> = {};
    if (update.condition) {
      status.conditions = [{ ...update.condition, lastProbeTime: null, lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }];
    }
    if (update.nominatedNodeName !== undefined) status.nominatedNodeName = update.nominatedNodeName;
    await this.client.patch(PODS, pod.metadata?.namespace ?? 'default', pod.metadata?.name ?? '', 'strategic', { status }, {
      subresource: 'status',
    });
  }

  async recordEvent(pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    const ns = pod.metadata?.namespace ?? 'default';
    await this.events.record({ apiVersion: 'v1', kind: 'Pod', metadata: { ...pod.metadata, namespace: ns } }, type, reason, message);
  }
}
