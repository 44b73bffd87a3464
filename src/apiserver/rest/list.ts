/**
 * Lists: served from the watch cache (consistent once the cache caught up with the store, or
 * "any" for resourceVersion=0), with label and field selectors and limit/continue pagination.
 * Continuing a list at a revision the cache has moved past reads the store at that revision.
 */
import type { ResourceInfo } from '../../api/resources.js';
import { matchesFields, parseFieldSelector, type FieldRequirement, FieldSelectorParseError } from '../../machinery/fields.js';
import { matches, parseSelector, SelectorParseError, type Selector } from '../../machinery/labels.js';
import type { KeyValue, Store } from '../../storage/store.js';
import { CompactedError } from '../../storage/store.js';
import { jsonSyntaxError } from '../json-syntax.js';
import { badRequest, expired, fromStoreError, StatusError } from '../status.js';
import type { WatchCache } from '../watch-cache.js';
import { decodeShared, type KObject } from './codec.js';
import { collectionPrefix } from './keys.js';

export interface ListQuery {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

export interface ListResult {
  items: KObject[];
  /** The stored entries the items come from, in the same order (for serialized output). */
  kvs: KeyValue[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface Filter {
  labels: Selector;
  fields: FieldRequirement[];
  matches(obj: KObject): boolean;
  /** The value of a selectable field of obj ('' when unset), as field selectors compare it. */
  fieldValue(obj: KObject, field: string): string;
}

export function makeFilter(r: ResourceInfo, labelSelector?: string | null, fieldSelector?: string | null): Filter {
  let labels: Selector;
  let fields: FieldRequirement[];
  try {
    labels = parseSelector(labelSelector ?? '');
  } catch (err) {
    if (err instanceof SelectorParseError) throw badRequest(`unable to parse requirement: ${err.message}`);
    throw err;
  }
  try {
    fields = parseFieldSelector(fieldSelector ?? '');
  } catch (err) {
    if (err instanceof FieldSelectorParseError) throw badRequest(err.message);
    throw err;
  }
  for (const f of fields) {
    if (f.field !== 'metadata.name' && f.field !== 'metadata.namespace' && !(f.field in r.fieldSelectors)) {
      throw badRequest(`field label not supported: ${f.field}`);
    }
  }
  const value = (obj: KObject) => (field: string): string | undefined => {
    if (field === 'metadata.name') return obj.metadata?.name;
    if (field === 'metadata.namespace') return obj.metadata?.namespace ?? '';
    return r.fieldSelectors[field]?.(obj);
  };
  return {
    labels,
    fields,
    matches: (obj) => (labels.length === 0 || matches(labels, obj.metadata?.labels)) && (fields.length === 0 || matchesFields(fields, value(obj))),
    fieldValue: (obj, field) => value(obj)(field) ?? '',
  };
}

interface ContinueToken {
  v: 'meta.k8s.io/v1';
  rv: number;
  start: string;
}

export function encodeContinue(rv: number, lastKey: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start: lastKey })).toString('base64url');
}

