/** Starts a k8ts control plane: storage → PKI → API server → kubeconfig → controllers. */
import { mkdir, readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { ApiServer, type VersionInfo } from '../apiserver/server.js';
import { createAuthenticator, type Authenticator } from '../apiserver/authn/index.js';
import { ServiceAccountTokens } from '../apiserver/authn/service-account.js';
import { ensureServiceAccountKey } from '../pki/service-account-key.js';
import { encryptStore, loadEncryptionConfig } from './encryption.js';
import { Auditor, auditFileSink, parseAuditPolicy } from '../apiserver/audit/index.js';
import { authorizerForModes } from '../apiserver/authz/union.js';
import { ensurePki, issueClientCert, writeKubeconfig } from '../pki/index.js';
import { ensureJoinToken, joinRoutes } from './join/index.js';
import { KubeClient } from '../client/index.js';
import { startControllers, type RunningControllers } from '../controllers/index.js';
import { startScheduler, type RunningScheduler } from '../scheduler/index.js';
import { SimNodePool, type SimNodeDefaults } from '../kubelet/sim/index.js';
import { startContainerdNode, type ContainerdNodeOptions, type RunningContainerdNode } from './containerd-node.js';
import { createStore } from '../storage/registry.js';
import type { Store } from '../storage/store.js';

/** Names `disable` accepts: the controllers, and `scheduler`. */
export { controllerNames } from '../controllers/index.js';

export interface ServerOptions {
  dataDir: string;
  /** HOST:PORT, default 127.0.0.1:6443. Port 0 picks a free port. */
  listen?: string;
  store?: 'sqlite' | 'etcd';
  etcdEndpoints?: string[];
  /** A static token file in upstream's CSV format. */
  tokenAuthFile?: string;
  /**
   * An EncryptionConfiguration file (upstream's --encryption-provider-config). Without it the
   * server uses DATA/server/encryption-config.yaml, created with a random AES-GCM key at first start.
   */
  encryptionProviderConfig?: string;
  /** Upstream's --audit-policy-file (audit.k8s.io/v1 Policy) and --audit-log-path (JSON lines; `-` for stdout). */
  auditPolicyFile?: string;
  auditLogPath?: string;
  version?: VersionInfo;
  bookmarkIntervalMs?: number;
  /** Events the API server's watch cache keeps for watches from a past resourceVersion. */
  watchCacheSize?: number;
  /** Components to leave out (controller names: namespace, garbagecollector). */
  disable?: string[];
  /**
   * Node runtime: `sim` starts `simNodes` simulated node agents in this process once the API
   * server is ready; `none` (default here) starts none; `containerd` runs containerd (or uses
   * containerRuntimeEndpoint) and a node agent for this machine (containerd-node.ts).
   */
  runtime?: 'sim' | 'none' | 'containerd';
  /** How many simulated nodes with runtime `sim` (default 1), named sim-node-1 … sim-node-N. */
  simNodes?: number;
  /** InternalIP of the first node (default 127.0.0.1 for sim-node-1). */
  nodeIp?: string;
  /** Runtime containerd: an existing CRI endpoint to use instead of starting containerd. */
  containerRuntimeEndpoint?: string;
  /** Runtime containerd: node name (default the host name). */
  nodeName?: string;
  /** Runtime containerd: kubelet API port (default 10250; 0 picks a free one). */
  kubeletPort?: number;
  /** Runtime containerd: CNI bridge name (default k8ts0). */
  cniBridge?: string;
  /** Runtime containerd: agent periods and back-off (tests). */
  agent?: ContainerdNodeOptions['agent'];
  /** Settings for every simulated node: capacity, labels, lifecycle timings, heartbeat intervals. */
  simNode?: SimNodeDefaults;
  /** How long a node may miss lease renewals before the node lifecycle controller marks it Unknown (default 40 s). */
  nodeMonitorGracePeriodMs?: number;
  /**
   * How long pods tolerate node.kubernetes.io/not-ready and /unreachable NoExecute unless they say
   * otherwise (admission's DefaultTolerationSeconds; default 300 each, as upstream's
   * --default-not-ready-toleration-seconds and --default-unreachable-toleration-seconds).
   */
  defaultNotReadyTolerationSeconds?: number;
  defaultUnreachableTolerationSeconds?: number;
  /**
   * Authorizers, in order (upstream's --authorization-mode): default ['Node', 'RBAC']; ['AlwaysAllow'] lets
   * every authenticated user do anything. Members of system:masters are always allowed.
   */
  authorizationModes?: string[];
  /** Admission plugins to leave out (upstream's --disable-admission-plugins), e.g. ['ServiceAccount']. */
  disableAdmission?: string[];
  /** The range node pod subnets come from (node IPAM controller; default 10.42.0.0/16), and their prefix length (default 24). */
  clusterCidr?: string;
  nodeCidrMaskSize?: number;
  log?: (msg: string) => void;
}

export interface RunningServer {
  url: string;
  host: string;
  port: number;
  kubeconfigPath: string;
  apiServer: ApiServer;
  store: Store;
  /** The controllers running against this server (through the API, over loopback HTTPS). */
  controllers: RunningControllers;
  /** The simulated nodes (runtime `sim`): stop one with `simNodes.get(name).stop()`, add more with `add()`. */
  simNodes?: SimNodePool;
  /** The real node (runtime `containerd`): its agent, CRI client and containerd. */
  node?: RunningContainerdNode;
  /** D/server/token: the join token for `k8ts agent --token` (0600). */
  joinTokenPath: string;
  stop(): Promise<void>;
}

export function parseListen(listen: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(listen);
  if (!m) throw new Error(`--listen must be HOST:PORT, got "${listen}"`);
  const port = Number(m[3]);
  if (port > 65535) throw new Error(`--listen port out of range: ${port}`);
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const dataDir = resolve(opts.dataDir);
  const log = opts.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const { host, port } = parseListen(opts.listen ?? '127.0.0.1:6443');
  await mkdir(dataDir, { recursive: true, mode: 0o700 });

  // Secrets (or what the configuration names) are encrypted before they reach the store.
  const encryption = await loadEncryptionConfig(dataDir, opts.encryptionProviderConfig).catch((err) => {
    throw new Error('load encryption configuration', { cause: err });
  });
  const [store, pki] = await Promise.all([
    createStore(opts.store ?? 'sqlite', { dataDir, etcdEndpoints: opts.etcdEndpoints }).then((s) => encryptStore(s, encryption.config)).catch((err) => {
      throw new Error('start storage', { cause: err });
    }),
    ensurePki(dataDir, { hosts: ['localhost', '127.0.0.1', hostname(), host].filter((h) => h && h !== '0.0.0.0' && h !== '::') }).catch((err) => {
      throw new Error('prepare certificates', { cause: err });
    }),
  ]);

  // The join token agents present to get node credentials (D/server/token, created at first start).
  const joinToken = await ensureJoinToken(dataDir, pki.caCertPem).catch((err) => {
    throw new Error('prepare join token', { cause: err });
  });

  const authenticators: Authenticator[] = [createAuthenticator('client-cert')];
  if (opts.tokenAuthFile) authenticators.push(createAuthenticator('token-file', { path: opts.tokenAuthFile }));
  // ServiceAccount tokens: signed with DATA/pki/sa.key; valid while their account (and bound object) exists.
  const saKey = await ensureServiceAccountKey(dataDir).catch((err) => {
    throw new Error('prepare service account signing key', { cause: err });
  });
  let lookupFrom: ApiServer | undefined;
  const serviceAccountTokens = new ServiceAccountTokens({
    privateKeyPem: saKey.privateKeyPem,
    publicKeyPems: [saKey.publicKeyPem],
    lookup: async (plural, ns, name) => lookupFrom?.objects.lookup('', plural, ns, name),
  });
  authenticators.push(serviceAccountTokens.authenticator());
  // The audit log: only with both a policy and a log path (as upstream).
  let auditor: Auditor | undefined;
  if (opts.auditPolicyFile && opts.auditLogPath) {
    const policy = parseAuditPolicy(await readFile(opts.auditPolicyFile, 'utf8'), opts.auditPolicyFile);
    auditor = new Auditor(policy, auditFileSink(opts.auditLogPath));
  }

  // The API server's identity towards kubelets (pods/log, exec, attach, portforward), as upstream's
  // --kubelet-client-certificate: user kube-apiserver-kubelet-client in system:masters.
  const kubeletClient = await issueClientCert(pki, { user: 'kube-apiserver-kubelet-client', groups: ['system:masters'] });
  const apiServer = new ApiServer({
    store,
    kubeletClient: { ca: pki.caCertPem, cert: kubeletClient.certPem, key: kubeletClient.keyPem },
    tls: { key: pki.serverKeyPem, cert: pki.serverCertPem, ca: pki.caCertPem },
    authenticators,
    authorizer: authorizerForModes(opts.authorizationModes),
    host,
    port,
    version: opts.version,
    bookmarkIntervalMs: opts.bookmarkIntervalMs,
    watchCacheSize: opts.watchCacheSize,
    extraRoutes: [joinRoutes({ pki, secret: () => joinToken.token.secret, log })],
    serviceAccountTokens,
    disableAdmission: opts.disableAdmission,
    auditor,
    admission: {
      defaultNotReadyTolerationSeconds: opts.defaultNotReadyTolerationSeconds,
      defaultUnreachableTolerationSeconds: opts.defaultUnreachableTolerationSeconds,
    },
    log,
  });
  lookupFrom = apiServer;
  let bound: { host: string; port: number };
  try {
    bound = await apiServer.start();
  } catch (err) {
    await store.close();
    throw new Error('start API server', { cause: err });
  }
  const clientHost = bound.host === '0.0.0.0' || bound.host === '::' ? '127.0.0.1' : bound.host;
  const url = `https://${clientHost.includes(':') ? `[${clientHost}]` : clientHost}:${bound.port}`;
  const kubeconfigPath = join(dataDir, 'kubeconfig.yaml');
  log(`k8ts: join more nodes with: k8ts agent --server ${url} --token "$(cat ${joinToken.path})"`);
  await writeKubeconfig(kubeconfigPath, {
    server: url, caPem: pki.caCertPem, certPem: pki.adminCertPem, keyPem: pki.adminKeyPem,
  });

  // Controllers are clients like any other: their own certificate, the API over HTTPS.
  let controllers: RunningControllers;
  // The local-path provisioner serves the nodes whose agent runs in this process (set once they start).
  let localNodes: (name: string) => boolean = () => false;
  let client: KubeClient;
  try {
    const identity = await issueClientCert(pki, { user: 'system:kube-controller-manager' });
    client = new KubeClient({ server: url, ca: pki.caCertPem, cert: identity.certPem, key: identity.keyPem, userAgent: 'k8ts-controller-manager' });
    controllers = startControllers({
      client, disable: opts.disable, log,
      settings: {
        nodelifecycle: { gracePeriodMs: opts.nodeMonitorGracePeriodMs },
        'root-ca-cert-publisher': { caPem: pki.caCertPem },
        'serviceaccount-token': { caPem: pki.caCertPem, signLegacy: serviceAccountTokens.issueLegacy.bind(serviceAccountTokens) },
        nodeipam: { clusterCidr: opts.clusterCidr, nodeCidrMaskSize: opts.nodeCidrMaskSize },
        'local-path-provisioner': { dataDir, servesNode: (name: string) => localNodes(name) },
      },
    });
  } catch (err) {
    await apiServer.close();
    await store.close();
    throw new Error('start controllers', { cause: err });
  }

  // The scheduler, likewise, with its own identity.
  let scheduler: RunningScheduler | undefined;
  let schedulerClient: KubeClient | undefined;
  if (!opts.disable?.includes('scheduler')) {
    const identity = await issueClientCert(pki, { user: 'system:kube-scheduler' });
    schedulerClient = new KubeClient({ server: url, ca: pki.caCertPem, cert: identity.certPem, key: identity.keyPem, userAgent: 'k8ts-scheduler' });
    scheduler = startScheduler(schedulerClient, { log });
    scheduler.ready.catch((err: unknown) => log(`scheduler: ${err instanceof Error ? err.message : String(err)}`));
  }

  /** Stops what runs so far, in reverse order of start: scheduler, controllers, API server, audit log, store. */
  const stopControlPlane = async (): Promise<void> => {
    await scheduler?.stop();
    schedulerClient?.close();
    await controllers.stop();
    client.close();
    await apiServer.close();
    auditor?.close();
    await store.close();
  };

  // Simulated nodes: node agents in this process, each with its own identity (system:node:NAME).
  let simNodes: SimNodePool | undefined;
  if (opts.runtime === 'sim') {
    simNodes = new SimNodePool({
      server: url, ca: pki.caCertPem, node: opts.simNode, log,
      credentials: (name) => issueClientCert(pki, { user: `system:node:${name}`, groups: ['system:nodes'] }),
    });
    try {
      await simNodes.addMany(opts.simNodes ?? 1, { firstNodeIP: opts.nodeIp });
    } catch (err) {
      await simNodes.close();
      await stopControlPlane();
      throw new Error('start simulated nodes', { cause: err });
    }
  }

  // A real node (runtime `containerd`): containerd and the node agent, as system:node:NAME.
  let node: RunningContainerdNode | undefined;
  if (opts.runtime === 'containerd') {
    try {
      node = await startContainerdNode({
        dataDir, server: url, pki, log, containerRuntimeEndpoint: opts.containerRuntimeEndpoint, nodeName: opts.nodeName,
        nodeIp: opts.nodeIp, kubeletPort: opts.kubeletPort, cniBridge: opts.cniBridge, agent: opts.agent,
      });
    } catch (err) {
      await stopControlPlane();
      throw new Error('start node', { cause: err });
    }
  }

  localNodes = (name) => name === node?.nodeName || !!simNodes?.get(name);

  let stopping: Promise<void> | undefined;
  return {
    url, host: bound.host, port: bound.port, kubeconfigPath, apiServer, store, controllers, simNodes, node, joinTokenPath: joinToken.path,
    stop() {
      stopping ??= (async () => {
        await simNodes?.close();
        await node?.stop();
        await stopControlPlane();
      })();
      return stopping;
    },
  };
}
