import { describe, expect, it } from 'vitest';
import { CycleState, Framework, Snapshot, registerDefaultPlugins, type VolumeBinder } from '../../../../src/scheduler/index.js';
import { makeNode, makePod } from '../helpers.js';

describe('VolumeBinding hook', () => {
  const registry = registerDefaultPlugins(new Map());
  const claimPod = makePod('p', { spec: { volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }] } });

  function run(binder: VolumeBinder | undefined, pod = claimPod): string {
    const snap = Snapshot.from([makeNode('n1')]);
    const fwk = new Framework({ schedulerName: 's', plugins: [{ name: 'VolumeBinding' }] }, { registry, volumeBinder: binder });
    const st = new CycleState();
    const pre = fwk.runPreFilter(st, pod, snap);
    const s = fwk.runFilter(st, pod, snap.nodeInfos[0]);
    return `${pre.code}/${s.code}${s.reasons.length ? `: ${s.reasons.join(', ')}` : ''}`;
  }

  it('passes every pod by default', () => {
    expect(run(undefined)).toBe('Success/Success');
  });

  it('skips pods without claims', () => {
    const calls: string[] = [];
    expect(run({ findPodVolumes: () => { calls.push('x'); return ['no']; } }, makePod('plain'))).toBe('Success/Success');
    expect(calls).toEqual([]);
  });

  it('reports the binder reasons as unresolvable', () => {
    const binder: VolumeBinder = { findPodVolumes: () => ["node(s) didn't find available persistent volumes to bind"] };
    expect(run(binder)).toBe("Success/UnschedulableAndUnresolvable: node(s) didn't find available persistent volumes to bind");
  });

  it('assumes at Reserve, reverts at Unreserve and binds at PreBind', async () => {
    const log: string[] = [];
    const binder: VolumeBinder = {
      findPodVolumes: () => [],
      assumePodVolumes: (_p, n) => log.push(`assume ${n}`),
      revertAssumedPodVolumes: (_p, n) => log.push(`revert ${n}`),
      bindPodVolumes: async (_p, n) => { log.push(`bind ${n}`); },
    };
    const fwk = new Framework({ schedulerName: 's', plugins: [{ name: 'VolumeBinding' }] }, { registry, volumeBinder: binder });
    const st = new CycleState();
    fwk.runReserve(st, claimPod, 'n1');
    fwk.runUnreserve(st, claimPod, 'n1');
    await fwk.runPreBind(st, claimPod, 'n1');
    expect(log).toEqual(['assume n1', 'revert n1', 'bind n1']);
  });
});
