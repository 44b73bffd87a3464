/** Pod addresses of one simulated node: hosts .2–.254 of its /24, lowest free first. */

export class PodIPs {
  private readonly prefix: string;
  private readonly byUid = new Map<string, number>();
  private readonly used = new Set<number>();

  constructor(cidr: string) {
    const m = /^(\d+\.\d+\.\d+)\.0\/24$/.exec(cidr);
    if (!m) throw new Error(`simulated pod range must be a /24 ending in .0, got "${cidr}"`);
    this.prefix = m[1];
  }

  /** The pod's address (the same one on every call until released); undefined when the range is full. */
  allocate(uid: string): string | undefined {
    const have = this.byUid.get(uid);
    if (have !== undefined) return `${this.prefix}.${have}`;
    for (let host = 2; host <= 254; host++) {
      if (this.used.has(host)) continue;
      this.used.add(host);
      this.byUid.set(uid, host);
      return `${this.prefix}.${host}`;
    }
    return undefined;
  }

  /** Records an address a pod already has (after a restart of the agent). */
  reserve(uid: string, ip: string): void {
    if (this.byUid.has(uid) || !ip.startsWith(`${this.prefix}.`)) return;
    const host = Number(ip.slice(this.prefix.length + 1));
    if (!Number.isInteger(host) || this.used.has(host)) return;
    this.used.add(host);
    this.byUid.set(uid, host);
  }

  release(uid: string): void {
    const host = this.byUid.get(uid);
    if (host === undefined) return;
    this.byUid.delete(uid);
    this.used.delete(host);
  }

  get size(): number {
    return this.byUid.size;
  }
}
