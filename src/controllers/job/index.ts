/**
 * controllers/job/: the Job controller (pods from the template, tracking finalizers, completions
 * and parallelism, Indexed mode, back-off, deadlines, pod failure policy, suspend, conditions) and
 * the ttl-after-finished controller that deletes finished Jobs. Pure pieces (pods, indexes,
 * back-off, failure policy, conditions) are separate files; sync.ts holds the per-Job decision.
 * May import src/client/, src/api/ and src/machinery/, and ../framework.js.
 */
export { JobController } from './job-controller.js';
export type { JobControllerOptions } from './job-controller.js';
export { TTLAfterFinishedController, timeLeft } from './ttl-after-finished.js';
export type { TTLAfterFinishedOptions } from './ttl-after-finished.js';
export { OrderedIntervals, firstPendingIndexes } from './indexes.js';
export { matchPodFailurePolicy } from './failure-policy.js';
export { remainingBackoff, BackoffStore } from './backoff.js';
export { JOB_TRACKING_FINALIZER, JOB_COMPLETION_INDEX, podFromTemplate } from './pods.js';
export { isJobFinished, isJobSucceeded, finishedCondition } from './conditions.js';
