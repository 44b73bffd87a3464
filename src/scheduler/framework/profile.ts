/**
 * A scheduling profile: which scheduler name it serves, which plugins it enables (in order,
 * each taking part in every extension point it implements, like upstream's multiPoint), score
 * weights, plugin arguments and per-point opt-outs. defaultProfile() is upstream's default
 * profile for the plugins k8ts has, with upstream's weights.
 */
import type { ExtensionPoint } from './interfaces.js';

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';

export interface PluginRef {
  name: string;
  /** Score weight (default 1). */
  weight?: number;
}

export interface Profile {
  schedulerName: string;
  plugins: PluginRef[];
  /** Plugins left out at one extension point although they implement it. */
  disabled?: Partial<Record<ExtensionPoint, string[]>>;
  /** Arguments per plugin name, passed to its factory. */
  pluginArgs?: Record<string, unknown>;
  /** Percentage of nodes to find feasible before scoring (0 or unset: upstream's adaptive default). */
  percentageOfNodesToScore?: number;
}

/** Upstream's default plugins (k8ts' subset) in upstream's order, with upstream's score weights. */
export const DEFAULT_PLUGINS: readonly PluginRef[] = Object.freeze([
  { name: 'NodeUnschedulable' },
  { name: 'NodeName' },
  { name: 'TaintToleration', weight: 3 },
  { name: 'NodeAffinity', weight: 2 },
  { name: 'NodePorts' },
  { name: 'NodeResourcesFit', weight: 1 },
  { name: 'VolumeRestrictions' },
  { name: 'VolumeBinding' },
  { name: 'PodTopologySpread', weight: 2 },
  { name: 'InterPodAffinity', weight: 2 },
  { name: 'DefaultPreemption' },
  { name: 'NodeResourcesBalancedAllocation', weight: 1 },
  { name: 'DefaultBinder' },
]);

export function defaultProfile(overrides: Partial<Profile> = {}): Profile {
  return { schedulerName: DEFAULT_SCHEDULER_NAME, plugins: DEFAULT_PLUGINS.map((p) => ({ ...p })), ...overrides };
}
