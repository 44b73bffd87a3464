/**
 * `k8ts agent`: a node joining a running cluster. Gets (or reuses) its credentials with the join
 * token, then runs the same containerd node as `k8ts server --runtime containerd`
 * (server/containerd-node.ts: containerd, images, kubelet API with its serving certificate, pod
 * inputs, probes and hooks, the node agent registering the Node through kubelet/node).
 */
import { hostname } from 'node:os';
import { DEFAULT_BRIDGE, validBridgeName } from '../../kubelet/network/index.js';
import { startContainerdNode, type RunningContainerdNode } from '../containerd-node.js';
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
  node: RunningContainerdNode;
  stop(o?: { removePods?: boolean }): Promise<void>;
}

export async function runAgent(o: AgentOptions): Promise<RunningAgent> {
  const log = o.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const nodeName = (o.nodeName ?? hostname()).toLowerCase();
  const nodeIP = o.nodeIp ?? '127.0.0.1';
  const bridge = o.cniBridge ?? DEFAULT_BRIDGE;
  if (!validBridgeName(bridge)) throw new Error(`--cni-bridge: invalid interface name "${bridge}" (at most 15 letters, digits, '-', '_' or '.')`);
  let server: URL;
  try {
    server = new URL(o.server);
  } catch {
    throw new Error(`--server must be an https:// URL, got "${o.server}"`);
  }
  if (server.protocol !== 'https:') throw new Error(`--server must be an https:// URL, got "${o.server}"`);
  const serverUrl = server.origin;

  const credentials = await ensureAgentCredentials({ server: serverUrl, token: o.token, dataDir: o.dataDir, nodeName, nodeIP, log }).catch((err) => {
    throw new Error('get node credentials', { cause: err });
  });
  log(`k8ts agent: ${credentials.fetched ? 'joined' : 'rejoining'} ${serverUrl} as system:node:${nodeName}`);

  const node = await startContainerdNode({
    dataDir: o.dataDir, server: serverUrl, credentials, containerRuntimeEndpoint: o.containerRuntimeEndpoint,
    nodeName, nodeIp: nodeIP, kubeletPort: o.kubeletPort, cniBridge: bridge, log,
  });
  return {
    nodeName,
    credentials,
    kubeletPort: node.kubeletPort,
    node,
    stop: (so) => node.stop(so),
  };
}
