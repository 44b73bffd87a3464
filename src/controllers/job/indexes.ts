/**
 * Completion indexes of Indexed Jobs: the ordered, non-overlapping intervals behind
 * status.completedIndexes and status.failedIndexes ("0-2,4,6-7"), parsed and written as upstream.
 */

export interface Interval {
  first: number;
  last: number;
}

/** Sorted, disjoint, non-adjacent intervals. */
export class OrderedIntervals {
  constructor(readonly intervals: Interval[] = []) {}

  /**
   * Parses "1,3-5"; values ≥ completions (or malformed pieces) are dropped, as upstream does
   * when reading the status back.
   */
  static parse(s: string | undefined, completions: number): OrderedIntervals {
    const out: Interval[] = [];
    if (!s) return new OrderedIntervals(out);
    for (const piece of s.split(',')) {
      const m = /^(\d+)(?:-(\d+))?$/.exec(piece.trim());
      if (!m) continue;
      const first = Number(m[1]);
      let last = m[2] === undefined ? first : Number(m[2]);
      if (first >= completions || last < first) continue;
      last = Math.min(last, completions - 1);
      const prev = out[out.length - 1];
      if (prev && first <= prev.last + 1) prev.last = Math.max(prev.last, last);
      else out.push({ first, last });
    }
    return new OrderedIntervals(out);
  }

  /** A copy with these indexes added. */
  with(indexes: Iterable<number>): OrderedIntervals {
    const all = new Set<number>();
    for (const i of indexes) all.add(i);
    if (!all.size) return new OrderedIntervals(this.intervals.map((x) => ({ ...x })));
    const points = [...all].sort((a, b) => a - b);
    const merged: Interval[] = [];
    const add = (iv: Interval): void => {
      const prev = merged[merged.length - 1];
      if (prev && iv.first <= prev.last + 1) prev.last = Math.max(prev.last, iv.last);
      else merged.push({ ...iv });
    };
    let p = 0;
    for (const iv of this.intervals) {
      while (p < points.length && points[p]! < iv.first) add({ first: points[p]!, last: points[p++]! });
      add(iv);
    }
    while (p < points.length) add({ first: points[p]!, last: points[p++]! });
    return new OrderedIntervals(merged);
  }

  has(ix: number): boolean {
    for (const iv of this.intervals) {
      if (ix < iv.first) return false;
      if (ix <= iv.last) return true;
    }
    return false;
  }

  total(): number {
    let n = 0;
    for (const iv of this.intervals) n += iv.last - iv.first + 1;
    return n;
  }

  toString(): string {
    return this.intervals.map((iv) => (iv.first === iv.last ? String(iv.first) : `${iv.first}-${iv.last}`)).join(',');
  }
}

/**
 * The lowest `count` indexes in [0, completions) that are neither succeeded, nor failed (when
 * given), nor held by an active pod.
 */
export function firstPendingIndexes(
  count: number, completions: number, succeeded: OrderedIntervals, active: Set<number>, failed?: OrderedIntervals,
): number[] {
  const out: number[] = [];
  for (let i = 0; i < completions && out.length < count; i++) {
    if (succeeded.has(i) || active.has(i) || failed?.has(i)) continue;
    out.push(i);
  }
  return out;
}
