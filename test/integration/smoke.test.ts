import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/k8ts-server.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ apiOnly: true });
});
afterAll(async () => {
  await t?.stop();
});

describe('smoke', () => {
  it('kubectl get ns lists the bootstrap namespaces', async () => {
    const r = await t.kubectl(['get', 'ns']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^NAME\s+STATUS\s+AGE/);
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) expect(r.stdout).toContain(ns);
  });
});
