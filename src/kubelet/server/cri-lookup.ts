/**
 * Finding a pod's sandbox and containers in the runtime by the labels the agent puts on them
 * (io.kubernetes.pod.namespace/name, io.kubernetes.container.name), for the kubelet API when the agent
 * supplies no lookups of its own. The newest sandbox of a pod wins (a pod re-created under the same name
 * gets a new one); within it, the container with the highest restart count.
 */
import { dirname, join } from 'node:path';
import { access } from 'node:fs/promises';
import {
  ANNOTATION_RESTART_COUNT, LABEL_CONTAINER_NAME, LABEL_POD_NAME, LABEL_POD_NAMESPACE, type RuntimeApi,
} from '../cri/index.js';

export interface ContainerRef {
  containerId: string;
  podSandboxId: string;
  /** Absolute path of the log file to read. */
  logPath: string;
}

/** Errors the kubelet API answers with a Status of this code. */
export class KubeletApiError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

export type StreamingRuntime = Pick<RuntimeApi, 'exec' | 'attach' | 'portForward' | 'listPodSandbox' | 'listContainers' | 'containerStatus'>;

export interface PodLookups {
  /** The container (or, with `previous`, its last terminated instance's log); throws KubeletApiError. */
  findContainer(namespace: string, pod: string, container: string, previous: boolean): Promise<ContainerRef>;
  /** The pod's sandbox id; throws KubeletApiError. */
  findSandbox(namespace: string, pod: string): Promise<string>;
}

export function criLookups(runtime: StreamingRuntime): PodLookups {
  const findSandbox = async (namespace: string, pod: string): Promise<string> => {
    const { items } = await runtime.listPodSandbox({ filter: { labelSelector: { [LABEL_POD_NAMESPACE]: namespace, [LABEL_POD_NAME]: pod } } });
    const best = [...items].sort((a, b) => (a.state === b.state ? b.createdAt - a.createdAt : a.state === 'SANDBOX_READY' ? -1 : 1))[0];
    if (!best) throw new KubeletApiError(404, `pod "${pod}" not found`);
    return best.id;
  };
  return {
    findSandbox,
    async findContainer(namespace, pod, container, previous) {
      const waiting = new KubeletApiError(400, `container "${container}" in pod "${pod}" is waiting to start: ContainerCreating`);
      let sandboxId: string;
      try {
        sandboxId = await findSandbox(namespace, pod);
      } catch (err) {
        if (err instanceof KubeletApiError) throw waiting;
        throw err;
      }
      const { containers } = await runtime.listContainers({ filter: { podSandboxId: sandboxId, labelSelector: { [LABEL_CONTAINER_NAME]: container } } });
      const restarts = (c: { annotations: Record<string, string> }): number => Number(c.annotations[ANNOTATION_RESTART_COUNT] ?? 0) || 0;
      const sorted = [...containers].sort((a, b) => restarts(b) - restarts(a) || b.createdAt - a.createdAt);
      const latest = sorted[0];
      if (!latest) {
        if (previous) throw new KubeletApiError(400, `previous terminated container "${container}" in pod "${pod}" not found`);
        throw waiting;
      }
      const st = await runtime.containerStatus({ containerId: latest.id });
      const logPath = st.status?.logPath ?? '';
      if (!previous) {
        if (!logPath) throw new KubeletApiError(400, `container "${container}" in pod "${pod}" has no log file`);
        return { containerId: latest.id, podSandboxId: sandboxId, logPath };
      }
      const count = restarts(latest);
      const older = sorted[1];
      const prevPath = logPath && count > 0 ? join(dirname(logPath), `${count - 1}.log`) : '';
      if (prevPath && (await access(prevPath).then(() => true, () => false))) {
        return { containerId: older?.id ?? '', podSandboxId: sandboxId, logPath: prevPath };
      }
      throw new KubeletApiError(400, `previous terminated container "${container}" in pod "${pod}" not found`);
    },
  };
}
