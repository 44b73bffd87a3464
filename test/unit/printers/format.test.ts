import { describe, expect, it } from 'vitest';
import {
  formatHumanDuration,
  formatLabelSelector,
  formatLabels,
  humanDuration,
  labelSelectorString,
} from '../../../src/api/printers/index.js';
import { D, H, M, NOW, S, ago } from './helpers.js';

describe('formatHumanDuration (upstream duration.HumanDuration)', () => {
  const Y = 365 * D;
  it.each([
    [0, '0s'],
    [-1 * S, '0s'],
    [-1.5 * S, '0s'],
    [-2 * S, '<invalid>'],
    [-5 * M, '<invalid>'],
    [5 * S, '5s'],
    [5.9 * S, '5s'],
    [59 * S, '59s'],
    [119 * S, '119s'],
    [120 * S, '2m'],
    [2 * M + 3 * S, '2m3s'],
    [9 * M + 59 * S, '9m59s'],
    [10 * M, '10m'],
    [10 * M + 30 * S, '10m'],
    [179 * M, '179m'],
    [3 * H, '3h'],
    [3 * H + 4 * M, '3h4m'],
    [7 * H + 59 * M, '7h59m'],
    [8 * H, '8h'],
    [47 * H + 59 * M, '47h'],
    [48 * H, '2d'],
    [2 * D + 3 * H, '2d3h'],
    [7 * D + 23 * H, '7d23h'],
    [8 * D, '8d'],
    [729 * D, '729d'],
    [2 * Y, '2y'],
    [2 * Y + 10 * D, '2y10d'],
    [7 * Y + 364 * D, '7y364d'],
    [8 * Y, '8y'],
    [8 * Y + 100 * D, '8y'],
    [25 * Y, '25y'],
  ])('%d ms -> %s', (ms, want) => {
    expect(formatHumanDuration(ms)).toBe(want);
  });
});

describe('humanDuration', () => {
  it('measures from a timestamp to now', () => {
    expect(humanDuration(ago(5 * S), NOW)).toBe('5s');
    expect(humanDuration(ago(3 * H + 4 * M), NOW)).toBe('3h4m');
  });
  it('accepts fractional-second (MicroTime) timestamps', () => {
    expect(humanDuration('2024-06-01T11:59:30.123456Z', NOW)).toBe('29s');
  });
  it('is <unknown> without a usable timestamp', () => {
    expect(humanDuration(undefined, NOW)).toBe('<unknown>');
    expect(humanDuration('', NOW)).toBe('<unknown>');
    expect(humanDuration('yesterday-ish', NOW)).toBe('<unknown>');
  });
  it('is <invalid> for timestamps well in the future', () => {
    expect(humanDuration(ago(-1 * H), NOW)).toBe('<invalid>');
  });
});

describe('labels and selectors', () => {
  it('formats label maps sorted by key, <none> when empty', () => {
    expect(formatLabels({ tier: 'web', app: 'nginx' })).toBe('app=nginx,tier=web');
    expect(formatLabels({})).toBe('<none>');
    expect(formatLabels(undefined)).toBe('<none>');
  });

  it.each([
    [{ matchLabels: { app: 'nginx' } }, 'app=nginx'],
    [{ matchLabels: { b: '2', a: '1' } }, 'a=1,b=2'],
    [
      {
        matchLabels: { app: 'web' },
        matchExpressions: [
          { key: 'env', operator: 'In', values: ['prod', 'dev'] },
          { key: 'zone', operator: 'NotIn', values: ['b'] },
          { key: 'canary', operator: 'DoesNotExist' },
          { key: 'team', operator: 'Exists' },
        ],
      },
      'app=web,!canary,env in (dev,prod),team,zone notin (b)',
    ],
    [{}, '<none>'],
    [undefined, '<none>'],
    [{ matchExpressions: [{ key: 'a', operator: 'Bogus', values: ['x'] }] }, '<error>'],
    [{ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }, '<error>'],
  ])('formatLabelSelector(%j) = %s', (sel, want) => {
    expect(formatLabelSelector(sel)).toBe(want);
  });

  it('labelSelectorString throws on an invalid operator', () => {
    expect(() => labelSelectorString({ matchExpressions: [{ key: 'a', operator: 'in', values: ['x'] }] })).toThrow(
      /not a valid label selector operator/,
    );
  });
});
