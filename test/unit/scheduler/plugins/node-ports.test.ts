import { describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { filterAll } from '../plugin-harness.js';
import { makeNode, makePod } from '../helpers.js';

function withPorts(name: string, ports: { hostPort?: number; hostIP?: string; protocol?: string; containerPort?: number }[], nodeName?: string): Pod {
  const p = makePod(name, { nodeName });
  p.spec!.containers[0].ports = ports.map((x) => ({ containerPort: x.containerPort ?? 80, ...x }));
  return p;
}

const CONFLICT = "Unschedulable: node(s) didn't have free ports for the requested pod ports";

describe('NodePorts', () => {
  const cases: { name: string; want: object[]; used: object[]; result: string }[] = [
    { name: 'no host ports', want: [{ containerPort: 80 }], used: [{ hostPort: 80 }], result: 'ok' },
    { name: 'free port', want: [{ hostPort: 8080 }], used: [{ hostPort: 80 }], result: 'ok' },
    { name: 'same port and protocol', want: [{ hostPort: 80 }], used: [{ hostPort: 80 }], result: CONFLICT },
    { name: 'same port, other protocol', want: [{ hostPort: 53, protocol: 'UDP' }], used: [{ hostPort: 53 }], result: 'ok' },
    { name: 'distinct host IPs', want: [{ hostPort: 80, hostIP: '10.0.0.1' }], used: [{ hostPort: 80, hostIP: '10.0.0.2' }], result: 'ok' },
    { name: 'wildcard in use blocks a specific IP', want: [{ hostPort: 80, hostIP: '10.0.0.1' }], used: [{ hostPort: 80 }], result: CONFLICT },
    { name: 'specific IP in use blocks the wildcard', want: [{ hostPort: 80 }], used: [{ hostPort: 80, hostIP: '10.0.0.1' }], result: CONFLICT },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const existing = withPorts('old', c.used as never, 'n1');
      const pod = withPorts('new', c.want as never);
      expect(filterAll('NodePorts', pod, [makeNode('n1')], [existing]).n1).toBe(c.result);
    });
  }

  it('counts sidecar (restartable init container) ports', () => {
    const existing = makePod('old', { nodeName: 'n1' });
    existing.spec!.initContainers = [{ name: 's', image: 'x', restartPolicy: 'Always', ports: [{ containerPort: 9, hostPort: 9000 }] }];
    expect(filterAll('NodePorts', withPorts('new', [{ hostPort: 9000 }]), [makeNode('n1')], [existing]).n1).toBe(CONFLICT);
  });
});
