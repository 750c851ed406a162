/**
 * A syslog receiver on one address and port: UDP (RFC 5426, one message per
 * datagram, read in a thread of its own: udp-reader.ts), TCP (RFC 6587, newline or octet-counted) or TLS (RFC 5425).
 * Hands whole lines to a sink and counts what it could not use; knows
 * nothing of Node-RED.
 */
import * as net from 'net';
import * as tls from 'tls';
import type { ParserOptions } from '../core/parse/parser';
import type { ParsedChunk } from './chunk-parse';
import { FrameReader, Framing } from './frame-reader';
import { IngestCounters } from './ingest-counters';
import { receiveBufferMax } from './kernel-counters';
import { countRefused, UdpReader } from './udp-reader';

export type Transport = 'udp' | 'tcp' | 'tls';

export interface ListenerOptions {
  transport: Transport;
  /** address to bind; 127.0.0.1 by default so nothing outside the machine can send unless asked */
  host: string;
  port: number;
  framing: Framing;
  /** longer frames and datagrams are skipped and counted */
  maxFrameBytes: number;
  /** TCP/TLS: connections beyond this are closed at once and counted (checked at accept, before any TLS handshake) */
  maxConnections: number;
  /** TCP/TLS: connections from one address beyond this are closed at once and counted, so one sender cannot take every slot */
  maxConnectionsPerSender: number;
  /** TLS: a handshake not done this long after accept is abandoned and counted */
  handshakeTimeoutSeconds: number;
  /**
   * TCP/TLS: a connection that has started a frame (or, since accept, sent
   * none yet) and completes none for this long is closed and counted as
   * stalled (slowloris); 0 = never
   */
  progressTimeoutSeconds: number;
  /** TCP/TLS: a connection silent for this long is closed (half-open peers); 0 = never */
  idleTimeoutSeconds: number;
  /** UDP: SO_RCVBUF asked for (the kernel caps it at net.core.rmem_max) */
  receiveBufferBytes: number;
  /** UDP: lines that may wait between the reader thread and the sink; beyond, dropped and counted as queueDropped */
  maxQueuedLines: number;
  /** UDP: bytes of lines that may wait there (the same, counted in bytes) */
  maxQueuedBytes: number;
  /** UDP: the reader thread's entry file (tests may give another) */
  readerThread?: string;
  /** UDP: parse in the reader thread and hand the sink records (null or absent: lines) */
  parser?: ParserOptions | null;
  /** TLS: key, cert, ca … as tls.createServer takes them */
  tls?: tls.TlsOptions;
}

/** Where lines of one stream come from: `sender` keys the counters, `id` the stream (for a parser's state). */
export interface LineSource {
  sender: string;
  id: string;
}

export interface ListenerSink {
  /** lines of one datagram or chunk; returns how many were refused (queue full) */
  lines(source: LineSource, lines: string[]): number;
  /**
   * UDP parsed in the reader thread: a chunk's records (as columns) and its
   * unparsed lines as [line, reason, sender]. They count as waiting between
   * the threads (and bound what the thread may send) until `taken()`.
   */
  records?(chunk: ParsedChunk, taken: () => void): void;
  /** a stream ended (its parser state may go) */
  ended?(source: LineSource): void;
  /** the listener stopped working after it started (e.g. its UDP reader thread failed) */
  failed?(err: Error): void;
}

export interface ListenerInfo {
  address: string;
  port: number;
  /** UDP: the receive buffer the kernel granted (Linux reports twice the request, for its bookkeeping) */
  receiveBufferBytes: number | null;
  /** things the user should know (e.g. the receive buffer was capped) */
  warnings: string[];
  /** UDP: the reader thread's nice value when raised above the flow's thread, null when not permitted (absent: TCP/TLS) */
  readerPriority?: number | null;
}

const plainAddress = (a: string | undefined): string => (a ? (a.startsWith('::ffff:') ? a.slice(7) : a) : 'unknown');

/** One accepted connection: the TCP socket, and the stream its frames come from (the TLS socket once secure). */
interface Connection {
  raw: net.Socket;
  stream: net.Socket | null;
  sender: string;
  /** remote address and port, as the TLS server's sockets show them */
  key: string;
  /** handshake, then progress, deadline */
  timer: NodeJS.Timeout | null;
  /** starts the progress deadline again if the connection owes a frame (after a pause: stopped reading is not the peer's fault) */
  rearm: (() => void) | null;
  done: boolean;
}

