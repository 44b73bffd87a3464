/**
 * The part of the CRI client (src/kubelet/cri) the agent uses, as structural types, plus the
 * labels and annotations the agent puts on sandboxes and containers (upstream kubelet's names), so
 * that a restarted agent can rebuild what belongs to which pod from the runtime alone.
 */

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

export const POD_NAME_LABEL = 'io.kubernetes.pod.name';
export const POD_NAMESPACE_LABEL = 'io.kubernetes.pod.namespace';
export const POD_UID_LABEL = 'io.kubernetes.pod.uid';
export const CONTAINER_NAME_LABEL = 'io.kubernetes.container.name';
/** Marks sandboxes and containers this agent made (k8ts-specific; upstream uses io.kubernetes.docker.type). */
export const MANAGED_LABEL = 'io.k8ts.managed';

export const RESTART_COUNT_ANNOTATION = 'io.kubernetes.container.restartCount';
export const HASH_ANNOTATION = 'io.kubernetes.container.hash';
export const TERMINATION_MESSAGE_PATH_ANNOTATION = 'io.kubernetes.container.terminationMessagePath';
export const TERMINATION_MESSAGE_POLICY_ANNOTATION = 'io.kubernetes.container.terminationMessagePolicy';
export const GRACE_PERIOD_ANNOTATION = 'io.kubernetes.pod.terminationGracePeriod';
/** Which list a container comes from: "init" (incl. sidecars) or "regular". */
export const CONTAINER_TYPE_ANNOTATION = 'io.k8ts.container.type';

/** The gRPC status code CRI uses when an object is gone (NOT_FOUND). */
export const GRPC_NOT_FOUND = 5;

export function isNotFoundError(err: unknown): boolean {
  const e = err as { code?: unknown; details?: unknown; message?: unknown } | undefined;
  if (e?.code === GRPC_NOT_FOUND) return true;
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
