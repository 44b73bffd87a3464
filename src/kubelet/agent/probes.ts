/**
 * The agent's view of probes and lifecycle hooks: small interfaces that src/kubelet/prober and
 * src/kubelet/lifecycle implement. Without them, a running container is started and ready, and no
 * hook runs (`noProbes`, `noHooks`).
 */
import type { KObject } from '../../client/index.js';

export interface RunningContainerRef {
  name: string;
  id: string;
  /** ms since the epoch */
  startedAt: number;
  init: boolean;
}

export interface PodProbes {
  /** The pod's running containers after a sync: start probing new ones, stop the others. */
  syncPod(pod: KObject, running: RunningContainerRef[]): void;
  removePod(uid: string): void;
  /** Readiness of a running container (true when it has no readiness probe). */
  isReady(uid: string, name: string, containerId: string): boolean;
  /** Whether a running container's startup probe passed (true when it has none). */
  isStarted(uid: string, name: string, containerId: string): boolean;
  /** A message when the liveness (or startup) probe decided the container must be restarted. */
  mustRestart(uid: string, name: string, containerId: string): string | undefined;
  /** Called when a result changes, so the pod's worker syncs it again. */
  onChange(cb: (uid: string) => void): void;
  stop(): Promise<void> | void;
}

export interface PodHooks {
  /** Runs postStart; rejects with the failure message. */
  postStart(pod: KObject, container: KObject, containerId: string): Promise<void>;
  /** Runs preStop within the grace period (resolves when done or the time is up). */
  preStop(pod: KObject, container: KObject, containerId: string, gracePeriodSeconds: number): Promise<void>;
}

export const noProbes: PodProbes = {
  syncPod() {},
  removePod() {},
  isReady: () => true,
  isStarted: () => true,
  mustRestart: () => undefined,
  onChange() {},
  stop() {},
};

export const noHooks: PodHooks = {
  async postStart() {},
  async preStop() {},
};
