/** Tests that drive containerd directly through the CRI client: tearing down what a file created. */
import { rmSync } from 'node:fs';
import type { ContainerdHandle } from '../../src/kubelet/containerd/index.js';
import type { CriClient } from '../../src/kubelet/cri/index.js';

/**
 * Stops and removes every pod sandbox labelled `label=runId` (also after a failed test), closes the
 * client, stops containerd and removes the data dir.
 */
export async function tearDownCri(o: { cri?: CriClient; ctrd?: ContainerdHandle; dataDir?: string; label: string; runId: string }): Promise<void> {
  if (o.cri) {
    const { items } = await o.cri.runtime.listPodSandbox({ filter: { labelSelector: { [o.label]: o.runId } } });
    for (const s of items) {
      await o.cri.runtime.stopPodSandbox({ podSandboxId: s.id }).catch(() => {});
      await o.cri.runtime.removePodSandbox({ podSandboxId: s.id }).catch(() => {});
    }
    o.cri.close();
  }
  await o.ctrd?.stop();
  if (o.dataDir) rmSync(o.dataDir, { recursive: true, force: true });
}
