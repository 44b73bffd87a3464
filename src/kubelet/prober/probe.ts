/**
 * One probe of a container, whatever its handler (exec, httpGet, tcpSocket, grpc), plus the
 * settings with the API's defaults. `runProbe` retries a probe that errored (could not run) up to
 * three times, as upstream does, and says which event the attempt deserves:
 *   failure → Warning Unhealthy "<Type> probe failed: <output>"
 *   warning → Warning ProbeWarning "<Type> probe warning: <output>"
 *   error   → Warning Unhealthy "<Type> probe errored: <error>"
 */
import type { Container, Probe } from 'kubernetes-types/core/v1.js';
import { execProbe, expandCommandOnlyStatic } from './exec-probe.js';
import { grpcProbe } from './grpc-probe.js';
import { httpProbe, requestForHttpGet } from './http-get.js';
import { resolveContainerPort } from './port.js';
import { tcpProbe } from './tcp-probe.js';
import { KUBE_VERSION, probeTypeTitle, type CommandRunner, type ProbeOutcome, type ProbeType } from './types.js';

export interface ProbeSettings {
  initialDelaySeconds: number;
  periodSeconds: number;
  timeoutSeconds: number;
  successThreshold: number;
  failureThreshold: number;
}

/** The probe's timing settings, with the API defaults (0 s, 10 s, 1 s, 1, 3) where unset. */
export function probeSettings(p: Probe): ProbeSettings {
  const pos = (v: number | undefined, d: number): number => (v !== undefined && v > 0 ? v : d);
  return {
    initialDelaySeconds: Math.max(0, p.initialDelaySeconds ?? 0),
    periodSeconds: pos(p.periodSeconds, 10),
    timeoutSeconds: pos(p.timeoutSeconds, 1),
    successThreshold: pos(p.successThreshold, 1),
    failureThreshold: pos(p.failureThreshold, 3),
  };
}

export interface ProbeTarget {
  container: Container;
  /** The runtime's container id (no "containerd://" prefix); needed by exec probes. */
  containerId: string;
  /** Default host of httpGet/tcpSocket/grpc probes. */
  podIP?: string;
}

export interface ProbeDeps {
  runner?: CommandRunner;
  kubeVersion?: string;
  signal?: AbortSignal;
}

/** Runs the probe's handler once. */
export async function runProbeHandler(p: Probe, target: ProbeTarget, deps: ProbeDeps): Promise<ProbeOutcome> {
  const timeoutSec = probeSettings(p).timeoutSeconds;
  const version = deps.kubeVersion ?? KUBE_VERSION;
  try {
    if (p.exec) {
      if (!deps.runner) throw new Error('exec probes need a container runtime');
      const cmd = expandCommandOnlyStatic(p.exec.command ?? [], target.container.env);
      return await execProbe(deps.runner, target.containerId, cmd, timeoutSec);
    }
    if (p.httpGet) {
      const req = requestForHttpGet(p.httpGet, target.container, target.podIP, 'probe', version);
      return await httpProbe(req, timeoutSec * 1000, deps.signal);
    }
    if (p.tcpSocket) {
      const port = resolveContainerPort(p.tcpSocket.port, target.container);
      return await tcpProbe(p.tcpSocket.host || target.podIP || '', port, timeoutSec * 1000, deps.signal);
    }
    if (p.grpc) {
      return await grpcProbe(target.podIP ?? '', p.grpc.port, p.grpc.service ?? '', timeoutSec, version);
    }
    throw new Error(`missing probe handler for ${target.container.name}`);
  } catch (err) {
    return { result: 'unknown', output: '', error: err instanceof Error ? err : new Error(String(err)) };
  }
}

export const MAX_PROBE_RETRIES = 3;

export interface ProbeAttempt {
  /** What counts toward thresholds; undefined when the probe errored (the attempt is discarded). */
  result?: 'success' | 'failure';
  output: string;
  error?: Error;
  /** The event upstream records for this attempt, if any. */
  event?: { type: 'Warning'; reason: 'Unhealthy' | 'ProbeWarning'; message: string };
}

/** One probe as the kubelet's prober runs it: handler with retries on error, result and event. */
export async function runProbe(type: ProbeType, p: Probe, target: ProbeTarget, deps: ProbeDeps): Promise<ProbeAttempt> {
  let out: ProbeOutcome = { result: 'unknown', output: '' };
  for (let i = 0; i < MAX_PROBE_RETRIES; i++) {
    out = await runProbeHandler(p, target, deps);
    if (!out.error || deps.signal?.aborted) break;
  }
  const title = probeTypeTitle(type);
  if (out.error) {
    return {
      output: out.output, error: out.error,
      event: { type: 'Warning', reason: 'Unhealthy', message: `${title} probe errored: ${out.error.message}` },
    };
  }
  switch (out.result) {
    case 'success':
      return { result: 'success', output: out.output };
    case 'warning':
      return { result: 'success', output: out.output, event: { type: 'Warning', reason: 'ProbeWarning', message: `${title} probe warning: ${out.output}` } };
    case 'failure':
      return { result: 'failure', output: out.output, event: { type: 'Warning', reason: 'Unhealthy', message: `${title} probe failed: ${out.output}` } };
    default:
      return { result: 'failure', output: out.output };
  }
}
