import type { TlsOptions } from 'tls';
import { LogParser, ParserOptions } from '../core/parse/parser';
import type { ParsedChunk } from './chunk-parse';
import { ParserPool } from './parser-pool';
import { decodeRecords } from './record-columns';
import { describeValue, LogRecord } from '../core/common/records';
import { Framing } from './frame-reader';
import { IngestCounters } from './ingest-counters';
import { udpKernelErrors, udpSocketDrops, UdpKernelErrors } from './kernel-counters';
import { LineBatcher } from './line-batcher';
import { availableCores, ParseIn, ParsePlace, parsePlace } from './parse-place';
import { LineSource, ListenerInfo, SyslogListener, Transport } from './syslog-listener';

/** What the ingest listens on and how it batches; `parser` null hands on lines, not records. */
export interface IngestSettings {
  transport: Transport;
  host: string;
  port: number;
  framing: Framing;
  maxConnections: number;
  /** connections from one address at once (TCP, TLS) */
  maxPerSender: number;
  /** seconds a TLS handshake may take */
  handshakeTimeoutSeconds: number;
  /** seconds a connection may go without completing a frame (0 = never) */
  progressTimeoutSeconds: number;
  maxFrameBytes: number;
  idleTimeoutSeconds: number;
  receiveBufferBytes: number;
  /** bytes each queue (the UDP reader thread's, the batches waiting for the flow) may hold */
  queueBytes: number;
  batchLines: number;
  batchMs: number;
  tls?: TlsOptions;
  parser: ParserOptions | null;
  /** UDP with a parser: in a parse thread, on the flow's thread, or chosen by the CPUs (absent: auto) */
  parseIn?: ParseIn;
  /** the CPUs auto counts (absent: this machine's) */
  cores?: number;
}

/** Where the ingest hands what it received (a Node-RED node sends them as messages). */
export interface IngestOutput {
  /** a batch: lines, or records; with a batch of 1, the one line (with its sender) or record */
  batch(payload: string | string[] | LogRecord | LogRecord[], sender?: string): void;
  /** a line the parser could not read, and why */
  unparsed(line: string, reason: string, sender: string): void;
  /** once per batch with lines not parsed: the count and the first (text only, never the lines) */
  parseErrors(text: string): void;
  /** the listener stopped for good */
  failed(err: Error): void;
}

/** A stream as the ingest tracks it: lines still queued, and whether the connection has ended. */
interface TrackedSource extends LineSource {
  queued?: number;
  ended?: boolean;
}

export type KernelCounts = { socketDrops: number | null; RcvbufErrors: number | null; InErrors: number | null };

/**
 * A syslog listener's ingest, without Node-RED: frames from the listener
 * are batched (by count and time), parsed per connection or UDP sender when
 * asked, counted per sender, and handed to `output` in order.
 */
export class SyslogIngest {
  readonly counters = new IngestCounters();
  /** set once listening */
  info: ListenerInfo | null = null;
  /** UDP with a parser: where it parses and why (null: TCP/TLS, always parsed on the flow's thread, or no parser) */
  readonly parsePlace: ParsePlace | null;
  /** parsers of the streams parsed here (TCP, TLS, and UDP unless a parse thread parses it) */
  private readonly parsers: ParserPool | null;
  private readonly listener: SyslogListener;
  private readonly batcher: LineBatcher<LineSource>;
  /** chunks parsed in the UDP parse thread, waiting for the flow: handed on one per event-loop turn, as the batcher does */
  private parsedQueue: Array<{ chunk: ParsedChunk; taken: () => void }> = [];
  private parsedTurn: NodeJS.Immediate | null = null;
  private kernelBase: UdpKernelErrors | null = null;
  private dropsBase: number | null = null;

  constructor(
    readonly settings: IngestSettings,
    private readonly output: IngestOutput,
  ) {
    const s = settings;
    this.parsers = s.parser ? new ParserPool(s.parser) : null;
    this.parsePlace = s.transport === 'udp' && s.parser ? parsePlace(s.parseIn, s.cores ?? availableCores()) : null;
    // lines that may wait for the flow (UDP: in the reader thread's queue, and again in the batcher's); beyond, dropped and counted
    const maxQueued = Math.max(16 * s.batchLines, 200000);
    this.listener = new SyslogListener(
      {
        transport: s.transport,
        host: s.host,
        port: s.port,
        framing: s.framing,
        maxFrameBytes: s.maxFrameBytes,
        maxConnections: s.maxConnections,
        maxConnectionsPerSender: s.maxPerSender,
        handshakeTimeoutSeconds: s.handshakeTimeoutSeconds,
        progressTimeoutSeconds: s.progressTimeoutSeconds,
        idleTimeoutSeconds: s.idleTimeoutSeconds,
        receiveBufferBytes: s.receiveBufferBytes,
        maxQueuedLines: maxQueued,
        maxQueuedBytes: s.queueBytes,
        tls: s.tls,
        parser: this.parsePlace?.thread ? s.parser : null,
      },
      this.counters,
      {
        lines: (source: TrackedSource, lines) => {
          source.queued = (source.queued ?? 0) + lines.length;
          const refused = this.batcher.push(source, lines);
          source.queued -= refused;
          return refused;
        },
        records: (chunk, taken) => this.queueParsed(chunk, taken),
        ended: (source: TrackedSource) => {
          source.ended = true;
          this.released(source);
        },
        failed: (err) => output.failed(err),
      },
    );
    this.batcher = new LineBatcher<LineSource>(
      {
        maxLines: s.batchLines,
        maxWaitMs: s.batchMs,
        highWater: Math.max(4 * s.batchLines, 4096),
        maxQueued,
        highWaterBytes: s.queueBytes / 4,
        maxQueuedBytes: s.queueBytes,
      },
      (lines, sources) => this.deliver(lines, sources),
      this.listener,
    );
  }

