import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/storage/sqlite/sqlite-store.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'k8ts-sqlite-crash-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Runs the writer until it has acknowledged `killAfter` writes, then SIGKILLs it mid-stream. */
async function writeAndKill(path: string, killAfter: number): Promise<Map<number, number>> {
  // The writer stops by itself after 200,000 keys if nobody kills it.
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'fixtures/sqlite-crash-writer.ts'), path, '200000'], {
    cwd: join(here, '../..'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const acked = new Map<number, number>();
  let buf = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    const lines = buf.split('\n');
    buf = lines.pop()!;
    for (const line of lines) {
      const [i, rev] = line.split(' ').map(Number);
      acked.set(i!, rev!);
    }
    if (acked.size >= killAfter && child.exitCode === null && !child.killed) child.kill('SIGKILL');
  });
  let signal: NodeJS.Signals | null;
  try {
    signal = await exited;
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); // test timed out
  }
  if (signal !== 'SIGKILL') throw new Error(`writer exited before it was killed (signal ${signal}):\n${stderr}`);
  return acked;
}

it('keeps every acknowledged write when the process is killed with SIGKILL', async () => {
  const path = join(root, 'state.db');
  const acked = await writeAndKill(path, 2_000);
  expect(acked.size).toBeGreaterThanOrEqual(2_000);

  const store = await openSqliteStore({ path, autoCompact: { intervalMs: 0 } });
  try {
    const maxAcked = Math.max(...acked.values());
    for (const [i, rev] of acked) {
      const kv = await store.get(`/crash/${i}`);
      expect(kv, `acknowledged key /crash/${i}`).toBeDefined();
      expect(kv!.modRevision).toBe(rev);
    }
    // Keys are written in order, so the store holds a prefix of them: nothing after a gap.
    const count = await store.count('/crash/');
    expect(count).toBeGreaterThanOrEqual(acked.size);
    expect(await store.get(`/crash/${count - 1}`)).toBeDefined();
    expect(await store.get(`/crash/${count}`)).toBeUndefined();
    // Writing carries on after the last revision the killed process used.
    expect(await store.currentRevision()).toBeGreaterThanOrEqual(maxAcked);
    const next = await store.create('/crash/after', 'x');
    expect(next.modRevision).toBe((await store.currentRevision()));
    expect(next.modRevision).toBeGreaterThan(maxAcked);
  } finally {
    await store.close();
  }
});