export class SyslogListener {
  private udp: UdpReader | null = null;
  private server: net.Server | null = null;
  /** TLS: never listens; accepted TCP sockets are handed to it once counted and timed */
  private tlsServer: tls.Server | null = null;
  private readonly connections = new Set<Connection>();
  /** TLS connections waiting for their handshake, by remote address and port */
  private readonly handshaking = new Map<string, Connection>();
  private readonly perSender = new Map<string, number>();
  private paused = false;
  private closing = false;
  private nextId = 0;

  constructor(
    private readonly options: ListenerOptions,
    private readonly counters: IngestCounters,
    private readonly sink: ListenerSink,
  ) {}

  get openConnections(): number {
    return this.connections.size;
  }

  /** UDP: lines the reader thread has handed over that the sink has not taken yet */
  get waitingLines(): number {
    return this.udp?.waitingLines ?? 0;
  }

  /** UDP: bytes of those lines */
  get waitingBytes(): number {
    return this.udp?.waitingBytes ?? 0;
  }

  /** UDP reader threads running in this process, all listeners together (tests check none is left behind) */
  static get liveThreads(): number {
    return UdpReader.liveThreads;
  }

  start(): Promise<ListenerInfo> {
    return this.options.transport === 'udp' ? this.startUdp() : this.startStream();
  }

  /** TCP/TLS: stop reading (the peers' TCP windows fill, they slow down); UDP cannot be paused. */
  pause(): void {
    this.paused = true;
    for (const c of this.connections) {
      if (!c.stream) continue;
      c.stream.pause();
      // while this side does not read, the progress deadline does not run
      if (c.timer) clearTimeout(c.timer);
      c.timer = null;
    }
  }

  resume(): void {
    this.paused = false;
    for (const c of this.connections) {
      if (!c.stream) continue;
      c.stream.resume();
      c.rearm?.();
    }
  }

  close(): Promise<void> {
    this.closing = true;
    const closing: Promise<void>[] = [];
    if (this.udp) {
      closing.push(this.udp.close());
      this.udp = null;
    }
    if (this.server) {
      const server = this.server;
      closing.push(new Promise((resolve) => server.close(() => resolve())));
      for (const c of [...this.connections]) {
        c.stream?.destroy();
        c.raw.destroy();
        this.finish(c);
      }
      this.server = null;
      this.tlsServer = null;
    }
    return Promise.all(closing).then(() => undefined);
  }

  /** UDP parsed in the reader thread: forget its parsers' stream state. */
  resetParsers(): void {
    this.udp?.resetParsers();
  }

  private startUdp(): Promise<ListenerInfo> {
    const o = this.options;
    const warnings: string[] = [];
    const max = receiveBufferMax();
    let asked = o.receiveBufferBytes;
    if (max !== null && asked > max) {
      warnings.push(
        `UDP receive buffer: ${asked} bytes asked, the kernel allows ${max} (net.core.rmem_max); ` +
          `bursts beyond it are dropped by the kernel. Raise it with: sysctl -w net.core.rmem_max=${asked}`,
      );
      asked = max;
    }
    // read in a thread of its own, so the socket is drained while the flow works on a batch
    this.udp = new UdpReader(
      {
        host: o.host,
        port: o.port,
        receiveBufferBytes: asked,
        maxFrameBytes: o.maxFrameBytes,
        maxQueuedLines: o.maxQueuedLines,
        maxQueuedBytes: o.maxQueuedBytes,
        parser: o.parser ?? null,
        script: o.readerThread,
      },
      this.counters,
      this.sink,
    );
    return this.udp.start().then((bound) => ({ ...bound, warnings }));
  }

