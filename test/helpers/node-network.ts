/**
 * A pod network of its own for each containerd test server on this machine: a cluster CIDR
 * 10.(200+N).0.0/16 and CNI bridge k8ts-tN, N taken with a lock directory under the temp dir (a
 * lock whose process is gone is taken over), so parallel test files never share a bridge. The
 * bridge is deleted on release.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestNetwork {
  index: number;
  clusterCidr: string;
  cniBridge: string;
  release(): void;
}

const ROOT = join(tmpdir(), 'k8ts-test-networks');
const SLOTS = 50;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function acquireTestNetwork(): TestNetwork {
  mkdirSync(ROOT, { recursive: true });
  const start = process.pid % SLOTS;
  for (let i = 0; i < SLOTS; i++) {
    const n = (start + i) % SLOTS;
    const dir = join(ROOT, String(n));
    try {
      mkdirSync(dir);
    } catch {
      let owner = 0;
      try {
        owner = Number(readFileSync(join(dir, 'pid'), 'utf8'));
      } catch {
        continue; // being created right now
      }
      if (owner && alive(owner)) continue;
      rmSync(dir, { recursive: true, force: true });
      try {
        mkdirSync(dir);
      } catch {
        continue;
      }
    }
    writeFileSync(join(dir, 'pid'), String(process.pid));
    return {
      index: n,
      clusterCidr: `10.${200 + n}.0.0/16`,
      cniBridge: `k8ts-t${n}`,
      release: () => {
        // The bridge the CNI plugin made for this server goes too (best effort).
        try {
          execFileSync('ip', ['link', 'delete', `k8ts-t${n}`], { stdio: 'ignore' });
        } catch {
          // not there
        }
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  throw new Error('no free test pod network (all 50 taken)');
}
