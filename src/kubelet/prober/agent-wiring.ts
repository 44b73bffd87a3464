/**
 * One call that gives the node agent its probes and lifecycle hooks on a CRI runtime:
 *
 *   startNodeAgent({ ..., ...probesAndHooks({ client, runtime: cri.runtime, nodeName, nodeIP, log }) })
 *
 * Exec probes and exec hooks run through CRI ExecSync; probe events (Unhealthy, ProbeWarning) and
 * hook events (LifecycleHTTPFallback) are written by a kubelet EventRecorder of this node.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { EventRecorder, type KObject, type KubeClient } from '../../client/index.js';
import { createPodHooks, sandboxIPFromCri, type AgentPodHooks, type SandboxLookupApi } from '../lifecycle/pod-hooks.js';
import { criCommandRunner, type ExecSyncApi } from './cri-runner.js';
import { createPodProbes, type AgentPodProbes } from './pod-probes.js';

export interface ProbesAndHooksOptions {
  client: KubeClient;
  runtime: ExecSyncApi & SandboxLookupApi;
  nodeName: string;
  /** The node's IP: the pod IP of hostNetwork pods. */
  nodeIP: string;
  log?: (msg: string) => void;
}

export function probesAndHooks(o: ProbesAndHooksOptions): { probes: AgentPodProbes; hooks: AgentPodHooks } {
  const recorder = new EventRecorder(o.client, { component: 'kubelet', instance: o.nodeName, log: o.log });
  const runner = criCommandRunner(o.runtime);
  const recordEvent = (pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> =>
    recorder.event(pod as unknown as KObject, type, reason, message);
  return {
    probes: createPodProbes({ runner, recordEvent, hostIP: o.nodeIP, log: o.log }),
    hooks: createPodHooks({ runner, recordEvent, hostIP: o.nodeIP, lookupPodIP: sandboxIPFromCri(o.runtime), log: o.log }),
  };
}
