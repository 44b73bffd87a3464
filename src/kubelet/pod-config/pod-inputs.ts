/**
 * createPodInputs: pod-config packaged as the agent's PodInputs (src/kubelet/agent/pod-inputs.ts):
 * preparePod sets the pod's volumes up (and, called on every sync, keeps configMap/secret/
 * downwardAPI/projected content current), containerInputs gives a container's envs, mounts and
 * Linux config (plus command/args with `$(VAR)` expanded; mounts include the managed /etc/hosts
 * and a termination-message file, see etc-files.ts), cleanupPod tears the volumes down.
 */
import { totalmem } from 'node:os';
import type { KubeClient } from '../../client/index.js';
import type { CriKeyValue, CriLinuxContainerResources, CriLinuxContainerSecurityContext, CriMount } from './cri-shapes.js';
import { expandCommand, resolveEnv } from './env.js';
import { etcHostsMount, terminationMessageMount } from './etc-files.js';
import type { PodRuntimeInfo } from './field-ref.js';
import { linuxResources, qosClass } from './resources.js';
import { containerSecurityContext, verifyRunAsNonRoot, type ImageUser } from './security.js';
import { kubeLookup } from './volumes/lookup.js';
import { VolumeManager } from './volumes/manager.js';
import type { MountedVolume, VolumeLookup } from './volumes/types.js';

/** A container's configuration cannot be built: the agent reports CreateContainerConfigError with this message. */
export class ContainerConfigError extends Error {
  override readonly name = 'ContainerConfigError';
}

/** CRI ImageService's imageStatus, as much as needed for the image's user. */
export interface ImageStatusSource {
  imageStatus(req: { image: { image: string } }): Promise<{ image?: { uid?: { value: number } | null; username?: string } | null }>;
}

export interface PodConfigInputsOptions {
  /** The agent data dir D. */
  dataDir: string;
  /** API access (as the node); or give `lookup` directly. */
  client?: KubeClient;
  lookup?: VolumeLookup;
  /** The node's IPs (status.hostIP(s)). */
  hostIPs: string[];
  /** The node's allocatable (cpu, memory, ephemeral-storage) for resourceFieldRef without limits. */
  nodeAllocatable?: () => Record<string, string> | undefined;
  /** Node memory in bytes for the Burstable OOM score (default: this machine's). */
  memoryCapacity?: number;
  /** The CRI image service, to learn an image's user (runAsNonRoot check, runAsGroup without runAsUser). */
  images?: ImageStatusSource;
  /** Service environment variables for a pod (issue 5 fills this seam; none until then). */
  serviceEnv?: (pod: any) => Promise<Record<string, string> | undefined> | Record<string, string> | undefined;
  /** Cluster domain for the managed /etc/hosts of pods with a subdomain (default cluster.local). */
  clusterDomain?: string;
  /** Secret and projected volumes on a tmpfs (default false; see VolumeManagerOptions.memoryBackedSecrets). */
  memoryBackedSecrets?: boolean;
  /** Mount a managed /etc/hosts (default true). */
  etcHosts?: boolean;
  /** Mount a fresh termination-message file at terminationMessagePath (default true). */
  terminationMessages?: boolean;
  log?: (msg: string) => void;
}

export interface PodConfigContainerInputs {
  envs: CriKeyValue[];
  mounts: CriMount[];
  linux: { resources: CriLinuxContainerResources; securityContext: CriLinuxContainerSecurityContext };
  /** command and args with `$(VAR)` references expanded (the agent should use these over the spec's). */
  command: string[];
  args: string[];
  /** envFrom keys skipped as invalid names (an InvalidEnvironmentVariableNames warning each). */
  warnings: string[];
}

export interface PodConfigInputs {
  readonly volumes: VolumeManager;
  preparePod(pod: any): Promise<void>;
  containerInputs(pod: any, container: any, podIP: string | undefined): Promise<PodConfigContainerInputs>;
  qosClass(pod: any): string;
  cleanupPod(uid: string): Promise<void>;
  /** Tears every pod's volumes down (unmounting tmpfs volumes): call when the node stops with its pods removed. */
  cleanupAll(): Promise<void>;
}

