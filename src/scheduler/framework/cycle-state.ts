/**
 * CycleState: per-pod, per-cycle scratch space where a plugin keeps what its PreFilter or
 * PreScore computed for its Filter or Score. Values that implement clone() are copied when the
 * state is cloned (preemption dry-runs change them per candidate node); others are shared.
 */

export interface Cloneable {
  clone(): unknown;
}

export class CycleState {
  private readonly data = new Map<string, unknown>();
  /** Plugins whose PreFilter returned Skip: their Filter is not called this cycle. */
  readonly skipFilter = new Set<string>();
  /** Plugins whose PreScore returned Skip: their Score is not called this cycle. */
  readonly skipScore = new Set<string>();

  read<T>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }

  write(key: string, value: unknown): void {
    this.data.set(key, value);
  }

  delete(key: string): void {
    this.data.delete(key);
  }

  clone(): CycleState {
    const c = new CycleState();
    for (const [k, v] of this.data) {
      const cl = v as Partial<Cloneable> | null;
      c.data.set(k, cl && typeof cl === 'object' && typeof cl.clone === 'function' ? cl.clone() : v);
    }
    for (const s of this.skipFilter) c.skipFilter.add(s);
    for (const s of this.skipScore) c.skipScore.add(s);
    return c;
  }
}
