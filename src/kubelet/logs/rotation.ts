/**
 * Container log rotation, as upstream's kubelet does it for CRI runtimes (containerLogMaxSize,
 * containerLogMaxFiles): periodically, each running container's log file that has grown past the limit
 * is renamed to `<path>.<YYYYMMDD-HHMMSS>` and the runtime is asked to reopen it (ReopenContainerLog),
 * so new output starts a fresh file; rotated files beyond maxFiles - 1 are removed, oldest first.
 */
import { readdir, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { RuntimeApi } from '../cri/index.js';

export interface LogRotationOptions {
  runtime: Pick<RuntimeApi, 'listContainers' | 'containerStatus' | 'reopenContainerLog'>;
  /** Rotate a file once it is larger than this (default 10 MiB, upstream's containerLogMaxSize). */
  maxSizeBytes?: number;
  /** Files kept per container, the current one included (default 5, upstream's containerLogMaxFiles). */
  maxFiles?: number;
  /** How often files are checked (default 10 s, as upstream). */
  intervalMs?: number;
  log?: (msg: string) => void;
}

export interface LogRotation {
  /** One pass now (also what the timer runs). */
  rotateNow(): Promise<void>;
  stop(): void;
}

function stamp(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

/** Rotated siblings of a log file, oldest first. */
export async function rotatedFiles(path: string): Promise<string[]> {
  const dir = dirname(path);
  const base = basename(path);
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.filter((n) => n.startsWith(`${base}.`) && /^\d{8}-\d{6}(?:\.\d+)?$/.test(n.slice(base.length + 1))).sort().map((n) => join(dir, n));
}

export function startContainerLogRotation(o: LogRotationOptions): LogRotation {
  const maxSize = o.maxSizeBytes ?? 10 * 1024 * 1024;
  const maxFiles = Math.max(2, o.maxFiles ?? 5);
  const log = o.log ?? (() => undefined);
  let running: Promise<void> | undefined;

  async function rotateOne(containerId: string): Promise<void> {
    const st = (await o.runtime.containerStatus({ containerId })).status;
    const path = st?.logPath;
    if (!path || st.state !== 'CONTAINER_RUNNING') return;
    const old = await rotatedFiles(path);
    for (const f of old.slice(0, Math.max(0, old.length - (maxFiles - 1)))) await unlink(f).catch(() => undefined);
    const size = (await stat(path).catch(() => undefined))?.size ?? 0;
    if (size <= maxSize) return;
    let target = `${path}.${stamp(new Date())}`;
    // Two rotations within a second get distinct names.
    for (let i = 1; await stat(target).then(() => true, () => false); i++) target = `${path}.${stamp(new Date())}.${i}`;
    await rename(path, target);
    try {
      await o.runtime.reopenContainerLog({ containerId });
    } catch (err) {
      // The runtime still writes to the renamed file: put it back, as upstream does.
      await rename(target, path).catch(() => undefined);
      throw err;
    }
    const after = await rotatedFiles(path);
    for (const f of after.slice(0, Math.max(0, after.length - (maxFiles - 1)))) await unlink(f).catch(() => undefined);
  }

  async function pass(): Promise<void> {
    const { containers } = await o.runtime.listContainers({ filter: { state: { state: 'CONTAINER_RUNNING' } } });
    for (const c of containers) {
      await rotateOne(c.id).catch((err: unknown) => log(`log rotation: container ${c.id.slice(0, 12)}: ${err instanceof Error ? err.message : String(err)}`));
    }
  }

  const rotateNow = (): Promise<void> => {
    running ??= pass().finally(() => {
      running = undefined;
    });
    return running;
  };
  const timer = setInterval(() => void rotateNow().catch((err: unknown) => log(`log rotation: ${err instanceof Error ? err.message : String(err)}`)), o.intervalMs ?? 10_000);
  timer.unref();
  return {
    rotateNow,
    stop() {
      clearInterval(timer);
    },
  };
}
