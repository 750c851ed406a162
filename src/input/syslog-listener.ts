/**
 * A syslog receiver on one address and port: UDP (RFC 5426, one message per
 * datagram), TCP (RFC 6587, newline or octet-counted) or TLS (RFC 5425).
 * Hands whole lines to a sink and counts what it could not use; knows
 * nothing of Node-RED.
 */
import * as dgram from 'dgram';
import * as net from 'net';
import * as tls from 'tls';
import { FrameReader, Framing } from './frame-reader';
import { IngestCounters } from './ingest-counters';
import { receiveBufferMax } from './kernel-counters';

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
}

export interface ListenerInfo {
  address: string;
  port: number;
  /** UDP: the receive buffer the kernel granted (Linux reports twice the request, for its bookkeeping) */
  receiveBufferBytes: number | null;
  /** things the user should know (e.g. the receive buffer was capped) */
  warnings: string[];
}

const plainAddress = (a: string | undefined): string => (a ? (a.startsWith('::ffff:') ? a.slice(7) : a) : 'unknown');

export class SyslogListener {
  private udp: dgram.Socket | null = null;
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
      const udp = this.udp;
      closing.push(new Promise((resolve) => udp.close(() => resolve())));
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
    const type = net.isIPv6(o.host) ? 'udp6' : 'udp4';
    const socket = dgram.createSocket({ type, recvBufferSize: asked > 0 ? asked : undefined });
    this.udp = socket;
    const sources = new Map<string, LineSource>();
    socket.on('message', (data, rinfo) => {
      const sender = rinfo.address;
      const counts = this.counters.of(sender);
      this.counters.add(counts, 'bytes', data.length);
      if (data.length > o.maxFrameBytes) {
        this.counters.add(counts, 'oversized');
        return;
      }
      const id = `${sender}:${rinfo.port}`;
      let source = sources.get(id);
      if (!source) {
        if (sources.size >= 10000) sources.clear(); // a spoofing flood: stream state is only parser context
        sources.set(id, (source = { sender, id }));
      }
      const lines = datagramLines(data);
      this.counters.add(counts, 'lines', lines.length);
      const refused = this.sink.lines(source, lines);
      if (refused > 0) this.counters.add(counts, 'queueDropped', refused);
    });
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(o.port, o.host, () => {
        socket.off('error', reject);
        socket.on('error', () => undefined); // receive errors on a bound UDP socket are per datagram: nothing to close
        let granted: number | null = null;
        try {
          granted = socket.getRecvBufferSize();
        } catch {
          granted = null;
        }
        const addr = socket.address();
        resolve({ address: addr.address, port: addr.port, receiveBufferBytes: granted, warnings });
      });
    });
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

/** The lines of one datagram: normally one message; a sender may pack several, one per line. */
function datagramLines(data: Buffer): string[] {
  const text = data.toString('utf8');
  const nl = text.indexOf('\n');
  if (nl < 0 || nl === text.length - 1) {
    const line = nl < 0 ? text : text.slice(0, nl);
    return line.length > 0 && line !== '\r' ? [line] : [];
  }
  return text.split('\n').filter((l) => l.length > 0 && l !== '\r');
}
