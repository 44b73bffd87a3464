/**
 * PodInputs: what goes into a container besides its image and command — environment, mounts
 * (volumes set up per pod), Linux resources and security context. The agent calls it through this
 * small interface; src/kubelet/pod-config provides the full implementation (env sources, every
 * volume type, QoS, resources, securityContext). `basicPodInputs` is the fallback used when none is
 * given: literal env values and a few fieldRefs, emptyDir and hostPath volumes.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { KObject } from '../../client/index.js';
import { qosClass } from '../pod-config/index.js';
import type { Msg } from './runtime-types.js';

/** Thrown when a container's configuration cannot be built (shown as CreateContainerConfigError). */
export class ContainerConfigError extends Error {
  override readonly name = 'ContainerConfigError';
}

export interface ContainerInputs {
  envs: Msg[];
  mounts: Msg[];
  /** LinuxContainerConfig: { resources, securityContext } */
  linux: Msg;
  /** command and args with $(VAR) expanded (default: the spec's). */
  command?: string[];
  args?: string[];
}

export interface PodInputs {
  /** Sets up the pod's volumes (idempotent; called before each sync starts containers). */
  preparePod(pod: KObject): Promise<void>;
  /** The container's envs, mounts and linux config; throws ContainerConfigError for a missing ConfigMap key etc. */
  containerInputs(pod: KObject, container: KObject, podIP: string | undefined): Promise<ContainerInputs>;
  /** The pod's QoS class (Guaranteed, Burstable, BestEffort). */
  qosClass(pod: KObject): string;
  /** Removes the pod's volumes once it is gone from the node. */
  cleanupPod(uid: string): Promise<void>;
}

export interface BasicPodInputsOptions {
  /** D/agent/pods */
  podsDir: string;
  nodeName: string;
  hostIP: string;
}

export function basicPodInputs(o: BasicPodInputsOptions): PodInputs {
  const volumeDir = (uid: string, v: KObject): string | undefined => {
    if (v.emptyDir) return join(o.podsDir, uid, 'volumes', 'kubernetes.io~empty-dir', v.name);
    if (v.hostPath) return v.hostPath.path;
    return undefined;
  };
  return {
    async preparePod(pod) {
      for (const v of (pod.spec?.volumes ?? []) as KObject[]) {
        if (v.emptyDir) await mkdir(volumeDir(pod.metadata.uid, v)!, { recursive: true, mode: 0o777 });
        else if (v.hostPath && /Directory/.test(v.hostPath.type ?? '') && v.hostPath.type === 'DirectoryOrCreate') await mkdir(v.hostPath.path, { recursive: true });
      }
    },
    async containerInputs(pod, c, podIP) {
      const envs: Msg[] = [];
      for (const e of (c.env ?? []) as KObject[]) {
        let value: string | undefined = e.value ?? '';
        const f = e.valueFrom?.fieldRef?.fieldPath;
        if (e.valueFrom && !f) throw new ContainerConfigError(`env ${e.name}: only literal values and fieldRef are supported without pod-config`);
        if (f === 'metadata.name') value = pod.metadata.name;
        else if (f === 'metadata.namespace') value = pod.metadata.namespace;
        else if (f === 'metadata.uid') value = pod.metadata.uid;
        else if (f === 'spec.nodeName') value = o.nodeName;
        else if (f === 'status.podIP') value = podIP ?? '';
        else if (f === 'status.hostIP') value = o.hostIP;
        envs.push({ key: e.name, value });
      }
      const mounts: Msg[] = [];
      const vols = new Map<string, KObject>(((pod.spec?.volumes ?? []) as KObject[]).map((v) => [v.name, v]));
      for (const m of (c.volumeMounts ?? []) as KObject[]) {
        const v = vols.get(m.name);
        const dir = v && volumeDir(pod.metadata.uid, v);
        if (!dir) throw new ContainerConfigError(`volume ${m.name}: unsupported volume type without pod-config`);
        const hostPath = m.subPath ? join(dir, m.subPath) : dir;
        if (m.subPath) await mkdir(hostPath, { recursive: true });
        mounts.push({ containerPath: m.mountPath, hostPath, readonly: !!m.readOnly });
      }
      const sc = c.securityContext ?? {};
      const psc = pod.spec?.securityContext ?? {};
      const securityContext: Msg = {
        namespaceOptions: {
          network: pod.spec?.hostNetwork ? 'NODE' : 'POD',
          pid: pod.spec?.hostPID ? 'NODE' : pod.spec?.shareProcessNamespace ? 'POD' : 'CONTAINER',
          ipc: pod.spec?.hostIPC ? 'NODE' : 'POD',
        },
        privileged: !!sc.privileged,
        readonlyRootfs: !!sc.readOnlyRootFilesystem,
      };
      const uid = sc.runAsUser ?? psc.runAsUser;
      const gid = sc.runAsGroup ?? psc.runAsGroup;
      if (uid !== undefined) securityContext.runAsUser = { value: uid };
      if (gid !== undefined) securityContext.runAsGroup = { value: gid };
      return { envs, mounts, linux: { securityContext } };
    },
    qosClass: (pod) => qosClass(pod),
    async cleanupPod(uid) {
      await rm(join(o.podsDir, uid), { recursive: true, force: true });
    },
  };
}
