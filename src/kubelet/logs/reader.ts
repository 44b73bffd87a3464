/**
 * Serves a container's CRI log file as `kubectl logs` expects: tailLines (counted from the end, applied
 * before sinceTime as upstream), sinceTime, timestamps (fixed nine-digit RFC3339Nano prefixes), limitBytes,
 * and follow — new lines are streamed until the container has exited and the file stops growing, or the
 * client goes away. A file that is replaced or truncated while following (rotation) is read again from its
 * start.
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import { watch, type FSWatcher } from 'node:fs';
import { formatTimestamp, LineAssembler, LineSplitter, parseCriLogLine, type LogLine } from './cri-log.js';

export interface LogOptions {
  follow?: boolean;
  /** Only the last N lines (0 = none of the existing ones). */
  tailLines?: number;
  /** Only lines at or after this time (ms since the epoch). */
  sinceMs?: number;
  timestamps?: boolean;
  /** Stop after this many bytes of output. */
  limitBytes?: number;
}

export interface LogSink {
  write(chunk: Buffer): boolean;
  once(event: 'drain', fn: () => void): unknown;
}

export interface FollowContext {
  /** Whether the container is still running (checked when the file is idle). */
  running(): Promise<boolean>;
  /** Aborts following (the client went away). */
  signal?: AbortSignal;
  /** How often the file is polled besides change notifications (default 250 ms). */
  pollMs?: number;
}

const READ_CHUNK = 256 * 1024;

export async function streamContainerLog(path: string, opts: LogOptions, out: LogSink, ctx?: FollowContext): Promise<void> {
  let written = 0;
  const limit = opts.limitBytes && opts.limitBytes > 0 ? opts.limitBytes : Infinity;
  let done = false;

  const emit = async (line: LogLine): Promise<void> => {
    if (done) return;
    if (opts.sinceMs !== undefined && line.ms < opts.sinceMs) return;
    let bytes = opts.timestamps ? Buffer.concat([Buffer.from(`${formatTimestamp(line.time)} `), line.content]) : line.content;
    if (written + bytes.length >= limit) {
      bytes = bytes.subarray(0, limit - written);
      done = true;
    }
    written += bytes.length;
    if (bytes.length && !out.write(bytes)) await new Promise<void>((r) => out.once('drain', r));
  };

  let fh: FileHandle = await open(path, 'r');
  try {
    let ino = (await fh.stat()).ino;
    let offset = 0;
    const splitter = new LineSplitter();
    const asm = new LineAssembler();

    // The existing content: whole lines, then the tail of them.
    const initial: LogLine[] = [];
    for (;;) {
      const { bytesRead, buffer } = await fh.read(Buffer.alloc(READ_CHUNK), 0, READ_CHUNK, offset);
      if (bytesRead === 0) break;
      offset += bytesRead;
      for (const raw of splitter.push(buffer.subarray(0, bytesRead))) {
        const e = parseCriLogLine(raw);
        const line = e && asm.push(e);
        if (line) initial.push(line);
      }
    }
    const tail = opts.tailLines !== undefined && opts.tailLines >= 0 ? (opts.tailLines === 0 ? [] : initial.slice(-opts.tailLines)) : initial;
    for (const l of tail) await emit(l);
    if (!opts.follow || done || !ctx) {
      if (!done && !opts.follow) for (const l of asm.flush()) await emit(l);
      return;
    }

    // Follow: read what is appended until the container is gone and the file is quiet.
    const consume = async (bytes: Buffer): Promise<void> => {
      for (const raw of splitter.push(bytes)) {
        const e = parseCriLogLine(raw);
        const line = e && asm.push(e);
        if (line) await emit(line);
      }
    };
    let wake: (() => void) | undefined;
    const poke = (): void => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    let watcher: FSWatcher | undefined;
    try {
      watcher = watch(path, { persistent: false }, poke);
      watcher.on('error', () => undefined);
    } catch {
      watcher = undefined; // polling alone
    }
    const onAbort = (): void => poke();
    ctx.signal?.addEventListener('abort', onAbort);
    try {
      let lastRunningCheck = 0;
      for (;;) {
        if (done || ctx.signal?.aborted) return;
        // Rotation: the path now names another file (what was still written to the old one is read
        // first), or this one shrank (truncated: read again from its start).
        const st = await stat(path).catch(() => undefined);
        if (st && (st.ino !== ino || st.size < offset)) {
          if (st.ino !== ino) {
            for (;;) {
              const rest = await fh.read(Buffer.alloc(READ_CHUNK), 0, READ_CHUNK, offset);
              if (rest.bytesRead === 0) break;
              offset += rest.bytesRead;
              await consume(rest.buffer.subarray(0, rest.bytesRead));
            }
          }
          await fh.close();
          fh = await open(path, 'r');
          ino = (await fh.stat()).ino;
          offset = 0;
        }
        const { bytesRead, buffer } = await fh.read(Buffer.alloc(READ_CHUNK), 0, READ_CHUNK, offset);
        if (bytesRead > 0) {
          offset += bytesRead;
          await consume(buffer.subarray(0, bytesRead));
          continue;
        }
        const now = Date.now();
        if (now - lastRunningCheck >= 1000) {
          lastRunningCheck = now;
          if (!(await ctx.running().catch(() => false))) {
            // One more look: output written just before the exit.
            const last = await fh.read(Buffer.alloc(READ_CHUNK), 0, READ_CHUNK, offset);
            if (last.bytesRead > 0) continue;
            for (const l of asm.flush()) await emit(l);
            return;
          }
        }
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, ctx.pollMs ?? 250);
          wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
      }
    } finally {
      watcher?.close();
      ctx.signal?.removeEventListener('abort', onAbort);
    }
  } finally {
    await fh.close().catch(() => undefined);
  }
}
