/**
 * apiserver/server: the HTTPS server. Authenticates every request, authorizes it, routes it to
 * discovery, OpenAPI, health or the REST handlers, and answers errors as Status objects.
 * May import api/, machinery/ and storage/ (it is the only component that talks to storage).
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { findResource, RESOURCES } from '../api/resources.js';
import type { Store } from '../storage/store.js';
import { AdmissionChain } from './admission/registry.js';
import { SYSTEM_PRIORITY_CLASSES } from './admission/priority.js';
import type { AdmissionConfig, AdmissionLookup } from './admission/types.js';
import { authenticateRequest, UnauthorizedError, type Authenticator, type UserInfo } from './authn/index.js';
import type { Authorizer } from './authz/index.js';
import { reconcileBootstrapPolicy } from './authz/bootstrap/reconcile.js';
import { forbiddenError } from './authz/forbidden.js';
import { impersonate, wantsImpersonation } from './authn/impersonation.js';
import type { ServiceAccountTokens } from './authn/service-account.js';
import type { Auditor } from './audit/index.js';
import {
  aggregatedContentType, aggregatedDiscovery, apiGroupDocument, apiGroupList, apiResourceList, apiVersions,
} from './discovery.js';
import { negotiate } from './negotiation.js';
import { handleOpenAPI } from './openapi/index.js';
import { parseRequestInfo, type RequestInfo } from './request-info.js';
import { converter } from './rest/convert.js';
import { handleResource, type HandlerDeps } from './rest/handlers.js';
import { findStorageResource, Objects } from './rest/objects.js';
import { sendJson, type Call } from './rest/request.js';
import { handleReview } from './rest/reviews.js';
import { handleSubresource } from './rest/subresources.js';
import { registerKubeletClient, upgradeResponse, type KubeletClientConfig } from './rest/connect.js';
import { forbidden, internalError, methodNotAllowed, routeNotFound, StatusError, unauthorized } from './status.js';
import { WatchCache } from './watch-cache.js';

export interface VersionInfo {
  major: string;
  minor: string;
  gitVersion: string;
}

export interface ApiServerOptions {
  store: Store;
  tls: { key: string; cert: string; ca: string };
  authenticators: Authenticator[];
  authorizer: Authorizer;
  host: string;
  port: number;
  /** Reported by /version; 1.32 by default. */
  version?: VersionInfo;
  /** How often watches with allowWatchBookmarks get a bookmark (default 60 s, as upstream). */
  bookmarkIntervalMs?: number;
  /** Events kept for watches from a past resourceVersion. */
  watchCacheSize?: number;
  /** Settings of the admission plugins (default toleration seconds). */
  admission?: AdmissionConfig;
  /** Admission plugins to leave out (upstream's --disable-admission-plugins), e.g. ['ServiceAccount']. */
  disableAdmission?: string[];
  /** Writes the audit log (--audit-policy-file, --audit-log-path). */
  auditor?: Auditor;
  /** Signs ServiceAccount tokens (serviceaccounts/token); without it TokenRequest answers 503. */
  serviceAccountTokens?: ServiceAccountTokens;
  /**
   * Routes outside the Kubernetes API, tried before authentication (they do their own): each
   * handles the request and resolves true, or resolves false to pass it on (k8ts' join endpoints).
   */
  extraRoutes?: Array<(req: IncomingMessage, res: ServerResponse, path: string) => Promise<boolean>>;
  /** Client certificate for the kubelets' API (pods/log, exec, attach, portforward) and the CA their serving certificates chain to. */
  kubeletClient?: KubeletClientConfig;
  log?: (msg: string) => void;
}

export const DEFAULT_VERSION: VersionInfo = { major: '1', minor: '32', gitVersion: 'v1.32.0-k8ts' };

/** Paths anyone may read without credentials (health and version), as upstream's public-info role. */
const PUBLIC_PATHS = new Set(['/healthz', '/livez', '/readyz', '/version']);

export class ApiServer {
  private readonly server: Server;
  private readonly cache: WatchCache;
  readonly objects: Objects;
  private readonly deps: HandlerDeps;
  private ready = false;
  private shuttingDown = false;
  private inflight = 0;
  private idle?: () => void;
  private readonly streams = new Set<() => void>();
  private readonly sockets = new Set<Socket>();
  private readonly connectionUsers = new WeakMap<object, UserInfo>();
  private readonly version: VersionInfo;
  private readonly log: (msg: string) => void;