  /** Starts listening; the kernel's drop counters are counted from here. */
  async start(): Promise<ListenerInfo> {
    this.info = await this.listener.start();
    this.baseline();
    return this.info;
  }

  /** Hands on every line received so far (before a control message passes). */
  drain(): void {
    this.batcher.drainAll();
    while (this.parsedQueue.length > 0) this.deliverParsed();
  }

  /** Forgets the parsers' stream state (a Zeek header) and zeroes the counters. */
  reset(): void {
    this.parsers?.clear();
    this.listener.resetParsers();
    this.counters.reset();
    this.baseline();
  }

  close(): Promise<void> {
    this.batcher.close();
    if (this.parsedTurn) clearImmediate(this.parsedTurn);
    for (const q of this.parsedQueue) q.taken();
    this.parsedQueue = [];
    return this.listener.close();
  }

  /** The kernel's UDP counters since the start (null where the system does not say, and for TCP). */
  kernel(): KernelCounts {
    const s = this.settings;
    if (s.transport !== 'udp') return { socketDrops: null, RcvbufErrors: null, InErrors: null };
    const k = udpKernelErrors();
    const drops = udpSocketDrops(this.info?.port ?? s.port);
    return {
      socketDrops: drops === null ? null : drops - (this.dropsBase ?? 0),
      RcvbufErrors: k && this.kernelBase ? k.RcvbufErrors - this.kernelBase.RcvbufErrors : null,
      InErrors: k && this.kernelBase ? k.InErrors - this.kernelBase.InErrors : null,
    };
  }

  /** Everything counted, for the counters output. */
  stats() {
    const s = this.settings;
    const info = this.info;
    return {
      transport: s.transport,
      address: info?.address ?? s.host,
      port: info?.port ?? s.port,
      listening: info !== null,
      receiveBufferBytes: info?.receiveBufferBytes ?? null,
      readerPriority: info?.readerPriority ?? null,
      parseIn: this.parsePlace ? (this.parsePlace.thread ? 'thread' : 'flow') : null,
      openConnections: this.listener.openConnections,
      queued: this.batcher.queued + this.listener.waitingLines,
      queuedBytes: this.batcher.queuedBytes + this.listener.waitingBytes,
      ...this.counters.snapshot(),
      kernel: this.kernel(),
    };
  }

  private baseline(): void {
    this.kernelBase = udpKernelErrors();
    this.dropsBase = this.settings.transport === 'udp' ? udpSocketDrops(this.info?.port ?? this.settings.port) : null;
  }

  private parserFor(source: LineSource): LogParser {
    return (this.parsers as ParserPool).of(source.id);
  }

  /** A stream's parser state goes once its connection has ended and its last queued line is parsed. */
  private released(source: TrackedSource): void {
    if (source.ended && !source.queued) this.parsers?.release(source.id);
  }

  private queueParsed(chunk: ParsedChunk, taken: () => void): void {
    this.parsedQueue.push({ chunk, taken });
    this.parsedTurn ??= setImmediate(() => this.parsedTurnRun());
  }

  private parsedTurnRun(): void {
    this.parsedTurn = null;
    if (this.parsedQueue.length > 0) this.deliverParsed();
    if (this.parsedQueue.length > 0) this.parsedTurn = setImmediate(() => this.parsedTurnRun());
  }

  /**
   * The oldest chunk parsed in the UDP parse thread: made into records only
   * now (it waited as columns), handed on in batches of at most batchLines;
   * its lines stop counting as waiting once the flow has them.
   */
  private deliverParsed(): void {
    const { chunk, taken } = this.parsedQueue.shift() as { chunk: ParsedChunk; taken: () => void };
    taken();
    const records = decodeRecords(chunk.records);
    const unparsed = chunk.unparsed;
    for (const [line, reason, sender] of unparsed) this.output.unparsed(line, reason, sender);
    const n = this.settings.batchLines;
    if (n === 1) for (const r of records) this.output.batch(r);
    else for (let i = 0; i < records.length; i += n) this.output.batch(records.length <= n ? records : records.slice(i, i + n));
    if (unparsed.length > 0) {
      const [line, reason, sender] = unparsed[0];
      this.output.parseErrors(
        `${unparsed.length} of ${records.length + unparsed.length} lines not parsed; first from ${sender}: ${reason}: ${describeValue(line, 120)}`,
      );
    }
  }

  private deliver(lines: string[], sources: TrackedSource[]): void {
    const single = this.settings.batchLines === 1;
    if (!this.settings.parser) {
      if (single) this.output.batch(lines[0], sources[0].sender);
      else this.output.batch(lines);
      return;
    }
    const records: LogRecord[] = [];
    let errors = 0;
    let firstError = '';
    for (let i = 0; i < lines.length; i++) {
      const source = sources[i];
      const result = this.parserFor(source).parseLine(lines[i]);
      source.queued = (source.queued as number) - 1;
      if (source.ended) this.released(source);
      if (result.kind === 'record') records.push(result.record);
      else if (result.kind === 'header') this.counters.add(this.counters.of(source.sender), 'headers');
      if (result.kind !== 'error') continue;
      this.counters.add(this.counters.of(source.sender), 'parseErrors');
      this.output.unparsed(lines[i], result.reason, source.sender);
      if (errors++ === 0) firstError = `from ${source.sender}: ${result.reason}: ${describeValue(lines[i], 120)}`;
    }
    if (records.length > 0) this.output.batch(single ? records[0] : records);
    // one error per batch; its text names the count and the first bad line (cut short)
    if (errors > 0) this.output.parseErrors(`${errors} of ${lines.length} lines not parsed; first ${firstError}`);
  }
}
