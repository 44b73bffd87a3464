/**
 * kubelet/prober: container liveness, readiness and startup probes (exec, httpGet, tcpSocket,
 * grpc) with upstream kubelet's semantics and wording. May import node built-ins, @grpc/grpc-js
 * and kubernetes-types only; it reaches the container runtime through the narrow CommandRunner
 * (criCommandRunner adapts src/kubelet/cri's `client.runtime`).
 *
 * How the node agent uses it:
 *
 *   const probes = new ProbeManager({
 *     runner: criCommandRunner(cri.runtime),
 *     onResult(u) {                      // a cached result changed
 *       // liveness/startup 'failure' (not initial): kill the container with
 *       //   Normal Killing probeKillMessage(u.container, u.probe, willRestart)
 *       //   and grace period u.terminationGracePeriodSeconds, then restart per restartPolicy;
 *       // readiness: recompute Ready (probes.updatePodStatus) and write pod status.
 *     },
 *     onEvent(e) { recorder.event(e.pod, e.type, e.reason, e.message) },  // Unhealthy / ProbeWarning;
 *                                                                        // involvedObject.fieldPath = e.fieldPath
 *   });
 *   probes.add(pod, status)            // when the pod is admitted (status may come later)
 *   probes.update(pod, status)         // after every status computation: podIP, containerID
 *                                      // ("containerd://<id>"), state.running.startedAt
 *   probes.updatePodStatus(pod, status)  // fills containerStatuses[].started / .ready
 *   probes.isReady(uid, name), probes.isStarted(uid, name), probes.getResult(containerID, 'liveness')
 *   probes.remove(uid)                 // pod gone;  probes.stop() on shutdown
 *
 * A liveness failure holds that worker until update() shows a new containerID for the container.
 *
 * For src/kubelet/agent (its PodProbes/PodHooks interfaces) there are ready adapters:
 *   startNodeAgent({ ..., ...probesAndHooks({ client, runtime: cri.runtime, nodeName, nodeIP, log }) })
 * or createPodProbes / createPodHooks (src/kubelet/lifecycle) with your own runner and recorder.
 */
export { ProbeManager, probeGracePeriodSeconds, probeKillMessage, PROBE_KILL_REASON } from './manager.js';
export type { ProbeManagerOptions, ProbeResultUpdate, ProbeEventRecord, ProbeResultValue } from './manager.js';
export { runProbe, runProbeHandler, probeSettings, MAX_PROBE_RETRIES } from './probe.js';
export type { ProbeAttempt, ProbeDeps, ProbeSettings, ProbeTarget } from './probe.js';
export { httpGet, httpProbe, requestForHttpGet, HttpGetError } from './http-get.js';
export type { HttpGetRequest, HttpGetResponse } from './http-get.js';
export { tcpProbe } from './tcp-probe.js';
export {
  grpcProbe, healthServiceDefinition, encodeHealthCheckRequest, decodeHealthCheckRequest,
  encodeHealthCheckResponse, decodeHealthCheckResponse, HEALTH_CHECK_PATH, SERVING_STATUS,
} from './grpc-probe.js';
export type { ServingStatus } from './grpc-probe.js';
export { execProbe, expandCommandOnlyStatic, expandVars } from './exec-probe.js';
export { criCommandRunner, rawContainerId } from './cri-runner.js';
export type { ExecSyncApi } from './cri-runner.js';
export { resolveContainerPort, joinHostPort } from './port.js';
export {
  ExecTimeoutError, ExecExitError, KUBE_VERSION, MAX_OUTPUT_BYTES, formatPod, goList, goQuote, goSeconds, probeTypeTitle,
} from './types.js';
export type { CommandRunner, ExecResult, ProbeOutcome, ProbeType } from './types.js';
export { createPodProbes } from './pod-probes.js';
export type { AgentPodProbes, PodProbesOptions, RunningContainer } from './pod-probes.js';
export { probesAndHooks } from './agent-wiring.js';
export type { ProbesAndHooksOptions } from './agent-wiring.js';
