/**
 * The CRI container log format, as containerd writes it: one line per write,
 * `<RFC3339Nano time> <stdout|stderr> <F|P> <text>`; `P` marks a partial line continued by the next
 * entry of the same stream, `F` a full (final) one. Parsing joins partial entries into whole lines.
 */

export type LogStream = 'stdout' | 'stderr';

export interface CriLogEntry {
  /** The timestamp as written (RFC3339Nano). */
  time: string;
  /** Milliseconds since the epoch. */
  ms: number;
  /** Nanoseconds within the second (for fixed-width output). */
  nanos: number;
  stream: LogStream;
  partial: boolean;
  content: Buffer;
}

/** Parses one log file line (without its newline); undefined for a malformed line. */
export function parseCriLogLine(line: Buffer): CriLogEntry | undefined {
  const s1 = line.indexOf(0x20);
  if (s1 <= 0) return undefined;
  const s2 = line.indexOf(0x20, s1 + 1);
  if (s2 < 0) return undefined;
  const time = line.subarray(0, s1).toString('latin1');
  const stream = line.subarray(s1 + 1, s2).toString('latin1');
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  const ts = parseTime(time);
  if (!ts) return undefined;
  // Tag field: "F" or "P", possibly with further ":"-separated tags; absent in very old files.
  let partial = false;
  let contentStart = s2 + 1;
  const s3 = line.indexOf(0x20, s2 + 1);
  const tagEnd = s3 < 0 ? line.length : s3;
  const tags = line.subarray(s2 + 1, tagEnd).toString('latin1');
  if (/^[FP](:|$)/.test(tags)) {
    partial = tags.split(':')[0] === 'P';
    contentStart = s3 < 0 ? line.length : s3 + 1;
  }
  return { time, ms: ts.ms, nanos: ts.nanos, stream, partial, content: line.subarray(contentStart) };
}

/** RFC3339 with optional fraction; keeps nanosecond precision apart from the millisecond value. */
export function parseTime(time: string): { ms: number; nanos: number; offset: string; base: string } | undefined {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(time);
  if (!m) return undefined;
  const ms0 = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(ms0)) return undefined;
  const frac = (m[2] ?? '').padEnd(9, '0');
  const nanos = Number(frac);
  return { ms: ms0 + Math.floor(nanos / 1e6), nanos, offset: m[3]!, base: m[1]! };
}

/** Upstream's fixed-width RFC3339Nano (always nine fractional digits), in the time's own offset. */
export function formatTimestamp(time: string): string {
  const t = parseTime(time);
  if (!t) return time;
  return `${t.base}.${String(t.nanos).padStart(9, '0')}${t.offset}`;
}

/** A whole log line: partial entries joined, stamped with its first entry's time. */
export interface LogLine {
  time: string;
  ms: number;
  stream: LogStream;
  /** The text including its trailing newline (absent only for an unfinished last line). */
  content: Buffer;
}

/**
 * Joins entries into lines. Partial entries of each stream are held until that stream's full entry
 * arrives; `flush` releases what is held (at the end of a finished log).
 */
export class LineAssembler {
  private readonly pending = new Map<LogStream, { first: CriLogEntry; parts: Buffer[] }>();

  push(e: CriLogEntry): LogLine | undefined {
    const held = this.pending.get(e.stream);
    if (e.partial) {
      if (held) held.parts.push(e.content);
      else this.pending.set(e.stream, { first: e, parts: [e.content] });
      return undefined;
    }
    const first = held?.first ?? e;
    const parts = held ? [...held.parts, e.content] : [e.content];
    this.pending.delete(e.stream);
    return { time: first.time, ms: first.ms, stream: e.stream, content: Buffer.concat([...parts, Buffer.from('\n')]) };
  }

  flush(): LogLine[] {
    const out = [...this.pending.values()].map(({ first, parts }) => ({ time: first.time, ms: first.ms, stream: first.stream, content: Buffer.concat(parts) }));
    this.pending.clear();
    return out.sort((a, b) => a.ms - b.ms);
  }
}

/** Splits a chunk of file bytes into lines, keeping an unfinished tail for the next chunk. */
export class LineSplitter {
  private rest: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    const buf = this.rest.length ? Buffer.concat([this.rest, chunk]) : chunk;
    const lines: Buffer[] = [];
    let start = 0;
    for (let i = buf.indexOf(0x0a); i >= 0; i = buf.indexOf(0x0a, start)) {
      lines.push(buf.subarray(start, i));
      start = i + 1;
    }
    this.rest = Buffer.from(buf.subarray(start));
    return lines;
  }

  get pending(): number {
    return this.rest.length;
  }
}

/** Parses a whole log file's bytes into lines. */
export function parseCriLog(bytes: Buffer, opts: { final?: boolean } = {}): LogLine[] {
  const splitter = new LineSplitter();
  const asm = new LineAssembler();
  const out: LogLine[] = [];
  for (const raw of splitter.push(bytes)) {
    const e = parseCriLogLine(raw);
    if (!e) continue;
    const line = asm.push(e);
    if (line) out.push(line);
  }
  if (opts.final) out.push(...asm.flush());
  return out;
}
