/**
 * Shared vocabulary of the prober and the lifecycle hooks: probe kinds, one probe attempt's
 * outcome, and the narrow command runner both use to run commands in a container.
 */

/** The three container probes. */
export type ProbeType = 'liveness' | 'readiness' | 'startup';

/** How upstream names a probe kind in events ("Liveness probe failed: ..."). */
export function probeTypeTitle(t: ProbeType): string {
  return t === 'liveness' ? 'Liveness' : t === 'readiness' ? 'Readiness' : 'Startup';
}

/**
 * One probe attempt. `warning` counts as success but is reported (ProbeWarning event), as for an
 * HTTP probe whose redirect to another host was not followed. `unknown` with `error` means the
 * probe could not run at all (e.g. a named port the container does not declare).
 */
export interface ProbeOutcome {
  result: 'success' | 'warning' | 'failure' | 'unknown';
  output: string;
  error?: Error;
}

/** What a command run in a container returned. */
export interface ExecResult {
  stdout: Buffer;
  stderr: Buffer;
  exitCode: number;
}

/**
 * Runs a command in a running container (CRI ExecSync). `timeoutSeconds` 0 means no limit. A
 * command that outlives its timeout rejects with ExecTimeoutError; any other failure (container
 * gone, runtime down) rejects with that error.
 */
export interface CommandRunner {
  runInContainer(containerId: string, cmd: string[], timeoutSeconds: number): Promise<ExecResult>;
}

/** The command did not finish within its timeout. Message as upstream: command "a b" timed out. */
export class ExecTimeoutError extends Error {
  constructor(cmd: string[], readonly timeoutSeconds: number) {
    super(`command ${goQuote(cmd.join(' '))} timed out`);
    this.name = 'ExecTimeoutError';
  }
}

/** A non-zero exit, worded as upstream's remote runtime does: command 'a b' exited with 1: <stderr>. */
export class ExecExitError extends Error {
  constructor(cmd: string[], readonly exitCode: number, stderr: string) {
    super(`command '${cmd.join(' ')}' exited with ${exitCode}: ${stderr}`);
    this.name = 'ExecExitError';
  }
}

/** Go's %q for the strings we print (close enough: JSON escaping of a UTF-8 string). */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}

/** Go's %v of a []string: [a b c]. */
export function goList(items: readonly string[]): string {
  return `[${items.join(' ')}]`;
}

/** Go's time.Duration %v for whole seconds (1s, 1m0s, 1h0m0s). */
export function goSeconds(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s === 0) return '0s';
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  if (h > 0) return `${h}h${m}m${r}s`;
  if (m > 0) return `${m}m${r}s`;
  return `${r}s`;
}

/** Upstream's format.Pod: name_namespace(uid). */
export function formatPod(pod: { metadata?: { name?: string; namespace?: string; uid?: string } }): string {
  const m = pod.metadata ?? {};
  return `${m.name ?? ''}_${m.namespace ?? ''}(${m.uid ?? ''})`;
}

/** The kube-probe / kube-lifecycle User-Agent version (the server reports v1.32). */
export const KUBE_VERSION = '1.32';

/** Response bodies and command output are read up to 10 KiB, as upstream. */
export const MAX_OUTPUT_BYTES = 10 * 1024;
