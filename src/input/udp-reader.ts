/**
 * The main thread's side of the UDP reader thread: starts the thread, turns
 * its chunks into the listener's per-sender counters and sink calls (lines
 * of one peer in arrival order), and ends the thread on close. A thread that
 * fails is reported to the sink, never left running or silently gone.
 */
import * as path from 'path';
import { MessageChannel, Worker } from 'worker_threads';
import { IngestCounters } from './ingest-counters';
import type { ListenerSink, LineSource } from './syslog-listener';
import type { ParseThreadData } from './parse-thread';
import type { ReaderSocketOptions, ReaderThreadData, ThreadMessage } from './udp-reader-thread';

export interface UdpReaderOptions extends ReaderSocketOptions {
  /** the thread's entry file (tests may give another) */
  script?: string;
}

export interface UdpBound {
  address: string;
  port: number;
  receiveBufferBytes: number | null;
  /** the reader thread's nice value when it could be raised (Linux, with the right to), else null */
  readerPriority: number | null;
}

/** compiled beside this file, both in the published package (input/) and in the repository */
export const READER_THREAD = path.join(__dirname, 'udp-reader-thread.js');
/** the parse thread's entry, beside it */
export const PARSE_THREAD = path.join(__dirname, 'parse-thread.js');
/** the reader thread's nice value asked for: above the flow's thread, so bursts are read while the flow is busy */
export const READER_NICE = -5;
/** how long close() waits for the thread to release its socket before terminating it */
const CLOSE_GRACE_MS = 5000;

let liveThreads = 0;

export class UdpReader {
  private worker: Worker | null = null;
  /** with a parser: the thread that parses the reader's raw chunks and sends the records here */
  private parseWorker: Worker | null = null;
  /** [lines handed over and not yet taken, datagrams read, bytes of the lines not yet taken], written by both threads */
  private readonly shared = new Int32Array(new SharedArrayBuffer(12));
  private readonly sources = new Map<string, LineSource>();
  private closing = false;
  private exited: Promise<void> = Promise.resolve();

  /** reader threads running in this process (all listeners): back to its baseline once every listener is closed */
  static get liveThreads(): number {
    return liveThreads;
  }

  constructor(
    private readonly options: UdpReaderOptions,
    private readonly counters: IngestCounters,
    private readonly sink: ListenerSink,
  ) {}

  /** lines handed to the main thread's queue and not yet taken from it */
  get waitingLines(): number {
    return Atomics.load(this.shared, 0);
  }

  /** bytes of those lines */
  get waitingBytes(): number {
    return Atomics.load(this.shared, 2);
  }

  /** datagrams the thread has read from the socket (wraps past 2^31) */
  get datagramsRead(): number {
    return Atomics.load(this.shared, 1);
  }

  start(): Promise<UdpBound> {
    const o = this.options;
    const channel = o.parser ? new MessageChannel() : null;
    const data: ReaderThreadData = {
      host: o.host,
      port: o.port,
      receiveBufferBytes: o.receiveBufferBytes,
      maxFrameBytes: o.maxFrameBytes,
      maxQueuedLines: o.maxQueuedLines,
      maxQueuedBytes: o.maxQueuedBytes,
      priority: READER_NICE,
      shared: this.shared.buffer as SharedArrayBuffer,
      parsePort: channel?.port1,
    };
    const worker = new Worker(o.script ?? READER_THREAD, { workerData: data, transferList: channel ? [channel.port1] : [] });
    this.worker = worker;
    liveThreads++;
    const exits = [new Promise<void>((resolve) => worker.once('exit', () => resolve()))];
    if (channel && o.parser) {
      const parseData: ParseThreadData = { parser: o.parser, source: channel.port2, priority: READER_NICE };
      const parse = new Worker(PARSE_THREAD, { workerData: parseData, transferList: [channel.port2] });
      this.parseWorker = parse;
      exits.push(new Promise<void>((resolve) => parse.once('exit', () => resolve())));
      parse.on('message', (m: ThreadMessage) => {
        if (m.kind === 'chunk') this.take(m);
      });
      parse.on('error', (err) => this.sink.failed?.(new Error(`UDP parse thread failed: ${err.message}`)));
      parse.once('exit', (code) => {
        this.parseWorker = null;
        if (!this.closing) this.sink.failed?.(new Error(`UDP parse thread ended unexpectedly (exit code ${code})`));
      });
    }
    this.exited = Promise.all(exits).then(() => undefined);
    return new Promise((resolve, reject) => {
      let bound = false;
      worker.on('message', (m: ThreadMessage) => {
        if (m.kind === 'chunk') this.take(m);
        else if (m.kind === 'listening') {
          bound = true;
          resolve({ address: m.address, port: m.port, receiveBufferBytes: m.receiveBufferBytes, readerPriority: m.priority });
        } else if (m.kind === 'bind-error') reject(Object.assign(new Error(m.message), { code: m.code }));
      });
      worker.on('error', (err) => {
        if (!bound) reject(err);
        else this.sink.failed?.(new Error(`UDP reader thread failed: ${err.message}`));
      });
      worker.once('exit', (code) => {
        liveThreads--;
        this.worker = null;
        // the parse thread has nothing more to parse once its reader is gone
        this.parseWorker?.postMessage({ kind: 'close' });
        if (!bound) {
          if (!this.closing) reject(new Error(`UDP reader thread ended before binding (exit code ${code})`));
        } else if (!this.closing) this.sink.failed?.(new Error(`UDP reader thread ended unexpectedly (exit code ${code})`));
      });
    });
  }

