/**
 * bench/lib/result: the shape of one benchmark's result, as written to bench/results/*.json.
 * Every figure carries its absolute value and, where one applies, the reference measured in the
 * same run, the ratio between them and the goal from BENCHMARKS.md (for reading, never for
 * failing: the machines are shared and noisy).
 */

export interface Reference {
  /** What the reference is, e.g. "raw SqliteStore.create, 1 writer". */
  label: string;
  value: number;
  unit: string;
}

export interface Figure {
  /** What was measured, e.g. "1 client: creates/s". */
  metric: string;
  value: number;
  unit: string;
  reference?: Reference;
  /**
   * value / reference.value. For rates (higher is better) a ratio below 1 means slower than the
   * reference; for times (lower is better) a ratio above 1 means slower.
   */
  ratio?: number;
  /** The goal from ../shared/BENCHMARKS.md, as text, e.g. "<= 5 ms". */
  goal?: string;
  /** Whether this run met the goal; informational only. */
  goalMet?: boolean;
}

export interface BenchResult {
  /** "B1", "B2", ... */
  id: string;
  title: string;
  backend: 'sqlite' | 'etcd' | 'none';
  figures: Figure[];
  /** Facts worth knowing when reading the figures (counts, launcher, errors seen). */
  notes: string[];
  durationMs: number;
  /** Set when the benchmark could not finish; its figures may be partial. */
  error?: string;
}

export type Goal = { text: string; met: (v: number) => boolean };
export const atMost = (limit: number, unit: string): Goal => ({ text: `<= ${limit} ${unit}`, met: (v) => v <= limit });
export const atLeast = (limit: number, unit: string): Goal => ({ text: `>= ${limit} ${unit}`, met: (v) => v >= limit });

export function figure(metric: string, value: number, unit: string, extra: { reference?: Reference; goal?: Goal } = {}): Figure {
  const f: Figure = { metric, value, unit };
  if (extra.reference) {
    f.reference = extra.reference;
    if (extra.reference.value > 0) f.ratio = value / extra.reference.value;
  }
  if (extra.goal) {
    f.goal = extra.goal.text;
    f.goalMet = extra.goal.met(value);
  }
  return f;
}