  private startStream(): Promise<ListenerInfo> {
    const o = this.options;
    // TLS is layered on accepted TCP sockets, so the caps and the handshake deadline apply from accept
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: false }, (socket) => this.accept(socket));
    this.server = server;
    if (o.transport === 'tls') {
      const secure = tls.createServer({ ...(o.tls ?? {}), allowHalfOpen: true });
      secure.on('secureConnection', (socket: tls.TLSSocket) => {
        const key = `${socket.remoteAddress}|${socket.remotePort}`;
        const c = this.handshaking.get(key);
        this.handshaking.delete(key);
        if (!c || c.done) return void socket.destroy();
        this.secured(c, socket);
      });
      // a failed handshake ends that connection only (counted when its TCP socket closes)
      secure.on('tlsClientError', (_err, socket) => socket.destroy());
      this.tlsServer = secure;
    }
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(o.port, o.host, () => {
        server.off('error', reject);
        server.on('error', () => undefined);
        const addr = server.address() as net.AddressInfo;
        resolve({ address: addr.address, port: addr.port, receiveBufferBytes: null, warnings: [] });
      });
    });
  }

  private accept(raw: net.Socket): void {
    const o = this.options;
    const sender = plainAddress(raw.remoteAddress);
    const mine = this.perSender.get(sender) ?? 0;
    if (this.connections.size >= o.maxConnections || mine >= o.maxConnectionsPerSender) {
      this.counters.connectionsRejected++;
      this.counters.add(this.counters.of(sender), 'refused');
      raw.on('error', () => undefined);
      raw.destroy();
      return;
    }
    const c: Connection = { raw, stream: null, sender, key: `${raw.remoteAddress}|${raw.remotePort}`, timer: null, rearm: null, done: false };
    this.connections.add(c);
    this.perSender.set(sender, mine + 1);
    raw.on('error', () => undefined); // reset by peer and the like: 'close' follows
    raw.on('close', () => this.finish(c));
    raw.setKeepAlive(true, 60000);
    if (o.transport === 'tls' && this.tlsServer) {
      this.handshaking.set(c.key, c);
      // counted as a failed handshake when it closes
      c.timer = setTimeout(() => raw.destroy(), o.handshakeTimeoutSeconds * 1000);
      this.tlsServer.emit('connection', raw);
    } else {
      this.secured(c, raw);
    }
  }

  /** The connection carries frames from now on (TCP: at accept; TLS: once the handshake is done). */
  private secured(c: Connection, stream: net.Socket): void {
    const o = this.options;
    const sender = c.sender;
    c.stream = stream;
    if (c.timer) clearTimeout(c.timer);
    c.timer = null;
    const source: LineSource = { sender, id: `${sender}:${c.raw.remotePort}#${this.nextId++}` };
    const reader = new FrameReader(o.framing, o.maxFrameBytes);
    if (this.paused) stream.pause();
    if (o.idleTimeoutSeconds > 0) {
      stream.setTimeout(o.idleTimeoutSeconds * 1000, () => {
        this.counters.connectionsTimedOut++;
        stream.destroy();
      });
    }
    // progress: from accept until the first frame, and while a started frame is unfinished
    let framesSeen = false;
    const progressMs = o.progressTimeoutSeconds * 1000;
    const watchProgress = (completed: boolean) => {
      if (progressMs <= 0 || this.paused) return;
      if (framesSeen && !reader.midFrame) {
        if (c.timer) clearTimeout(c.timer);
        c.timer = null;
      } else if (!c.timer) {
        c.timer = setTimeout(() => {
          this.counters.add(this.counters.of(sender), 'stalled');
          stream.destroy();
        }, progressMs);
      } else if (completed) c.timer.refresh();
    };
    c.rearm = () => watchProgress(false);
    watchProgress(false);
    const deliver = (frames: string[], oversized: number, bytes: number) => {
      const counts = this.counters.of(sender);
      if (bytes) this.counters.add(counts, 'bytes', bytes);
      if (oversized) this.counters.add(counts, 'oversized', oversized);
      if (frames.length === 0) return;
      this.counters.add(counts, 'lines', frames.length);
      const refused = this.sink.lines(source, frames);
      if (refused > 0) countRefused(this.counters, sender, frames, refused);
    };
    stream.on('data', (chunk: Buffer) => {
      const { frames, oversized } = reader.push(chunk);
      deliver(frames, oversized, chunk.length);
      const completed = frames.length + oversized > 0;
      if (completed) framesSeen = true;
      watchProgress(completed);
    });
    // the peer finished sending: a frame still unfinished was cut short (counted, never parsed); close our side too
    stream.on('end', () => {
      if (reader.end().incomplete) this.counters.add(this.counters.of(sender), 'incomplete');
      stream.end();
    });
    stream.on('error', () => undefined); // reset by peer and the like: 'close' follows
    stream.on('close', () => {
      if (reader.abandon()) this.counters.add(this.counters.of(sender), 'incomplete');
      this.finish(c);
      this.sink.ended?.(source);
    });
  }

  /** Bookkeeping once a connection is gone (called for each of its sockets; counts once). */
  private finish(c: Connection): void {
    if (c.done) return;
    c.done = true;
    if (c.timer) clearTimeout(c.timer);
    c.timer = null;
    if (c.stream === null && this.options.transport === 'tls') {
      this.handshaking.delete(c.key);
      if (!this.closing) this.counters.add(this.counters.of(c.sender), 'handshakeFailed');
    }
    if (c.stream && c.stream !== c.raw) c.stream.destroy();
    this.connections.delete(c);
    const n = (this.perSender.get(c.sender) ?? 1) - 1;
    if (n > 0) this.perSender.set(c.sender, n);
    else this.perSender.delete(c.sender);
  }
}
