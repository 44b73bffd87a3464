/**
 * api/printers: server-side Table printing for built-in kinds. For every kind, the columns
 * (name, type, priority: 1 = `-o wide` only) and cells that upstream's printers produce for
 * `kubectl get`, so a meta.k8s.io/v1 Table built from them prints like a real cluster's.
 * Kinds without a printer of their own (Role, ClusterRole, LimitRange, custom resources...)
 * get the default NAME / CREATED AT table.
 *
 * Pure code: may import only from this folder (and src/api/schema.ts). No I/O, no clock:
 * callers pass `now`.
 */
import { clusterRoleBindingPrinter, roleBindingPrinter } from './rbac/role-binding.js';
import { column, nameColumn, rfc3339 } from './format.js';
import { configMapPrinter, secretPrinter, serviceAccountPrinter } from './core/config.js';
import { controllerRevisionPrinter } from './apps/controller-revision.js';
import { cronJobPrinter } from './batch/cron-job.js';
import { csiDriverPrinter, csiNodePrinter, volumeAttachmentPrinter } from './storage/csi.js';
import { daemonSetPrinter } from './apps/daemon-set.js';
import { deploymentPrinter } from './apps/deployment.js';
import { endpointSlicePrinter } from './discovery/endpoint-slice.js';
import { endpointsPrinter } from './core/endpoints.js';
import { eventPrinter } from './core/event.js';
import { eventsV1EventPrinter } from './events/event.js';
import { horizontalPodAutoscalerPrinter } from './autoscaling/horizontal-pod-autoscaler.js';
import { ingressClassPrinter, ingressPrinter, networkPolicyPrinter } from './networking/ingress.js';
import { jobPrinter } from './batch/job.js';
import { leasePrinter } from './coordination/lease.js';
import { namespacePrinter } from './core/namespace.js';
import { nodePrinter } from './core/node.js';
import { persistentVolumeClaimPrinter, persistentVolumePrinter } from './core/volumes.js';
import { podDisruptionBudgetPrinter } from './policy/pod-disruption-budget.js';
import { podPrinter } from './core/pod.js';
import { podTemplatePrinter, replicationControllerPrinter } from './core/templates.js';
import { priorityClassPrinter } from './scheduling/priority-class.js';
import { replicaSetPrinter } from './apps/replica-set.js';
import { resourceQuotaPrinter } from './core/resource-quota.js';
import { runtimeClassPrinter } from './node/runtime-class.js';
import { servicePrinter } from './core/service.js';
import { statefulSetPrinter } from './apps/stateful-set.js';
import { storageClassPrinter } from './storage/storage-class.js';
import { certificateSigningRequestPrinter } from './certificates/certificate-signing-request.js';
import { webhookConfigurationPrinter } from './admissionregistration/webhook-configuration.js';
import type { TablePrinter } from './types.js';

export type { ColumnDefinition, TablePrinter } from './types.js';
export { humanDuration, formatHumanDuration, formatLabels, formatLabelSelector, labelSelectorString } from './format.js';
export { podSummary } from './core/pod.js';
export { servicePorts, serviceExternalIP } from './core/service.js';

/** Upstream's default table convertor: the name and the creation time as an RFC 3339 date. */
export const defaultPrinter: TablePrinter = {
  columns: [nameColumn, column('Created At', 'Time the object was created.', { type: 'date' })],
  cells(obj, _now) {
    return [obj?.metadata?.name ?? '', rfc3339(obj?.metadata?.creationTimestamp)];
  },
};

/** Printers by `group/Kind`; the core group is "". */
const printers = new Map<string, TablePrinter>([
  ['/Namespace', namespacePrinter],
  ['/Pod', podPrinter],
  ['/PodTemplate', podTemplatePrinter],
  ['/ReplicationController', replicationControllerPrinter],
  ['/Service', servicePrinter],
  ['/Endpoints', endpointsPrinter],
  ['/ConfigMap', configMapPrinter],
  ['/Secret', secretPrinter],
  ['/ServiceAccount', serviceAccountPrinter],
  ['/Node', nodePrinter],
  ['/Event', eventPrinter],
  ['/PersistentVolume', persistentVolumePrinter],
  ['/PersistentVolumeClaim', persistentVolumeClaimPrinter],
  ['/ResourceQuota', resourceQuotaPrinter],
  ['apps/Deployment', deploymentPrinter],
  ['apps/ReplicaSet', replicaSetPrinter],
  ['apps/StatefulSet', statefulSetPrinter],
  ['apps/DaemonSet', daemonSetPrinter],
  ['apps/ControllerRevision', controllerRevisionPrinter],
  ['batch/Job', jobPrinter],
  ['batch/CronJob', cronJobPrinter],
  ['networking.k8s.io/Ingress', ingressPrinter],
  ['networking.k8s.io/IngressClass', ingressClassPrinter],
  ['networking.k8s.io/NetworkPolicy', networkPolicyPrinter],
  ['storage.k8s.io/StorageClass', storageClassPrinter],
  ['storage.k8s.io/CSIDriver', csiDriverPrinter],
  ['storage.k8s.io/CSINode', csiNodePrinter],
  ['storage.k8s.io/VolumeAttachment', volumeAttachmentPrinter],
  ['autoscaling/HorizontalPodAutoscaler', horizontalPodAutoscalerPrinter],
  ['rbac.authorization.k8s.io/RoleBinding', roleBindingPrinter],
  ['rbac.authorization.k8s.io/ClusterRoleBinding', clusterRoleBindingPrinter],
  ['coordination.k8s.io/Lease', leasePrinter],
  ['discovery.k8s.io/EndpointSlice', endpointSlicePrinter],
  ['events.k8s.io/Event', eventsV1EventPrinter],
  ['policy/PodDisruptionBudget', podDisruptionBudgetPrinter],
  ['scheduling.k8s.io/PriorityClass', priorityClassPrinter],
  ['node.k8s.io/RuntimeClass', runtimeClassPrinter],
  ['certificates.k8s.io/CertificateSigningRequest', certificateSigningRequestPrinter],
  ['admissionregistration.k8s.io/MutatingWebhookConfiguration', webhookConfigurationPrinter],
  ['admissionregistration.k8s.io/ValidatingWebhookConfiguration', webhookConfigurationPrinter],
]);

/** The printer for a kind (group "" or "core" for the core group), or the default printer. */
export function printerFor(group: string, kind: string): TablePrinter {
  const g = group === 'core' ? '' : group;
  return printers.get(`${g}/${kind}`) ?? defaultPrinter;
}

/** Whether a kind has a printer of its own rather than the default one. */
export function hasPrinter(group: string, kind: string): boolean {
  return printerFor(group, kind) !== defaultPrinter;
}
