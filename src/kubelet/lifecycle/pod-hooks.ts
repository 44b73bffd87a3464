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
  /**
   * The pod's IP from the runtime when the pod object has none yet (its first containers start
   * before status is written); e.g. sandboxIPFromCri(cri.runtime).
   */
  lookupPodIP?: (containerId: string) => Promise<string | undefined>;
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
  const podIP = async (pod: Pod, container: Container, containerId: string): Promise<string | undefined> => {
    if (pod.status?.podIP) return pod.status.podIP;
    if (pod.spec?.hostNetwork) return opts.hostIP;
    const needs = container.lifecycle?.postStart?.httpGet || container.lifecycle?.preStop?.httpGet;
    if (!needs || !opts.lookupPodIP) return undefined;
    return opts.lookupPodIP(rawContainerId(containerId)).catch(() => undefined);
  };
  const ctx = async (pod: Pod, container: Container, containerId: string) => ({
    pod, container, containerId: rawContainerId(containerId), runner: opts.runner, kubeVersion: opts.kubeVersion,
    podIP: await podIP(pod, container, containerId),
    onEvent: (e: { type: 'Normal' | 'Warning'; reason: string; message: string }) => { void opts.recordEvent?.(pod, e.type, e.reason, e.message); },
  });
  return {
    async postStart(pod, container, containerId) {
      const r = await runPostStart(await ctx(pod, container, containerId));
      if (!r.ok) {
        opts.log?.(`lifecycle: ${r.message}`);
        throw new Error(r.message);
      }
    },
    async preStop(pod, container, containerId, gracePeriodSeconds) {
      const r = await runPreStop(await ctx(pod, container, containerId), gracePeriodSeconds);
      if (r.failed) {
        opts.log?.(`lifecycle: ${r.message}`);
        throw new Error('PreStopHook failed');
      }
    },
  };
}

/** The CRI calls sandboxIPFromCri needs (structural). */
export interface SandboxLookupApi {
  listContainers(req: { filter?: { id?: string } }): Promise<{ containers?: Array<{ podSandboxId?: string }> }>;
  podSandboxStatus(req: { podSandboxId: string }): Promise<{ status?: { network?: { ip?: string } | null } | null }>;
}

/** Looks a container's pod IP up in the runtime: its sandbox's network status. */
export function sandboxIPFromCri(runtime: SandboxLookupApi): (containerId: string) => Promise<string | undefined> {
  return async (containerId) => {
    const { containers } = await runtime.listContainers({ filter: { id: containerId } });
    const sandboxId = containers?.[0]?.podSandboxId;
    if (!sandboxId) return undefined;
    const { status } = await runtime.podSandboxStatus({ podSandboxId: sandboxId });
    return status?.network?.ip || undefined;
  };
}