function podIPsOf(pod: any, podIP: string | undefined): string[] | undefined {
  const fromStatus: string[] = (pod?.status?.podIPs ?? []).map((p: any) => p?.ip).filter(Boolean);
  if (podIP) return [podIP, ...fromStatus.filter((ip) => ip !== podIP)];
  return fromStatus.length ? fromStatus : undefined;
}

export function createPodInputs(opts: PodConfigInputsOptions): PodConfigInputs {
  const lookup = opts.lookup ?? (opts.client ? kubeLookup(opts.client) : undefined);
  if (!lookup) throw new Error('createPodInputs needs a client or a lookup');
  const volumes = new VolumeManager({ dataDir: opts.dataDir, lookup, log: opts.log, memoryBackedSecrets: opts.memoryBackedSecrets });
  const mounted = new Map<string, Map<string, MountedVolume>>();
  const memoryCapacity = opts.memoryCapacity ?? totalmem();

  const info = (pod: any, podIP?: string): PodRuntimeInfo => ({
    podIPs: podIPsOf(pod, podIP), hostIPs: opts.hostIPs, nodeAllocatable: opts.nodeAllocatable?.(),
  });

  const imageUser = async (image: string): Promise<ImageUser | undefined> => {
    if (!opts.images || !image) return undefined;
    try {
      const r = await opts.images.imageStatus({ image: { image } });
      if (!r.image) return undefined;
      return { uid: r.image.uid ? r.image.uid.value : undefined, username: r.image.username || undefined };
    } catch {
      return undefined;
    }
  };

  return {
    volumes,
    async preparePod(pod) {
      mounted.set(pod.metadata.uid, await volumes.setUp(pod, info(pod)));
    },
    async containerInputs(pod, c, podIP) {
      const uid: string = pod.metadata.uid;
      let vols = mounted.get(uid);
      if (!vols) {
        vols = await volumes.setUp(pod, info(pod, podIP));
        mounted.set(uid, vols);
      }
      const serviceEnv = (await opts.serviceEnv?.(pod)) ?? undefined;
      const env = await resolveEnv(pod, c, lookup, { ...info(pod, podIP), serviceEnv });
      if ('error' in env) throw new ContainerConfigError(env.error);
      const image = await imageUser(c.image);
      // With the image's user unknown (no image service given) only an explicit runAsUser 0 can be judged.
      const nonRoot = verifyRunAsNonRoot(pod, c, image ?? (opts.images ? {} : { uid: -1 }));
      if (nonRoot) throw new ContainerConfigError(nonRoot);
      let mounts: CriMount[];
      try {
        mounts = await volumes.mountsFor(pod, c, vols, env.envs);
      } catch (e) {
        throw new ContainerConfigError(e instanceof Error ? e.message : String(e));
      }
      const podDir = volumes.podDir(uid);
      const ips = podIPsOf(pod, podIP) ?? [];
      const hosts = opts.etcHosts === false ? undefined : await etcHostsMount(podDir, pod, c, ips, { clusterDomain: opts.clusterDomain });
      if (hosts) mounts.push(hosts);
      const termination = opts.terminationMessages === false ? undefined : await terminationMessageMount(podDir, c);
      if (termination) mounts.push(termination);
      const { command, args } = expandCommand(c, env.envs);
      return {
        envs: env.envs,
        mounts,
        linux: { resources: linuxResources(pod, c, { memoryCapacity }), securityContext: containerSecurityContext(pod, c, image) },
        command,
        args,
        warnings: env.warnings,
      };
    },
    qosClass: (pod) => qosClass(pod),
    async cleanupPod(uid) {
      mounted.delete(uid);
      await volumes.tearDown(uid);
    },
    async cleanupAll() {
      mounted.clear();
      await volumes.tearDownAll();
    },
  };
}
