/**
 * kubelet/agent: the node agent core on a CRI runtime (containerd). startNodeAgent watches the
 * pods bound to its node (field selector spec.nodeName), runs one serialised worker per pod
 * (pod-workers.ts) that syncs sandbox and containers to the spec (pod-sync.ts) and writes pod status
 * (pod-status.ts), relists the runtime every second (runtime-cache.ts, upstream's PLEG) and resyncs
 * every pod every 10 s, garbage-collects dead containers and orphan sandboxes, and registers the
 * Node with heartbeats through kubelet/node. After a restart it picks pods back up from the
 * runtime's labels and annotations without restarting running containers.
 * May import src/client/, src/api/, src/machinery/ and the other src/kubelet/ modules
 * (cri, logs, node, network, pod-config, prober, lifecycle, server).
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { findResource } from '../../api/resources.js';
import { EventRecorder, SharedInformer, objectKey, type KObject, type KubeClient } from '../../client/index.js';
import { errorChainMessage } from '../../machinery/error-chain.js';
import { Backoff } from './backoff.js';
import { basicPodInputs, type PodInputs } from './pod-inputs.js';
import { PodSyncer } from './pod-sync.js';
import { PodWorkers } from './pod-workers.js';
import { noHooks, noProbes, type PodHooks, type PodProbes } from './probes.js';
import { RuntimeCache } from './runtime-cache.js';
import { isNotFoundError, type Runtime } from './runtime-types.js';
import type { SandboxEnv } from './sandbox-config.js';

export { Backoff } from './backoff.js';
export { PodWorkers } from './pod-workers.js';
export { RuntimeCache } from './runtime-cache.js';
export type { PodRuntime, ContainerInfo, SandboxInfo } from './runtime-cache.js';
export { generateStatus, podPhase, statusPatch } from './pod-status.js';
export { sandboxConfig, dnsConfig, parseResolvConf, podLogDirectory } from './sandbox-config.js';
export { containerHash, pullPolicy } from './container-start.js';
export { basicPodInputs, ContainerConfigError } from './pod-inputs.js';
export type { PodInputs, ContainerInputs } from './pod-inputs.js';
export { noProbes, noHooks } from './probes.js';
export type { PodProbes, PodHooks, RunningContainerRef } from './probes.js';
export { PodSyncer, goDuration } from './pod-sync.js';
export * from './runtime-types.js';

const PODS = findResource('', 'v1', 'pods')!;

/** What registers the Node and keeps its status and lease (kubelet/node's startNodeStatus fits). */
export interface NodeRegistration {
  /** Resolves with node.spec.podCIDR once known (and the CNI config written). */
  podCIDR(): Promise<string>;
  stop(): Promise<void>;
}

export interface NodeAgentOptions {
  /** The API as this node (user system:node:NAME, group system:nodes). */
  client: KubeClient;
  /** A connected CRI client (src/kubelet/cri's CriClient). */
  runtime: Runtime;
  nodeName: string;
  /** The node's InternalIP (hostIP of its pods; podIP of hostNetwork pods). */
  nodeIP: string;
  /** The server/agent data dir D (pods' volumes in D/agent/pods, logs in D/agent/pod-logs). */
  dataDir: string;
  /** Registers the Node; called once the agent is set up. Without it the Node is not registered here. */
  registerNode?: () => Promise<NodeRegistration>;
  /** Env, volumes, resources, security (default: basicPodInputs). */
  podInputs?: PodInputs;
  probes?: PodProbes;
  hooks?: PodHooks;
  /** Cgroup (cgroupfs path) pods go under (default /k8ts). */
  cgroupRoot?: string;
  clusterDns?: string[];
  clusterDomain?: string;
  /** Resync every pod this often (default 10 s); relist the runtime this often (default 1 s). */
  resyncMs?: number;
  relistMs?: number;
  /** Container restart back-off (default 10 s doubling to 5 min). */
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  log?: (msg: string) => void;
}

export interface RunningNodeAgent {
  readonly nodeName: string;
  /** Stops the agent. Running containers stay unless removePods (then every sandbox is stopped and removed). */
  stop(o?: { removePods?: boolean }): Promise<void>;
}

