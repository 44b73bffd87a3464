import { createServer, connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  encodeFrame, FrameReader, HeaderCompressor, HeaderDecompressor, SpdySession, type SpdyStream, decodeHeaderBlock, encodeHeaderBlock,
} from '../../src/kubelet/streaming/spdy/index.js';

describe('SPDY/3.1 frames', () => {
  it('round-trips every frame type, split across arbitrary chunk boundaries', () => {
    const frames = [
      { type: 'SYN_STREAM', streamId: 1, associatedStreamId: 0, priority: 3, slot: 0, fin: false, unidirectional: true, headerBlock: Buffer.from('hb') },
      { type: 'SYN_REPLY', streamId: 1, fin: true, headerBlock: Buffer.from('xyz') },
      { type: 'HEADERS', streamId: 3, fin: false, headerBlock: Buffer.alloc(0) },
      { type: 'DATA', streamId: 5, fin: true, data: Buffer.from('hello') },
      { type: 'DATA', streamId: 7, fin: false, data: Buffer.alloc(70_000, 7) },
      { type: 'RST_STREAM', streamId: 9, status: 5 },
      { type: 'SETTINGS', clear: false, entries: [{ id: 7, flags: 1, value: 65536 }] },
      { type: 'PING', id: 2 },
      { type: 'GOAWAY', lastGoodStreamId: 11, status: 0 },
      { type: 'WINDOW_UPDATE', streamId: 1, delta: 1024 },
    ] as const;
    const bytes = Buffer.concat(frames.map((f) => encodeFrame(f as never)));
    // A SYN_STREAM starts with the control bit, version 3 and type 1.
    expect([...bytes.subarray(0, 4)]).toEqual([0x80, 0x03, 0x00, 0x01]);
    const reader = new FrameReader();
    const got = [];
    for (let i = 0; i < bytes.length; i += 13) got.push(...reader.push(bytes.subarray(i, i + 13)));
    expect(reader.pending).toBe(0);
    expect(got).toEqual(frames);
  });

  it('encodes header blocks with NUL-joined multiple values and lower-case names', () => {
    const block = encodeHeaderBlock({ StreamType: 'stdout', multi: ['a', 'b'] });
    expect(decodeHeaderBlock(block)).toEqual({ streamtype: 'stdout', multi: ['a', 'b'] });
  });

  it('compresses header blocks with one zlib context per direction (later blocks depend on earlier ones)', async () => {
    const c = new HeaderCompressor();
    const d = new HeaderDecompressor();
    const blocks: Array<Record<string, string>> = [
      { streamtype: 'error', 'x-stream-protocol-version': 'v4.channel.k8s.io' },
      { streamtype: 'stdin', 'x-stream-protocol-version': 'v4.channel.k8s.io' },
      { streamtype: 'stdout', port: '80', requestid: '0' },
      {},
    ];
    const compressed = [];
    for (const b of blocks) compressed.push(await c.compress(b));
    // The second block repeats the first one's header and is much shorter than its plain encoding.
    expect(compressed[1]!.length).toBeLessThan(encodeHeaderBlock(blocks[1]!).length);
    // The stream carries a zlib header naming a preset dictionary (FDICT) only once, at the start.
    expect(compressed[0]![1]! & 0x20).toBe(0x20);
    for (let i = 0; i < blocks.length; i++) expect(await d.decompress(compressed[i]!)).toEqual(blocks[i]);
    // A fresh decompressor cannot read a later block on its own: the context really is shared.
    await expect(new HeaderDecompressor().decompress(compressed[1]!)).rejects.toThrow();
    c.close();
    d.close();
  });
});

