/**
 * `k8ts agent`: a node joining a running cluster. Gets (or reuses) its credentials with the join
 * token, starts (or adopts) containerd, makes sure the built-in images are there and imports
 * D/images/*.tar, serves the kubelet API with its serving certificate, and runs the node agent,
 * which registers the Node (kubelet/node) once it is set up.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import { KubeClient } from '../../client/index.js';
import { errorChainMessage } from '../../machinery/error-chain.js';
import { startNodeAgent, type RunningNodeAgent, type Runtime } from '../../kubelet/agent/index.js';
import { startContainerd, type ContainerdHandle } from '../../kubelet/containerd/index.js';
import { CriClient } from '../../kubelet/cri/index.js';
import { BUSYBOX_IMAGE, PAUSE_IMAGE, ensureBuiltinImages, importImageDir } from '../../kubelet/images/index.js';
import { DEFAULT_BRIDGE, validBridgeName } from '../../kubelet/network/index.js';
import { criNodeRuntime, startNodeStatus } from '../../kubelet/node/index.js';
import { startKubeletServer, type KubeletServer } from '../../kubelet/server/index.js';
import { probesAndHooks } from '../../kubelet/prober/index.js';
import { ensureAgentCredentials, type AgentCredentials } from './agent-credentials.js';

export interface AgentOptions {
  /** https://HOST:PORT of the API server. */
  server: string;
  token: string;
  dataDir: string;
  /** Default: the host name, lower-cased. */
  nodeName?: string;
  /** Default 127.0.0.1. */
  nodeIp?: string;
  /** Kubelet API port (default 10250; 0 picks a free one). */
  kubeletPort?: number;
  /** An existing CRI endpoint instead of a containerd of our own. */
  containerRuntimeEndpoint?: string;
  /** CNI bridge (default k8ts0). */
  cniBridge?: string;
  log?: (msg: string) => void;
}

export interface RunningAgent {
  nodeName: string;
  credentials: AgentCredentials;
  kubeletPort: number;
  stop(o?: { removePods?: boolean }): Promise<void>;
}

export async function runAgent(o: AgentOptions): Promise<RunningAgent> {
  const log = o.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const nodeName = (o.nodeName ?? hostname()).toLowerCase();
  const nodeIP = o.nodeIp ?? '127.0.0.1';
  const bridge = o.cniBridge ?? DEFAULT_BRIDGE;
  if (!validBridgeName(bridge)) throw new Error(`--cni-bridge: invalid interface name "${bridge}" (at most 15 letters, digits, '-', '_' or '.')`);
  const server = new URL(o.server);
  if (server.protocol !== 'https:') throw new Error(`--server must be an https:// URL, got "${o.server}"`);
  const serverUrl = server.origin;

  const credentials = await ensureAgentCredentials({ server: serverUrl, token: o.token, dataDir: o.dataDir, nodeName, nodeIP, log }).catch((err) => {
    throw new Error('get node credentials', { cause: err });
  });
  log(`k8ts agent: ${credentials.fetched ? 'joined' : 'rejoining'} ${serverUrl} as system:node:${nodeName}`);

  let containerd: ContainerdHandle | undefined;
  let cri: CriClient | undefined;
  let kubelet: KubeletServer | undefined;
  let agent: RunningNodeAgent | undefined;
  const client = new KubeClient({
    server: serverUrl, ca: credentials.caPem, cert: credentials.clientCertPem, key: credentials.clientKeyPem, userAgent: `k8ts-agent/${nodeName}`,
  });
  const cleanup = async (removePods = false) => {
    await agent?.stop({ removePods }).catch((err: unknown) => log(`k8ts agent: stopping the node agent: ${errorChainMessage(err)}`));
    await kubelet?.close().catch(() => undefined);
    client.close();
    cri?.close();
    await containerd?.stop();
  };
  try {
    containerd = await startContainerd({ dataDir: o.dataDir, endpoint: o.containerRuntimeEndpoint, log });
    cri = await CriClient.connect(containerd.endpoint);
    for (const f of await importImageDir(containerd.endpoint, join(o.dataDir, 'images'), log)) log(`k8ts agent: imported ${f.images.join(', ')} from ${f.file}`);
    await ensureBuiltinImages(cri, containerd.endpoint, [PAUSE_IMAGE, BUSYBOX_IMAGE]);
    kubelet = await startKubeletServer({
      host: nodeIP, port: o.kubeletPort ?? 10250,
      tls: { key: credentials.servingKeyPem, cert: credentials.servingCertPem, ca: credentials.caPem },
      runtime: cri.runtime, log,
    });
    const rt = cri;
    const port = kubelet.port;
    agent = await startNodeAgent({
      client, runtime: rt as unknown as Runtime, nodeName, nodeIP, dataDir: o.dataDir, log,
      ...probesAndHooks({ client, runtime: rt.runtime, nodeName, nodeIP, log }),
      registerNode: () => startNodeStatus({
        client, nodeName, nodeIP, kubeletPort: port, runtime: criNodeRuntime(rt), dataDir: o.dataDir, cni: { bridge }, log,
      }),
    });
  } catch (err) {
    await cleanup();
    throw new Error(`start node ${nodeName}`, { cause: err });
  }
  let stopping: Promise<void> | undefined;
  return {
    nodeName,
    credentials,
    kubeletPort: kubelet.port,
    stop(so = {}) {
      stopping ??= cleanup(so.removePods);
      return stopping;
    },
  };
}
