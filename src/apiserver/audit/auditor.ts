/**
 * The audit log: for every request the policy does not put at level None, upstream-shaped
 * audit.k8s.io/v1 Event objects, one JSON line each, at the stages RequestReceived and
 * ResponseComplete (ResponseStarted too for watches, whose responses stay open), with the request
 * object (level Request and up) and the response object (RequestResponse) when they are JSON.
 * Every response carries the event's auditID in an `Audit-Id` header.
 */
import { randomUUID } from 'node:crypto';
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { UserInfo } from '../authn/types.js';
import { decodeBody, receivedBodies } from '../body.js';
import type { RequestInfo } from '../request-info.js';
import { evaluatePolicy, type AuditDecision, type AuditPolicy, type AuditStage } from './policy.js';

/** Where events go: a file (appended, 0600) or stdout for `-`. */
export interface AuditSink {
  write(line: string): void;
  close(): void;
}

export function auditFileSink(path: string): AuditSink {
  if (path === '-') return { write: (l) => void process.stdout.write(l), close: () => {} };
  const fd = openSync(path, 'a', 0o600);
  let closed = false;
  return {
    write(line) {
      if (!closed) writeSync(fd, line);
    },
    close() {
      if (closed) return;
      closed = true;
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    },
  };
}

/** MicroTime, as audit timestamps are written: RFC 3339 with microseconds. */
function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

const MAX_CAPTURE = 3 * 1024 * 1024;

function userJson(u: UserInfo): Record<string, unknown> {
  const o: Record<string, unknown> = { username: u.username };
  if (u.uid) o.uid = u.uid;
  o.groups = u.groups;
  if (u.extra && Object.keys(u.extra).length) o.extra = u.extra;
  return o;
}

function stripManagedFields(obj: any): any {
  if (!obj || typeof obj !== 'object') return obj;
  if (obj.metadata?.managedFields) obj = { ...obj, metadata: { ...obj.metadata, managedFields: undefined } };
  if (Array.isArray(obj.items)) obj = { ...obj, items: obj.items.map(stripManagedFields) };
  return obj;
}

export interface AuditHandle {
  /** The request acts as this user from here on (impersonation). */
  impersonated(user: UserInfo): void;
}

export interface AuditRequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  user: UserInfo;
  info: RequestInfo;
}

export class Auditor {
  constructor(private readonly policy: AuditPolicy, private readonly sink: AuditSink, private readonly clock: () => Date = () => new Date()) {}

