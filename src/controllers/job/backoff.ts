/**
 * Back-off between pod failures of a Job (pure, in memory per Job): failures since the last
 * success and the time of the last one; the delay doubles from the base (10 s upstream) per
 * failure up to the cap (10 min upstream, DefaultJobPodFailureBackOff / MaxJobPodFailureBackOff).
 */
import type { KObject } from '../../client/rest-client.js';
import { finishedTime } from './pods.js';

export interface BackoffRecord {
  failuresAfterLastSuccess: number;
  lastFailureTime?: number;
}

/** Remaining delay (ms) before the next pod may be created after `failures` failures. */
export function remainingBackoff(now: number, baseMs: number, maxMs: number, failures: number, lastFailureTime: number | undefined): number {
  if (failures <= 0 || lastFailureTime === undefined) return 0;
  let delay = baseMs;
  for (let i = 1; i < failures; i++) {
    delay *= 2;
    if (delay >= maxMs) {
      delay = maxMs;
      break;
    }
  }
  const elapsed = now - lastFailureTime;
  return delay < elapsed ? 0 : delay - elapsed;
}

export class BackoffStore {
  private readonly records = new Map<string, BackoffRecord>();

  get(key: string): BackoffRecord {
    return this.records.get(key) ?? { failuresAfterLastSuccess: 0 };
  }

  /** The record after newly finished pods (not saved until update()). */
  next(key: string, newSucceeded: KObject[], newFailed: KObject[], now: number): BackoffRecord {
    const rec = { ...this.get(key) };
    const times = (pods: KObject[]) => pods.map((p) => finishedTime(p, now)).sort((a, b) => a - b);
    const failed = times(newFailed);
    if (!newSucceeded.length) {
      if (!failed.length) return rec;
      return { failuresAfterLastSuccess: rec.failuresAfterLastSuccess + failed.length, lastFailureTime: failed[failed.length - 1] };
    }
    const lastSuccess = times(newSucceeded).pop()!;
    const out: BackoffRecord = { failuresAfterLastSuccess: 0 };
    for (let i = failed.length - 1; i >= 0 && failed[i]! > lastSuccess; i--) {
      out.lastFailureTime ??= failed[i];
      out.failuresAfterLastSuccess++;
    }
    return out;
  }

  update(key: string, rec: BackoffRecord): void {
    this.records.set(key, rec);
  }

  delete(key: string): void {
    this.records.delete(key);
  }
}
