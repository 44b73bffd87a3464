/**
 * The node agent's probe interface (src/kubelet/agent/probes.ts PodProbes, matched structurally so
 * the prober does not import the agent) over a ProbeManager: the agent reports each pod's running
 * containers after a sync; readiness, started and "must restart" are answered per container id
 * as upstream computes them; a changed result asks the agent to sync the pod again; Unhealthy /
 * ProbeWarning events go to the agent's recorder. Until syncPod has seen a pod, its containers
 * count as not started and not ready (the probes they have are unknown); the first syncPod of a
 * pod then asks for one more sync so the answers are recomputed.
 */
import type { ContainerStatus, Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import { ProbeManager } from './manager.js';
import type { CommandRunner } from './types.js';

export interface RunningContainer {
  name: string;
  /** Runtime container id. */
  id: string;
  /** ms since the epoch */
  startedAt: number;
  /** An init container (sidecar) rather than a regular one. */
  init: boolean;
}

export interface PodProbesOptions {
  runner?: CommandRunner;
  /** Where probe events go (e.g. EventRecorder#event). */
  recordEvent?: (pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string) => unknown;
  /** Pod IP when the pod object has none yet (e.g. the node IP for hostNetwork pods). */
  hostIP?: string;
  kubeVersion?: string;
  secondMs?: number;
  log?: (msg: string) => void;
}

export interface AgentPodProbes {
  syncPod(pod: Pod, running: RunningContainer[]): void;
  removePod(uid: string): void;
  isReady(uid: string, name: string, containerId: string): boolean;
  isStarted(uid: string, name: string, containerId: string): boolean;
  mustRestart(uid: string, name: string, containerId: string): string | undefined;
  /**
   * When mustRestart said so: the grace period to stop the container with (the failed probe's
   * terminationGracePeriodSeconds, else the pod's), as upstream's ProbeTerminationGracePeriod.
   */
  restartGracePeriodSeconds(uid: string, name: string, containerId: string): number | undefined;
  onChange(cb: (uid: string) => void): void;
  stop(): void;
  /** The manager underneath (queries by pod, updatePodStatus). */
  readonly manager: ProbeManager;
}

export function createPodProbes(opts: PodProbesOptions = {}): AgentPodProbes {
  const listeners: Array<(uid: string) => void> = [];
  /** Pods syncPod has told us about: before that we cannot know which probes a container has. */
  const known = new Set<string>();
  let stopped = false;
  const notify = (uid: string): void => {
    if (stopped) return;
    for (const cb of listeners) {
      try { cb(uid); } catch (err) { opts.log?.(`prober: onChange: ${(err as Error).message}`); }
    }
  };
  const manager = new ProbeManager({
    runner: opts.runner,
    kubeVersion: opts.kubeVersion,
    secondMs: opts.secondMs,
    log: opts.log,
    onResult(u) {
      if (!u.initial) notify(u.podUid);
    },
    onEvent(e) {
      try {
        void opts.recordEvent?.(e.pod, e.type, e.reason, e.message);
      } catch (err) {
        opts.log?.(`prober: event: ${(err as Error).message}`);
      }
    },
  });

  const started = (uid: string, name: string, id: string): boolean => {
    if (!known.has(uid)) return false;
    const r = manager.getResult(id, 'startup');
    if (r !== undefined) return r === 'success';
    return !manager.hasProbe(uid, name, 'startup');
  };

  return {
    manager,
    syncPod(pod, running) {
      const toStatus = (c: RunningContainer): ContainerStatus => ({
        name: c.name, containerID: c.id, image: '', imageID: '', ready: false, restartCount: 0,
        state: { running: { startedAt: new Date(c.startedAt || Date.now()).toISOString() } },
      });
      const status: PodStatus = {
        phase: pod.status?.phase,
        podIP: pod.status?.podIP || (pod.spec?.hostNetwork ? opts.hostIP : undefined),
        containerStatuses: running.filter((c) => !c.init).map(toStatus),
        initContainerStatuses: running.filter((c) => c.init).map(toStatus),
      };
      manager.update(pod, status);
      const uid = pod.metadata?.uid ?? '';
      if (!known.has(uid)) {
        known.add(uid);
        // Answers given before this (not started, not ready) were guesses: have the pod synced again.
        setImmediate(() => notify(uid));
      }
    },
    removePod(uid) { manager.remove(uid); known.delete(uid); },
    isStarted: started,
    isReady(uid, name, id) {
      if (!started(uid, name, id)) return false;
      if (manager.getResult(id, 'readiness') === 'success') return true;
      if (!manager.hasProbe(uid, name, 'readiness')) return true;
      manager.trigger(uid, name, 'readiness');
      return false;
    },
    mustRestart(_uid, _name, id) {
      if (manager.getResult(id, 'liveness') === 'failure') return 'failed liveness probe';
      if (manager.getResult(id, 'startup') === 'failure') return 'failed startup probe';
      return undefined;
    },
    restartGracePeriodSeconds(uid, name, id) {
      if (manager.getResult(id, 'liveness') === 'failure') return manager.killGracePeriodSeconds(uid, name, 'liveness');
      if (manager.getResult(id, 'startup') === 'failure') return manager.killGracePeriodSeconds(uid, name, 'startup');
      return undefined;
    },
    onChange(cb) { listeners.push(cb); },
    stop() { stopped = true; manager.stop(); },
  };
}