  /**
   * Starts auditing one authenticated request (before impersonation, as upstream); events follow as
   * the response progresses. Report an impersonated user to the handle it returns.
   */
  begin(ctx: AuditRequestContext): AuditHandle {
    const { req, res, user, info } = ctx;
    const auditID = (typeof req.headers['audit-id'] === 'string' && req.headers['audit-id']) || randomUUID();
    if (!res.headersSent) res.setHeader('Audit-Id', auditID);
    const decision = evaluatePolicy(this.policy, {
      user, verb: info.verb, isResourceRequest: info.isResourceRequest, path: info.path, group: info.group,
      namespace: info.namespace, resource: info.resource, subresource: info.subresource, name: info.name,
    });
    if (decision.level === 'None') return { impersonated: () => {} };
    const received = this.clock();
    const base: Record<string, unknown> = {
      kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: decision.level, auditID, stage: '',
      requestURI: req.url ?? '/', verb: info.verb, user: userJson(user),
      sourceIPs: sourceIPs(req), userAgent: req.headers['user-agent'] ?? '',
    };
    if (info.isResourceRequest) {
      const ref: Record<string, unknown> = { resource: info.resource };
      if (info.namespace) ref.namespace = info.namespace;
      if (info.name) ref.name = info.name;
      if (info.group) ref.apiGroup = info.group;
      ref.apiVersion = info.version;
      if (info.subresource) ref.subresource = info.subresource;
      base.objectRef = ref;
    }
    this.emit(decision, 'RequestReceived', { ...base }, received);

    // Capture the response (status code, and the body when the level or an error needs it).
    const chunks: Buffer[] = [];
    let captured = 0;
    const watch = info.verb === 'watch';
    const capture = (chunk: unknown, encoding?: unknown) => {
      if (watch || captured > MAX_CAPTURE || chunk === undefined || chunk === null || typeof chunk === 'function') return;
      // Below RequestResponse only an error's Status is needed.
      if (decision.level !== 'RequestResponse' && res.statusCode < 400) return;
      const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
      captured += b.length;
      if (captured <= MAX_CAPTURE) chunks.push(b);
    };
    const write = res.write.bind(res) as (...a: unknown[]) => boolean;
    const end = res.end.bind(res) as (...a: unknown[]) => ServerResponse;
    (res as any).write = (chunk: unknown, ...rest: unknown[]) => {
      capture(chunk, rest[0]);
      return write(chunk, ...rest);
    };
    (res as any).end = (chunk?: unknown, ...rest: unknown[]) => {
      capture(chunk, rest[0]);
      return end(chunk, ...rest);
    };
    if (watch) {
      const started = () => this.emit(decision, 'ResponseStarted', { ...base, responseStatus: { metadata: {}, code: res.statusCode } }, received);
      const writeHead = res.writeHead.bind(res) as (...a: unknown[]) => ServerResponse;
      let once = false;
      (res as any).writeHead = (...a: unknown[]) => {
        const r = writeHead(...a);
        if (!once) {
          once = true;
          started();
        }
        return r;
      };
    }
    let done = false;
    const complete = () => {
      if (done) return;
      done = true;
      const ev: Record<string, unknown> = { ...base };
      const status: Record<string, unknown> = { metadata: {}, code: res.statusCode };
      const body = chunks.length ? parseJson(Buffer.concat(chunks)) : undefined;
      if (res.statusCode >= 400 && body?.kind === 'Status') {
        if (body.status) status.status = body.status;
        if (body.message) status.message = body.message;
        if (body.reason) status.reason = body.reason;
        if (body.details) status.details = body.details;
      }
      ev.responseStatus = status;
      if (decision.level === 'Request' || decision.level === 'RequestResponse') {
        const reqBody = receivedBodies.get(req);
        if (reqBody?.length) {
          try {
            const obj = decodeBody(reqBody, req.headers['content-type']).object;
            if (obj && typeof obj === 'object') ev.requestObject = decision.omitManagedFields ? stripManagedFields(obj) : obj;
          } catch {
            // an undecodable body is left out, as upstream does
          }
        }
      }
      if (decision.level === 'RequestResponse' && body && typeof body === 'object') {
        ev.responseObject = decision.omitManagedFields ? stripManagedFields(body) : body;
      }
      this.emit(decision, 'ResponseComplete', ev, received);
    };
    res.once('finish', complete);
    res.once('close', complete);
    return {
      impersonated: (u) => {
        // impersonatedUser goes right after user, as upstream orders the fields.
        const entries = Object.entries(base).filter(([k]) => k !== 'impersonatedUser');
        for (const k of Object.keys(base)) delete base[k];
        for (const [k, v] of entries) {
          base[k] = v;
          if (k === 'user') base.impersonatedUser = userJson(u);
        }
      },
    };
  }

  private emit(d: AuditDecision, stage: AuditStage, ev: Record<string, unknown>, received: Date): void {
    if (d.omitStages.includes(stage)) return;
    ev.stage = stage;
    ev.requestReceivedTimestamp = microTime(received);
    ev.stageTimestamp = microTime(this.clock());
    try {
      this.sink.write(`${JSON.stringify(ev)}\n`);
    } catch {
      // a failing audit backend must not fail the request (upstream's blocking mode would; logged by the caller)
    }
  }

  close(): void {
    this.sink.close();
  }
}

function sourceIPs(req: IncomingMessage): string[] {
  const out: string[] = [];
  const fwd = req.headers['x-forwarded-for'];
  if (typeof fwd === 'string') for (const ip of fwd.split(',')) if (ip.trim()) out.push(ip.trim());
  const remote = req.socket?.remoteAddress?.replace(/^::ffff:/, '');
  if (remote && !out.includes(remote)) out.push(remote);
  return out;
}

function parseJson(b: Buffer): any {
  try {
    return JSON.parse(b.toString('utf8'));
  } catch {
    return undefined;
  }
}
