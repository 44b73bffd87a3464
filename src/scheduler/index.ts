/**
 * scheduler/: k8ts' kube-scheduler. Owns the scheduling framework (framework/: extension
 * points, Status, NodeInfo, Snapshot, CycleState, plugin registry, profiles), the default
 * plugins (plugins/, one file each), the scheduling queue, the assume cache, upstream's
 * FailedScheduling wording, and the Scheduler that runs the cycle over a SchedulerSource.
 * The core is pure: all I/O goes through SchedulerSource, which a src/client/-backed adapter
 * (client-source.ts) implements. May import src/client/, src/api/ and src/machinery/ only.
 */
export * from './framework/index.js';
export { registerDefaultPlugins } from './plugins/index.js';
export { formatFitError, reasonHistogram, NO_NODES_AVAILABLE, PREEMPTION_NOT_HELPFUL, NO_PREEMPTION_VICTIMS } from './failure-message.js';
export type { FitErrorInput } from './failure-message.js';
export { SchedulingQueue } from './queue.js';
export type { QueuedPodInfo, SchedulingQueueOptions } from './queue.js';
export { SchedulerCache, isTerminal } from './cache.js';
export { Scheduler, numFeasibleNodesToFind } from './scheduler.js';
export type { SchedulerOptions, SchedulerStats } from './scheduler.js';
export type { SchedulerSource, SourceEvent, PodStatusUpdate, PodScheduledCondition } from './source.js';
export { ClientSchedulerSource } from './client-source.js';
export type { ClientSchedulerSourceOptions } from './client-source.js';
export { startScheduler, type RunningScheduler } from './run.js';
