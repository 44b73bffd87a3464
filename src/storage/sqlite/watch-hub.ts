/**
 * storage/sqlite/watch-hub: fans committed events out to watchers of an in-process store.
 *
 * The store calls publish() right after each commit, in revision order. A new watcher whose
 * afterRevision is behind the store first catches up from history (read in bounded pages
 * between event-loop turns) up to the revision current when it was added, while newer live
 * events queue up behind; then it switches to live delivery. Either way it sees every matching
 * event with revision > afterRevision exactly once and in order.
 *
 * Delivery is asynchronous (one microtask per batch of writes committed in the same turn), so
 * writers never wait for watchers; onEvents must not block (a consumer that cannot keep up,
 * e.g. a slow HTTP client, buffers on its side and ends itself). Events queue up while a
 * watcher catches up; a watcher whose queue grows beyond maxBuffered is ended with
 * WatchOverflowError instead of growing without bound, and the caller re-watches from the last
 * revision it saw.
 */

import type { WatchEvent, WatchHandlers, Watcher } from '../store.js';
import { CompactedError, UnavailableError, WatchOverflowError } from '../store.js';

/** What the hub needs from the store to replay history. */
export interface HistorySource {
  /**
   * Matching events with after < revision <= upTo, scanning at most maxRevisions revisions.
   * Returns the events (in revision order) and the revision the scan reached.
   */
  readHistory(prefix: string, after: number, upTo: number, maxRevisions: number): { events: WatchEvent[]; scannedTo: number };
  /** The store's compacted revision now. */
  compactedRevision(): number;
}

export interface WatchHubOptions {
  /** Queued events after which a watcher is ended with WatchOverflowError. */
  maxBuffered: number;
  /** Revisions scanned per catch-up step. */
  catchUpPageRevisions: number;
}

type State = 'catching-up' | 'live' | 'closed';

class HubWatcher implements Watcher {
  state: State;
  /** Catch-up: last revision scanned. Live: events with revision <= cursor are skipped. */
  cursor: number;
  pending: WatchEvent[] = [];
  flushScheduled = false;

  constructor(
    private readonly hub: WatchHub,
    readonly prefix: string,
    afterRevision: number,
    /** Catch up to here from history; live events start after it. */
    readonly catchUpTo: number,
    readonly handlers: WatchHandlers,
  ) {
    this.cursor = afterRevision;
    this.state = afterRevision < catchUpTo ? 'catching-up' : 'live';
  }

  async close(): Promise<void> {
    this.hub.remove(this);
  }
}

export class WatchHub {
  private readonly watchers = new Set<HubWatcher>();

  constructor(
    private readonly source: HistorySource,
    private readonly opts: WatchHubOptions,
  ) {}

  get size(): number {
    return this.watchers.size;
  }

  /**
   * Adds a watcher for events under prefix with revision > afterRevision. currentRevision must
   * be the store's revision at this moment (no write may commit between reading it and this call).
   */
  add(prefix: string, afterRevision: number, currentRevision: number, handlers: WatchHandlers): Watcher {
    const w = new HubWatcher(this, prefix, afterRevision, currentRevision, handlers);
    this.watchers.add(w);
    if (w.state === 'catching-up') setImmediate(() => this.catchUp(w));
    return w;
  }

  /** Called by the store after each commit, in revision order. */
  publish(ev: WatchEvent): void {
    for (const w of this.watchers) {
      if (!ev.kv.key.startsWith(w.prefix)) continue;
      if (w.state === 'live' && ev.revision <= w.cursor) continue; // watcher started in the future
      w.pending.push(ev);
      if (w.pending.length > this.opts.maxBuffered) {
        this.fail(
          w,
          new WatchOverflowError(
            `watch on "${w.prefix}" fell more than ${this.opts.maxBuffered} events behind; watch again from the last revision seen`,
          ),
        );
        continue;
      }
      if (w.state === 'live') this.scheduleFlush(w);
    }
  }

  /** Ends every watcher with err (store closing). */
  closeAll(err: Error = new UnavailableError('store closed')): void {
    for (const w of [...this.watchers]) this.fail(w, err);
  }

  remove(w: HubWatcher): void {
    w.state = 'closed';
    w.pending = [];
    this.watchers.delete(w);
  }

  private scheduleFlush(w: HubWatcher): void {
    if (w.flushScheduled) return;
    w.flushScheduled = true;
    // A microtask, not setImmediate: a writer looping over awaited writes never yields to the
    // event loop, and its watchers must still hear about each write as it happens.
    queueMicrotask(() => {
      w.flushScheduled = false;
      this.flush(w);
    });
  }

  private flush(w: HubWatcher): void {
    if (w.state !== 'live' || w.pending.length === 0) return;
    const events = w.pending;
    w.pending = [];
    w.cursor = events[events.length - 1]!.revision;
    this.deliver(w, events);
  }

  private catchUp(w: HubWatcher): void {
    if (w.state !== 'catching-up') return;
    try {
      const compacted = this.source.compactedRevision();
      if (w.cursor < compacted) {
        this.fail(w, new CompactedError(w.cursor, compacted));
        return;
      }
      const { events, scannedTo } = this.source.readHistory(w.prefix, w.cursor, w.catchUpTo, this.opts.catchUpPageRevisions);
      w.cursor = scannedTo;
      if (events.length > 0) this.deliver(w, events);
    } catch (err) {
      this.fail(w, err instanceof Error ? err : new Error(String(err)));
      return;
    }
    if (w.state !== 'catching-up') return; // closed by the handler or failed
    if (w.cursor < w.catchUpTo) {
      setImmediate(() => this.catchUp(w));
      return;
    }
    w.state = 'live';
    this.flush(w);
  }

  private deliver(w: HubWatcher, events: WatchEvent[]): void {
    try {
      w.handlers.onEvents(events);
    } catch (err) {
      this.fail(w, err instanceof Error ? err : new Error(String(err)));
    }
  }

  private fail(w: HubWatcher, err: Error): void {
    if (w.state === 'closed') return;
    this.remove(w);
    try {
      w.handlers.onError(err);
    } catch {
      // The watch is over either way; a throwing error handler has nobody left to tell.
    }
  }
}
