/**
 * CriClient: a gRPC client for a CRI v1 runtime (containerd) over its unix socket, speaking the
 * subset in cri.proto. `client.runtime` and `client.image` expose one promise-returning method per
 * RPC (lowerCamel names); failures reject with CriError carrying the gRPC status code.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type * as T from './types.js';

/** gRPC status codes the agent cares about. */
export const GrpcCode = {
  OK: 0, CANCELLED: 1, UNKNOWN: 2, INVALID_ARGUMENT: 3, DEADLINE_EXCEEDED: 4, NOT_FOUND: 5, ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7, RESOURCE_EXHAUSTED: 8, FAILED_PRECONDITION: 9, ABORTED: 10, OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12, INTERNAL: 13, UNAVAILABLE: 14, DATA_LOSS: 15, UNAUTHENTICATED: 16,
} as const;

/** A failed CRI call: `code` is the gRPC status number, `details` the runtime's message. */
export class CriError extends Error {
  readonly code: number;
  readonly details: string;
  readonly method: string;
  constructor(method: string, code: number, details: string) {
    super(`CRI ${method}: ${details || `gRPC status ${code}`}`);
    this.name = 'CriError';
    this.method = method;
    this.code = code;
    this.details = details;
  }
  get notFound(): boolean { return this.code === GrpcCode.NOT_FOUND; }
}

export function isNotFound(err: unknown): boolean {
  return err instanceof CriError && err.code === GrpcCode.NOT_FOUND;
}

/** Per-call options: timeoutMs overrides the method's default deadline. */
export interface CallOptions { timeoutMs?: number }

type Rpc<Req, Res> = (req: Req, opts?: CallOptions) => Promise<Res>;
type Empty = T.Empty;

export interface RuntimeApi {
  version: Rpc<T.VersionRequest, T.VersionResponse>;
  runPodSandbox: Rpc<T.RunPodSandboxRequest, T.RunPodSandboxResponse>;
  stopPodSandbox: Rpc<T.StopPodSandboxRequest, Empty>;
  removePodSandbox: Rpc<T.RemovePodSandboxRequest, Empty>;
  podSandboxStatus: Rpc<T.PodSandboxStatusRequest, T.PodSandboxStatusResponse>;
  listPodSandbox: Rpc<T.ListPodSandboxRequest, T.ListPodSandboxResponse>;
  createContainer: Rpc<T.CreateContainerRequest, T.CreateContainerResponse>;
  startContainer: Rpc<T.StartContainerRequest, Empty>;
  stopContainer: Rpc<T.StopContainerRequest, Empty>;
  removeContainer: Rpc<T.RemoveContainerRequest, Empty>;
  listContainers: Rpc<T.ListContainersRequest, T.ListContainersResponse>;
  containerStatus: Rpc<T.ContainerStatusRequest, T.ContainerStatusResponse>;
  updateContainerResources: Rpc<T.UpdateContainerResourcesRequest, Empty>;
  reopenContainerLog: Rpc<T.ReopenContainerLogRequest, Empty>;
  execSync: Rpc<T.ExecSyncRequest, T.ExecSyncResponse>;
  exec: Rpc<T.ExecRequest, T.UrlResponse>;
  attach: Rpc<T.AttachRequest, T.UrlResponse>;
  portForward: Rpc<T.PortForwardRequest, T.UrlResponse>;
  containerStats: Rpc<T.ContainerStatsRequest, T.ContainerStatsResponse>;
  listContainerStats: Rpc<T.ListContainerStatsRequest, T.ListContainerStatsResponse>;
  updateRuntimeConfig: Rpc<T.UpdateRuntimeConfigRequest, Empty>;
  status: Rpc<T.StatusRequest, T.StatusResponse>;
}

export interface ImageApi {
  listImages: Rpc<T.ListImagesRequest, T.ListImagesResponse>;
  imageStatus: Rpc<T.ImageStatusRequest, T.ImageStatusResponse>;
  pullImage: Rpc<T.PullImageRequest, T.PullImageResponse>;
  removeImage: Rpc<T.RemoveImageRequest, Empty>;
  imageFsInfo: Rpc<Empty | Record<string, never>, T.ImageFsInfoResponse>;
}

const SHORT = 10_000;
const LONG = 120_000;

/** Default deadline per RPC (ms). Anything that may create/pull/stop gets the long one. */
const RUNTIME_DEADLINES: Record<keyof RuntimeApi, number> = {
  version: SHORT, runPodSandbox: LONG, stopPodSandbox: LONG, removePodSandbox: LONG, podSandboxStatus: SHORT,
  listPodSandbox: SHORT, createContainer: LONG, startContainer: LONG, stopContainer: LONG, removeContainer: LONG,
  listContainers: SHORT, containerStatus: SHORT, updateContainerResources: SHORT, reopenContainerLog: SHORT,
  execSync: LONG, exec: SHORT, attach: SHORT, portForward: SHORT, containerStats: SHORT, listContainerStats: SHORT,
  updateRuntimeConfig: SHORT, status: SHORT,
};
const IMAGE_DEADLINES: Record<keyof ImageApi, number> = {
  listImages: SHORT, imageStatus: SHORT, pullImage: LONG, removeImage: LONG, imageFsInfo: SHORT,
};

