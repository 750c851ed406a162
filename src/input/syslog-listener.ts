/**
 * A syslog receiver on one address and port: UDP (RFC 5426, one message per
 * datagram, read in a thread of its own: udp-reader.ts), TCP (RFC 6587, newline or octet-counted) or TLS (RFC 5425).
 * Hands whole lines to a sink and counts what it could not use; knows
 * nothing of Node-RED.
 */
import * as net from 'net';
import * as tls from 'tls';
import { FrameReader, Framing } from './frame-reader';
import { IngestCounters } from './ingest-counters';
import { receiveBufferMax } from './kernel-counters';
import { UdpReader } from './udp-reader';

export type Transport = 'udp' | 'tcp' | 'tls';

export interface ListenerOptions {
  transport: Transport;
  /** address to bind; 127.0.0.1 by default so nothing outside the machine can send unless asked */
  host: string;
  port: number;
  framing: Framing;
  /** longer frames and datagrams are skipped and counted */
  maxFrameBytes: number;
  /** TCP/TLS: connections beyond this are closed at once and counted */
  maxConnections: number;
  /** TCP/TLS: a connection silent for this long is closed (half-open peers); 0 = never */
  idleTimeoutSeconds: number;
  /** UDP: SO_RCVBUF asked for (the kernel caps it at net.core.rmem_max) */
  receiveBufferBytes: number;
  /** UDP: lines that may wait between the reader thread and the sink; beyond, dropped and counted as queueDropped */
  maxQueuedLines: number;
  /** UDP: the reader thread's entry file (tests may give another) */
  readerThread?: string;
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

export class SyslogListener {
  private udp: UdpReader | null = null;
  private server: net.Server | null = null;
  private readonly connections = new Set<net.Socket>();
  private paused = false;
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
    for (const s of this.connections) s.pause();
  }

  resume(): void {
    this.paused = false;
    for (const s of this.connections) s.resume();
  }

  close(): Promise<void> {
    const closing: Promise<void>[] = [];
    if (this.udp) {
      closing.push(this.udp.close());
      this.udp = null;
    }
    if (this.server) {
      const server = this.server;
      closing.push(new Promise((resolve) => server.close(() => resolve())));
      for (const s of this.connections) s.destroy();
      this.connections.clear();
      this.server = null;
    }
    return Promise.all(closing).then(() => undefined);
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
      { host: o.host, port: o.port, receiveBufferBytes: asked, maxFrameBytes: o.maxFrameBytes, maxQueuedLines: o.maxQueuedLines, script: o.readerThread },
      this.counters,
      this.sink,
    );
    return this.udp.start().then((bound) => ({ ...bound, warnings }));
  }

  private startStream(): Promise<ListenerInfo> {
    const o = this.options;
    const onConnection = (socket: net.Socket) => this.accept(socket);
    const server =
      o.transport === 'tls'
        ? tls.createServer({ ...(o.tls ?? {}), allowHalfOpen: true }, onConnection)
        : net.createServer({ allowHalfOpen: true, pauseOnConnect: false }, onConnection);
    this.server = server;
    // a failed handshake or a reset connection ends that connection only
    server.on('tlsClientError', (_err, socket) => socket.destroy());
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

  private accept(socket: net.Socket): void {
    const o = this.options;
    const sender = plainAddress(socket.remoteAddress);
    if (this.connections.size >= o.maxConnections) {
      this.counters.connectionsRejected++;
      socket.destroy();
      return;
    }
    this.connections.add(socket);
    const source: LineSource = { sender, id: `${sender}:${socket.remotePort}#${this.nextId++}` };
    const reader = new FrameReader(o.framing, o.maxFrameBytes);
    if (this.paused) socket.pause();
    socket.setKeepAlive(true, 60000);
    if (o.idleTimeoutSeconds > 0) {
      socket.setTimeout(o.idleTimeoutSeconds * 1000, () => {
        this.counters.connectionsTimedOut++;
        socket.destroy();
      });
    }
    const deliver = (frames: string[], oversized: number, bytes: number) => {
      const counts = this.counters.of(sender);
      if (bytes) this.counters.add(counts, 'bytes', bytes);
      if (oversized) this.counters.add(counts, 'oversized', oversized);
      if (frames.length === 0) return;
      this.counters.add(counts, 'lines', frames.length);
      const refused = this.sink.lines(source, frames);
      if (refused > 0) this.counters.add(counts, 'queueDropped', refused);
    };
    socket.on('data', (chunk: Buffer) => {
      const { frames, oversized } = reader.push(chunk);
      deliver(frames, oversized, chunk.length);
    });
    // the peer finished sending: its last line may lack a newline; then close our side too
    socket.on('end', () => {
      const { frames, oversized } = reader.end();
      deliver(frames, oversized, 0);
      socket.end();
    });
    socket.on('error', () => undefined); // reset by peer and the like: 'close' follows
    socket.on('close', () => {
      if (reader.abandon()) this.counters.add(this.counters.of(sender), 'incomplete');
      this.connections.delete(socket);
      this.sink.ended?.(source);
    });
  }
}