export async function startNodeAgent(opts: NodeAgentOptions): Promise<RunningNodeAgent> {
  const log = opts.log ?? (() => {});
  const agentDir = join(opts.dataDir, 'agent');
  const runtime = opts.runtime;
  const cache = new RuntimeCache(runtime.runtime);
  const probes = opts.probes ?? noProbes;
  const inputs = opts.podInputs ?? basicPodInputs({ podsDir: join(agentDir, 'pods'), nodeName: opts.nodeName, hostIP: opts.nodeIP });
  const sandboxEnv: SandboxEnv = {
    podLogsRoot: join(agentDir, 'pod-logs'),
    cgroupRoot: opts.cgroupRoot ?? '/k8ts',
    clusterDns: opts.clusterDns,
    clusterDomain: opts.clusterDomain,
  };
  const recorder = new EventRecorder(opts.client, { component: 'kubelet', instance: opts.nodeName, log });
  const syncer = new PodSyncer({
    runtime, inputs, hooks: opts.hooks ?? noHooks, recorder, log, cache, client: opts.client, probes,
    pullBackoff: new Backoff({ initialMs: opts.backoffInitialMs, maxMs: opts.backoffMaxMs }),
    restartBackoff: new Backoff({ initialMs: opts.backoffInitialMs, maxMs: opts.backoffMaxMs }),
    sandboxEnv, hostIP: opts.nodeIP, podsDir: join(agentDir, 'pods'),
  });

  await cache.relist();
  const registration = opts.registerNode ? await opts.registerNode() : undefined;
  // Until the node has its pod CIDR (and so a CNI config), only hostNetwork pods can start.
  let networkReady = !registration;
  void registration?.podCIDR().then(() => {
    networkReady = true;
  });
  const networkWarned = new Set<string>();

  const keys = new Map<string, string>();
  const informer = new SharedInformer(opts.client, PODS, { fieldSelector: `spec.nodeName=${opts.nodeName}`, log });
  const podOf = (uid: string): KObject | undefined => {
    const key = keys.get(uid);
    const pod = key ? informer.store.get(key) : undefined;
    return pod?.metadata?.uid === uid ? pod : undefined;
  };

  const workers = new PodWorkers(async (uid) => {
    const pod = podOf(uid);
    if (pod) {
      if (pod.metadata.deletionTimestamp) {
        await syncer.terminatePod(structuredClone(pod));
        return undefined;
      }
      if (!networkReady && !pod.spec?.hostNetwork) {
        if (!networkWarned.has(uid)) {
          networkWarned.add(uid);
          void recorder.event(pod, 'Warning', 'NetworkNotReady', 'network is not ready: container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized');
        }
        return 1000;
      }
      networkWarned.delete(uid);
      return syncer.syncPod(structuredClone(pod));
    }
    await cache.relist();
    await syncer.removeRuntimePod(uid);
    return undefined;
  }, log);
  probes.onChange((uid) => workers.schedule(uid));

  informer.addEventHandler({
    onAdd: (pod) => {
      keys.set(pod.metadata.uid, objectKey(pod));
      workers.schedule(pod.metadata.uid);
    },
    onUpdate: (_old, pod) => {
      keys.set(pod.metadata.uid, objectKey(pod));
      workers.schedule(pod.metadata.uid);
    },
    onDelete: (pod) => {
      keys.delete(pod.metadata.uid);
      workers.schedule(pod.metadata.uid);
    },
  });
  informer.start();
  await informer.waitForSync();

  let stopped = false;
  let relistTimer: NodeJS.Timeout | undefined;
  let resyncTimer: NodeJS.Timeout | undefined;
  const relistLoop = (): void => {
    relistTimer = setTimeout(() => {
      cache.relist()
        .then((changed) => {
          for (const uid of changed) workers.schedule(uid);
        })
        .catch((err: unknown) => log(`agent: relisting the container runtime: ${errorChainMessage(err)}`))
        .finally(() => {
          if (!stopped) relistLoop();
        });
    }, opts.relistMs ?? 1000);
  };
  const resyncLoop = (): void => {
    resyncTimer = setTimeout(() => {
      const uids = new Set([...keys.keys(), ...cache.uids()]);
      for (const uid of uids) workers.schedule(uid);
      void (async () => {
        for (const rt of cache.all()) {
          const pod = podOf(rt.uid);
          if (!pod || pod.metadata.deletionTimestamp) continue;
          await syncer.garbageCollect(rt).catch((err: unknown) => log(`agent: garbage collection for pod ${rt.uid}: ${errorChainMessage(err)}`));
        }
      })().finally(() => {
        if (!stopped) resyncLoop();
      });
    }, opts.resyncMs ?? 10_000);
  };
  relistLoop();
  resyncLoop();
  // Pods the runtime has but the API no longer knows: cleared by their workers.
  for (const uid of cache.uids()) if (!keys.has(uid)) workers.schedule(uid);

  let stopping: Promise<void> | undefined;
  return {
    nodeName: opts.nodeName,
    stop(o = {}) {
      stopping ??= (async () => {
        stopped = true;
        if (relistTimer) clearTimeout(relistTimer);
        if (resyncTimer) clearTimeout(resyncTimer);
        await informer.stop();
        await workers.stop();
        await probes.stop();
        await registration?.stop();
        if (o.removePods) {
          await removeAllSandboxes(runtime, log);
          // Volumes (some are mounts, tmpfs for secrets) and cgroups of every pod go too.
          const uids = new Set([...keys.keys(), ...cache.uids(), ...(await readdir(join(agentDir, 'pods')).catch(() => [] as string[]))]);
          for (const uid of uids) {
            await syncer.forgetPod(uid).catch((err: unknown) => log(`agent: cleaning up pod ${uid}: ${errorChainMessage(err)}`));
          }
        }
      })();
      return stopping;
    },
  };
}

/** Stops and removes every pod sandbox (and so its containers) the runtime has. */
export async function removeAllSandboxes(runtime: Runtime, log: (msg: string) => void = () => {}): Promise<void> {
  const res = await runtime.runtime.listPodSandbox({});
  for (const sb of res.items ?? []) {
    try {
      await runtime.runtime.stopPodSandbox({ podSandboxId: sb.id });
      await runtime.runtime.removePodSandbox({ podSandboxId: sb.id });
    } catch (err) {
      if (!isNotFoundError(err)) log(`agent: removing pod sandbox ${sb.id}: ${errorChainMessage(err)}`);
    }
  }
}
