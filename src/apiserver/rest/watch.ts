/**
 * Watch streams: newline-delimited JSON events over a chunked response, fed by the watch cache.
 * Selectors are applied per event (an object that stops matching is sent as DELETED, one that
 * starts matching as ADDED, as upstream), bookmarks when asked, and a 410 ERROR event when the
 * requested resourceVersion is older than the cache's window.
 */
import type { ServerResponse } from 'node:http';
import type { ResourceInfo } from '../../api/resources.js';
import { apiVersionOf } from '../../api/resources.js';
import { expired, fromStoreError, StatusError } from '../status.js';
import type { CachedEvent, WatchCache } from '../watch-cache.js';
import { TooOldResourceVersionError } from '../watch-cache.js';
import { decodeShared, jsonOf, type KObject } from './codec.js';
import type { KeyValue } from '../../storage/store.js';
import { collectionPrefix } from './keys.js';
import { makeFilter } from './list.js';
import { toTable, type IncludeObject } from './table.js';
import type { Representation } from '../negotiation.js';

export interface WatchRequest {
  /** The stored resource (keys, selectors). */
  resource: ResourceInfo;
  /** The resource as requested (tables, bookmarks). */
  view: ResourceInfo;
  namespace: string;
  labelSelector?: string | null;
  fieldSelector?: string | null;
  resourceVersion?: string | null;
  allowBookmarks: boolean;
  timeoutSeconds?: number;
  as: Representation;
  includeObject: IncludeObject;
  sendInitialEvents?: boolean;
}

export interface WatchOptions {
  bookmarkIntervalMs: number;
  /** Called to register the stream so shutdown can end it. Returns an unregister function. */
  track(end: () => void): () => void;
  convert(obj: KObject): KObject;
}

type EventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export async function serveWatch(cache: WatchCache, res: ServerResponse, w: WatchRequest, opts: WatchOptions): Promise<void> {
  const r = w.resource;
  const filter = makeFilter(r, w.labelSelector, w.fieldSelector);
  const prefix = collectionPrefix(r, w.namespace);
  let first = true;
  const render = (type: EventType, kv: KeyValue): string => {
    const obj = decodeShared(kv);
    let body: unknown = opts.convert(obj);
    // The common case: the stored object as it is, serialized once for every watcher.
    if (w.as === 'object' && body === obj) return `{"type":"${type}","object":${jsonOf(kv)}}\n`;
    if (type !== 'BOOKMARK' && type !== 'ERROR') {
      if (w.as === 'table') {
        body = toTable(w.view, [body as KObject], { includeObject: w.includeObject, noHeaders: !first });
        first = false;
      } else if (w.as === 'partial') {
        body = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
      }
    }
    return `${JSON.stringify({ type, object: body })}\n`;
  };

  let afterRevision: number;
  const initial: KeyValue[] = [];
  const rv = w.resourceVersion ?? '';
  try {
    if (rv === '' || rv === '0') {
      afterRevision = rv === '' ? await cache.sync() : cache.revision;
      if (w.sendInitialEvents !== false) for (const kv of cache.list(prefix)) {
        if (filter.matches(decodeShared(kv))) initial.push(kv);
      }
    } else {
      if (!/^\d+$/.test(rv)) throw new StatusError(400, 'BadRequest', `invalid resource version: ${rv}`);
      afterRevision = Number(rv);
      if (afterRevision > cache.revision) {
        await cache.waitFor(afterRevision).catch(() => {
          throw new StatusError(504, 'Timeout', `Too large resource version: ${afterRevision}, current: ${cache.revision}`);
        });
      }
    }
  } catch (err) {
    throw err instanceof StatusError ? err : fromStoreError(err, { group: r.group, resource: r.plural });
  }

  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Transfer-Encoding': 'chunked',
    'Cache-Control': 'no-cache, private',
  });
  res.flushHeaders();

  let ended = false;
  let lastSent = afterRevision;
  const cleanup: (() => void)[] = [];
  const end = (): void => {
    if (ended) return;
    ended = true;
    for (const c of cleanup) c();
    res.end();
  };
  cleanup.push(opts.track(end));
  res.on('close', end);

  const write = (chunk: string): void => {
    if (ended) return;
    res.write(chunk);
  };

  if (initial.length) write(initial.map((o) => render('ADDED', o)).join(''));

  const onEvents = (events: CachedEvent[]): void => {
    if (events.length === 0) {
      // The cache ended this watch: the client must re-list.
      end();
      return;
    }
    let out = '';
    for (const e of events) {
      const obj = decodeShared(e.kv);
      const now = filter.matches(obj);
      const before = e.prev ? filter.matches(decodeShared(e.prev)) : false;
      let type: EventType | undefined;
      if (e.type === 'DELETED') type = now || before ? 'DELETED' : undefined;
      else if (e.type === 'ADDED') type = now ? 'ADDED' : undefined;
      else if (now && before) type = 'MODIFIED';
      else if (now) type = 'ADDED';
      else if (before) type = 'DELETED';
      if (!type) continue;
      out += render(type, e.kv);
      // Only what the client was sent counts: events it never saw are what bookmarks are for.
      lastSent = e.revision;
    }
    if (out) write(out);
  };

  try {
    // An equality field selector (a node's pods, one object by name) indexes the subscription,
    // so the cache hands this watch only the events that can match.
    const eq = filter.fields.find((f) => f.operator === '=');
    const index = eq && {
      name: `${r.group}/${r.plural}/${eq.field}`,
      value: eq.value,
      extract: (kv: KeyValue) => filter.fieldValue(decodeShared(kv), eq.field),
    };
    const sub = cache.subscribe(prefix, afterRevision, onEvents, index);
    cleanup.push(() => sub.close());
  } catch (err) {
    if (err instanceof TooOldResourceVersionError) {
      const status = expired(`too old resource version: ${err.requested} (${err.oldest})`).toStatus();
      write(`${JSON.stringify({ type: 'ERROR', object: status })}\n`);
      end();
      return;
    }
    throw err;
  }

  if (w.allowBookmarks) {
    const kind = w.view.kind;
    const apiVersion = apiVersionOf(w.view);
    const timer = setInterval(() => {
      if (cache.revision <= lastSent) return;
      lastSent = cache.revision;
      write(`${JSON.stringify({ type: 'BOOKMARK', object: { kind, apiVersion, metadata: { resourceVersion: String(cache.revision) } } })}\n`);
    }, opts.bookmarkIntervalMs);
    cleanup.push(() => clearInterval(timer));
  }
  const seconds = w.timeoutSeconds && w.timeoutSeconds > 0 ? w.timeoutSeconds : 1800 + Math.floor(Math.random() * 1800);
  const t = setTimeout(end, seconds * 1000);
  cleanup.push(() => clearTimeout(t));
}
