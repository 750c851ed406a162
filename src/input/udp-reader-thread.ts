/**
 * The UDP reader thread (a worker_threads entry): binds the socket and
 * drains it whatever the main thread is doing, so the kernel's receive
 * buffer does not fill while the flow works on a batch. Lines go to the
 * main thread in chunks (at most CHUNK_LINES lines or CHUNK_MS ms); the
 * lines waiting there are counted in shared memory, and past the cap new
 * lines are dropped here and counted, never silently. With a parser, the
 * datagrams' bytes go to the parse thread instead (raw-chunks), which sends
 * the main thread records as columns.
 */
import * as dgram from 'dgram';
import { isIPv6 } from 'net';
import { MessagePort, parentPort, workerData } from 'worker_threads';
import type { ParserOptions } from '../core/parse/parser';
import type { ParsedChunk } from './chunk-parse';
import { RawChunker } from './raw-chunks';
import { raisePriority } from './thread-priority';
import { UdpChunk, UdpChunker } from './udp-chunks';

/** The socket and queue settings, as the reader's owner gives them. */
export interface ReaderSocketOptions {
  host: string;
  port: number;
  /** SO_RCVBUF to ask for, already cut to rmem_max (0 = the system's default) */
  receiveBufferBytes: number;
  maxFrameBytes: number;
  /** lines that may wait between the reader thread and the sink; beyond, dropped and counted */
  maxQueuedLines: number;
  /** bytes of lines that may wait there; beyond, dropped and counted */
  maxQueuedBytes: number;
  /** parse in a parse thread and send records as columns (null or absent: send the lines) */
  parser?: ParserOptions | null;
}

/** What the main thread gives the thread to start with. */
export interface ReaderThreadData extends ReaderSocketOptions {
  /** nice value to ask for this thread (Linux only; 0 = leave it) */
  priority: number;
  /** Int32Array [lines posted to the main thread and not yet taken by it, datagrams read, bytes of those lines] */
  shared: SharedArrayBuffer;
  /** the parse thread's port: raw chunks go there, not to the main thread (absent: lines to the main thread) */
  parsePort?: MessagePort;
}

export type ThreadMessage =
  | { kind: 'listening'; address: string; port: number; receiveBufferBytes: number | null; priority: number | null }
  | { kind: 'bind-error'; message: string; code?: string }
  /** parsed: the records and unparsed lines, `lines` then empty and `lineCount` the lines it held */
  | ({ kind: 'chunk'; parsed?: ParsedChunk; lineCount?: number } & UdpChunk);

/** lines per message to the main thread: big enough that posting costs little per line */
const CHUNK_LINES = 1000;
/** bytes per message at most: a chunk of large datagrams is handed over before it is large itself */
const CHUNK_BYTES = 1 << 20;
/** the longest a line waits in this thread (wall clock paces delivery only) */
const CHUNK_MS = 5;
/**
 * While datagrams flow, the thread sleeps this long after each read burst, so
 * the next wake-up reads many queued datagrams at once instead of waking (and
 * preempting the sender or the flow's thread) for each one; 1 ms at 50,000
 * lines/s is about 50 datagrams, far inside the receive buffer.
 */
const NAP_MS = 1;
/** libuv's uv__udp_recvmsg loop: datagrams read per readable event at most */
const LIBUV_READS_PER_WAKE = 32;

function run(port: NonNullable<typeof parentPort>, data: ReaderThreadData): void {
  const priority = raisePriority(data.priority);
  const shared = new Int32Array(data.shared);
  const limits = {
    maxFrameBytes: data.maxFrameBytes,
    room: () => data.maxQueuedLines - Atomics.load(shared, 0),
    roomBytes: () => data.maxQueuedBytes - Atomics.load(shared, 2),
  };
  const parsePort = data.parsePort;
  const chunker = parsePort ? new RawChunker(limits, CHUNK_BYTES) : new UdpChunker(limits);
  let timer: NodeJS.Timeout | null = null;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (!chunker.pending) return;
    if (chunker instanceof RawChunker) {
      const raw = chunker.take();
      Atomics.add(shared, 0, raw.lineCount);
      Atomics.add(shared, 2, raw.lineBytes);
      (parsePort as MessagePort).postMessage(raw, [raw.bytes]);
      return;
    }
    const chunk = chunker.take();
    Atomics.add(shared, 0, chunk.lines.length);
    Atomics.add(shared, 2, chunk.bytes);
    port.postMessage({ kind: 'chunk', ...chunk } satisfies ThreadMessage);
  };
  const socket = dgram.createSocket({
    type: isIPv6(data.host) ? 'udp6' : 'udp4',
    recvBufferSize: data.receiveBufferBytes > 0 ? data.receiveBufferBytes : undefined,
  });
  const napCell = new Int32Array(new SharedArrayBuffer(4));
  // biome-ignore lint/correctness/noUnusedVariables: read by `??=` below
  let napping: NodeJS.Immediate | null = null;
  let burst = 0;
  const nap = () => {
    napping = null;
    // libuv reads at most 32 datagrams per wake-up: a full burst means more wait, so read on at once
    if (burst < LIBUV_READS_PER_WAKE) Atomics.wait(napCell, 0, 0, NAP_MS);
    burst = 0;
  };
  socket.on('message', (msg, rinfo) => {
    if (chunker instanceof RawChunker && !chunker.fits(msg.length)) flush();
    chunker.add(msg, rinfo.address, rinfo.port);
    Atomics.add(shared, 1, 1);
    if (chunker.pendingLines >= CHUNK_LINES || chunker.pendingBytes >= CHUNK_BYTES) flush();
    else timer ??= setTimeout(flush, CHUNK_MS);
    burst++;
    if (NAP_MS > 0) napping ??= setImmediate(nap); // after this burst of reads
  });
  const bindFailed = (err: NodeJS.ErrnoException) => {
    port.postMessage({ kind: 'bind-error', message: err.message, code: err.code } satisfies ThreadMessage);
    process.exit(0);
  };
  socket.once('error', bindFailed);
  socket.bind(data.port, data.host, () => {
    socket.off('error', bindFailed);
    socket.on('error', () => undefined); // receive errors on a bound UDP socket are per datagram: nothing to close
    let granted: number | null = null;
    try {
      granted = socket.getRecvBufferSize();
    } catch {
      granted = null;
    }
    const addr = socket.address();
    port.postMessage({ kind: 'listening', address: addr.address, port: addr.port, receiveBufferBytes: granted, priority } satisfies ThreadMessage);
  });
  // the main thread asks us to stop: release the port, then end the thread
  port.on('message', (m: { kind?: string }) => {
    if (m?.kind !== 'close') return;
    if (timer) clearTimeout(timer);
    try {
      socket.close(() => process.exit(0));
    } catch {
      process.exit(0); // not bound yet (or already closed)
    }
  });
}

if (parentPort) run(parentPort, workerData as ReaderThreadData);
