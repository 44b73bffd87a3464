/**
 * The part of the CRI client (src/kubelet/cri) the agent uses, as structural types, plus the
 * labels and annotations the agent puts on sandboxes and containers (upstream kubelet's names, from
 * src/kubelet/cri), so that a restarted agent can rebuild what belongs to which pod from the
 * runtime alone.
 */
import { isNotFound } from '../cri/index.js';

/** CRI responses are plain objects with lowerCamel field names (see src/kubelet/cri). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Msg = Record<string, any>;

export interface RuntimeApi {
  runPodSandbox(req: Msg): Promise<Msg>;
  stopPodSandbox(req: Msg): Promise<Msg>;
  removePodSandbox(req: Msg): Promise<Msg>;
  podSandboxStatus(req: Msg): Promise<Msg>;
  listPodSandbox(req: Msg): Promise<Msg>;
  createContainer(req: Msg): Promise<Msg>;
  startContainer(req: Msg): Promise<Msg>;
  stopContainer(req: Msg): Promise<Msg>;
  removeContainer(req: Msg): Promise<Msg>;
  listContainers(req: Msg): Promise<Msg>;
  containerStatus(req: Msg): Promise<Msg>;
  version(req: Msg): Promise<Msg>;
}

export interface ImageApi {
  imageStatus(req: Msg): Promise<Msg>;
  pullImage(req: Msg): Promise<Msg>;
}

export interface Runtime {
  runtime: RuntimeApi;
  image: ImageApi;
}

export {
  LABEL_POD_NAME as POD_NAME_LABEL, LABEL_POD_NAMESPACE as POD_NAMESPACE_LABEL, LABEL_POD_UID as POD_UID_LABEL,
  LABEL_CONTAINER_NAME as CONTAINER_NAME_LABEL, ANNOTATION_RESTART_COUNT as RESTART_COUNT_ANNOTATION,
  ANNOTATION_CONTAINER_HASH as HASH_ANNOTATION, ANNOTATION_TERMINATION_MESSAGE_PATH as TERMINATION_MESSAGE_PATH_ANNOTATION,
  ANNOTATION_TERMINATION_GRACE_PERIOD as GRACE_PERIOD_ANNOTATION,
} from '../cri/index.js';
/** Marks sandboxes and containers this agent made (k8ts-specific; upstream uses io.kubernetes.docker.type). */
export const MANAGED_LABEL = 'io.k8ts.managed';

export const TERMINATION_MESSAGE_POLICY_ANNOTATION = 'io.kubernetes.container.terminationMessagePolicy';
/** Which list a container comes from: "init" (incl. sidecars) or "regular". */
export const CONTAINER_TYPE_ANNOTATION = 'io.k8ts.container.type';

/** Whether a CRI call failed because the object is gone (gRPC NOT_FOUND, or a runtime saying so). */
export function isNotFoundError(err: unknown): boolean {
  if (isNotFound(err)) return true;
  const e = err as { details?: unknown; message?: unknown } | undefined;
  const text = `${String(e?.details ?? '')} ${String(e?.message ?? '')}`;
  return /not found|does not exist/i.test(text);
}

/** CRI times are nanoseconds since the epoch. */
export function nsToDate(ns: number | string | undefined): Date | undefined {
  const n = typeof ns === 'string' ? Number(ns) : ns;
  if (!n || n <= 0) return undefined;
  return new Date(Math.floor(n / 1e6));
}

export const rfc3339 = (d = new Date()): string => d.toISOString().replace(/\.\d+Z$/, 'Z');
