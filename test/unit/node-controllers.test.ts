/** Pure rules of the node lifecycle and disruption controllers, as upstream states them. */
import { describe, expect, it } from 'vitest';
import { tolerationTimeMs } from '../../src/controllers/node-lifecycle.js';
import { toleratesTaint } from '../../src/machinery/node-selection.js';
import { scaledValue } from '../../src/controllers/disruption.js';

const unreachable = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' };
const notReady = { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' };

describe('toleratesTaint', () => {
  it.each([
    [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' }, true],
    [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists' }, true],
    [{ operator: 'Exists' }, true],
    [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoSchedule' }, false],
    [{ key: 'other', operator: 'Exists' }, false],
    [{ key: 'node.kubernetes.io/unreachable', value: '' }, true],
    [{ key: 'node.kubernetes.io/unreachable', operator: 'Equal', value: 'x' }, false],
  ])('%j → %s', (t, want) => {
    expect(toleratesTaint(t, unreachable)).toBe(want);
  });
});

describe('tolerationTimeMs', () => {
  it.each([
    ['no taints', [], [], Infinity],
    ['not tolerated', [], [unreachable], 0],
    ['tolerated forever', [{ key: unreachable.key, operator: 'Exists' }], [unreachable], Infinity],
    ['tolerated 300 s', [{ key: unreachable.key, operator: 'Exists', tolerationSeconds: 300 }], [unreachable], 300_000],
    ['zero seconds', [{ key: unreachable.key, operator: 'Exists', tolerationSeconds: 0 }], [unreachable], 0],
    ['one of two taints untolerated', [{ key: unreachable.key, operator: 'Exists' }], [unreachable, notReady], 0],
    ['the smaller time wins', [{ key: unreachable.key, operator: 'Exists', tolerationSeconds: 30 }, { key: notReady.key, operator: 'Exists', tolerationSeconds: 5 }], [unreachable, notReady], 5000],
  ])('%s', (_what, tolerations, taints, want) => {
    expect(tolerationTimeMs(tolerations, taints)).toBe(want);
  });
});

describe('scaledValue (IntOrString, rounding up)', () => {
  it.each([[2, 10, 2], ['50%', 3, 2], ['0%', 5, 0], ['100%', 7, 7], ['34%', 10, 4], ['3', 5, 3]] as const)('%s of %i → %i', (v, total, want) => {
    expect(scaledValue(v, total)).toBe(want);
  });
  it('rejects other strings', () => {
    expect(() => scaledValue('half', 4)).toThrow('invalid value for IntOrString');
  });
});
