/**
 * Container lifecycle handlers (postStart, preStop): exec, httpGet and sleep actions run as
 * upstream kubelet runs them, returning upstream's failure message (which stays out of events:
 * those say only "PostStartHook failed" / "PreStopHook failed").
 */
import type { Container, LifecycleHandler, Pod } from 'kubernetes-types/core/v1.js';
import { HttpGetError, httpGet, requestForHttpGet } from '../prober/http-get.js';
import {
  ExecExitError, KUBE_VERSION, formatPod, goList, goQuote, type CommandRunner,
} from '../prober/types.js';

export interface HandlerContext {
  pod: Pod;
  container: Container;
  /** Runtime container id (no "containerd://" prefix), for exec actions. */
  containerId: string;
  /** Default host of httpGet actions. */
  podIP?: string;
  runner?: CommandRunner;
  kubeVersion?: string;
  /** Aborts a sleep action and an HTTP request in flight. */
  signal?: AbortSignal;
  /** Limit for an httpGet action in ms (default none, as upstream). */
  httpTimeoutMs?: number;
  /** Milliseconds per second of a sleep action (default 1000; tests shrink it). */
  secondMs?: number;
  /** Events the handler itself records (LifecycleHTTPFallback), about the pod. */
  onEvent?: (e: { type: 'Normal' | 'Warning'; reason: string; message: string }) => void;
}

export interface HandlerResult {
  ok: boolean;
  /** Upstream's failure message ("" on success). */
  message: string;
  error?: Error;
}

/** Runs one lifecycle handler (upstream's HandlerRunner.Run). Never rejects. */
export async function runHandler(handler: LifecycleHandler, ctx: HandlerContext): Promise<HandlerResult> {
  const who = `for Container ${goQuote(ctx.container.name)} in Pod ${goQuote(formatPod(ctx.pod))}`;
  if (handler.exec) {
    const cmd = handler.exec.command ?? [];
    let output = '';
    try {
      if (!ctx.runner) throw new Error('no container runtime to run exec hooks');
      const r = await ctx.runner.runInContainer(ctx.containerId, cmd, 0);
      output = Buffer.concat([r.stdout, r.stderr]).toString('utf8');
      if (r.exitCode !== 0) throw new ExecExitError(cmd, r.exitCode, r.stderr.toString('utf8'));
      return { ok: true, message: '' };
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      return { ok: false, error: e, message: `Exec lifecycle hook (${goList(cmd)}) ${who} failed - error: ${e.message}, message: ${goQuote(output)}` };
    }
  }
  if (handler.httpGet) {
    try {
      await runHttpHandler(handler, ctx);
      return { ok: true, message: '' };
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      return { ok: false, error: e, message: `HTTP lifecycle hook (${handler.httpGet.path ?? ''}) ${who} failed - error: ${e.message}` };
    }
  }
  if (handler.sleep) {
    const seconds = handler.sleep.seconds;
    try {
      await sleep(seconds * (ctx.secondMs ?? 1000), ctx.signal);
      return { ok: true, message: '' };
    } catch (err) {
      const e = err as Error;
      return { ok: false, error: e, message: `Sleep lifecycle hook (${seconds}) ${who} failed - error: ${e.message}` };
    }
  }
  const e = new Error(`invalid handler: ${JSON.stringify(handler)}`);
  return { ok: false, error: e, message: `Cannot run handler: ${e.message}` };
}

async function runHttpHandler(handler: LifecycleHandler, ctx: HandlerContext): Promise<void> {
  const action = handler.httpGet!;
  if (!action.host && !ctx.podIP) throw new Error('failed to find networking container: pod has no IP');
  const req = requestForHttpGet(action, ctx.container, ctx.podIP, 'lifecycle', ctx.kubeVersion ?? KUBE_VERSION);
  try {
    await httpGet(req, { timeoutMs: ctx.httpTimeoutMs, signal: ctx.signal, followNonLocalRedirects: true });
  } catch (err) {
    if (!(err instanceof HttpGetError) || !err.plainHttpAnswer) throw err;
    // The server answered HTTPS with plain HTTP: retry with http and without Authorization.
    const headers = new Map(req.headers);
    headers.delete('Authorization');
    const plain = { ...req, scheme: 'http' as const, url: req.url.replace(/^https:/, 'http:'), headers };
    await httpGet(plain, { timeoutMs: ctx.httpTimeoutMs, signal: ctx.signal, followNonLocalRedirects: true });
    ctx.onEvent?.({
      type: 'Warning', reason: 'LifecycleHTTPFallback',
      message: `request to HTTPS lifecycle hook ${new URL(plain.url).host} got HTTP response, retry with HTTP succeeded`,
    });
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (): void => { clearTimeout(t); reject(new Error('container terminated before sleep hook finished')); };
    const t = setTimeout(() => { signal?.removeEventListener('abort', fail); resolve(); }, Math.max(0, ms));
    if (signal) {
      if (signal.aborted) fail();
      else signal.addEventListener('abort', fail, { once: true });
    }
  });
}

