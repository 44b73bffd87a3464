import { describe, expect, it } from 'vitest';
import { filterAll } from '../plugin-harness.js';
import { makeNode, makePod } from '../helpers.js';

describe('NodeName', () => {
  const cases = [
    { name: 'no nodeName fits every node', nodeName: undefined, want: { a: 'ok', b: 'ok' } },
    {
      name: 'nodeName fits only that node',
      nodeName: 'b',
      want: { a: "UnschedulableAndUnresolvable: node(s) didn't match the requested node name", b: 'ok' },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const pod = makePod('p', { nodeName: c.nodeName });
      expect(filterAll('NodeName', pod, [makeNode('a'), makeNode('b')])).toEqual(c.want);
    });
  }
});
