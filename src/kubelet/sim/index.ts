/**
 * kubelet/sim: simulated nodes, KWOK-style. Each SimNode registers a Node, renews its Lease in
 * kube-node-lease, posts node status and moves the pods bound to it through a lifecycle that is
 * data (stages.ts: Pending → ContainerCreating → Running → Succeeded/Failed, graceful
 * termination), writing what a kubelet would through the API. A SimNodePool runs many nodes in
 * one process on one shared Timeline, each node with its own client identity.
 * May import src/client/, src/api/ and src/machinery/ only; it talks to the cluster through
 * src/client/ like any outside program.
 */
import { KubeClient } from '../../client/index.js';
import { SimNode, type SimNodeOptions } from './node-agent.js';
import { Timeline } from './timeline.js';

export { SimNode } from './node-agent.js';
export type { SimNodeOptions } from './node-agent.js';
export { Timeline } from './timeline.js';
export type { TimelineEntry } from './timeline.js';
export {
  DEFAULT_STAGES, DEFAULT_TIMINGS, EXIT_CODE_ANNOTATION, matchStage, podFacts, selectorMatches, stageDelay,
} from './stages.js';
export type { Stage, StageSelector, StageDelay, StageTimings, PodFacts, PodProgress, StatusTemplateName } from './stages.js';
export { renderStatus } from './status-templates.js';
export {
  SIMULATED_ANNOTATION, INDEX_ANNOTATION, INSTANCE_TYPE, KUBELET_VERSION, DEFAULT_CAPACITY, nodeIPFor, podCIDRFor,
} from './node-object.js';
export { PodIPs } from './pod-ips.js';

/** Node settings shared by every node of a pool. */
export type SimNodeDefaults = Partial<Omit<SimNodeOptions, 'client' | 'index' | 'name' | 'timeline' | 'internalIP' | 'podCIDR'>>;

export interface SimNodePoolOptions {
  /** https://HOST:PORT of the API server, and the CA that signed its certificate. */
  server: string;
  ca: string;
  /** A client certificate for a node (user system:node:NAME, group system:nodes). */
  credentials(name: string): Promise<{ certPem: string; keyPem: string }>;
  /** Settings for every node. */
  node?: SimNodeDefaults;
  log?: (msg: string) => void;
}

export interface AddNodeOptions {
  index: number;
  name?: string;
  internalIP?: string;
  podCIDR?: string;
}

/** Many simulated nodes in one process, sharing one Timeline. */
export class SimNodePool {
  private readonly timeline = new Timeline();
  private readonly byName = new Map<string, SimNode>();
  private readonly clients = new Map<string, KubeClient>();
  private closed = false;

  constructor(private readonly opts: SimNodePoolOptions) {}

  /** Every node, by name (sim-node-2 before sim-node-10). */
  get nodes(): SimNode[] {
    return [...this.byName.values()].sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
  }

  get(name: string): SimNode | undefined {
    return this.byName.get(name);
  }

  /** Creates and starts a node (its own client certificate and connection). */
  async add(o: AddNodeOptions): Promise<SimNode> {
    if (this.closed) throw new Error('simulated node pool is closed');
    const name = o.name ?? `sim-node-${o.index}`;
    if (this.byName.has(name)) throw new Error(`simulated node ${name} already exists`);
    const id = await this.opts.credentials(name);
    const client = new KubeClient({ server: this.opts.server, ca: this.opts.ca, cert: id.certPem, key: id.keyPem, userAgent: `k8ts-sim-node/${name}` });
    const node = new SimNode({
      ...(this.opts.node ?? {}), index: o.index, name, internalIP: o.internalIP, podCIDR: o.podCIDR,
      client, timeline: this.timeline, log: this.opts.node?.log ?? this.opts.log,
    });
    this.byName.set(name, node);
    this.clients.set(name, client);
    await node.start();
    return node;
  }

  /** Starts `count` nodes named PREFIX1 … PREFIXcount (the first may get its own InternalIP). */
  async addMany(count: number, o: { prefix?: string; firstIndex?: number; firstNodeIP?: string; concurrency?: number } = {}): Promise<SimNode[]> {
    const first = o.firstIndex ?? 1;
    const prefix = o.prefix ?? 'sim-node-';
    const indices = Array.from({ length: count }, (_, i) => first + i);
    const out: SimNode[] = new Array(count);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < indices.length) {
        const i = next++;
        const index = indices[i];
        out[i] = await this.add({ index, name: `${prefix}${index}`, internalIP: i === 0 ? o.firstNodeIP : undefined });
      }
    };
    await Promise.all(Array.from({ length: Math.min(o.concurrency ?? 32, count) }, worker));
    return out;
  }

  /** Stops every node (their Nodes and pods stay in the cluster) and closes their connections. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.nodes.map((n) => n.stop()));
    this.timeline.close();
    for (const c of this.clients.values()) c.close();
  }
}
