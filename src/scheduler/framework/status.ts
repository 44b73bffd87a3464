/**
 * The outcome of one plugin call at one extension point, as in kube-scheduler: success,
 * unschedulable (another cycle may succeed, and preemption may help), unschedulable and
 * unresolvable (preemption cannot help), error (a bug or an unexpected condition), or skip
 * (a PreFilter/PreScore plugin has nothing to do for this pod, so its Filter/Score is skipped).
 */

export type StatusCode = 'Success' | 'Unschedulable' | 'UnschedulableAndUnresolvable' | 'Error' | 'Skip';

export interface Status {
  readonly code: StatusCode;
  /** Human-readable reasons; for unschedulable nodes these are counted in FailedScheduling messages. */
  readonly reasons: readonly string[];
  /** The plugin that returned this status (set by the framework). */
  readonly plugin?: string;
  readonly error?: Error;
}

const SUCCESS: Status = Object.freeze({ code: 'Success', reasons: Object.freeze([]) as readonly string[] });
const SKIP: Status = Object.freeze({ code: 'Skip', reasons: Object.freeze([]) as readonly string[] });

export function success(): Status {
  return SUCCESS;
}

export function skip(): Status {
  return SKIP;
}

export function unschedulable(...reasons: string[]): Status {
  return { code: 'Unschedulable', reasons };
}

export function unresolvable(...reasons: string[]): Status {
  return { code: 'UnschedulableAndUnresolvable', reasons };
}

export function errorStatus(err: unknown): Status {
  const e = err instanceof Error ? err : new Error(String(err));
  return { code: 'Error', reasons: [e.message], error: e };
}

export function isSuccess(s: Status | undefined): boolean {
  return s === undefined || s.code === 'Success';
}

export function isRejected(s: Status): boolean {
  return s.code === 'Unschedulable' || s.code === 'UnschedulableAndUnresolvable';
}

/** The reasons joined as upstream's Status.Message() does. */
export function statusMessage(s: Status): string {
  return s.reasons.join(', ');
}

export function withPlugin(s: Status, plugin: string): Status {
  return s.plugin === plugin ? s : { ...s, plugin };
}
