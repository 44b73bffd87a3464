/**
 * cli: the `k8ts` command. `k8ts server` starts a control plane; later `k8ts agent` and image
 * commands join it. Uses server/ for wiring; never reaches into components directly.
 */
import { Command, Option } from 'commander';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../server/index.js';
import { controllerNames } from '../server/start.js';
import { runSimNode } from '../server/sim-node.js';
import { rotateEncryptionKey } from '../server/encryption.js';
import { runAgent } from '../server/join/index.js';
import { errorChainMessage } from '../machinery/error-chain.js';
import { addImageCommands } from './image.js';


export function buildProgram(): Command {
  const program = new Command();
  program
    .name('k8ts')
    .description('A Kubernetes-compatible container orchestrator in TypeScript')
    .version('0.1.0');

  program
    .command('server')
    .description('Run a k8ts control plane (API server and storage) with an embedded SQLite store by default')
    .option('--data-dir <dir>', 'where state, certificates and kubeconfig.yaml live', join(homedir(), '.k8ts'))
    .option('--listen <host:port>', 'address the API server listens on', '127.0.0.1:6443')
    .addOption(new Option('--store <backend>', 'storage backend').choices(['sqlite', 'etcd']).default('sqlite'))
    .option('--etcd-endpoints <urls>', 'comma-separated etcd client URLs (with --store etcd)')
    .option('--token-auth-file <file>', 'static bearer tokens, CSV: token,user,uid,"group1,group2"')
    .option('--authorization-mode <modes>', 'comma-separated authorizers, in order: Node, RBAC, AlwaysAllow (system:masters is always allowed)', 'Node,RBAC')
    .option('--encryption-provider-config <file>', 'EncryptionConfiguration for encryption at rest (default: DATA/server/encryption-config.yaml, generated)')
    .option('--audit-policy-file <file>', 'audit.k8s.io/v1 Policy deciding what the audit log records')
    .option('--audit-log-path <file>', "audit log file (JSON lines; '-' for stdout); needs --audit-policy-file")
    .addOption(new Option('--runtime <runtime>', 'node runtime: containerd (run pods on this machine), sim (simulated nodes in this process), or none').choices(['containerd', 'sim', 'none']).default('containerd'))
    .option('--sim-nodes <n>', 'number of simulated nodes with --runtime sim', '1')
    .option('--node-ip <ip>', "the (first) node's InternalIP")
    .option('--node-name <name>', 'name of this machine\'s node with --runtime containerd (default: the host name)')
    .option('--container-runtime-endpoint <endpoint>', 'use this CRI endpoint (unix:///PATH) instead of starting containerd')
    .option('--kubelet-port <port>', 'port of the node\'s kubelet API (0 picks a free one)', '10250')
    .option('--cluster-cidr <cidr>', 'range node pod subnets are allocated from', '10.42.0.0/16')
    .option('--cni-bridge <name>', 'the pod network\'s bridge interface', 'k8ts0')
    .option('--disable <names>', `comma-separated components to turn off: scheduler, ${controllerNames().join(', ')}`)
    .action(async (o: Record<string, string>) => {
      if (o.store === 'etcd' && !o.etcdEndpoints) throw new Error('--store etcd needs --etcd-endpoints');
      const simNodes = Number(o.simNodes);
      if (o.runtime === 'sim' && (!Number.isInteger(simNodes) || simNodes < 0)) throw new Error(`--sim-nodes must be a whole number, got "${o.simNodes}"`);
      const kubeletPort = Number(o.kubeletPort);
      if (!Number.isInteger(kubeletPort) || kubeletPort < 0 || kubeletPort > 65535) throw new Error(`--kubelet-port must be a port number, got "${o.kubeletPort}"`);
      const started = Date.now();
      const server = await startServer({
        runtime: o.runtime as 'sim' | 'none' | 'containerd',
        simNodes,
        nodeIp: o.nodeIp,
        nodeName: o.nodeName,
        containerRuntimeEndpoint: o.containerRuntimeEndpoint,
        kubeletPort,
        clusterCidr: o.clusterCidr,
        cniBridge: o.cniBridge,
        dataDir: o.dataDir,
        listen: o.listen,
        store: o.store as 'sqlite' | 'etcd',
        etcdEndpoints: o.etcdEndpoints?.split(',').map((s) => s.trim()).filter(Boolean),
        tokenAuthFile: o.tokenAuthFile,
        authorizationModes: o.authorizationMode.split(',').map((s: string) => s.trim()).filter(Boolean),
        encryptionProviderConfig: o.encryptionProviderConfig,
        auditPolicyFile: o.auditPolicyFile,
        auditLogPath: o.auditLogPath,
        disable: o.disable?.split(',').map((s) => s.trim()).filter(Boolean),
      });
      const log = (m: string): void => void process.stderr.write(`${m}\n`);
      log(`k8ts: API server ready at ${server.url} (${o.store} store, ${Date.now() - started} ms)`);
      log(`k8ts: export KUBECONFIG=${server.kubeconfigPath}`);
      if (o.runtime === 'sim') {
        log(`k8ts: ${server.simNodes?.nodes.length ?? 0} simulated nodes running (${server.simNodes?.nodes.map((n) => n.name).join(', ')})`);
      } else if (server.node) {
        log(`k8ts: node ${server.node.nodeName} runs pods on containerd at ${server.node.endpoint} (kubelet API port ${server.node.kubeletPort})`);
      }
      let stopping = false;
      const stop = (signal: string): void => {
        if (stopping) return;
        stopping = true;
        log(`k8ts: ${signal} received, shutting down`);
        server.stop().then(
          () => process.exit(0),
          (err: unknown) => {
            log(`k8ts: shutdown failed: ${err instanceof Error ? err.message : String(err)}`);
            process.exit(1);
          },
        );
      };
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
    });

  program
    .command('agent')
    .description('Run a node that joins a running k8ts server (containerd, CNI and the node agent), in the foreground until SIGINT/SIGTERM')
    .requiredOption('--server <url>', 'the API server, https://HOST:PORT')
    .option('--token <token>', "the join token (the server's DATA/server/token)")
    .option('--token-file <file>', 'read the join token from this file')
    .option('--data-dir <dir>', 'where the agent keeps its credentials, containerd and pod data', join(homedir(), '.k8ts-agent'))
    .option('--node-name <name>', 'node name (default: the host name)')
    .option('--node-ip <ip>', "the node's InternalIP", '127.0.0.1')
    .option('--kubelet-port <port>', 'port of the kubelet API (0 picks a free one)', '10250')
    .option('--container-runtime-endpoint <endpoint>', 'use this CRI endpoint instead of starting containerd')
    .option('--cni-bridge <name>', 'the pod network bridge', 'k8ts0')
    .action(async (o: Record<string, string>) => {
      const log = (m: string): void => void process.stderr.write(`${m}\n`);
      let token = o.token;
      if (!token && o.tokenFile) token = (await readFile(o.tokenFile, 'utf8')).trim();
      if (!token) throw new Error('k8ts agent needs --token or --token-file');
      const kubeletPort = Number(o.kubeletPort);
      if (!Number.isInteger(kubeletPort) || kubeletPort < 0 || kubeletPort > 65535) throw new Error(`--kubelet-port must be a port number, got "${o.kubeletPort}"`);
      // Signals during start-up wait for it to finish, so containerd is never left behind.
      const starting = runAgent({
        server: o.server, token, dataDir: o.dataDir, nodeName: o.nodeName, nodeIp: o.nodeIp, kubeletPort,
        containerRuntimeEndpoint: o.containerRuntimeEndpoint, cniBridge: o.cniBridge, log,
      });
      let stopping = false;
      const stop = (signal: string): void => {
        if (stopping) return;
        stopping = true;
        log(`k8ts agent: ${signal} received, stopping the node (its pods keep running)`);
        starting.then((agent) => agent.stop()).then(() => process.exit(0), () => process.exit(1));
      };
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
      const agent = await starting;
      log(`k8ts agent: node ${agent.nodeName} running (kubelet API on ${o.nodeIp}:${agent.kubeletPort})`);
    });

  const secrets = program.command('secrets').description('Secrets encryption at rest');
  secrets
    .command('rotate-key')
    .description('With the server stopped: add a new AES-GCM key first, re-encrypt every Secret with it, then drop the old key')
    .option('--data-dir <dir>', 'the server data directory', join(homedir(), '.k8ts'))
    .option('--encryption-provider-config <file>', 'the EncryptionConfiguration file (default DATA/server/encryption-config.yaml)')
    .addOption(new Option('--store <backend>', 'storage backend').choices(['sqlite', 'etcd']).default('sqlite'))
    .option('--etcd-endpoints <urls>', 'comma-separated etcd client URLs (with --store etcd)')
    .action(async (o: Record<string, string>) => {
      const log = (m: string): void => void process.stderr.write(`${m}\n`);
      const r = await rotateEncryptionKey({
        dataDir: o.dataDir, configPath: o.encryptionProviderConfig, store: o.store as 'sqlite' | 'etcd',
        etcdEndpoints: o.etcdEndpoints?.split(',').map((s) => s.trim()).filter(Boolean), log,
      });
      process.stdout.write(`rotated to key ${r.newKey}: ${r.rewritten} values re-encrypted, dropped ${r.droppedKeys.join(', ')}\n`);
    });

  const sim = program.command('sim').description('Simulated nodes');
  sim
    .command('add-node')
    .description('Run one more simulated node against a running cluster, in the foreground until SIGINT/SIGTERM')
    .requiredOption('--kubeconfig <file>', 'kubeconfig of the cluster (the node acts with its credentials)')
    .option('--context <name>', 'kubeconfig context (default: the current one)')
    .option('--name <name>', 'node name (default sim-node-N, N the next free simulated node index)')
    .option('--node-ip <ip>', 'InternalIP (default 127.0.0.N)')
    .option('--labels <k=v,...>', 'extra node labels')
    .action(async (o: Record<string, string>) => {
      const log = (m: string): void => void process.stderr.write(`${m}\n`);
      const labels: Record<string, string> = {};
      for (const kv of (o.labels ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
        const i = kv.indexOf('=');
        if (i <= 0) throw new Error(`--labels: expected key=value, got "${kv}"`);
        labels[kv.slice(0, i)] = kv.slice(i + 1);
      }
      const running = await runSimNode({ kubeconfig: o.kubeconfig, context: o.context, name: o.name, nodeIp: o.nodeIp, node: { labels, log }, log });
      log(`k8ts: simulated node ${running.node.name} registered (InternalIP ${running.node.shape.internalIP}, pods ${running.node.shape.podCIDR})`);
      let stopping = false;
      const stop = (signal: string): void => {
        if (stopping) return;
        stopping = true;
        log(`k8ts: ${signal} received, stopping node ${running.node.name} (the Node stays registered)`);
        running.stop().then(() => process.exit(0), () => process.exit(1));
      };
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
    });
  addImageCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    throw new Error(errorChainMessage(err));
  }
}
