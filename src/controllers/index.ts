/**
 * controllers/: the control loops that drive actual state toward desired state, all through the
 * API (src/client/ informers, listers, work queues), on one small framework (enqueue key →
 * reconcile → requeue on error). Each controller is registered by name so `k8ts server
 * --disable NAME,...` can leave it out. May import src/client/, src/api/ and src/machinery/;
 * never src/apiserver/ or src/storage/.
 */
import { InformerFactory } from '../client/informer-factory.js';
import type { KubeClient } from '../client/rest-client.js';
import type { Controller, ControllerContext, ControllerSettings } from './framework.js';
import { DisruptionController } from './disruption.js';
import { NodeLifecycleController, type NodeLifecycleOptions } from './node-lifecycle.js';
import { ServiceAccountController } from './serviceaccount.js';
import { RootCaPublisher } from './root-ca-publisher.js';
import { ServiceAccountTokenController } from './serviceaccount-token.js';
import { GarbageCollector } from './garbage-collector.js';
import { NamespaceController } from './namespace.js';
import { DeploymentController } from './deployment/index.js';
import { newReplicaSetController, newReplicationControllerController } from './replicaset.js';
import { StatefulSetController } from './statefulset/index.js';
import { DaemonSetController } from './daemonset/index.js';
import { JobController, TTLAfterFinishedController } from './job/index.js';
import { CronJobController } from './cronjob.js';
import { NodeIpamController, type NodeIpamOptions } from './nodeipam.js';
import { ClusterRoleAggregationController } from './clusterrole-aggregation.js';
import { ResourceQuotaController } from './resourcequota.js';
import { PersistentVolumeController } from './persistentvolume/index.js';
import { PvcProtectionController } from './pvc-protection.js';
import { PvProtectionController } from './pv-protection.js';
import { LocalPathProvisioner } from '../kubelet/local-path/index.js';
import { controllerFactory, controllerNames, registerController } from './registry.js';

export { BaseController } from './framework.js';
export type { Controller, ControllerContext, ControllerSettings, ReconcileResult, BaseControllerOptions } from './framework.js';
export { NodeLifecycleController } from './node-lifecycle.js';
export type { NodeLifecycleOptions } from './node-lifecycle.js';
export { ServiceAccountController } from './serviceaccount.js';
export { RootCaPublisher } from './root-ca-publisher.js';
export { DisruptionController } from './disruption.js';
export { registerController, controllerNames, controllerFactory } from './registry.js';
export type { ControllerFactory } from './registry.js';
export { NamespaceController } from './namespace.js';
export { GarbageCollector } from './garbage-collector.js';
export { JobController, TTLAfterFinishedController } from './job/index.js';
export { CronJobController } from './cronjob.js';
export { NodeIpamController, CidrSet, DEFAULT_CLUSTER_CIDR } from './nodeipam.js';
export type { NodeIpamOptions } from './nodeipam.js';
export { StatefulSetController } from './statefulset/index.js';
export { DaemonSetController } from './daemonset/index.js';

registerController('namespace', (ctx) => new NamespaceController(ctx));
registerController('garbagecollector', (ctx) => new GarbageCollector(ctx));
registerController('job', (ctx) => new JobController(ctx));
registerController('ttl-after-finished', (ctx) => new TTLAfterFinishedController(ctx));
registerController('cronjob', (ctx) => new CronJobController(ctx));
registerController('nodelifecycle', (ctx) => new NodeLifecycleController(ctx, ctx.settings?.nodelifecycle as NodeLifecycleOptions | undefined));
registerController('serviceaccount', (ctx) => new ServiceAccountController(ctx));
registerController('root-ca-cert-publisher', (ctx) => new RootCaPublisher(ctx));
registerController('serviceaccount-token', (ctx) => new ServiceAccountTokenController(ctx));
registerController('resourcequota', (ctx) => new ResourceQuotaController(ctx));
registerController('disruption', (ctx) => new DisruptionController(ctx));
registerController('replicaset', newReplicaSetController);
registerController('replicationcontroller', newReplicationControllerController);
registerController('deployment', (ctx) => new DeploymentController(ctx));
registerController('statefulset', (ctx) => new StatefulSetController(ctx));
registerController('daemonset', (ctx) => new DaemonSetController(ctx));
registerController('nodeipam', (ctx) => new NodeIpamController(ctx, ctx.settings?.nodeipam as NodeIpamOptions | undefined));
registerController('clusterrole-aggregation', (ctx) => new ClusterRoleAggregationController(ctx));
registerController('persistentvolume-binder', (ctx) => new PersistentVolumeController(ctx));
registerController('pvc-protection', (ctx) => new PvcProtectionController(ctx));
registerController('pv-protection', (ctx) => new PvProtectionController(ctx));
registerController('local-path-provisioner', (ctx) => new LocalPathProvisioner(ctx));

export interface ControllerManagerOptions {
  client: KubeClient;
  /** Controller names to leave out. */
  disable?: string[];
  /** Per-controller settings by name (nodelifecycle: NodeLifecycleOptions). */
  settings?: ControllerSettings;
  log?: (msg: string) => void;
}

export interface RunningControllers {
  /** Names of the controllers that run. */
  names: string[];
  informers: InformerFactory;
  /** Resolves when every informer has synced. */
  synced: Promise<void>;
  stop(): Promise<void>;
}

/** Creates the enabled controllers over one informer factory and starts them (without waiting for sync). */
export function startControllers(opts: ControllerManagerOptions): RunningControllers {
  const log = opts.log ?? (() => {});
  const disabled = new Set(opts.disable ?? []);
  const unknown = [...disabled].filter((n) => !controllerNames().includes(n));
  if (unknown.length) log(`controllers: unknown names in --disable ignored: ${unknown.join(', ')}`);
  const informers = new InformerFactory(opts.client, { log });
  const ctx: ControllerContext = { client: opts.client, informers, log, settings: opts.settings };
  const controllers: Controller[] = [];
  for (const name of controllerNames()) {
    if (disabled.has(name)) continue;
    controllers.push(controllerFactory(name)!(ctx));
  }
  informers.start();
  const runs = controllers.map((c) => c.run().catch((err: unknown) => log(`controller ${c.name} failed: ${err instanceof Error ? err.message : String(err)}`)));
  let stopping: Promise<void> | undefined;
  return {
    names: controllers.map((c) => c.name),
    informers,
    synced: informers.waitForSync(),
    stop() {
      stopping ??= (async () => {
        await informers.stop();
        await Promise.all(controllers.map((c) => c.stop()));
        await Promise.all(runs);
      })();
      return stopping;
    },
  };
}
