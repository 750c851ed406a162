/**
 * The seeded site of bench-site.ts, generated on its own thread, as a log
 * shipper would feed a flow: the generator's state (a process per source,
 * the favourites and address strings of 10,000 hosts, ~54 MiB of live heap)
 * lives in the worker's heap, not in the heap the site bench measures, so
 * the main thread's full GCs mark and compact only what a site's Node-RED
 * holds. Batches cross as columns in transferred buffers (record-columns.ts)
 * and are made into records on the main thread, as an input node would.
 *
 * CPU time is read with process.cpuUsage(), which counts every thread, so
 * the worker works only between timed chunks: `fill(n)` lets it run until n
 * batches wait in the port and blocks until they do; while a chunk is timed
 * the worker sleeps in Atomics.wait and `next()` only takes what is queued.
 */
import * as v8 from 'v8';
import { isMainThread, MessageChannel, MessagePort, receiveMessageOnPort, Worker, workerData } from 'worker_threads';
import type { LogRecord } from '../core/common/records';
import { decodeRecords, encodeRecords, RecordColumns, transferables } from '../input/record-columns';
import { SiteOptions, SiteStream } from './bench-site';

type Expected = SiteStream['expected'];
/** what a labelled pair is (kind, class, note) */
type Label = Expected extends Map<string, infer V> ? V : never;

/** Indexes into the shared counters. */
const PRODUCED = 0;
const WANTED = 1;
const ENDED = 2;
/** ENDED values */
const RUNNING = 0;
const FINISHED = 1;
const FAILED = 2;

/** A wait longer than this means the worker is stuck (a 10,000-host site's first batch comes after ~5 s). */
const STALL_MS = 300_000;

type FeedMessage = { batch: RecordColumns } | { end: true; expected: Array<[string, Label]>; heapBytes: number } | { error: string };

export class SiteFeed {
  /** the labelled pairs (host|network|port), complete once the stream has ended */
  readonly expected: Expected = new Map();
  /** the feed thread's V8 heap at the end (process RSS includes it) */
  feedHeapBytes = 0;
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly counters: Int32Array;
  private taken = 0;
  private ended = false;

  constructor(o: SiteOptions) {
    const { log: _log, ...options } = o;
    this.counters = new Int32Array(new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT));
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(__filename, { workerData: { siteFeed: true, options, port: port2, counters: this.counters }, transferList: [port2] });
    // the process need not wait for the feed thread once the bench is done with it
    this.worker.unref();
  }

  /** Lets the generator run until `batches` batches beyond those taken are queued (or the site has ended); blocks until then. */
  fill(batches: number): void {
    const c = this.counters;
    const wanted = this.taken + batches;
    if (Atomics.load(c, WANTED) < wanted) {
      Atomics.store(c, WANTED, wanted);
      Atomics.notify(c, WANTED);
    }
    for (;;) {
      const produced = Atomics.load(c, PRODUCED);
      if (produced >= wanted || Atomics.load(c, ENDED) !== RUNNING) return;
      if (Atomics.wait(c, PRODUCED, produced, STALL_MS) === 'timed-out' && Atomics.load(c, PRODUCED) === produced)
        throw new Error(`the site feed made no batch in ${STALL_MS / 1000} s`);
    }
  }

  /** The next batch, or an empty one at the site's end. Takes only what is queued: call fill() first. */
  next(): LogRecord[] {
    if (this.ended) return [];
    if (this.taken >= Atomics.load(this.counters, PRODUCED) && Atomics.load(this.counters, ENDED) === RUNNING) this.fill(1);
    const message = receiveMessageOnPort(this.port)?.message as FeedMessage | undefined;
    if (!message) throw new Error('the site feed has no batch queued');
    if ('batch' in message) {
      this.taken++;
      return decodeRecords(message.batch);
    }
    this.ended = true;
    if ('error' in message) throw new Error(`the site feed failed: ${message.error}`);
    for (const [k, v] of message.expected) this.expected.set(k, v);
    this.feedHeapBytes = message.heapBytes;
    return [];
  }

  async close(): Promise<void> {
    this.port.close();
    await this.worker.terminate();
  }
}

/** The feed thread: makes batches while fewer than wanted are made, then sleeps until more are wanted. */
function runFeed(options: SiteOptions, port: MessagePort, c: Int32Array): void {
  try {
    const stream = new SiteStream(options);
    const batch: LogRecord[] = [];
    for (;;) {
      const wanted = Atomics.load(c, WANTED);
      if (Atomics.load(c, PRODUCED) >= wanted) {
        Atomics.wait(c, WANTED, wanted);
        continue;
      }
      stream.next(batch);
      if (batch.length === 0) break;
      const columns = encodeRecords(batch);
      port.postMessage({ batch: columns }, transferables(columns));
      // counted after the post: once the main thread reads the count, the batch is in its port
      Atomics.add(c, PRODUCED, 1);
      Atomics.notify(c, PRODUCED);
    }
    const heap = v8.getHeapStatistics();
    port.postMessage({ end: true, expected: [...stream.expected], heapBytes: heap.used_heap_size });
    Atomics.store(c, ENDED, FINISHED);
  } catch (err) {
    port.postMessage({ error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    Atomics.store(c, ENDED, FAILED);
  }
  Atomics.notify(c, PRODUCED);
}

if (!isMainThread && (workerData as { siteFeed?: boolean } | null)?.siteFeed) {
  const { options, port, counters } = workerData as { options: SiteOptions; port: MessagePort; counters: Int32Array };
  // the port stays open: the main thread reads the last messages after this thread is done
  runFeed(options, port, counters);
}
