/**
 * A real node in this process (`k8ts server --runtime containerd`; `k8ts agent` can use it too with
 * the credentials it joined with): starts (or adopts, with an endpoint) containerd, makes sure the
 * built-in images are there and imports D/images/*.tar, serves the kubelet API (kubelet/server) with
 * a serving certificate signed by the cluster CA, then runs the node agent (kubelet/agent) with its
 * own identity (system:node:NAME), pod inputs (kubelet/pod-config) and the node's registration,
 * status and lease (kubelet/node).
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import { KubeClient } from '../client/index.js';
import { errorChainMessage } from '../machinery/error-chain.js';
import { issueClientCert, issueServingCert, type Pki } from '../pki/index.js';
import { startNodeAgent, type RunningNodeAgent, type Runtime } from '../kubelet/agent/index.js';
import { startContainerd, type ContainerdHandle } from '../kubelet/containerd/index.js';
import { CriClient } from '../kubelet/cri/index.js';
import { BUSYBOX_IMAGE, PAUSE_IMAGE, ensureBuiltinImages, importImageDir } from '../kubelet/images/index.js';
import { criNodeRuntime, startNodeStatus, type RunningNodeStatus } from '../kubelet/node/index.js';
import { createPodInputs } from '../kubelet/pod-config/index.js';
import { startKubeletServer, type KubeletServer } from '../kubelet/server/index.js';
import { startContainerLogRotation } from '../kubelet/logs/index.js';
import { probesAndHooks } from '../kubelet/prober/index.js';

import type { NodeCredentials } from './join/routes.js';

export type { NodeCredentials };

/** Credentials for a node of this server, issued from its PKI. */
export async function issueNodeCredentials(pki: Pki, nodeName: string, nodeIP: string): Promise<NodeCredentials> {
  const [client, serving] = await Promise.all([
    issueClientCert(pki, { user: `system:node:${nodeName}`, groups: ['system:nodes'] }),
    issueServingCert(pki, { commonName: nodeName, hosts: [nodeIP, nodeName] }),
  ]);
  return { caPem: pki.caCertPem, clientCertPem: client.certPem, clientKeyPem: client.keyPem, servingCertPem: serving.certPem, servingKeyPem: serving.keyPem };
}

export interface ContainerdNodeOptions {
  dataDir: string;
  /** https URL of the API server and the cluster CA. */
  server: string;
  /** The node's credentials, or the PKI to issue them from. */
  credentials?: NodeCredentials;
  pki?: Pki;
  /** Use this CRI endpoint instead of starting containerd (unix:///run/containerd/containerd.sock). */
  containerRuntimeEndpoint?: string;
  /** Default: the host name. */
  nodeName?: string;
  /** Default 127.0.0.1. */
  nodeIp?: string;
  /** Kubelet API port (default 10250; 0 picks a free one). */
  kubeletPort?: number;
  /** CNI bridge name (default k8ts0). */
  cniBridge?: string;
  /** Agent settings for tests (resync/relist periods, back-off). */
  agent?: { resyncMs?: number; relistMs?: number; backoffInitialMs?: number; backoffMaxMs?: number };
  log: (msg: string) => void;
}

export interface RunningContainerdNode {
  nodeName: string;
  endpoint: string;
  cri: CriClient;
  /** The port the kubelet API listens on. */
  kubeletPort: number;
  agent: RunningNodeAgent;
  /**
   * Stops the agent only (containers keep running), runs `meanwhile` if given, then starts the
   * agent again: an agent restart.
   */
  restartAgent(meanwhile?: () => Promise<void>): Promise<void>;
  stop(o?: { removePods?: boolean }): Promise<void>;
}

export async function startContainerdNode(o: ContainerdNodeOptions): Promise<RunningContainerdNode> {
  const log = o.log;
  const nodeName = (o.nodeName ?? hostname()).toLowerCase();
  const nodeIP = o.nodeIp ?? '127.0.0.1';
  let containerd: ContainerdHandle | undefined;
  let cri: CriClient | undefined;
  let client: KubeClient | undefined;
  let kubelet: KubeletServer | undefined;
  try {
    const creds = o.credentials ?? (o.pki ? await issueNodeCredentials(o.pki, nodeName, nodeIP) : undefined);
    if (!creds) throw new Error('a node needs credentials or the cluster PKI');
    containerd = await startContainerd({ dataDir: o.dataDir, endpoint: o.containerRuntimeEndpoint, log });
    cri = await CriClient.connect(containerd.endpoint);
    await importImageDir(containerd.endpoint, join(o.dataDir, 'images'), log);
    await ensureBuiltinImages(cri, containerd.endpoint, [PAUSE_IMAGE, BUSYBOX_IMAGE]);
    kubelet = await startKubeletServer({
      host: nodeIP, port: o.kubeletPort ?? 10250,
      tls: { key: creds.servingKeyPem, cert: creds.servingCertPem, ca: creds.caPem },
      runtime: cri.runtime, log,
    });
    client = new KubeClient({ server: o.server, ca: creds.caPem, cert: creds.clientCertPem, key: creds.clientKeyPem, userAgent: `k8ts-agent/${nodeName}` });
  } catch (err) {
    await kubelet?.close().catch(() => undefined);
    cri?.close();
    await containerd?.stop();
    throw err;
  }
  const kubeletPort = kubelet.port;
  const kubeletServer = kubelet;
  // Container log files past 10 MiB are rotated (5 kept), as upstream's kubelet does.
  const logRotation = startContainerLogRotation({ runtime: cri.runtime, log });
  const c = client;
  const rt = cri;
  let nodeStatus: RunningNodeStatus | undefined;
  const start = (): Promise<RunningNodeAgent> => startNodeAgent({
    client: c, runtime: rt as unknown as Runtime, nodeName, nodeIP, dataDir: o.dataDir, log, ...o.agent,
    ...probesAndHooks({ client: c, runtime: rt.runtime, nodeName, nodeIP, log }),
    podInputs: createPodInputs({
      dataDir: o.dataDir, client: c, hostIPs: [nodeIP], images: rt.image, nodeAllocatable: () => nodeStatus?.allocatable, log,
    }),
    registerNode: async () => {
      nodeStatus = await startNodeStatus({
        client: c, nodeName, nodeIP, kubeletPort, runtime: criNodeRuntime(rt), dataDir: o.dataDir,
        cni: { bridge: o.cniBridge }, log,
      });
      return nodeStatus;
    },
  });
  let agent: RunningNodeAgent;
  try {
    agent = await start();
  } catch (err) {
    c.close();
    logRotation.stop();
    await kubeletServer.close().catch(() => undefined);
    rt.close();
    await containerd.stop();
    throw new Error(`start node agent ${nodeName}`, { cause: err });
  }
  const handle = containerd;
  const node: RunningContainerdNode = {
    nodeName, endpoint: handle.endpoint, cri: rt, kubeletPort, agent,
    async restartAgent(meanwhile) {
      await node.agent.stop();
      await meanwhile?.();
      node.agent = await start();
    },
    stop(so = {}) {
      stopping ??= (async () => {
        await node.agent.stop({ removePods: so.removePods }).catch((err: unknown) => log(`node agent: ${errorChainMessage(err)}`));
        c.close();
        logRotation.stop();
        await kubeletServer.close().catch((err: unknown) => log(`kubelet server: ${errorChainMessage(err)}`));
        rt.close();
        await handle.stop();
      })();
      return stopping;
    },
  };
  let stopping: Promise<void> | undefined;
  return node;
}
