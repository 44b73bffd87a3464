/**
 * kubelet/lifecycle: postStart and preStop hooks (exec, httpGet, sleep) with upstream kubelet's
 * semantics and wording. May import src/kubelet/prober (HTTP GET, command runner, formatting),
 * node built-ins and kubernetes-types.
 *
 * How the node agent uses it:
 *
 *   // after StartContainer:
 *   const ps = await runPostStart({ pod, container, containerId, podIP, runner: criCommandRunner(cri.runtime) });
 *   if (!ps.ok) {
 *     recorder.event(pod, ps.event.type, ps.event.reason, ps.event.message)  // FailedPostStartHook "PostStartHook failed"
 *     // kill the container (Killing "FailedPostStartHook"), report waiting reason POST_START_HOOK_ERROR with
 *     // message ps.message, and restart it per restartPolicy with back-off.
 *   }
 *   // before StopContainer (pod deletion, liveness kill, ...):
 *   const pre = await runPreStop({ pod, container, containerId, podIP, runner }, gracePeriodSeconds);
 *   if (pre.event) recorder.event(pod, pre.event.type, pre.event.reason, pre.event.message)  // FailedPreStopHook
 *   await cri.runtime.stopContainer({ containerId, timeout: pre.remainingGraceSeconds });
 *
 * runHandler(handler, ctx) runs any single handler and returns upstream's failure message.
 */
export {
  runHandler, runPostStart, runPreStop,
  FAILED_POST_START_HOOK, FAILED_PRE_STOP_HOOK, POST_START_HOOK_ERROR, MINIMUM_GRACE_PERIOD_SECONDS,
} from './handlers.js';
export type { HandlerContext, HandlerResult, HookEvent, PostStartResult, PreStopResult } from './handlers.js';
export { createPodHooks, sandboxIPFromCri } from './pod-hooks.js';
export type { AgentPodHooks, PodHooksOptions, SandboxLookupApi } from './pod-hooks.js';
