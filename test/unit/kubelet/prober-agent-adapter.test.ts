/**
 * The prober and hooks as the node agent sees them (its PodProbes / PodHooks interfaces):
 * createPodProbes answers readiness, started and must-restart per container id from real probes
 * against an HTTP server on 127.0.0.1, asks for a re-sync when a result changes and records
 * Unhealthy events; createPodHooks rejects with upstream's messages.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PodHooks, PodProbes } from '../../../src/kubelet/agent/probes.js';
import { createPodHooks } from '../../../src/kubelet/lifecycle/index.js';
import { createPodProbes } from '../../../src/kubelet/prober/index.js';
import { pollUntil } from '../../helpers/poll.js';

const codes = new Map<string, number>([['/live', 500]]);
const server = http.createServer((req, res) => { res.writeHead(codes.get(req.url ?? '') ?? 200); res.end(); });
let port = 0;
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => { server.closeAllConnections(); await new Promise((r) => server.close(r)); });

describe('agent adapters', () => {
  it('createPodProbes drives restarts, readiness and re-syncs for the agent', async () => {
    const events: string[] = [];
    const changed: string[] = [];
    const adapter = createPodProbes({ secondMs: 10, recordEvent: (_pod, type, reason, message) => { events.push(`${type} ${reason} ${message}`); } });
    const probes: PodProbes = adapter; // the agent's interface, structurally
    probes.onChange((uid) => changed.push(uid));
    try {
      const pod: Pod = {
        metadata: { name: 'p', namespace: 'default', uid: 'uid-a' },
        spec: { containers: [
          { name: 'app', image: 'img', livenessProbe: { httpGet: { path: '/live', port }, periodSeconds: 1, failureThreshold: 2, terminationGracePeriodSeconds: 4 } },
          { name: 'web', image: 'img', readinessProbe: { httpGet: { path: '/ready', port }, periodSeconds: 1 } },
        ] },
        status: { phase: 'Running', podIP: '127.0.0.1' },
      };
      const startedAt = Date.now() - 60_000;
      // Before the agent reported the pod, nothing counts as started or ready.
      expect(probes.isReady('uid-a', 'app', 'a1')).toBe(false);
      expect(probes.isStarted('uid-a', 'app', 'a1')).toBe(false);
      probes.syncPod(pod, [{ name: 'app', id: 'a1', startedAt, init: false }, { name: 'web', id: 'w1', startedAt, init: false }]);
      expect(probes.isReady('uid-a', 'web', 'w1')).toBe(false);
      await pollUntil(async () => changed.includes('uid-a'), 'a re-sync request for the newly seen pod');
      await pollUntil(async () => probes.mustRestart('uid-a', 'app', 'a1') !== undefined, 'the liveness verdict');
      expect(probes.mustRestart('uid-a', 'app', 'a1')).toBe('failed liveness probe');
      expect(adapter.restartGracePeriodSeconds('uid-a', 'app', 'a1')).toBe(4);
      expect(adapter.restartGracePeriodSeconds('uid-a', 'web', 'w1')).toBeUndefined();
      expect(events.filter((e) => e.includes('Liveness'))).toEqual([
        'Warning Unhealthy Liveness probe failed: HTTP probe failed with statuscode: 500',
        'Warning Unhealthy Liveness probe failed: HTTP probe failed with statuscode: 500',
      ]);
      await pollUntil(async () => probes.isReady('uid-a', 'web', 'w1'), 'web ready');
      expect(probes.isStarted('uid-a', 'web', 'w1')).toBe(true);
      expect(probes.isReady('uid-a', 'app', 'a1')).toBe(true); // no readiness probe
      expect(changed.filter((u) => u === 'uid-a').length).toBeGreaterThanOrEqual(2);
      // A restarted container has a new id and no verdict yet.
      expect(probes.mustRestart('uid-a', 'app', 'a2')).toBeUndefined();
      probes.removePod('uid-a');
      expect(probes.isReady('uid-a', 'web', 'w1')).toBe(false);
    } finally {
      await probes.stop();
    }
  });

  it('createPodHooks rejects postStart with upstream\'s message and preStop with "PreStopHook failed"', async () => {
    const hooks: PodHooks = createPodHooks();
    const pod: Pod = { metadata: { name: 'p', namespace: 'ns', uid: 'u' }, spec: { containers: [] }, status: { podIP: '127.0.0.1' } };
    const c = { name: 'app', lifecycle: { postStart: { exec: { command: ['true'] } }, preStop: { exec: { command: ['true'] } } } };
    await expect(hooks.postStart(pod, c, 'containerd://x')).rejects.toThrow(/^Exec lifecycle hook \(\[true\]\) for Container "app" in Pod "p_ns\(u\)" failed - error: /);
    await expect(hooks.preStop(pod, c, 'x', 5)).rejects.toThrow('PreStopHook failed');
    await expect(hooks.preStop(pod, { name: 'app' }, 'x', 5)).resolves.toBeUndefined();
  });
});
