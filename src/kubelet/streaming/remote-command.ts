/**
 * A client of the Kubernetes remote command protocol v4 (`v4.channel.k8s.io`) over SPDY/3.1, as the
 * container runtime's streaming server speaks it at the one-time URL CRI Exec/Attach return. Streams are
 * named by the `streamtype` header: error, stdin, stdout, stderr and (with a TTY) resize. The runtime
 * writes a Status object on the error stream when the command ends, then closes the connection.
 */
import { EventEmitter } from 'node:events';
import { SpdySession, type SpdyStream } from './spdy/index.js';
import { dialUpgrade } from './upgrade.js';

export const REMOTE_COMMAND_V4 = 'v4.channel.k8s.io';

export interface RemoteCommandOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

export interface RemoteCommandEvents {
  stdout: [Buffer];
  stderr: [Buffer];
  /** The command ended; `status` is the Status JSON the runtime sent (a Success one when it sent none). */
  exit: [string];
}

export const SUCCESS_STATUS = '{"metadata":{},"status":"Success"}';

export class RemoteCommand extends EventEmitter<RemoteCommandEvents> {
  private readonly streams: Partial<Record<'error' | 'stdin' | 'stdout' | 'stderr' | 'resize', SpdyStream>> = {};
  private errorText = '';
  private exited = false;

  private constructor(private readonly session: SpdySession, opts: RemoteCommandOptions) {
    super();
    const open = (type: 'error' | 'stdin' | 'stdout' | 'stderr' | 'resize'): SpdyStream => {
      const s = session.openStream({ streamtype: type });
      this.streams[type] = s;
      return s;
    };
    const err = open('error');
    err.on('data', (d) => (this.errorText += d.toString()));
    if (opts.stdin) open('stdin');
    if (opts.stdout) open('stdout').on('data', (d) => this.emit('stdout', d));
    if (opts.stderr && !opts.tty) open('stderr').on('data', (d) => this.emit('stderr', d));
    if (opts.tty) open('resize');
    session.on('error', () => undefined);
    session.on('close', () => this.finish());
  }

  /** Opens the runtime's streaming URL (http://127.0.0.1:…/exec/<token> or /attach/<token>). */
  static async connect(url: string, opts: RemoteCommandOptions, tls?: { ca?: string; cert?: string; key?: string }): Promise<RemoteCommand> {
    const { socket, head } = await dialUpgrade(url, {
      method: 'POST',
      tls,
      headers: { Connection: 'Upgrade', Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': REMOTE_COMMAND_V4 },
    });
    return new RemoteCommand(new SpdySession(socket, 'client', head), opts);
  }

  writeStdin(data: Buffer): void {
    this.streams.stdin?.write(data);
  }

  /** Half-closes stdin: the command reads EOF. */
  endStdin(): void {
    this.streams.stdin?.end();
  }

  /** Sends a terminal size (JSON `{"Width":…,"Height":…}`) on the resize stream. */
  resize(json: Buffer | string): void {
    this.streams.resize?.write(json);
  }

  /** Tears the connection down (the client went away). */
  close(): void {
    this.session.destroy();
  }

  private finish(): void {
    if (this.exited) return;
    this.exited = true;
    this.emit('exit', this.errorText.trim() ? this.errorText : SUCCESS_STATUS);
  }
}
