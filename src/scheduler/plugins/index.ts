/**
 * scheduler/plugins: one file per kube-scheduler plugin k8ts implements, and
 * registerDefaultPlugins() which adds them all to a registry by upstream name. Plugins import
 * only the framework (and src/machinery/); the framework never imports them.
 */
import { globalRegistry, type PluginRegistry, registerPlugin } from '../framework/index.js';
import { DEFAULT_BINDER, DefaultBinder } from './default-binder.js';
import { DEFAULT_PREEMPTION, DefaultPreemption, type DefaultPreemptionArgs } from './default-preemption.js';
import { INTER_POD_AFFINITY, InterPodAffinity, type InterPodAffinityArgs } from './inter-pod-affinity.js';
import { NODE_AFFINITY, NodeAffinity } from './node-affinity.js';
import { NODE_NAME, NodeName } from './node-name.js';
import { NODE_PORTS, NodePorts } from './node-ports.js';
import {
  NODE_RESOURCES_BALANCED_ALLOCATION, NodeResourcesBalancedAllocation, type BalancedAllocationArgs,
} from './node-resources-balanced-allocation.js';
import { NODE_RESOURCES_FIT, NodeResourcesFit, type NodeResourcesFitArgs } from './node-resources-fit.js';
import { NODE_UNSCHEDULABLE, NodeUnschedulable } from './node-unschedulable.js';
import { POD_TOPOLOGY_SPREAD, PodTopologySpread } from './pod-topology-spread.js';
import { TAINT_TOLERATION, TaintToleration } from './taint-toleration.js';
import { VOLUME_BINDING, VolumeBinding } from './volume-binding.js';
import { VOLUME_RESTRICTIONS, VolumeRestrictions } from './volume-restrictions.js';

export function registerDefaultPlugins(registry: PluginRegistry = globalRegistry()): PluginRegistry {
  const add: typeof registerPlugin = (name, factory) => {
    if (!registry.has(name)) registerPlugin(name, factory, registry);
  };
  add(NODE_UNSCHEDULABLE, () => new NodeUnschedulable());
  add(NODE_NAME, () => new NodeName());
  add(TAINT_TOLERATION, () => new TaintToleration());
  add(NODE_AFFINITY, () => new NodeAffinity());
  add(NODE_PORTS, () => new NodePorts());
  add(NODE_RESOURCES_FIT, (_h, args) => new NodeResourcesFit(args as NodeResourcesFitArgs | undefined));
  add(VOLUME_RESTRICTIONS, (h) => new VolumeRestrictions(h));
  add(VOLUME_BINDING, (h) => new VolumeBinding(h));
  add(POD_TOPOLOGY_SPREAD, (h) => new PodTopologySpread(() => h.snapshot().nodeInfos));
  add(INTER_POD_AFFINITY, (h, args) => new InterPodAffinity(() => h.snapshot(), args as InterPodAffinityArgs | undefined));
  add(DEFAULT_PREEMPTION, (h, args) => new DefaultPreemption(h, args as DefaultPreemptionArgs | undefined));
  add(NODE_RESOURCES_BALANCED_ALLOCATION, (_h, args) => new NodeResourcesBalancedAllocation(args as BalancedAllocationArgs | undefined));
  add(DEFAULT_BINDER, (h) => new DefaultBinder(h));
  return registry;
}

export { DefaultBinder, DefaultPreemption, InterPodAffinity, NodeAffinity, NodeName, NodePorts, NodeResourcesBalancedAllocation };
export { NodeResourcesFit, NodeUnschedulable, PodTopologySpread, TaintToleration, VolumeBinding, VolumeRestrictions };
export { pickOneNode, moreImportantFirst } from './default-preemption.js';
export { insufficientResources } from './node-resources-fit.js';
export { untoleratedTaintReason } from './taint-toleration.js';