function decodeContinue(token: string): ContinueToken {
  const invalid = (why: string): StatusError => badRequest(`invalid continue token: continue key is not valid: ${why}`);
  // Unpadded URL-safe base64, as upstream; Buffer would silently skip anything else.
  const badByte = token.search(/[^A-Za-z0-9_-]/);
  if (badByte >= 0 || token.length % 4 === 1) throw invalid(`illegal base64 data at input byte ${badByte >= 0 ? badByte : token.length - 1}`);
  const text = Buffer.from(token, 'base64url').toString('utf8');
  let t: Partial<ContinueToken>;
  try {
    t = JSON.parse(text) as Partial<ContinueToken>;
  } catch {
    throw invalid(jsonSyntaxError(text) ?? 'invalid JSON');
  }
  if (t === null || typeof t !== 'object' || t.v !== 'meta.k8s.io/v1') throw invalid('server does not recognize this encoded version');
  if (typeof t.rv !== 'number' || t.rv <= 0) throw invalid('incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  if (typeof t.start !== 'string' || t.start === '') throw invalid('encoded start key empty (version meta.k8s.io/v1)');
  return t as ContinueToken;
}

const TOO_OLD_CONTINUE = 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

export async function listObjects(store: Store, cache: WatchCache, r: ResourceInfo, namespace: string, q: ListQuery): Promise<ListResult> {
  const filter = makeFilter(r, q.labelSelector, q.fieldSelector);
  const prefix = collectionPrefix(r, namespace);
  const limit = q.limit && q.limit > 0 ? q.limit : 0;
  const rvParam = q.resourceVersion ?? '';
  if (rvParam !== '' && rvParam !== '0' && !/^\d+$/.test(rvParam)) throw badRequest(`invalid resource version: ${rvParam}`);
  if (q.continue && rvParam !== '' ) throw badRequest('specifying resource version is not allowed when using continue');

  let atRevision: number;
  let startAfter: string | undefined;
  if (q.continue) {
    const t = decodeContinue(q.continue);
    atRevision = t.rv;
    startAfter = t.start;
  } else if (rvParam === '0') {
    atRevision = cache.revision;
  } else if (rvParam === '') {
    atRevision = await cache.sync().catch((e) => { throw fromStoreError(e, { group: r.group, resource: r.plural }); });
  } else {
    const want = Number(rvParam);
    if (q.resourceVersionMatch === 'Exact') atRevision = want;
    else {
      await cache.waitFor(want).catch(() => { throw new StatusError(504, 'Timeout', `Too large resource version: ${want}, current: ${cache.revision}`); });
      atRevision = cache.revision;
    }
  }

  if (atRevision === cache.revision) {
    // The cache holds exactly this revision's state.
    const all = cache.list(prefix);
    let i = 0;
    if (startAfter !== undefined) {
      let lo = 0;
      let hi = all.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (all[mid].key <= startAfter) lo = mid + 1;
        else hi = mid;
      }
      i = lo;
    }
    const items: KObject[] = [];
    const kvs: KeyValue[] = [];
    let lastKey = '';
    for (; i < all.length; i++) {
      const obj = decodeShared(all[i]);
      if (!filter.matches(obj)) continue;
      if (limit && items.length === limit) break;
      items.push(obj);
      kvs.push(all[i]);
      lastKey = all[i].key;
    }
    const more = limit > 0 && i < all.length && hasMatchAfter(all, i, filter);
    const result: ListResult = { items, kvs, resourceVersion: String(atRevision) };
    if (more) {
      result.continue = encodeContinue(atRevision, lastKey);
      if (filter.labels.length === 0 && filter.fields.length === 0) result.remainingItemCount = all.length - i;
    }
    return result;
  }

  // An older revision: read the store at that revision, page by page, filtering as we go.
  const items: KObject[] = [];
  const kvs: KeyValue[] = [];
  let lastKey = startAfter;
  let more = false;
  let remaining: number | undefined;
  try {
    for (;;) {
      const want = limit ? limit - items.length : 0;
      const page = await store.list({ prefix, revision: atRevision, limit: want ? Math.max(want, 100) : 0, startAfter: lastKey });
      let consumed = 0;
      for (const kv of page.items) {
        const obj = decodeShared(kv);
        if (filter.matches(obj)) {
          if (limit && items.length === limit) {
            more = true;
            break;
          }
          items.push(obj);
          kvs.push(kv);
        }
        consumed++;
        lastKey = kv.key;
      }
      if (more) break;
      if (!page.more) break;
      if (limit && items.length === limit) {
        more = true;
        if (filter.labels.length === 0 && filter.fields.length === 0 && page.remaining !== undefined) remaining = page.remaining + (page.items.length - consumed);
        break;
      }
    }
  } catch (err) {
    if (err instanceof CompactedError) throw expired(q.continue ? TOO_OLD_CONTINUE : `The resourceVersion for the provided list is too old.`);
    throw fromStoreError(err, { group: r.group, resource: r.plural });
  }
  const result: ListResult = { items, kvs, resourceVersion: String(atRevision) };
  if (more && lastKey) {
    result.continue = encodeContinue(atRevision, lastKey);
    if (remaining !== undefined) result.remainingItemCount = remaining;
  }
  return result;
}

function hasMatchAfter(all: KeyValue[], from: number, filter: Filter): boolean {
  if (filter.labels.length === 0 && filter.fields.length === 0) return from < all.length;
  for (let i = from; i < all.length; i++) if (filter.matches(decodeShared(all[i]))) return true;
  return false;
}