/** Event reasons and the error kind upstream uses around hooks. */
export const FAILED_POST_START_HOOK = 'FailedPostStartHook';
export const FAILED_PRE_STOP_HOOK = 'FailedPreStopHook';
/** The sync error of a container whose postStart hook failed (its waiting reason in status). */
export const POST_START_HOOK_ERROR = 'PostStartHookError';
/** The smallest grace period a container is stopped with after its preStop hook (upstream: 2 s). */
export const MINIMUM_GRACE_PERIOD_SECONDS = 2;

export interface HookEvent {
  type: 'Warning' | 'Normal';
  reason: string;
  message: string;
}

export interface PostStartResult {
  ok: boolean;
  /** Upstream's failure message: the container's waiting message after the failed start. */
  message: string;
  /**
   * On failure: the event to record about the container (Warning FailedPostStartHook "PostStartHook
   * failed"); the caller then kills the container (Killing message "FailedPostStartHook") and
   * treats the start as failed with POST_START_HOOK_ERROR, restarting per restartPolicy.
   */
  event?: HookEvent;
}

/** Runs the container's postStart hook, if any, right after StartContainer. */
export async function runPostStart(ctx: HandlerContext): Promise<PostStartResult> {
  const handler = ctx.container.lifecycle?.postStart;
  if (!handler) return { ok: true, message: '' };
  const r = await runHandler(handler, ctx);
  if (r.ok) return { ok: true, message: '' };
  return { ok: false, message: r.message, event: { type: 'Warning', reason: FAILED_POST_START_HOOK, message: 'PostStartHook failed' } };
}

export interface PreStopResult {
  /** Whole seconds the hook took (the grace period when it did not finish in time). */
  elapsedSeconds: number;
  /** Grace period left for StopContainer: max(2, gracePeriod - elapsed). */
  remainingGraceSeconds: number;
  /** The hook failed (within the grace period). */
  failed: boolean;
  message: string;
  /** Hook did not finish within the grace period (it was abandoned; a sleep is cut short). */
  timedOut: boolean;
  /** On failure: Warning FailedPreStopHook "PreStopHook failed", about the container. */
  event?: HookEvent;
}

/**
 * Runs the container's preStop hook, if any and if gracePeriodSeconds > 0, bounded by the grace
 * period, as upstream's executePreStopHook + killContainer do. The caller then stops the container
 * with `remainingGraceSeconds`.
 */
export async function runPreStop(ctx: HandlerContext, gracePeriodSeconds: number): Promise<PreStopResult> {
  const handler = ctx.container.lifecycle?.preStop;
  const grace = Math.max(0, Math.floor(gracePeriodSeconds));
  const secondMs = ctx.secondMs ?? 1000;
  if (!handler || grace <= 0) {
    return { elapsedSeconds: 0, remainingGraceSeconds: Math.max(MINIMUM_GRACE_PERIOD_SECONDS, grace), failed: false, message: '', timedOut: false };
  }
  const start = Date.now();
  const abort = new AbortController();
  const outer = ctx.signal;
  const onOuter = (): void => abort.abort();
  outer?.addEventListener('abort', onOuter, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), grace * secondMs); });
  const run = runHandler(handler, { ...ctx, signal: abort.signal });
  const r = await Promise.race([run, timeout]);
  clearTimeout(timer);
  outer?.removeEventListener('abort', onOuter);
  if (r === 'timeout') {
    abort.abort();
    return { elapsedSeconds: grace, remainingGraceSeconds: MINIMUM_GRACE_PERIOD_SECONDS, failed: false, message: '', timedOut: true };
  }
  const elapsed = Math.floor((Date.now() - start) / secondMs);
  return {
    elapsedSeconds: elapsed,
    remainingGraceSeconds: Math.max(MINIMUM_GRACE_PERIOD_SECONDS, grace - elapsed),
    failed: !r.ok,
    message: r.message,
    timedOut: false,
    ...(r.ok ? {} : { event: { type: 'Warning' as const, reason: FAILED_PRE_STOP_HOOK, message: 'PreStopHook failed' } }),
  };
}
