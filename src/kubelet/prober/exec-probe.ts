/**
 * Exec probe: runs the command in the container through the CommandRunner (CRI ExecSync with the
 * probe's timeout). Exit 0 succeeds, any other exit fails with the command's combined output (up
 * to 10 KiB); a timeout fails with `command "..." timed out`; a runner failure is an error (the
 * probe could not run). `$(VAR)` in the command expands from the container's literal env values,
 * as upstream's ExpandContainerCommandOnlyStatic does.
 */
import type { EnvVar } from 'kubernetes-types/core/v1.js';
import { ExecTimeoutError, MAX_OUTPUT_BYTES, type CommandRunner, type ProbeOutcome } from './types.js';

/** Expands $(NAME) from `vars`; $$ escapes a $; unknown references stay as written. */
export function expandVars(input: string, vars: ReadonlyMap<string, string>): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    if (c !== '$' || i + 1 >= input.length) { out += c; continue; }
    const n = input[i + 1];
    if (n === '$') { out += '$'; i++; continue; }
    if (n === '(') {
      const end = input.indexOf(')', i + 2);
      if (end >= 0) {
        const name = input.slice(i + 2, end);
        out += vars.has(name) ? vars.get(name)! : `$(${name})`;
        i = end;
        continue;
      }
    }
    out += c;
  }
  return out;
}

export function expandCommandOnlyStatic(cmd: readonly string[], env: readonly EnvVar[] | undefined): string[] {
  const vars = new Map<string, string>();
  for (const e of env ?? []) if (e.valueFrom === undefined) vars.set(e.name, e.value ?? '');
  return cmd.map((c) => expandVars(c, vars));
}

export async function execProbe(runner: CommandRunner, containerId: string, cmd: string[], timeoutSec: number): Promise<ProbeOutcome> {
  try {
    const r = await runner.runInContainer(containerId, cmd, timeoutSec);
    const output = Buffer.concat([r.stdout, r.stderr]).subarray(0, MAX_OUTPUT_BYTES).toString('utf8');
    return { result: r.exitCode === 0 ? 'success' : 'failure', output };
  } catch (err) {
    if (err instanceof ExecTimeoutError) return { result: 'failure', output: err.message };
    return { result: 'unknown', output: '', error: err instanceof Error ? err : new Error(String(err)) };
  }
}
