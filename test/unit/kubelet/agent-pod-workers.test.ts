import { describe, expect, it } from 'vitest';
import { PodWorkers } from '../../../src/kubelet/agent/index.js';

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

describe('PodWorkers', () => {
  it('runs one sync per pod at a time and folds requests made meanwhile into one more run', async () => {
    const running = new Map<string, number>();
    let overlap = false;
    const runs: string[] = [];
    let release!: () => void;
    let gate = new Promise<void>((r) => (release = r));
    const w = new PodWorkers(async (uid) => {
      running.set(uid, (running.get(uid) ?? 0) + 1);
      if (running.get(uid)! > 1) overlap = true;
      runs.push(uid);
      if (uid === 'a' && runs.filter((x) => x === 'a').length === 1) await gate;
      running.set(uid, running.get(uid)! - 1);
      return undefined;
    }, () => {});
    w.schedule('a');
    w.schedule('b');
    await tick();
    for (let i = 0; i < 5; i++) w.schedule('a');
    await tick();
    expect(runs).toEqual(['a', 'b']);
    release();
    await tick(10);
    expect(runs).toEqual(['a', 'b', 'a']);
    expect(overlap).toBe(false);
    gate = Promise.resolve();
    await w.stop();
  });

  it('runs again after the delay a sync asks for, and retries failures', async () => {
    const runs: string[] = [];
    let n = 0;
    const logs: string[] = [];
    const w = new PodWorkers(async (uid) => {
      runs.push(uid);
      n++;
      if (n === 1) return 20;
      if (n === 2) throw new Error('boom');
      return undefined;
    }, (m) => logs.push(m), 20);
    w.schedule('p');
    for (let i = 0; i < 100 && runs.length < 3; i++) await tick(10);
    expect(runs).toEqual(['p', 'p', 'p']);
    expect(logs).toEqual(['agent: syncing pod p: boom']);
    await w.stop();
    w.schedule('p');
    await tick(30);
    expect(runs.length).toBe(3);
  });
});
