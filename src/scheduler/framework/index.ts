/**
 * scheduler/framework: the scheduling framework's core — extension-point interfaces, Status,
 * NodeInfo, PodInfo, Snapshot, CycleState, the plugin registry, profiles and the Framework that
 * runs a profile's plugins. Pure code: imports src/machinery/ and kubernetes-types only, and
 * never imports a plugin.
 */
export * from './status.js';
export * from './interfaces.js';
export * from './resources.js';
export * from './pod-info.js';
export { NodeInfo } from './node-info.js';
export { Snapshot } from './snapshot.js';
export { CycleState } from './cycle-state.js';
export type { Cloneable } from './cycle-state.js';
export * from './registry.js';
export * from './profile.js';
export { Framework } from './framework.js';
export type { FrameworkOptions } from './framework.js';
export * from './helpers.js';
