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
]);
