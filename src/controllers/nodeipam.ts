/**
 * The node IPAM controller (upstream's node-ipam-controller with the "RangeAllocator"): every Node
 * without spec.podCIDR gets the next free subnet (/24 by default) of the cluster CIDR (default
 * 10.42.0.0/16) in spec.podCIDR and spec.podCIDRs. A subnet is never handed out twice: at start the
 * used set is recovered from the Nodes that exist, a Node that registers with a podCIDR of its own
 * (simulated nodes do) has it marked used, and a deleted Node's subnet is released. When the range
 * is exhausted the Node gets an Event `CIDRNotAvailable` and is retried later. Settings
 * (`settings.nodeipam`): clusterCidr, nodeCidrMaskSize.
 */
import { findResource } from '../api/resources.js';
import { EventRecorder } from '../client/event-recorder.js';
import { isNotFound, type KObject } from '../client/rest-client.js';
import { Lister } from '../client/lister.js';
import { BaseController, type ControllerContext, type ReconcileResult } from './framework.js';

export const DEFAULT_CLUSTER_CIDR = '10.42.0.0/16';
export const DEFAULT_NODE_CIDR_MASK_SIZE = 24;
/** How long a node waits before another try when the range is full. */
const RETRY_FULL_MS = 30_000;

export interface NodeIpamOptions {
  /** The IPv4 range node subnets come from (default 10.42.0.0/16). */
  clusterCidr?: string;
  /** Prefix length of each node's subnet (default 24). */
  nodeCidrMaskSize?: number;
}

function parseIPv4(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let v = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    v = v * 256 + Number(p);
  }
  return v;
}

const formatIPv4 = (v: number): string => [24, 16, 8, 0].map((s) => Math.floor(v / 2 ** s) % 256).join('.');

/** An IPv4 CIDR as its base address (host bits cleared) and prefix length; throws on bad input. */
export function parseCidr(cidr: string): { base: number; prefix: number } {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(cidr.trim());
  const addr = m ? parseIPv4(m[1]!) : undefined;
  const prefix = m ? Number(m[2]) : NaN;
  if (addr === undefined || !(prefix >= 0 && prefix <= 32)) throw new Error(`invalid CIDR address: ${cidr}`);
  const size = 2 ** (32 - prefix);
  return { base: addr - (addr % size), prefix };
}

/**
 * The subnets of one cluster CIDR (upstream's cidrset): allocate hands out the lowest free one after
 * the last handed out (wrapping), occupy marks one used, release frees it.
 */
export class CidrSet {
  readonly clusterCidr: string;
  readonly maskSize: number;
  private readonly base: number;
  private readonly count: number;
  private readonly subnetSize: number;
  private readonly used = new Set<number>();
  private next = 0;

  constructor(clusterCidr: string, maskSize: number) {
    const { base, prefix } = parseCidr(clusterCidr);
    if (!Number.isInteger(maskSize) || maskSize < prefix || maskSize > 30) {
      throw new Error(`node CIDR mask size ${maskSize} does not fit cluster CIDR ${clusterCidr} (need ${prefix}..30)`);
    }
    if (maskSize - prefix > 16) throw new Error(`cluster CIDR ${clusterCidr} with /${maskSize} node subnets has too many subnets`);
    this.clusterCidr = `${formatIPv4(base)}/${prefix}`;
    this.maskSize = maskSize;
    this.base = base;
    this.count = 2 ** (maskSize - prefix);
    this.subnetSize = 2 ** (32 - maskSize);
  }

  get size(): number {
    return this.count;
  }

  get usedCount(): number {
    return this.used.size;
  }

  /** The next free subnet, marked used; undefined when every subnet is taken. */
  allocate(): string | undefined {
    for (let i = 0; i < this.count; i++) {
      const idx = (this.next + i) % this.count;
      if (this.used.has(idx)) continue;
      this.used.add(idx);
      this.next = (idx + 1) % this.count;
      return this.format(idx);
    }
    return undefined;
  }

  /** Marks `cidr` used; false when it is not one of this set's subnets (another range or size). */
  occupy(cidr: string): boolean {
    const idx = this.indexOf(cidr);
    if (idx === undefined) return false;
    this.used.add(idx);
    return true;
  }

  release(cidr: string): void {
    const idx = this.indexOf(cidr);
    if (idx !== undefined) this.used.delete(idx);
  }

  has(cidr: string): boolean {
    const idx = this.indexOf(cidr);
    return idx !== undefined && this.used.has(idx);
  }

  private format(idx: number): string {
    return `${formatIPv4(this.base + idx * this.subnetSize)}/${this.maskSize}`;
  }