/** Where cri.proto lives: next to this module (copied into dist/ by scripts/copy-generated.mjs). */
export function criProtoPath(): string {
  const here = fileURLToPath(new URL('./cri.proto', import.meta.url));
  if (existsSync(here)) return here;
  // Running from dist/ without the copied proto: fall back to the source tree.
  const src = here.replace(/([\\/])dist([\\/])kubelet/, '$1src$2kubelet');
  return existsSync(src) ? src : here;
}

let cachedPackage: grpc.GrpcObject | undefined;
function criPackage(): { RuntimeService: grpc.ServiceClientConstructor; ImageService: grpc.ServiceClientConstructor } {
  if (!cachedPackage) {
    const def = protoLoader.loadSync(criProtoPath(), {
      keepCase: false, longs: Number, enums: String, defaults: true, oneofs: true,
    });
    cachedPackage = grpc.loadPackageDefinition(def);
  }
  const v1 = (cachedPackage.runtime as grpc.GrpcObject).v1 as grpc.GrpcObject;
  return {
    RuntimeService: v1.RuntimeService as grpc.ServiceClientConstructor,
    ImageService: v1.ImageService as grpc.ServiceClientConstructor,
  };
}

/** `unix:///run/x.sock`, `unix:/run/x.sock` or a bare path → the gRPC target. */
export function grpcTarget(endpoint: string): string {
  if (endpoint.startsWith('unix://')) return `unix://${endpoint.slice('unix://'.length).replace(/^\/*/, '/')}`;
  if (endpoint.startsWith('unix:')) return `unix://${endpoint.slice('unix:'.length).replace(/^\/*/, '/')}`;
  if (endpoint.startsWith('/') || endpoint.startsWith('.')) return `unix://${endpoint.startsWith('/') ? endpoint : process.cwd() + '/' + endpoint}`;
  return endpoint; // host:port etc., as given
}

function upperFirst(s: string): string { return s[0]!.toUpperCase() + s.slice(1); }

function facade<A>(client: grpc.Client, deadlines: Record<string, number>): A {
  const api: Record<string, Rpc<unknown, unknown>> = {};
  for (const [name, defaultMs] of Object.entries(deadlines)) {
    const rpcName = upperFirst(name);
    const fn = (client as unknown as Record<string, grpc.MethodDefinition<unknown, unknown> & Function>)[rpcName];
    if (typeof fn !== 'function') throw new Error(`CRI proto lacks ${rpcName}`);
    api[name] = (req: unknown, opts?: CallOptions) => new Promise((resolve, reject) => {
      let ms = opts?.timeoutMs ?? defaultMs;
      // Calls that carry their own timeout (seconds) get that much more time.
      const own = (req as { timeout?: number } | undefined)?.timeout;
      if (opts?.timeoutMs === undefined && typeof own === 'number' && own > 0) ms = Math.max(ms, own * 1000 + SHORT);
      const deadline = new Date(Date.now() + ms);
      fn.call(client, req ?? {}, { deadline }, (err: grpc.ServiceError | null, res: unknown) => {
        if (err) reject(new CriError(name, err.code ?? GrpcCode.UNKNOWN, err.details ?? err.message));
        else resolve(res);
      });
    });
  }
  return api as A;
}

export class CriClient {
  readonly endpoint: string;
  readonly runtime: RuntimeApi;
  readonly image: ImageApi;
  private readonly clients: grpc.Client[];

  private constructor(endpoint: string, runtimeClient: grpc.Client, imageClient: grpc.Client) {
    this.endpoint = endpoint;
    this.clients = [runtimeClient, imageClient];
    this.runtime = facade<RuntimeApi>(runtimeClient, RUNTIME_DEADLINES);
    this.image = facade<ImageApi>(imageClient, IMAGE_DEADLINES);
  }

  /**
   * Connects to a CRI endpoint (unix:///path/containerd.sock or a socket path) and checks it
   * answers Version within `timeoutMs` (default 10 s); rejects with CriError otherwise.
   */
  static async connect(endpoint: string, opts: { timeoutMs?: number; skipVersionCheck?: boolean } = {}): Promise<CriClient> {
    const pkg = criPackage();
    const target = grpcTarget(endpoint);
    const options: grpc.ChannelOptions = {
      'grpc.max_receive_message_length': 16 * 1024 * 1024,
      'grpc.max_send_message_length': 16 * 1024 * 1024,
      // The runtime is local: after containerd restarts, reconnect within a couple of seconds
      // instead of gRPC's default back-off of up to two minutes.
      'grpc.initial_reconnect_backoff_ms': 100,
      'grpc.max_reconnect_backoff_ms': 2000,
    };
    const runtimeClient = new pkg.RuntimeService(target, grpc.credentials.createInsecure(), options);
    // Share the runtime client's channel for the image service.
    const imageClient = new pkg.ImageService(target, grpc.credentials.createInsecure(), {
      ...options, channelOverride: runtimeClient.getChannel(),
    } as grpc.ClientOptions);
    const client = new CriClient(endpoint, runtimeClient, imageClient);
    if (!opts.skipVersionCheck) {
      try {
        await client.runtime.version({ version: 'v1' }, { timeoutMs: opts.timeoutMs ?? SHORT });
      } catch (err) {
        client.close();
        throw err;
      }
    }
    return client;
  }

  /** Closes the gRPC channel. */
  close(): void {
    for (const c of this.clients) {
      try { c.close(); } catch { /* already closed */ }
    }
  }
}
