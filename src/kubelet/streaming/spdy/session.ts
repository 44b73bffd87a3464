/**
 * A SPDY/3.1 session over a byte stream (a socket after an HTTP upgrade), in the client role (odd stream
 * ids) or the server role (even ids). Streams are multiplexed; each side half-closes with FIN. Frames are
 * written strictly in order through one queue, because header compression is asynchronous. Flow control
 * windows are not enforced (the Kubernetes SPDY peers do not rely on them); WINDOW_UPDATE and SETTINGS
 * are accepted and ignored.
 */
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { encodeFrame, FrameReader, RstStatus, type Frame } from './frames.js';
import { HeaderCompressor, HeaderDecompressor, type SpdyHeaders } from './header-block.js';

/** Largest DATA payload this side sends in one frame. */
const DATA_CHUNK = 32 * 1024;

export interface SpdyStreamEvents {
  data: [Buffer];
  end: [];
  reply: [SpdyHeaders];
  headers: [SpdyHeaders];
  reset: [number];
  close: [];
}

export class SpdyStream extends EventEmitter<SpdyStreamEvents> {
  /** Headers of the SYN_STREAM (ours or the peer's). */
  readonly headers: SpdyHeaders;
  replyHeaders?: SpdyHeaders;
  localClosed = false;
  remoteClosed = false;
  reset = false;
  private closed = false;

  constructor(private readonly session: SpdySession, readonly id: number, headers: SpdyHeaders) {
    super();
    this.headers = headers;
  }

  /** Sends data on this stream (ignored once this side has closed it). */
  write(data: Buffer | string): void {
    if (this.localClosed || this.reset) return;
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    for (let off = 0; off < buf.length; off += DATA_CHUNK) {
      this.session.send({ type: 'DATA', streamId: this.id, fin: false, data: buf.subarray(off, off + DATA_CHUNK) });
    }
  }

  /** Half-closes this side (a DATA frame with FIN), optionally after a last chunk. */
  end(data?: Buffer | string): void {
    if (data !== undefined) this.write(data);
    if (this.localClosed || this.reset) return;
    this.localClosed = true;
    this.session.send({ type: 'DATA', streamId: this.id, fin: true, data: Buffer.alloc(0) });
    this.maybeClose();
  }

  /** Answers a peer's SYN_STREAM. */
  reply(headers: SpdyHeaders = {}, fin = false): void {
    if (fin) this.localClosed = true;
    this.session.sendHeaders('SYN_REPLY', this.id, headers, fin);
    this.maybeClose();
  }

  /** Aborts the stream (RST_STREAM). */
  abort(status: number = RstStatus.CANCEL): void {
    if (this.reset || this.closed) return;
    this.session.send({ type: 'RST_STREAM', streamId: this.id, status });
    this.onReset(status);
  }

  /** @internal */
  onData(data: Buffer, fin: boolean): void {
    if (data.length) this.emit('data', data);
    if (fin) this.onRemoteFin();
  }

  /** @internal */
  onRemoteFin(): void {
    if (this.remoteClosed) return;
    this.remoteClosed = true;
    this.emit('end');
    this.maybeClose();
  }

  /** @internal */
  onReset(status: number): void {
    if (this.reset) return;
    this.reset = true;
    this.localClosed = true;
    if (!this.remoteClosed) {
      this.remoteClosed = true;
      this.emit('reset', status);
      this.emit('end');
    }
    this.maybeClose();
  }

  private maybeClose(): void {
    if (this.closed || !this.localClosed || !this.remoteClosed) return;
    this.closed = true;
    this.session.forget(this.id);
    this.emit('close');
  }
}

export interface SpdySessionEvents {
  /** A stream the peer opened; answer it with `stream.reply()` (or `abort()`). */
  stream: [SpdyStream];
  ping: [number];
  goaway: [number];
  close: [];
  error: [Error];
}

export class SpdySession extends EventEmitter<SpdySessionEvents> {
  private readonly streams = new Map<number, SpdyStream>();
  private readonly reader = new FrameReader();
  private readonly compressor = new HeaderCompressor();
  private readonly decompressor = new HeaderDecompressor();
  private nextId: number;
  private nextPing: number;
  private lastPeerStream = 0;
  private writeChain: Promise<void> = Promise.resolve();
  private readChain: Promise<void> = Promise.resolve();
  private ended = false;

  /** `head`: bytes already read from the socket (after an HTTP upgrade's response head). */
  constructor(private readonly socket: Duplex, readonly role: 'client' | 'server', head?: Buffer) {
    super();
    this.nextId = role === 'client' ? 1 : 2;
    this.nextPing = role === 'client' ? 1 : 2;
    socket.on('data', (chunk: Buffer) => this.onBytes(chunk));
    socket.on('end', () => this.shutdown());
    socket.on('close', () => this.shutdown());
    socket.on('error', (err: Error) => {
      this.fail(err);
      this.shutdown();
    });
    // Frames are handled asynchronously, so listeners attached right after construction see these too.
    if (head?.length) this.onBytes(head);
  }