  /** Asks the thread to forget its parsers' stream state (the flow's reset). */
  resetParsers(): void {
    this.worker?.postMessage({ kind: 'reset' });
    this.parseWorker?.postMessage({ kind: 'reset' });
  }

  /** Asks the thread to close its socket and end; resolves once it has (terminated if it takes too long). */
  close(): Promise<void> {
    this.closing = true;
    const worker = this.worker;
    const parse = this.parseWorker;
    if (!worker) {
      parse?.postMessage({ kind: 'close' });
      return this.exited;
    }
    worker.postMessage({ kind: 'close' });
    const grace = setTimeout(() => {
      void worker.terminate();
      void parse?.terminate();
    }, CLOSE_GRACE_MS);
    return this.exited.then(() => clearTimeout(grace));
  }

  private take(chunk: Extract<ThreadMessage, { kind: 'chunk' }>): void {
    const { lines, runs, counts } = chunk;
    for (const sender of Object.keys(counts)) {
      const [received, bytes, oversized, dropped, droppedBytes] = counts[sender];
      const c = this.counters.of(sender);
      this.counters.add(c, 'bytes', bytes);
      if (oversized) this.counters.add(c, 'oversized', oversized);
      if (received) this.counters.add(c, 'lines', received);
      if (dropped) this.counters.add(c, 'queueDropped', dropped);
      if (droppedBytes) this.counters.add(c, 'queueDroppedBytes', droppedBytes);
    }
    if (chunk.parsed) {
      const parseCounts = chunk.parsed.counts;
      for (const sender of Object.keys(parseCounts)) {
        const c = this.counters.of(sender);
        if (parseCounts[sender][0]) this.counters.add(c, 'headers', parseCounts[sender][0]);
        if (parseCounts[sender][1]) this.counters.add(c, 'parseErrors', parseCounts[sender][1]);
      }
      const lineCount = chunk.lineCount ?? 0;
      this.sink.records?.(chunk.parsed, () => {
        Atomics.sub(this.shared, 0, lineCount);
        Atomics.sub(this.shared, 2, chunk.bytes);
      });
      return;
    }
    let at = 0;
    for (let r = 0; r < runs.length; r += 3) {
      const sender = runs[r] as string;
      const n = runs[r + 2] as number;
      const source = this.sourceOf(sender, runs[r + 1] as number);
      const run = n === lines.length ? lines : lines.slice(at, at + n);
      const refused = this.sink.lines(source, run);
      if (refused > 0) countRefused(this.counters, sender, run, refused);
      at += n;
    }
    Atomics.sub(this.shared, 0, lines.length);
    Atomics.sub(this.shared, 2, chunk.bytes);
  }

  private sourceOf(sender: string, port: number): LineSource {
    const id = `${sender}:${port}`;
    let source = this.sources.get(id);
    if (!source) {
      if (this.sources.size >= 10000) this.sources.clear(); // a spoofing flood: stream state is only parser context
      this.sources.set(id, (source = { sender, id }));
    }
    return source;
  }
}

/** Counts the lines a sink refused (the last `refused` of those offered) and their bytes. */
export function countRefused(counters: IngestCounters, sender: string, lines: string[], refused: number): void {
  const c = counters.of(sender);
  let bytes = 0;
  for (let i = lines.length - refused; i < lines.length; i++) bytes += lines[i].length;
  counters.add(c, 'queueDropped', refused);
  counters.add(c, 'queueDroppedBytes', bytes);
}
