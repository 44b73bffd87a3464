/**
 * bench/lib/proc: resident memory and CPU time of a process, from /proc/<pid>/status and
 * /proc/<pid>/stat (Linux).
 */

import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

let clkTck: number | undefined;
function ticksPerSecond(): number {
  if (clkTck === undefined) {
    try {
      clkTck = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
    } catch {
      clkTck = 100;
    }
  }
  return clkTck;
}

/** VmRSS in MB (10^6 bytes; /proc reports KiB). */
export function rssMB(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? (Number(m[1]) * 1024) / 1e6 : NaN;
}

/** User + system CPU seconds used so far. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start after the last ')'.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // f[0] is field 3 (state); utime is field 14, stime field 15.
  return (Number(f[11]) + Number(f[12])) / ticksPerSecond();
}

/** The same-run reference for start-up benchmarks: launching a bare `node -e ''` until it exits, in ms. */
export async function bareNodeMs(): Promise<number> {
  const t0 = performance.now();
  await new Promise<void>((res, rej) => {
    const c = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    c.on('error', rej);
    c.on('exit', () => res());
  });
  return performance.now() - t0;
}
