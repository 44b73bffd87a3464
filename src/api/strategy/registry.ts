/** The table of kind strategies, keyed `group/Kind` (core group = `core`). */
import type { KindStrategy } from './types.js';
import { podStrategy } from './core/pod.js';
import { serviceStrategy } from './core/service.js';
import { namespaceStrategy } from './core/namespace.js';
import { configMapStrategy } from './core/config-map.js';
import { secretStrategy } from './core/secret.js';
import { replicationControllerStrategy } from './core/replication-controller.js';
import { deploymentStrategy } from './apps/deployment.js';
import { replicaSetStrategy } from './apps/replica-set.js';
import { statefulSetStrategy } from './apps/stateful-set.js';
import { daemonSetStrategy } from './apps/daemon-set.js';
import { jobStrategy } from './batch/job.js';
import { cronJobStrategy } from './batch/cron-job.js';
import { persistentVolumeClaimStrategy } from './core/persistent-volume-claim.js';
import { persistentVolumeStrategy } from './core/persistent-volume.js';
import { nodeStrategy } from './core/node.js';
import { podTemplateStrategy } from './core/pod-template.js';
import { endpointsStrategy } from './core/endpoints.js';
import { eventStrategy, eventsV1Strategy } from './core/event.js';
import { ingressStrategy } from './networking/ingress.js';
import { networkPolicyStrategy } from './networking/network-policy.js';
import { storageClassStrategy } from './storage/storage-class.js';
import { horizontalPodAutoscalerStrategy } from './autoscaling/horizontal-pod-autoscaler.js';
import { roleStrategy } from './rbac/role.js';
import { clusterRoleStrategy } from './rbac/cluster-role.js';
import { roleBindingStrategy } from './rbac/role-binding.js';
import { clusterRoleBindingStrategy } from './rbac/cluster-role-binding.js';
import { priorityClassStrategy } from './scheduling/priority-class.js';
import { leaseStrategy } from './coordination/lease.js';
import { podDisruptionBudgetStrategy } from './policy/pod-disruption-budget.js';
import { endpointSliceStrategy } from './discovery/endpoint-slice.js';

export const registry = new Map<string, KindStrategy>([
  ['core/Pod', podStrategy],
  ['core/Service', serviceStrategy],
  ['core/Namespace', namespaceStrategy],
  ['core/ConfigMap', configMapStrategy],
  ['core/Secret', secretStrategy],
  ['core/ReplicationController', replicationControllerStrategy],
  ['apps/Deployment', deploymentStrategy],
  ['apps/ReplicaSet', replicaSetStrategy],
  ['apps/StatefulSet', statefulSetStrategy],
  ['apps/DaemonSet', daemonSetStrategy],
  ['batch/Job', jobStrategy],
  ['batch/CronJob', cronJobStrategy],
  ['core/PersistentVolumeClaim', persistentVolumeClaimStrategy],
  ['core/PersistentVolume', persistentVolumeStrategy],
  ['core/Node', nodeStrategy],
  ['core/PodTemplate', podTemplateStrategy],
  ['core/Endpoints', endpointsStrategy],
  ['core/Event', eventStrategy],
  ['events.k8s.io/Event', eventsV1Strategy],
  ['networking.k8s.io/Ingress', ingressStrategy],
  ['networking.k8s.io/NetworkPolicy', networkPolicyStrategy],
  ['storage.k8s.io/StorageClass', storageClassStrategy],
  ['autoscaling/HorizontalPodAutoscaler', horizontalPodAutoscalerStrategy],
  ['rbac.authorization.k8s.io/Role', roleStrategy],
  ['rbac.authorization.k8s.io/ClusterRole', clusterRoleStrategy],
  ['rbac.authorization.k8s.io/RoleBinding', roleBindingStrategy],
  ['rbac.authorization.k8s.io/ClusterRoleBinding', clusterRoleBindingStrategy],
  ['scheduling.k8s.io/PriorityClass', priorityClassStrategy],
  ['coordination.k8s.io/Lease', leaseStrategy],
  ['policy/PodDisruptionBudget', podDisruptionBudgetStrategy],
  ['discovery.k8s.io/EndpointSlice', endpointSliceStrategy],
]);
