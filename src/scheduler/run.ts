/**
 * Runs the scheduler as a client of the API server: informers over pods, nodes and namespaces,
 * binding through pods/binding. The same code runs in `k8ts server` or in a process of its own.
 */
import { InformerFactory, type KubeClient } from '../client/index.js';
import { ClientSchedulerSource } from './client-source.js';
import { clientVolumeBinder } from './client-volumes.js';
import { Scheduler, type SchedulerOptions } from './scheduler.js';

export interface RunningScheduler {
  scheduler: Scheduler;
  /** Resolves once the informers synced and the scheduling loop runs. */
  ready: Promise<void>;
  stop(): Promise<void>;
}

export function startScheduler(client: KubeClient, opts: SchedulerOptions = {}): RunningScheduler {
  const factory = new InformerFactory(client);
  const source = new ClientSchedulerSource(client, factory);
  const volumes = opts.volumeBinder ? undefined : clientVolumeBinder(client, factory);
  const scheduler = new Scheduler(source, { ...opts, volumeBinder: opts.volumeBinder ?? volumes?.binder });
  // Storage changes may make pods waiting on claims schedulable (upstream's PVC/PV/StorageClass events).
  const offVolumes = volumes?.onChange((event) => scheduler.queue.moveAllToActiveOrBackoff(event));
  let stopped = false;
  const ready = (async () => {
    factory.start();
    await Promise.all([source.waitForSync(), volumes?.waitForSync()]);
    if (!stopped) scheduler.start();
  })();
  return {
    scheduler,
    ready,
    async stop() {
      stopped = true;
      offVolumes?.();
      await scheduler.stop();
      await factory.stop();
    },
  };
}