  /** Opens a stream with the given headers. */
  openStream(headers: SpdyHeaders, opts: { fin?: boolean; unidirectional?: boolean; priority?: number } = {}): SpdyStream {
    const id = this.nextId;
    this.nextId += 2;
    const stream = new SpdyStream(this, id, headers);
    if (opts.fin) stream.localClosed = true;
    if (opts.unidirectional) stream.remoteClosed = true;
    this.streams.set(id, stream);
    this.enqueue(async () => encodeFrame({
      type: 'SYN_STREAM', streamId: id, associatedStreamId: 0, priority: opts.priority ?? 0, slot: 0,
      fin: Boolean(opts.fin), unidirectional: Boolean(opts.unidirectional), headerBlock: await this.compressor.compress(headers),
    }));
    return stream;
  }

  ping(): number {
    const id = this.nextPing;
    this.nextPing += 2;
    this.send({ type: 'PING', id });
    return id;
  }

  /** Sends GOAWAY and closes the connection once everything queued is written. */
  async close(): Promise<void> {
    if (this.ended) return;
    this.send({ type: 'GOAWAY', lastGoodStreamId: this.lastPeerStream, status: 0 });
    await this.writeChain;
    this.socket.end();
  }

  /** Tears the connection down at once. */
  destroy(): void {
    this.socket.destroy();
    this.shutdown();
  }

  get isClosed(): boolean {
    return this.ended;
  }

  /** @internal */
  send(frame: Parameters<typeof encodeFrame>[0]): void {
    this.enqueue(() => encodeFrame(frame));
  }

  /** @internal */
  sendHeaders(type: 'SYN_REPLY' | 'HEADERS', streamId: number, headers: SpdyHeaders, fin: boolean): void {
    this.enqueue(async () => encodeFrame({ type, streamId, fin, headerBlock: await this.compressor.compress(headers) }));
  }

  /** @internal */
  forget(id: number): void {
    this.streams.delete(id);
  }

  private enqueue(produce: () => Buffer | Promise<Buffer>): void {
    this.writeChain = this.writeChain.then(async () => {
      if (this.ended || this.socket.destroyed || this.socket.writableEnded) return;
      const bytes = await produce();
      if (!this.socket.destroyed && !this.socket.writableEnded) this.socket.write(bytes);
    }).catch((err: unknown) => {
      this.fail(err);
      this.destroy();
    });
  }

  private onBytes(chunk: Buffer): void {
    let frames: Frame[];
    try {
      frames = this.reader.push(chunk);
    } catch (err) {
      this.fail(err);
      this.destroy();
      return;
    }
    for (const f of frames) {
      this.readChain = this.readChain.then(() => this.onFrame(f)).catch((err: unknown) => {
        this.fail(err);
        this.destroy();
      });
    }
  }

  private async onFrame(f: Frame): Promise<void> {
    switch (f.type) {
      case 'SYN_STREAM': {
        const headers = await this.decompressor.decompress(f.headerBlock);
        if (this.streams.has(f.streamId)) {
          this.send({ type: 'RST_STREAM', streamId: f.streamId, status: RstStatus.STREAM_IN_USE });
          return;
        }
        this.lastPeerStream = Math.max(this.lastPeerStream, f.streamId);
        const stream = new SpdyStream(this, f.streamId, headers);
        if (f.unidirectional) stream.localClosed = true;
        this.streams.set(f.streamId, stream);
        this.emit('stream', stream);
        if (f.fin) stream.onRemoteFin();
        return;
      }
      case 'SYN_REPLY':
      case 'HEADERS': {
        const headers = await this.decompressor.decompress(f.headerBlock);
        const stream = this.streams.get(f.streamId);
        if (!stream) return;
        if (f.type === 'SYN_REPLY') {
          stream.replyHeaders = headers;
          stream.emit('reply', headers);
        } else stream.emit('headers', headers);
        if (f.fin) stream.onRemoteFin();
        return;
      }
      case 'DATA': {
        const stream = this.streams.get(f.streamId);
        if (!stream) {
          if (f.streamId !== 0) this.send({ type: 'RST_STREAM', streamId: f.streamId, status: RstStatus.INVALID_STREAM });
          return;
        }
        stream.onData(f.data, f.fin);
        return;
      }
      case 'RST_STREAM':
        this.streams.get(f.streamId)?.onReset(f.status);
        return;
      case 'PING':
        // Echo the peer's pings (ids of the other parity); ours coming back are just reported.
        if ((f.id % 2 === 1) !== (this.role === 'client')) this.send({ type: 'PING', id: f.id });
        else this.emit('ping', f.id);
        return;
      case 'GOAWAY':
        this.emit('goaway', f.lastGoodStreamId);
        return;
      default:
        return; // SETTINGS, WINDOW_UPDATE and unknown control frames need nothing from us
    }
  }

  /** Reports an error to 'error' listeners, if any (a session without them just closes). */
  private fail(err: unknown): void {
    if (this.listenerCount('error') > 0) this.emit('error', err instanceof Error ? err : new Error(String(err)));
  }

  private shutdown(): void {
    if (this.ended) return;
    this.ended = true;
    void this.readChain.then(() => {
      for (const s of [...this.streams.values()]) s.onReset(RstStatus.CANCEL);
      this.streams.clear();
      this.compressor.close();
      this.decompressor.close();
      this.emit('close');
    });
  }
}
