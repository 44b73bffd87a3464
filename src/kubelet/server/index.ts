/**
 * src/kubelet/server: the node agent's HTTPS API (upstream kubelet port 10250): container logs, exec,
 * attach and port-forward, used by the API server's pods/{log,exec,attach,portforward} proxy.
 * May import src/kubelet/cri, src/kubelet/logs, src/kubelet/streaming, Node built-ins and ws.
 */
export { startKubeletServer, KUBELET_CLIENT_USER } from './server.js';
export type { KubeletServer, KubeletServerOptions } from './server.js';
export { criLookups, KubeletApiError } from './cri-lookup.js';
export type { ContainerRef, PodLookups, StreamingRuntime } from './cri-lookup.js';