describe('SPDY/3.1 session', () => {
  const cleanup: Array<() => void> = [];
  afterEach(() => {
    for (const f of cleanup.splice(0)) f();
  });

  async function pair(): Promise<{ client: SpdySession; server: SpdySession }> {
    let accepted!: (s: Socket) => void;
    const got = new Promise<Socket>((r) => (accepted = r));
    const srv = createServer((s) => accepted(s));
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as { port: number }).port;
    const sock = connect(port, '127.0.0.1');
    const serverSock = await got;
    cleanup.push(() => {
      sock.destroy();
      serverSock.destroy();
      srv.close();
    });
    return { client: new SpdySession(sock, 'client'), server: new SpdySession(serverSock, 'server') };
  }

  const collect = (s: SpdyStream): Promise<string> => new Promise((resolve) => {
    const parts: Buffer[] = [];
    s.on('data', (d) => parts.push(d));
    s.on('end', () => resolve(Buffer.concat(parts).toString()));
  });

  it('multiplexes streams with headers, data and half-close in both directions', async () => {
    const { client, server } = await pair();
    const seen: Array<{ headers: unknown; body: Promise<string>; stream: SpdyStream }> = [];
    const opened = new Promise<void>((resolve) => {
      server.on('stream', (st) => {
        st.reply({ ok: 'yes' });
        seen.push({ headers: st.headers, body: collect(st), stream: st });
        if (seen.length === 3) resolve();
      });
    });
    const a = client.openStream({ streamtype: 'stdin' });
    const b = client.openStream({ streamtype: 'stdout' });
    const c = client.openStream({ streamtype: 'error' }, { fin: true });
    expect([a.id, b.id, c.id]).toEqual([1, 3, 5]);
    const replied = new Promise((r) => a.once('reply', r));
    a.write('hello ');
    a.end(Buffer.alloc(100_000, 'x'));
    await opened;
    expect(await replied).toEqual({ ok: 'yes' });
    expect(seen.map((s) => s.headers)).toEqual([{ streamtype: 'stdin' }, { streamtype: 'stdout' }, { streamtype: 'error' }]);
    const bodyA = await seen[0]!.body;
    expect(bodyA.length).toBe(6 + 100_000);
    expect(bodyA.startsWith('hello xxx')).toBe(true);
    expect(await seen[2]!.body).toBe('');
    // Server → client on stream b, then FIN.
    const fromServer = collect(b);
    seen[1]!.stream.write('out-1 ');
    seen[1]!.stream.end('out-2');
    expect(await fromServer).toBe('out-1 out-2');
    // A server-initiated stream gets an even id.
    const back = new Promise<SpdyStream>((r) => client.once('stream', r));
    const s2 = server.openStream({ streamtype: 'data' });
    expect(s2.id).toBe(2);
    expect((await back).headers).toEqual({ streamtype: 'data' });
  });

  it('closes (without throwing) on a frame of another SPDY version', async () => {
    let accepted!: (s: Socket) => void;
    const got = new Promise<Socket>((r) => (accepted = r));
    const srv = createServer((s) => accepted(s));
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const sock = connect((srv.address() as { port: number }).port, '127.0.0.1');
    const serverSock = await got;
    cleanup.push(() => {
      sock.destroy();
      serverSock.destroy();
      srv.close();
    });
    const server = new SpdySession(serverSock, 'server');
    const closed = new Promise<void>((r) => server.once('close', () => r()));
    sock.write(Buffer.from([0x80, 0x02, 0x00, 0x06, 0x00, 0x00, 0x00, 0x04, 0, 0, 0, 1]));
    await closed;
    expect(server.isClosed).toBe(true);
  });

  it('reports RST_STREAM, answers pings and ends streams when the connection goes', async () => {
    const { client, server } = await pair();
    const got = new Promise<SpdyStream>((r) => server.once('stream', r));
    const s = client.openStream({ a: '1' });
    const st = await got;
    const reset = new Promise<number>((r) => st.once('reset', r));
    s.abort(5);
    expect(await reset).toBe(5);
    const pong = new Promise<number>((r) => client.once('ping', r));
    const id = client.ping();
    expect(await pong).toBe(id);
    const s3 = client.openStream({ b: '2' });
    const ended = new Promise<void>((r) => s3.once('end', () => r()));
    const closed = new Promise<void>((r) => client.once('close', () => r()));
    server.destroy();
    await ended;
    await closed;
    expect(client.isClosed).toBe(true);
  });
});
