import { appendFile, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatTimestamp, parseCriLog, parseCriLogLine, streamContainerLog, type LogOptions } from '../../src/kubelet/logs/index.js';
import { pollUntil } from '../helpers/poll.js';

const waitFor = (check: () => boolean): Promise<void> => pollUntil(async () => check(), 'log output', 400, 25);

const FILE = [
  '2026-01-02T03:04:05.1Z stdout F one',
  '2026-01-02T03:04:06.123456789Z stderr F two (err)',
  '2026-01-02T03:04:07Z stdout P thr',
  '2026-01-02T03:04:07.5Z stderr F four',
  '2026-01-02T03:04:08Z stdout F ee',
  'garbage line',
  '2026-01-02T03:04:09.000000001+02:00 stdout F five',
].join('\n') + '\n';

describe('CRI log lines', () => {
  it('parses time, stream, tag and text', () => {
    const e = parseCriLogLine(Buffer.from('2026-01-02T03:04:06.123456789Z stderr P a b '))!;
    expect(e.stream).toBe('stderr');
    expect(e.partial).toBe(true);
    expect(e.content.toString()).toBe('a b ');
    expect(e.ms).toBe(Date.UTC(2026, 0, 2, 3, 4, 6, 123));
    expect(parseCriLogLine(Buffer.from('nonsense'))).toBeUndefined();
    expect(parseCriLogLine(Buffer.from('2026-01-02T03:04:06Z stdin F x'))).toBeUndefined();
    // An empty full line has nothing after the tag.
    expect(parseCriLogLine(Buffer.from('2026-01-02T03:04:06Z stdout F'))!.content.length).toBe(0);
  });

  it('joins partial entries per stream and keeps stdout and stderr interleaved in file order', () => {
    const lines = parseCriLog(Buffer.from(FILE));
    expect(lines.map((l) => l.content.toString())).toEqual(['one\n', 'two (err)\n', 'four\n', 'three\n', 'five\n']);
    expect(lines[3]!.time).toBe('2026-01-02T03:04:07Z');
  });

  it.each([
    ['2026-01-02T03:04:05.1Z', '2026-01-02T03:04:05.100000000Z'],
    ['2026-01-02T03:04:05Z', '2026-01-02T03:04:05.000000000Z'],
    ['2026-01-02T03:04:05.123456789+02:00', '2026-01-02T03:04:05.123456789+02:00'],
  ])('formats %s with a fixed nine-digit fraction', (input, want) => {
    expect(formatTimestamp(input)).toBe(want);
  });
});

describe('streamContainerLog', () => {
  let dir: string;
  let path: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'k8ts-log-'));
    path = join(dir, '0.log');
    await writeFile(path, FILE);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function read(opts: LogOptions): Promise<string> {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    await streamContainerLog(path, opts, out);
    return Buffer.concat(chunks).toString();
  }

  it.each<[string, LogOptions, string]>([
    ['everything', {}, 'one\ntwo (err)\nfour\nthree\nfive\n'],
    ['tailLines=2', { tailLines: 2 }, 'three\nfive\n'],
    ['tailLines=0', { tailLines: 0 }, ''],
    ['tailLines beyond the file', { tailLines: 50 }, 'one\ntwo (err)\nfour\nthree\nfive\n'],
    ['sinceTime', { sinceMs: Date.UTC(2026, 0, 2, 3, 4, 7) }, 'four\nthree\n'],
    ['limitBytes cuts mid-line', { limitBytes: 6 }, 'one\ntw'],
    ['timestamps', { tailLines: 1, timestamps: true }, '2026-01-02T03:04:09.000000001+02:00 five\n'],
  ])('%s', async (_name, opts, want) => {
    expect(await read(opts)).toBe(want);
  });

  it('follows appended lines, across a rotation, until the container has exited and the file is quiet', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString()));
    let running = true;
    const done = streamContainerLog(path, { follow: true, tailLines: 1 }, out, { running: async () => running, pollMs: 20 });
    await waitFor(() => text === 'five\n');
    await appendFile(path, '2026-01-02T03:05:00Z stdout F later\n');
    await waitFor(() => text.endsWith('later\n'));
    // Rotation: the file is renamed and a new one appears under the same path; what was written to
    // the old file just before is still read.
    await appendFile(path, '2026-01-02T03:05:00.5Z stdout F just before\n');
    await rename(path, `${path}.20260102-030500`);
    await writeFile(path, '2026-01-02T03:05:01Z stdout F after rotation\n');
    await waitFor(() => text.endsWith('after rotation\n'));
    await appendFile(path, '2026-01-02T03:05:02Z stdout F last words\n');
    running = false;
    await done;
    expect(text).toBe('five\nlater\njust before\nafter rotation\nlast words\n');
  });

  it('stops following when the client goes away', async () => {
    const ac = new AbortController();
    const out = new PassThrough();
    out.resume();
    const done = streamContainerLog(path, { follow: true }, out, { running: async () => true, signal: ac.signal, pollMs: 20 });
    ac.abort();
    await done;
  });
});
