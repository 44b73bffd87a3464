/**
 * KubeClient: a small REST client for the Kubernetes API over HTTPS (node:https, one keep-alive
 * agent per client). Resource-addressed calls take a ResourceInfo (or any { group, version, plural,
 * namespaced }); errors come back as ApiError carrying the server's Status.
 */
import { Agent, request as httpsRequest, type RequestOptions } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { createSecureContext } from 'node:tls';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { parse as parseYaml } from 'yaml';

/** Anything that names a resource: a ResourceInfo from src/api/resources.ts fits. */
export interface ResourceRef {
  group: string;
  version: string;
  plural: string;
  namespaced: boolean;
  /** When known, informers fill it into list items. */
  kind?: string;
}

export interface KubeClientOptions {
  /** https://HOST:PORT */
  server: string;
  /** PEM of the CA that signed the serving certificate. */
  ca: string;
  /** Client certificate and key (PEM). */
  cert?: string;
  key?: string;
  /** Bearer token. */
  token?: string;
  userAgent?: string;
  /** Per-request timeout for non-watch calls (default 60 s). */
  timeoutMs?: number;
}

/** A metav1.Status as the server sends it. */
export interface StatusBody {
  kind?: string;
  apiVersion?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
}

/** A failed call: `code` is the HTTP status, `reason` and `message` come from the Status body. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly status?: StatusBody,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const isNotFound = (e: unknown): boolean => e instanceof ApiError && e.code === 404;
export const isConflict = (e: unknown): boolean => e instanceof ApiError && e.code === 409;
export const isGone = (e: unknown): boolean => e instanceof ApiError && e.code === 410;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type KObject = Record<string, any>;

export interface KList<T = KObject> {
  kind?: string;
  apiVersion?: string;
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  items: T[];
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: 'Exact' | 'NotOlderThan';
  /** Ask for PartialObjectMetadata (metadata only). */
  metadataOnly?: boolean;
}

export interface WatchOptions {
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
  sendInitialEvents?: boolean;
  metadataOnly?: boolean;
}

export interface WriteOptions {
  fieldManager?: string;
  dryRun?: boolean;
}

