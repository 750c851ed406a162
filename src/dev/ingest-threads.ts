/**
 * The UDP input alone, without Node-RED or a flow: a SyslogIngest parsing
 * CEF as the live CEF example's input does, fed by netbeacon-replay in its
 * own process at a paced rate; reports where the CPU went per line received,
 * per thread (/proc/self/task: the main thread, the reader and parse threads
 * started by the ingest, and the rest: V8's GC and compiler helpers) and the
 * sender process (its CPU as a reaped child, /proc/self/stat). What the flow
 * costs is the live bench's business; this is the input's share of the
 * per-line budget. udpFloor is the floor under it: the same sender into a
 * bare dgram socket that only counts. Linux only (/proc).
 */
import { execFile } from 'child_process';
import * as dgram from 'dgram';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DEFAULT_PARSER_OPTIONS } from '../core/parse/parser';
import { udpSocketDrops } from '../input/kernel-counters';
import { SyslogIngest } from '../input/syslog-ingest';
import { linesOf } from './bench-live';
import { childrenCpu, taskCpu } from './proc-cpu';

/** CPU ms per thread of this process (Linux only: the floor and thread split need /proc) */
function threads(): Map<string, { all: number; kernel: number }> {
  const cpu = taskCpu('self');
  if (!cpu) throw new Error('the CPU by thread needs /proc (Linux)');
  return cpu;
}

/** The generated CEF lines in a file of their own, for netbeacon-replay */
function writeLines(count: number): string {
  const file = path.join(os.tmpdir(), `netbeacon-ingest-threads-${process.pid}.log`);
  fs.writeFileSync(file, linesOf('panos-cef', count).join('\n') + '\n');
  return file;
}

/** netbeacon-replay in its own process sends the file's lines to `port` over UDP at `rate`; its report */
function sendLines(file: string, port: number, rate: number): Promise<string> {
  return new Promise<string>((resolve, reject) =>
    execFile(
      process.execPath,
      [path.join(__dirname, '..', 'tools', 'replay-cli.js'), '--file', file, '--port', String(port), '--proto', 'udp', '--rate', String(rate)],
      (err, out, stderr) => (err ? reject(new Error(stderr || err.message)) : resolve(out)),
    ),
  );
}

/** the run as the sender saw it: lines and rate asked, the rate its report says it reached */
const asSent = (lines: number, rateAsked: number, replayReport: string) => ({
  lines,
  rateAsked,
  rateSent: Number(/: (\d+) lines\/s/.exec(replayReport)?.[1] ?? NaN),
});
/** the sender's CPU per line from its first send to its close (its start-up, reading the file, left out) */
const senderWhileSending = (replayReport: string) => Number(/CPU while sending ([\d.]+) µs per line/.exec(replayReport)?.[1] ?? NaN);

export interface IngestThreadsRun {
  lines: number;
  rateAsked: number;
  rateSent: number;
  received: number;
  delivered: number;
  kernelDrops: number | null;
  queueDropped: number;
  /** µs of CPU per line received (the sender's: per line sent) */
  perLine: { main: number; reader: number; parse: number; others: number; sender: number; senderSending: number };
  /** of those, in the kernel (system time): the reader's is mostly receiving datagrams */
  kernelPerLine: { main: number; reader: number; parse: number };
}

export async function ingestThreads(count: number, rate: number, receiveBufferBytes = 4 << 20): Promise<IngestThreadsRun> {
  const file = writeLines(count);
  let delivered = 0;
  const before = threads();
  const ingest = new SyslogIngest(
    {
      transport: 'udp',
      host: '127.0.0.1',
      port: 0,
      framing: 'auto',
      maxConnections: 100,
      maxPerSender: 10,
      handshakeTimeoutSeconds: 10,
      progressTimeoutSeconds: 30,
      maxFrameBytes: 65536,
      idleTimeoutSeconds: 600,
      receiveBufferBytes,
      queueBytes: 64 << 20,
      batchLines: 1000,
      batchMs: 200,
      parser: { ...DEFAULT_PARSER_OPTIONS, format: 'auto' },
    },
    {
      batch: (p) => (delivered += Array.isArray(p) ? p.length : 1),
      unparsed: () => undefined,
      parseErrors: () => undefined,
      failed: (err) => process.stderr.write(`${err.message}\n`),
    },
  );
  const info = await ingest.start();
  // the threads the ingest started, in the order it started them (reader, then parse)
  const started = [...threads().keys()].filter((t) => !before.has(t));
  const cpu0 = threads();
  const child0 = childrenCpu();
  const stdout = await sendLines(file, info.port, rate);
  // wait until what arrived is handed on (or nothing moves for 2 s)
  let last = -1;
  let still = 0;
  while (still < 20) {
    await new Promise((r) => setTimeout(r, 100));
    still = delivered === last ? still + 1 : 0;
    last = delivered;
    if (ingest.stats().queued === 0 && still >= 3) break;
  }
  const cpu1 = threads();
  const sender = childrenCpu() - child0;
  const stats = ingest.stats();
  await ingest.close();
  fs.rmSync(file, { force: true });
  const used = (tid: string) => (cpu1.get(tid)?.all ?? 0) - (cpu0.get(tid)?.all ?? 0);
  const sysUsed = (tid: string) => (cpu1.get(tid)?.kernel ?? 0) - (cpu0.get(tid)?.kernel ?? 0);
  const main = used(String(process.pid));
  const reader = started[0] ? used(started[0]) : 0;
  const parse = started[1] ? used(started[1]) : 0;
  let all = 0;
  for (const tid of cpu1.keys()) all += used(tid);
  const received = stats.total.lines;
  const per = (ms: number) => (received > 0 ? (1000 * ms) / received : NaN);
  return {
    ...asSent(count, rate, stdout),
    received,
    delivered,
    kernelDrops: stats.kernel.socketDrops,
    queueDropped: stats.total.queueDropped,
    kernelPerLine: {
      main: per(sysUsed(String(process.pid))),
      reader: started[0] ? per(sysUsed(started[0])) : 0,
      parse: started[1] ? per(sysUsed(started[1])) : 0,
    },
    perLine: {
      main: per(main),
      reader: per(reader),
      parse: per(parse),
      others: per(all - main - reader - parse),
      sender: (1000 * sender) / count,
      senderSending: senderWhileSending(stdout),
    },
  };
}

