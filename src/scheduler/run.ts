/**
 * Runs the scheduler as a client of the API server: informers over pods, nodes and namespaces,
 * binding through pods/binding. The same code runs in `k8ts server` or in a process of its own.
 */
import { InformerFactory, type KubeClient } from '../client/index.js';
import { ClientSchedulerSource } from './client-source.js';
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
  const scheduler = new Scheduler(source, opts);
  let stopped = false;
  const ready = (async () => {
    factory.start();
    await source.waitForSync();
    if (!stopped) scheduler.start();
  })();
  return {
    scheduler,
    ready,
    async stop() {
      stopped = true;
      await scheduler.stop();
      await factory.stop();
    },
  };
}