  constructor(private readonly opts: ApiServerOptions) {
    this.version = opts.version ?? DEFAULT_VERSION;
    this.log = opts.log ?? ((m) => process.stderr.write(`${m}\n`));
    this.cache = new WatchCache(opts.store, { historySize: opts.watchCacheSize });
    const lookup: AdmissionLookup = {
      get: (g, p, ns, n) => this.objects.lookup(g, p, ns, n),
      list: async (g, p, ns) => this.objects.lookupList(g, p, ns),
      updateStatus: async (g, p, ns, n, fn) => {
        const r = findStorageResource(g, p);
        if (!r) return;
        await this.objects.mutate(r, ns, n, async (current) => (await fn(current)) ?? current, { subresource: 'status', fieldManager: 'kube-apiserver' });
      },
    };
    this.objects = new Objects(opts.store, this.cache, new AdmissionChain(lookup, { ...opts.admission, authorizer: opts.authorizer }, undefined, opts.disableAdmission));
    this.deps = {
      store: opts.store,
      cache: this.cache,
      objects: this.objects,
      convert: converter,
      bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 60_000,
      tokens: opts.serviceAccountTokens,
      trackStream: (end) => {
        this.streams.add(end);
        return () => this.streams.delete(end);
      },
    };
    this.server = createServer({
      key: opts.tls.key, cert: opts.tls.cert, ca: opts.tls.ca, requestCert: true, rejectUnauthorized: false,
      keepAlive: true,
    }, (req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 65_000;
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    // Upgrades (exec, attach, port-forward) take the same pipeline, answering through the raw socket.
    if (opts.kubeletClient) registerKubeletClient(this.deps, opts.kubeletClient);
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => void this.handle(req, upgradeResponse(req, socket, head)));
  }

  /** Loads the watch cache, creates the bootstrap namespaces and starts listening. */
  async start(): Promise<{ host: string; port: number }> {
    await this.cache.start();
    this.opts.authorizer.attach?.({ cache: this.cache });
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port, this.opts.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    await this.bootstrap();
    this.ready = true;
    const a = this.server.address() as AddressInfo;
    return { host: a.address, port: a.port };
  }

  get address(): AddressInfo {
    return this.server.address() as AddressInfo;
  }

  private async bootstrap(): Promise<void> {
    const ns = findResource('', 'v1', 'namespaces')!;
    for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
      const exists = await this.objects.lookup('', 'namespaces', '', name);
      if (exists) continue;
      try {
        await this.objects.create(ns, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, { fieldManager: 'kube-apiserver' });
      } catch (err) {
        if (!(err instanceof StatusError && err.code === 409)) throw err;
      }
    }
    await reconcileBootstrapPolicy(this.objects);
    const pcs = findResource('scheduling.k8s.io', 'v1', 'priorityclasses')!;
    for (const pc of SYSTEM_PRIORITY_CLASSES) {
      if (await this.objects.lookup('scheduling.k8s.io', 'priorityclasses', '', pc.name)) continue;
      try {
        await this.objects.create(pcs, '', { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: pc.name }, value: pc.value, description: pc.description, preemptionPolicy: 'PreemptLowerPriority' }, { fieldManager: 'kube-apiserver' });
      } catch (err) {
        if (!(err instanceof StatusError && err.code === 409)) throw err;
      }
    }
  }

  /** Stops accepting requests, ends watches, waits for in-flight writes, closes the cache. */
  async close(): Promise<void> {
    this.shuttingDown = true;
    this.ready = false;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const end of [...this.streams]) end();
    if (this.inflight > 0) await new Promise<void>((resolve) => (this.idle = resolve));
    for (const s of this.sockets) s.destroy();
    await closed;
    await this.cache.close();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.inflight++;
    const warnings: string[] = [];
    try {
      await this.route(req, res, warnings);
    } catch (err) {
      this.fail(res, err, warnings);
    } finally {
      this.inflight--;
      if (this.inflight === 0 && this.idle) this.idle();
    }
  }

  private fail(res: ServerResponse, err: unknown, warnings: string[]): void {
    let status: StatusError;
    if (err instanceof StatusError) status = err;
    else if (err instanceof UnauthorizedError) status = unauthorized();
    else {
      this.log(`internal error: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
      status = internalError(err instanceof Error ? err.message : String(err));
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    sendJson({ res, warnings }, status.code, status.toStatus());
  }

  private async route(req: IncomingMessage, res: ServerResponse, warnings: string[]): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://localhost');
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    if (this.shuttingDown) throw new StatusError(503, 'ServiceUnavailable', 'the server is shutting down');
    if (PUBLIC_PATHS.has(path)) return this.public(path, url, res);
    for (const route of this.opts.extraRoutes ?? []) if (await route(req, res, path)) return;
    let user: UserInfo;
    // A connection's client certificate is verified once per TLS session; requests carrying
    // their own credentials (a bearer token) are authenticated each time.
    const cached = req.headers.authorization ? undefined : this.connectionUsers.get(req.socket);
    if (cached) user = cached;
    else {
      try {
        user = await authenticateRequest(req, this.opts.authenticators);
      } catch (err) {
        if (err instanceof UnauthorizedError) throw unauthorized();
        throw err;
      }
      if (!req.headers.authorization) this.connectionUsers.set(req.socket, user);
    }
    const info = parseRequestInfo(req.method ?? 'GET', path, url.searchParams);
    // Audited as the authenticated user; an impersonated one is recorded as impersonatedUser.
    const audit = this.opts.auditor?.begin({ req, res, user, info });
    if (wantsImpersonation(req)) {
      user = await impersonate(req, user, async (c) => this.opts.authorizer.authorize(c), (c, reason) => forbiddenError(c, reason));
      audit?.impersonated(user);
    }
    await this.authorize(user, info);
    if (!info.isResourceRequest) return this.nonResource(req, res, path, url);
    const resource = findResource(info.group, info.version, info.resource);
    // No route for these paths upstream: a plain 404, not a missing object.
    if (!resource) throw routeNotFound();
    if (resource.namespaced && !info.namespace && ['create', 'update', 'patch', 'delete', 'get'].includes(info.verb) && resource.stored) {
      throw routeNotFound();
    }
    // POST names no object; PUT and PATCH name one (subresources have their own rules).
    if (!info.subresource && ((info.verb === 'create' && info.name) || ((info.verb === 'update' || info.verb === 'patch') && !info.name))) {
      throw methodNotAllowed('the server does not allow this method on the requested resource');
    }
    const storage = resource.stored ? findStorageResource(resource.storageGroup, resource.plural) ?? resource : resource;
    const call: Call = { req, res, query: url.searchParams, info, resource, storage, user, negotiated: negotiate(req.headers.accept), warnings };
    if (!resource.stored) return handleReview(this.deps, { authorizer: this.opts.authorizer, authenticators: this.opts.authenticators, tokens: this.opts.serviceAccountTokens }, call);
    if (info.subresource && info.subresource !== 'status') {
      if (!(info.subresource in resource.subresources)) throw routeNotFound();
      return handleSubresource(this.deps, call);
    }
    if (info.subresource === 'status' && !('status' in resource.subresources)) throw routeNotFound();
    return handleResource(this.deps, call);
  }

  private async authorize(user: UserInfo, info: RequestInfo): Promise<void> {
    const attrs = info.isResourceRequest
      ? { user, verb: info.verb, isResourceRequest: true, namespace: info.namespace, group: info.group, version: info.version, resource: info.resource, subresource: info.subresource, name: info.name }
      : { user, verb: info.verb, isResourceRequest: false, path: info.path };
    const d = await this.opts.authorizer.authorize(attrs);
    if (!d.allowed) throw forbiddenError(attrs, d.reason);
  }

  private public(path: string, url: URL, res: ServerResponse): void {
    if (path === '/version') {
      const v = this.version;
      sendJson({ res, warnings: [] }, 200, {
        major: v.major, minor: v.minor, gitVersion: v.gitVersion, gitCommit: 'k8ts', gitTreeState: 'clean',
        buildDate: '2026-01-01T00:00:00Z', goVersion: `node${process.versions.node}`, compiler: 'tsc', platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
      });
      return;
    }
    const ok = path !== '/readyz' || this.ready;
    const verbose = url.searchParams.has('verbose');
    const checks = path === '/readyz' ? ['ping', 'etcd', 'watch-cache', 'bootstrap-namespaces'] : ['ping', 'etcd'];
    const body = verbose
      ? `${checks.map((c) => `[${ok ? '+' : '-'}]${c} ${ok ? 'ok' : 'failed'}`).join('\n')}\n${path.slice(1)} check ${ok ? 'passed' : 'failed'}\n`
      : ok ? 'ok' : `[-]${path.slice(1)} failed: not ready\n`;
    res.writeHead(ok ? 200 : 500, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
    res.end(body);
  }

  private nonResource(req: IncomingMessage, res: ServerResponse, path: string, url: URL): void {
    const send = (body: string, contentType = 'application/json'): void => {
      res.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-cache, private' });
      res.end(body);
    };
    if (path === '/api' || path === '/apis') {
      const n = negotiate(req.headers.accept);
      if (n.aggregatedDiscovery) return send(aggregatedDiscovery(path, n.aggregatedDiscovery), aggregatedContentType(n.aggregatedDiscovery));
      return send(path === '/api' ? apiVersions(`${this.address.address}:${this.address.port}`) : apiGroupList());
    }
    const m = /^\/(?:api\/(v1)|apis\/([^/]+)(?:\/([^/]+))?)$/.exec(path);
    if (m) {
      const doc = m[1] ? apiResourceList('', 'v1') : m[3] ? apiResourceList(m[2], m[3]) : apiGroupDocument(m[2]);
      if (doc) return send(doc);
    }
    if (path === '/openapi/v2' || path === '/openapi/v3' || path.startsWith('/openapi/v3/')) {
      const r = handleOpenAPI({ method: req.method ?? 'GET', path, query: url.searchParams, accept: req.headers.accept, ifNoneMatch: req.headers['if-none-match'] });
      if (r) {
        res.writeHead(r.status, r.headers);
        res.end(r.bytes ?? r.body);
        return;
      }
    }
    throw routeNotFound();
  }

  get servedResources(): number {
    return RESOURCES.length;
  }
}
