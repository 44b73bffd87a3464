/**
 * The node agent's hook interface (src/kubelet/agent/probes.ts PodHooks, matched structurally):
 * postStart rejects with upstream's failure message (the container's waiting message; the event
 * itself should say "PostStartHook failed"); preStop runs within the grace period and rejects
 * with "PreStopHook failed" (upstream's event text; the detailed message goes to the log).
 */
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { rawContainerId } from '../prober/cri-runner.js';
import type { CommandRunner } from '../prober/types.js';
import { runPostStart, runPreStop } from './handlers.js';

export interface PodHooksOptions {
  runner?: CommandRunner;
  /** Pod IP when the pod object has none yet (hostNetwork pods: the node IP). */
  hostIP?: string;
  kubeVersion?: string;
  /** Events the hooks record themselves (LifecycleHTTPFallback), about the pod. */
  recordEvent?: (pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string) => unknown;
  log?: (msg: string) => void;
}

export interface AgentPodHooks {
  postStart(pod: Pod, container: Container, containerId: string): Promise<void>;
  preStop(pod: Pod, container: Container, containerId: string, gracePeriodSeconds: number): Promise<void>;
}

export function createPodHooks(opts: PodHooksOptions = {}): AgentPodHooks {
  const ctx = (pod: Pod, container: Container, containerId: string) => ({
    pod, container, containerId: rawContainerId(containerId), runner: opts.runner, kubeVersion: opts.kubeVersion,
    podIP: pod.status?.podIP || (pod.spec?.hostNetwork ? opts.hostIP : undefined),
    onEvent: (e: { type: 'Normal' | 'Warning'; reason: string; message: string }) => { void opts.recordEvent?.(pod, e.type, e.reason, e.message); },
  });
  return {
    async postStart(pod, container, containerId) {
      const r = await runPostStart(ctx(pod, container, containerId));
      if (!r.ok) throw new Error(r.message);
    },
    async preStop(pod, container, containerId, gracePeriodSeconds) {
      const r = await runPreStop(ctx(pod, container, containerId), gracePeriodSeconds);
      if (r.failed) {
        opts.log?.(`lifecycle: ${r.message}`);
        throw new Error('PreStopHook failed');
      }
    },
  };
}
