import { describe, expect, it } from 'vitest';
import { SchedulingQueue } from '../../../src/scheduler/index.js';
import { makePod } from './helpers.js';

function clockAt(start = 1_000_000) {
  const c = { t: start, now: () => c.t };
  return c;
}

describe('SchedulingQueue', () => {
  it('pops by priority, then by queue time', () => {
    const clock = clockAt();
    const q = new SchedulingQueue({ clock: clock.now });
    q.add(makePod('low-1', { priority: 1 }));
    clock.t++;
    q.add(makePod('high', { priority: 10 }));
    clock.t++;
    q.add(makePod('low-0', { priority: 1 }));
    q.add(makePod('none'));
    const order = [q.pop(), q.pop(), q.pop(), q.pop()].map((x) => x?.pod.metadata?.name);
    expect(order).toEqual(['high', 'low-1', 'low-0', 'none']);
    expect(q.pop()).toBeUndefined();
  });

  it('backs off 1s doubling per attempt up to 10s', () => {
    const q = new SchedulingQueue({ clock: clockAt().now });
    const qpi = { attempts: 0 } as Parameters<SchedulingQueue['backoffDuration']>[0];
    const got = [1, 2, 3, 4, 5, 6, 7].map((a) => q.backoffDuration({ ...qpi, attempts: a }));
    expect(got).toEqual([1000, 2000, 4000, 8000, 10000, 10000, 10000]);
  });

  it('keeps unschedulable pods until the cluster changes, then backs off before retrying', () => {
    const clock = clockAt();
    const q = new SchedulingQueue({ clock: clock.now });
    q.add(makePod('p'));
    const p = q.pop()!;
    q.addUnschedulableIfNotPresent(p, q.schedulingCycle);
    expect(q.whereIs(p.uid)).toBe('unschedulable');
    q.flush();
    expect(q.whereIs(p.uid)).toBe('unschedulable');
    q.moveAllToActiveOrBackoff('NodeAdd');
    expect(q.whereIs(p.uid)).toBe('backoff');
    clock.t += 999;
    q.flush();
    expect(q.whereIs(p.uid)).toBe('backoff');
    clock.t += 1;
    q.flush();
    expect(q.whereIs(p.uid)).toBe('active');
  });

  it('a cluster change during the cycle sends the failed pod to back-off, not unschedulable', () => {
    const clock = clockAt();
    const q = new SchedulingQueue({ clock: clock.now });
    q.add(makePod('p'));
    const p = q.pop()!;
    const cycle = q.schedulingCycle;
    q.moveAllToActiveOrBackoff('NodeAdd');
    q.addUnschedulableIfNotPresent(p, cycle);
    expect(q.whereIs(p.uid)).toBe('backoff');
  });

  it('retries unschedulable pods after at most 5 minutes', () => {
    const clock = clockAt();
    const q = new SchedulingQueue({ clock: clock.now });
    q.add(makePod('p'));
    const p = q.pop()!;
    q.addUnschedulableIfNotPresent(p, q.schedulingCycle);
    clock.t += 5 * 60_000 - 1;
    q.flushUnschedulableLeftover();
    expect(q.whereIs(p.uid)).toBe('unschedulable');
    clock.t += 1;
    q.flushUnschedulableLeftover();
    expect(q.whereIs(p.uid)).toBe('active');
  });

  it('errors go to back-off directly', () => {
    const q = new SchedulingQueue({ clock: clockAt().now });
    q.add(makePod('p'));
    const p = q.pop()!;
    q.addUnschedulableIfNotPresent(p, q.schedulingCycle, { error: true });
    expect(q.whereIs(p.uid)).toBe('backoff');
  });

  it('moves only the pods the filter selects', () => {
    const q = new SchedulingQueue({ clock: clockAt().now, initialBackoffMs: 0 });
    for (const n of ['a', 'b']) q.add(makePod(n));
    const a = q.pop()!;
    const b = q.pop()!;
    q.addUnschedulableIfNotPresent(a, q.schedulingCycle);
    q.addUnschedulableIfNotPresent(b, q.schedulingCycle);
    q.moveAllToActiveOrBackoff('AssignedPodAdd', (x) => x.pod.metadata?.name === 'b');
    expect([q.whereIs(a.uid), q.whereIs(b.uid)]).toEqual(['unschedulable', 'active']);
  });

  it('an update to an unschedulable pod spec retries it; a status-only update does not', () => {
    const q = new SchedulingQueue({ clock: clockAt().now, initialBackoffMs: 0 });
    const pod = makePod('p', { cpu: '10' });
    q.add(pod);
    const p = q.pop()!;
    q.addUnschedulableIfNotPresent(p, q.schedulingCycle);
    q.update(pod, { ...pod, status: { phase: 'Pending', conditions: [] } });
    expect(q.whereIs(p.uid)).toBe('unschedulable');
    q.update(pod, { ...pod, spec: { ...pod.spec!, tolerations: [{ operator: 'Exists' }] } });
    expect(q.whereIs(p.uid)).toBe('active');
  });

  it('deleting a pod removes it everywhere, nomination included', () => {
    const q = new SchedulingQueue({ clock: clockAt().now });
    const pod = makePod('p');
    q.add(pod);
    q.addNominatedPod(pod, 'n1');
    expect(q.nominatedPodsForNode('n1')).toHaveLength(1);
    q.delete(pod);
    expect(q.whereIs(pod.metadata!.uid!)).toBeUndefined();
    expect(q.nominatedPodsForNode('n1')).toHaveLength(0);
  });
});