  private indexOf(cidr: string): number | undefined {
    let parsed: { base: number; prefix: number };
    try {
      parsed = parseCidr(cidr);
    } catch {
      return undefined;
    }
    if (parsed.prefix !== this.maskSize) return undefined;
    const off = parsed.base - this.base;
    if (off < 0 || off >= this.count * this.subnetSize) return undefined;
    return off / this.subnetSize;
  }
}

/** The IPv4 pod CIDRs a Node carries (spec.podCIDRs, else spec.podCIDR). */
function nodeCidrs(node: KObject): string[] {
  const list: unknown = node.spec?.podCIDRs;
  if (Array.isArray(list) && list.length) return list.filter((c): c is string => typeof c === 'string');
  return typeof node.spec?.podCIDR === 'string' && node.spec.podCIDR ? [node.spec.podCIDR] : [];
}

export class NodeIpamController extends BaseController {
  readonly cidrs: CidrSet;
  private readonly nodesR = findResource('', 'v1', 'nodes')!;
  private readonly nodes: Lister;
  private readonly recorder: EventRecorder;
  /** The subnet this controller knows each node by (allocated or recovered). */
  private readonly byNode = new Map<string, string>();
  private recovered = false;

  constructor(ctx: ControllerContext, opts: NodeIpamOptions = {}) {
    super('nodeipam', ctx, { workers: 1 });
    this.cidrs = new CidrSet(opts.clusterCidr || DEFAULT_CLUSTER_CIDR, opts.nodeCidrMaskSize ?? DEFAULT_NODE_CIDR_MASK_SIZE);
    this.recorder = new EventRecorder(ctx.client, { component: 'cidrAllocator', log: ctx.log });
    const informer = ctx.informers.informerFor(this.nodesR);
    this.nodes = new Lister(informer.store);
    this.handle(informer, {
      onAdd: (n: KObject) => this.queue.add(n.metadata?.name),
      onUpdate: (_o: KObject, n: KObject) => this.queue.add(n.metadata?.name),
      onDelete: (n: KObject) => {
        const name: string = n.metadata?.name;
        // Free the subnet at once (a replacement node may need it); reconcile cleans up the rest.
        for (const c of nodeCidrs(n)) if (this.byNode.get(name) === c) this.release(name);
        this.queue.add(name);
      },
    });
  }

  /** Marks every subnet existing nodes carry as used (first reconcile, after the cache synced). */
  private recover(): void {
    if (this.recovered) return;
    this.recovered = true;
    for (const n of this.nodes.list()) {
      for (const c of nodeCidrs(n)) {
        if (this.cidrs.occupy(c)) this.byNode.set(n.metadata?.name, c);
      }
    }
  }

  private release(name: string): void {
    const c = this.byNode.get(name);
    if (c === undefined) return;
    this.byNode.delete(name);
    // Another node may carry the same subnet (set by hand); keep it used then.
    const stillUsed = [...this.byNode.values()].includes(c);
    if (!stillUsed) this.cidrs.release(c);
  }

  protected async reconcile(name: string): Promise<ReconcileResult> {
    this.recover();
    const node = this.nodes.get(undefined, name);
    if (!node || node.metadata?.deletionTimestamp) {
      this.release(name);
      return;
    }
    const have = nodeCidrs(node);
    if (have.length) {
      const mine = this.byNode.get(name);
      if (mine !== undefined && !have.includes(mine)) this.release(name);
      for (const c of have) {
        if (this.cidrs.occupy(c)) this.byNode.set(name, c);
      }
      return;
    }
    const mine = this.byNode.get(name);
    if (mine !== undefined) {
      // Allocated earlier but not (yet) visible on the node: write it again.
      await this.assign(node, mine);
      return;
    }
    const cidr = this.cidrs.allocate();
    if (cidr === undefined) {
      await this.recorder.event(node, 'Normal', 'CIDRNotAvailable', `Node ${name} status is now: CIDRNotAvailable`);
      this.ctx.log(`nodeipam: no free /${this.cidrs.maskSize} left in ${this.cidrs.clusterCidr} for node ${name}`);
      return { requeueAfter: RETRY_FULL_MS };
    }
    this.byNode.set(name, cidr);
    try {
      await this.assign(node, cidr);
    } catch (err) {
      this.release(name);
      if (isNotFound(err)) return;
      throw err;
    }
    this.ctx.log(`nodeipam: node ${name} gets podCIDR ${cidr}`);
  }

  private async assign(node: KObject, cidr: string): Promise<void> {
    // The uid precondition keeps a subnet from landing on a new node of the same name.
    await this.ctx.client.patch(this.nodesR, undefined, node.metadata?.name, 'merge', {
      metadata: { uid: node.metadata?.uid },
      spec: { podCIDR: cidr, podCIDRs: [cidr] },
    });
  }
}