export function formatIngestThreads(r: IngestThreadsRun): string {
  const p = r.perLine;
  const total = p.main + p.reader + p.parse + p.others + p.sender;
  return (
    `UDP input alone, ${r.lines} CEF lines asked at ${r.rateAsked}/s, sent at ${r.rateSent}/s: received ${r.received}, handed on ${r.delivered}` +
    ` (${((100 * r.delivered) / r.lines).toFixed(2)} %), kernel dropped ${r.kernelDrops ?? 'n/a'}, queue full ${r.queueDropped}\n` +
    `CPU µs per line received: main ${p.main.toFixed(1)}, reader ${p.reader.toFixed(1)}, parse ${p.parse.toFixed(1)}, other threads (GC, compiler) ${p.others.toFixed(1)}, sender process ${p.sender.toFixed(1)} per line sent (${p.senderSending.toFixed(1)} while sending); total ${total.toFixed(1)} (2 cores: ${Math.round(2e6 / total)} lines/s at most)\n` +
    `  of which in the kernel: main ${r.kernelPerLine.main.toFixed(1)}, reader ${r.kernelPerLine.reader.toFixed(1)}, parse ${r.kernelPerLine.parse.toFixed(1)}\n`
  );
}

export interface FloorRun {
  lines: number;
  rateAsked: number;
  rateSent: number;
  received: number;
  kernelDrops: number | null;
  /** µs of CPU per datagram received by the bare receiver (all its process's threads), and of it in the kernel; the sender's per line sent */
  perLine: { receiver: number; receiverKernel: number; sender: number; senderSending: number };
}

/**
 * The floor under any UDP input written on Node's dgram: a socket on this
 * process's main thread whose handler only counts (its CPU is every thread of
 * this process, V8's helpers included), the same receive buffer as
 * the input, the same sender, lines and pacing as ingestThreads. Whatever the
 * input does per line comes on top of this receiver's CPU.
 */
export async function udpFloor(count: number, rate: number, receiveBufferBytes = 4 << 20): Promise<FloorRun> {
  const file = writeLines(count);
  const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: receiveBufferBytes });
  let received = 0;
  socket.on('message', () => received++);
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const port = socket.address().port;
  try {
    const cpu0 = threads();
    const child0 = childrenCpu();
    const stdout = await sendLines(file, port, rate);
    // the datagrams still in the socket's buffer are read before the count is taken
    let last = -1;
    while (received !== last) {
      last = received;
      await new Promise((r) => setTimeout(r, 100));
    }
    const cpu1 = threads();
    const sender = childrenCpu() - child0;
    // every thread of this process: the datagrams' garbage is partly collected by V8's helper threads
    let all = 0;
    let kernel = 0;
    for (const [tid, t] of cpu1) {
      all += t.all - (cpu0.get(tid)?.all ?? 0);
      kernel += t.kernel - (cpu0.get(tid)?.kernel ?? 0);
    }
    const per = (ms: number) => (received > 0 ? (1000 * ms) / received : NaN);
    return {
      ...asSent(count, rate, stdout),
      received,
      kernelDrops: udpSocketDrops(port),
      perLine: { receiver: per(all), receiverKernel: per(kernel), sender: (1000 * sender) / count, senderSending: senderWhileSending(stdout) },
    };
  } finally {
    socket.close();
    fs.rmSync(file, { force: true });
  }
}

export function formatFloor(r: FloorRun): string {
  const p = r.perLine;
  // the sender's start-up (reading the file) is over before the first send: only its CPU while sending competes
  const total = p.receiver + p.senderSending;
  return (
    `bare dgram receiver (counts only), ${r.lines} CEF lines asked at ${r.rateAsked}/s, sent at ${r.rateSent}/s: received ${r.received}` +
    ` (${((100 * r.received) / r.lines).toFixed(2)} %), kernel dropped ${r.kernelDrops ?? 'n/a'}\n` +
    `CPU µs per line: receiver ${p.receiver.toFixed(1)} (kernel ${p.receiverKernel.toFixed(1)}), sender process ${p.sender.toFixed(1)} per line sent` +
    ` (${p.senderSending.toFixed(1)} while sending); receiver and sending ${total.toFixed(1)} of the ${(2e6 / r.rateAsked).toFixed(1)} that 2 cores give a line at ${r.rateAsked}/s, ${Math.max(0, 2e6 / r.rateAsked - total).toFixed(1)} left for parsing and the flow\n`
  );
}
