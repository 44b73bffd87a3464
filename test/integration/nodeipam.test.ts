import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollUntil } from '../helpers/poll.js';
import { startTestServer, type TestServer } from '../helpers/k8ts-server.js';

const node = (name: string, podCIDR?: string) => JSON.stringify({
  apiVersion: 'v1', kind: 'Node', metadata: { name }, ...(podCIDR ? { spec: { podCIDR, podCIDRs: [podCIDR] } } : {}),
});

async function podCidrs(t: TestServer): Promise<Record<string, string>> {
  const out = await t.ok(['get', 'nodes', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.spec.podCIDR}{"\\n"}{end}']);
  return Object.fromEntries(out.trim().split('\n').filter(Boolean).map((l) => l.split('=') as [string, string]));
}

async function waitForCidrs(t: TestServer, names: string[]): Promise<Record<string, string>> {
  let got: Record<string, string> = {};
  await pollUntil(async () => {
    got = await podCidrs(t);
    return names.every((n) => got[n]);
  }, `podCIDRs on ${names.join(', ')}`);
  return got;
}

describe('node IPAM controller', () => {
  let dataDir: string;
  let t: TestServer;
  const disable = ['scheduler', 'nodelifecycle'];
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'k8ts-nodeipam-'));
    t = await startTestServer({ dataDir, disable, clusterCidr: '10.99.0.0/16' });
  });
  afterAll(async () => {
    await t?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('gives each node a distinct /24 of the cluster CIDR and keeps a podCIDR a node registered with', async () => {
    await t.ok(['create', '-f', '-'], node('own', '10.99.0.0/24'));
    for (const n of ['a', 'b', 'c']) await t.ok(['create', '-f', '-'], node(n));
    const got = await waitForCidrs(t, ['own', 'a', 'b', 'c']);
    expect(got.own).toBe('10.99.0.0/24');
    for (const n of ['a', 'b', 'c']) expect(got[n]).toMatch(/^10\.99\.\d+\.0\/24$/);
    expect(new Set(Object.values(got)).size).toBe(4);
    expect(await t.ok(['get', 'node', 'a', '-o', 'jsonpath={.spec.podCIDRs[0]}'])).toBe(got.a);
  });

  it('recovers the used subnets after a restart and never hands one out twice', async () => {
    const before = await podCidrs(t);
    await t.stop();
    t = await startTestServer({ dataDir, disable, clusterCidr: '10.99.0.0/16' });
    for (const n of ['d', 'e']) await t.ok(['create', '-f', '-'], node(n));
    const after = await waitForCidrs(t, ['d', 'e']);
    for (const [n, c] of Object.entries(before)) expect(after[n]).toBe(c);
    expect(new Set(Object.values(after)).size).toBe(Object.keys(after).length);
  });

  it('reports CIDRNotAvailable when the range is full, and assigns the subnet a deleted node frees', async () => {
    await t.stop();
    t = await startTestServer({ dataDir, disable, clusterCidr: '10.99.0.0/16', nodeCidrMaskSize: 19 });
    // Existing /24s do not fit /19 subnets; eight /19s exist. Fill them.
    await t.ok(['delete', 'nodes', '--all']);
    for (let i = 0; i < 8; i++) await t.ok(['create', '-f', '-'], node(`full-${i}`));
    const full = await waitForCidrs(t, Array.from({ length: 8 }, (_, i) => `full-${i}`));
    expect(new Set(Object.values(full)).size).toBe(8);
    await t.ok(['create', '-f', '-'], node('extra'));
    await pollUntil(async () => (await t.ok(['get', 'events', '-A', '--field-selector', 'involvedObject.name=extra', '-o', 'jsonpath={.items[*].reason}'])).includes('CIDRNotAvailable'), 'a CIDRNotAvailable event');
    expect(await t.ok(['describe', 'node', 'extra'])).toContain('Node extra status is now: CIDRNotAvailable');
    const freed = full['full-3'];
    await t.ok(['delete', 'node', 'full-3']);
    // The controller retries later; re-creating the node makes it try again now.
    await t.ok(['delete', 'node', 'extra']);
    await t.ok(['create', '-f', '-'], node('extra'));
    const got = await waitForCidrs(t, ['extra']);
    expect(got.extra).toBe(freed);
  });
});
