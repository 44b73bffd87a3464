/**
 * kubelet/cri: k8ts' client for the Container Runtime Interface (CRI v1) — its own protocol subset
 * (cri.proto), hand-written message types (types.ts) and a promise-based gRPC client (client.ts).
 * Also the label/annotation keys the agent puts on CRI objects. May import node built-ins and
 * @grpc/* only.
 */
export { CriClient, CriError, GrpcCode, isNotFound, criProtoPath, grpcTarget } from './client.js';
export type { CallOptions, RuntimeApi, ImageApi } from './client.js';
export type * from './types.js';

/** Labels on sandboxes and containers (as the upstream kubelet sets them). */
export const LABEL_POD_NAME = 'io.kubernetes.pod.name';
export const LABEL_POD_NAMESPACE = 'io.kubernetes.pod.namespace';
export const LABEL_POD_UID = 'io.kubernetes.pod.uid';
export const LABEL_CONTAINER_NAME = 'io.kubernetes.container.name';
/** Container annotations. */
export const ANNOTATION_RESTART_COUNT = 'io.kubernetes.container.restartCount';
export const ANNOTATION_CONTAINER_HASH = 'io.kubernetes.container.hash';
export const ANNOTATION_TERMINATION_MESSAGE_PATH = 'io.kubernetes.container.terminationMessagePath';
export const ANNOTATION_TERMINATION_GRACE_PERIOD = 'io.kubernetes.pod.terminationGracePeriod';