export interface DeleteOptions {
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchEvent<T = KObject> {
  type: WatchEventType;
  object: T;
}

/** An open watch: iterate its events; `abort()` ends the stream (iteration then finishes quietly). */
export interface WatchStream<T = KObject> extends AsyncIterable<WatchEvent<T>> {
  abort(): void;
}

export interface RequestExtras {
  query?: Record<string, string | number | boolean | undefined>;
  contentType?: string;
  accept?: string;
}

const PARTIAL_LIST_ACCEPT = 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io,application/json';
const PARTIAL_ACCEPT = 'application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io,application/json';

function qs(query: RequestExtras['query']): string {
  if (!query) return '';
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** The URL path of a resource collection or object: /api/v1/namespaces/ns/pods/name[/sub]. */
export function resourcePath(r: ResourceRef, namespace?: string, name?: string, subresource?: string): string {
  let p = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  if (r.namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
  p += `/${r.plural}`;
  if (name !== undefined) p += `/${encodeURIComponent(name)}`;
  if (subresource) p += `/${subresource}`;
  return p;
}

function errorFrom(code: number, text: string): ApiError {
  let status: StatusBody | undefined;
  try {
    const parsed = JSON.parse(text) as StatusBody;
    if (parsed && parsed.kind === 'Status') status = parsed;
  } catch {
    // not JSON
  }
  if (status) return new ApiError(status.code ?? code, status.reason ?? '', status.message ?? text, status);
  return new ApiError(code, code === 404 ? 'NotFound' : 'Unknown', text.trim() || `the server responded with status ${code}`);
}

export class KubeClient {
  readonly server: URL;
  private readonly agent: Agent;
  private readonly token?: string;
  private readonly userAgent: string;
  private readonly timeoutMs: number;

  constructor(opts: KubeClientOptions) {
    this.server = new URL(opts.server);
    // One TLS context for every connection: Node would otherwise build one (parsing the CA, the
    // certificate and the key) per new socket, which dominated a busy client's CPU.
    const secureContext = createSecureContext({ ca: opts.ca, cert: opts.cert, key: opts.key });
    this.agent = new Agent({ keepAlive: true, ca: opts.ca, cert: opts.cert, key: opts.key, secureContext, maxSockets: Infinity });
    this.token = opts.token;
    this.userAgent = opts.userAgent ?? 'k8ts-client';
    this.timeoutMs = opts.timeoutMs ?? 60_000;
  }

  /** A client from a kubeconfig file (its current context, or `context`), with embedded data or file paths. */
  static async fromKubeconfig(path: string, context?: string): Promise<KubeClient> {
    const doc = parseYaml(await readFile(path, 'utf8')) as KObject;
    const ctxName = context ?? doc['current-context'];
    const ctx = (doc.contexts ?? []).find((c: KObject) => c.name === ctxName)?.context;
    if (!ctx) throw new Error(`kubeconfig ${path}: context "${ctxName}" not found`);
    const cluster = (doc.clusters ?? []).find((c: KObject) => c.name === ctx.cluster)?.cluster;
    if (!cluster) throw new Error(`kubeconfig ${path}: cluster "${ctx.cluster}" not found`);
    const user = (doc.users ?? []).find((u: KObject) => u.name === ctx.user)?.user ?? {};
    const data = async (inline: string | undefined, file: string | undefined): Promise<string | undefined> =>
      inline ? Buffer.from(inline, 'base64').toString('utf8') : file ? readFile(file, 'utf8') : undefined;
    const ca = await data(cluster['certificate-authority-data'], cluster['certificate-authority']);
    if (!ca) throw new Error(`kubeconfig ${path}: cluster "${ctx.cluster}" has no certificate authority`);
    return new KubeClient({
      server: cluster.server,
      ca,
      cert: await data(user['client-certificate-data'], user['client-certificate']),
      key: await data(user['client-key-data'], user['client-key']),
      token: user.token,
    });
  }

  /** Closes idle keep-alive sockets. Open watches must be aborted by their owners. */
  close(): void {
    this.agent.destroy();
  }

  private options(method: string, path: string, headers: Record<string, string>): RequestOptions {
    const h: Record<string, string> = { 'User-Agent': this.userAgent, ...headers };
    if (this.token) h.Authorization = `Bearer ${this.token}`;
    return {
      method,
      host: this.server.hostname.replace(/^\[|\]$/g, ''),
      port: this.server.port || 443,
      path,
      agent: this.agent,
      headers: h,
    };
  }

  /** A raw call: JSON in (unless body is a string), parsed JSON out; non-2xx becomes ApiError. */
  request<T = KObject>(method: string, path: string, body?: unknown, extras: RequestExtras = {}): Promise<T> {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const headers: Record<string, string> = { Accept: extras.accept ?? 'application/json' };
    if (payload !== undefined) {
      headers['Content-Type'] = extras.contentType ?? 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(payload));
    }
    return new Promise<T>((resolve, reject) => {
      const req = httpsRequest(this.options(method, path + qs(extras.query), headers), (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const code = res.statusCode ?? 0;
          if (code < 200 || code >= 300) return reject(errorFrom(code, text));
          if (!text) return resolve(undefined as T);
          try {
            resolve(JSON.parse(text) as T);
          } catch {
            resolve(text as T);
          }
        });
      });
      req.setTimeout(this.timeoutMs, () => req.destroy(new Error(`${method} ${path}: timed out after ${this.timeoutMs} ms`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  get<T = KObject>(r: ResourceRef, namespace: string | undefined, name: string, opts: { metadataOnly?: boolean } = {}): Promise<T> {
    return this.request<T>('GET', resourcePath(r, namespace, name), undefined, { accept: opts.metadataOnly ? PARTIAL_ACCEPT : undefined });
  }

  /** One page (or the whole collection when no limit is given). */
  list<T = KObject>(r: ResourceRef, namespace?: string, opts: ListOptions = {}): Promise<KList<T>> {
    return this.request<KList<T>>('GET', resourcePath(r, namespace), undefined, {
      accept: opts.metadataOnly ? PARTIAL_LIST_ACCEPT : undefined,
      query: {
        labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector, limit: opts.limit,
        continue: opts.continue, resourceVersion: opts.resourceVersion, resourceVersionMatch: opts.resourceVersionMatch,
      },
    });
  }

  /** Every page of a list, following `continue`; the result carries the last page's resourceVersion. */
  async listAll<T = KObject>(r: ResourceRef, namespace?: string, opts: Omit<ListOptions, 'continue'> = {}): Promise<KList<T>> {
    const items: T[] = [];
    let cont: string | undefined;
    let last: KList<T>;
    do {
      last = await this.list<T>(r, namespace, { ...opts, continue: cont });
      items.push(...(last.items ?? []));
      cont = last.metadata?.continue || undefined;
    } while (cont);
    return { ...last, metadata: { ...last.metadata, continue: undefined }, items };
  }

  create<T = KObject>(r: ResourceRef, namespace: string | undefined, obj: KObject, opts: WriteOptions = {}): Promise<T> {
    return this.request<T>('POST', resourcePath(r, namespace ?? obj.metadata?.namespace), obj, { query: writeQuery(opts) });
  }

  /** PUT of the whole object (its metadata names it; resourceVersion, when set, is a precondition). */
  update<T = KObject>(r: ResourceRef, obj: KObject, opts: WriteOptions = {}): Promise<T> {
    return this.request<T>('PUT', resourcePath(r, obj.metadata?.namespace, obj.metadata?.name), obj, { query: writeQuery(opts) });
  }

  updateStatus<T = KObject>(r: ResourceRef, obj: KObject, opts: WriteOptions = {}): Promise<T> {
    return this.request<T>('PUT', resourcePath(r, obj.metadata?.namespace, obj.metadata?.name, 'status'), obj, { query: writeQuery(opts) });
  }

  patch<T = KObject>(
    r: ResourceRef, namespace: string | undefined, name: string, type: PatchType, body: unknown,
    opts: WriteOptions & { subresource?: string; force?: boolean } = {},
  ): Promise<T> {
    return this.request<T>('PATCH', resourcePath(r, namespace, name, opts.subresource), body, {
      contentType: PATCH_CONTENT_TYPES[type],
      query: { ...writeQuery(opts), force: opts.force ? true : undefined },
    });
  }

  delete<T = KObject>(r: ResourceRef, namespace: string | undefined, name: string, opts: DeleteOptions = {}): Promise<T> {
    return this.request<T>('DELETE', resourcePath(r, namespace, name), deleteBody(opts));
  }

  deleteCollection<T = KObject>(
    r: ResourceRef, namespace: string | undefined, opts: DeleteOptions & { labelSelector?: string; fieldSelector?: string } = {},
  ): Promise<KList<T>> {
    return this.request<KList<T>>('DELETE', resourcePath(r, namespace), deleteBody(opts), {
      query: { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector },
    });
  }

  /**
   * Opens a watch. Resolves once the server answered 200 (a refusal, e.g. 410 Expired, rejects
   * with ApiError); events are parsed from the newline-delimited JSON body.
   */
  watch<T = KObject>(r: ResourceRef, namespace: string | undefined, opts: WatchOptions = {}): Promise<WatchStream<T>> {
    const path = resourcePath(r, namespace) + qs({
      watch: 'true',
      labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector, resourceVersion: opts.resourceVersion,
      allowWatchBookmarks: opts.allowWatchBookmarks ? 'true' : undefined, timeoutSeconds: opts.timeoutSeconds,
      sendInitialEvents: opts.sendInitialEvents === undefined ? undefined : String(opts.sendInitialEvents),
    });
    return new Promise<WatchStream<T>>((resolve, reject) => {
      const req = httpsRequest(this.options('GET', path, { Accept: opts.metadataOnly ? PARTIAL_ACCEPT : 'application/json' }), (res) => {
        const code = res.statusCode ?? 0;
        if (code !== 200) {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => reject(errorFrom(code, Buffer.concat(chunks).toString('utf8'))));
          res.on('error', reject);
          return;
        }
        resolve(watchStream<T>(res, () => req.destroy()));
      });
      req.on('error', reject);
      req.end();
    });
  }
}

function writeQuery(opts: WriteOptions): RequestExtras['query'] {
  return { fieldManager: opts.fieldManager, dryRun: opts.dryRun ? 'All' : undefined };
}

function deleteBody(opts: DeleteOptions): KObject {
  const body: KObject = { kind: 'DeleteOptions', apiVersion: 'v1' };
  if (opts.propagationPolicy) body.propagationPolicy = opts.propagationPolicy;
  if (opts.gracePeriodSeconds !== undefined) body.gracePeriodSeconds = opts.gracePeriodSeconds;
  if (opts.preconditions) body.preconditions = opts.preconditions;
  if (opts.dryRun) body.dryRun = ['All'];
  return body;
}

function watchStream<T>(res: IncomingMessage, destroy: () => void): WatchStream<T> {
  let aborted = false;
  const abort = (): void => {
    if (aborted) return;
    aborted = true;
    destroy();
  };
  async function* events(): AsyncGenerator<WatchEvent<T>> {
    const lines = createInterface({ input: res, crlfDelay: Infinity });
    try {
      for await (const line of lines) {
        if (!line.trim()) continue;
        yield JSON.parse(line) as WatchEvent<T>;
      }
    } catch (err) {
      if (!aborted) throw err;
    } finally {
      lines.close();
      abort();
    }
  }
  const it = events();
  return { abort, [Symbol.asyncIterator]: () => it };
}
