/**
 * Priority (upstream's plugin of that name):
 *  - pod creation: spec.priorityClassName must name a PriorityClass (else `pods "p" is forbidden:
 *    no PriorityClass with name x was found`); without a name the globalDefault class applies (the
 *    lowest-valued if several), else priority 0; spec.priority and spec.preemptionPolicy come from
 *    the class, and a pod stating other values is refused with upstream's wording;
 *  - PriorityClasses: only one may be globalDefault.
 * The system classes (SYSTEM_PRIORITY_CLASSES) are created at server start.
 */
import { forbidden } from '../status.js';
import type { AdmissionPluginFactory } from './types.js';

export const SYSTEM_PRIORITY_CLASSES = [
  { name: 'system-node-critical', value: 2000001000, description: 'Used for system critical pods that must not be moved from their current node.' },
  { name: 'system-cluster-critical', value: 2000000000, description: 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.' },
];

export const priority: AdmissionPluginFactory = (lookup) => ({
  name: 'Priority',
  async admit(a) {
    if (a.resource.group !== '' || a.resource.plural !== 'pods' || a.subresource || a.operation !== 'CREATE' || !a.object) return;
    const spec = (a.object.spec ??= {});
    const podName = a.name || String(a.object.metadata?.generateName ?? '');
    let value = 0;
    let policy: string | undefined = 'PreemptLowerPriority';
    const className = typeof spec.priorityClassName === 'string' && spec.priorityClassName ? spec.priorityClassName : '';
    if (className) {
      const pc = await lookup.get('scheduling.k8s.io', 'priorityclasses', '', className);
      if (!pc) throw forbidden(`pods "${podName}" is forbidden: no PriorityClass with name ${className} was found`);
      value = Number(pc.value ?? 0);
      policy = pc.preemptionPolicy ?? 'PreemptLowerPriority';
    } else {
      const all = lookup.list ? await lookup.list('scheduling.k8s.io', 'priorityclasses', '') : [];
      const defaults = all.filter((pc) => pc.globalDefault === true).sort((x, y) => Number(x.value ?? 0) - Number(y.value ?? 0));
      if (defaults.length) {
        value = Number(defaults[0]!.value ?? 0);
        policy = defaults[0]!.preemptionPolicy ?? 'PreemptLowerPriority';
        spec.priorityClassName = defaults[0]!.metadata.name;
      }
    }
    if (typeof spec.priority === 'number' && spec.priority !== value) {
      throw forbidden(`pods "${podName}" is forbidden: the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${value} from the given PriorityClass name`);
    }
    spec.priority = value;
    if (spec.preemptionPolicy !== undefined && spec.preemptionPolicy !== policy) {
      throw forbidden(`pods "${podName}" is forbidden: the string value of PreemptionPolicy (${spec.preemptionPolicy}) must not be provided in pod spec; priority admission controller computed ${policy} from the given PriorityClass name`);
    }
    spec.preemptionPolicy = policy;
  },
  async validate(a) {
    if (a.resource.group !== 'scheduling.k8s.io' || a.resource.plural !== 'priorityclasses' || a.subresource) return;
    if ((a.operation !== 'CREATE' && a.operation !== 'UPDATE') || a.object?.globalDefault !== true || !lookup.list) return;
    const other = (await lookup.list('scheduling.k8s.io', 'priorityclasses', '')).find((pc) => pc.globalDefault === true && pc.metadata.name !== a.name);
    if (other) throw forbidden(`priorityclasses.scheduling.k8s.io "${a.name}" is forbidden: PriorityClass ${other.metadata.name} is already marked as default. Only one default can exist`);
  },
});
