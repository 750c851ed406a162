#!/usr/bin/env node
/**
 * netbeacon-replay: sends a log file to a syslog listener, so integrators
 * can test their flows with their own captures, and the benchmark can load
 * the live path at a chosen rate.
 */
import * as dgram from 'dgram';
import * as fs from 'fs';
import * as net from 'net';
import { numberOption, parseOptions, runTool, UsageError } from './cli-args';

const USAGE = `usage: netbeacon-replay --file FILE --port PORT [options]

Sends each line of FILE to a syslog listener.
  --file FILE        log lines to send (one per line)
  --port PORT        listener port
  --host ADDRESS     listener address (default 127.0.0.1)
  --proto udp|tcp    UDP: one datagram per line (default); TCP: newline-delimited
  --octet-count      TCP: RFC 6587 octet-counted frames instead of newlines
  --rate N           lines per second, paced evenly (default 2000; 0 = as fast as the socket takes them)
  --repeat N         send the file N times (default 1)
  --help             this text

Pacing follows a high-resolution clock and sends the lines due at each
millisecond tick together; at the end it prints the rate it reached and its
own CPU per line while sending (what it takes from a machine it shares).`;

export interface ReplayOptions {
  /** the lines, as text or as their UTF-8 bytes (bytes are sent as they are: no encoding per datagram) */
  lines: ReadonlyArray<string | Uint8Array>;
  host: string;
  port: number;
  proto: 'udp' | 'tcp';
  /** lines per second; 0 = as fast as possible */
  rate: number;
  octetCount: boolean;
}

export interface ReplayReport {
  sent: number;
  seconds: number;
  /** lines per second reached */
  rate: number;
  /** this process's CPU (user and kernel) from the first send to the close: what the sender takes from a machine it shares */
  cpuSeconds: number;
}

/** sends per send with a callback (see replay) */
const CHECK_EVERY = 256;

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 1));
const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;

/**
 * Sends the lines, paced: at each tick (about a millisecond) every line due
 * by the clock goes out, so the rate is even at tens of thousands of lines
 * per second. Resolves once the socket is closed.
 */
export async function replay(o: ReplayOptions): Promise<ReplayReport> {
  const lines = o.lines.filter((l) => l.length > 0);
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  let sent = 0;
  const report = () => {
    const used = process.cpuUsage(cpu);
    const s = seconds(start);
    return { sent, seconds: s, rate: sent / s, cpuSeconds: (used.user + used.system) / 1e6 };
  };
  const due = () => (o.rate > 0 ? Math.min(lines.length, Math.floor(seconds(start) * o.rate) + 1) : lines.length);
  if (o.proto === 'udp') {
    const socket = dgram.createSocket(net.isIPv6(o.host) ? 'udp6' : 'udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.connect(o.port, o.host, () => (socket.off('error', reject), resolve()));
    });
    const maxDatagram = net.isIPv6(o.host) ? 65527 : 65507;
    let failure: Error | null = null;
    let checks = 0;
    const heard = (err: Error | null) => {
      if (err && !err.message.includes('ECONNREFUSED')) failure ??= err; // no listener yet: datagrams are lost, as with any syslog client
    };
    const settled = (err: Error | null) => {
      checks--;
      heard(err);
    };
    // a send without a callback reports its error here; unheard, it would end the process
    socket.on('error', heard);
    try {
      while (sent < lines.length) {
        const until = due();
        // at most 2,000 sends queued in libuv at once: memory stays flat when asked for more than the socket takes
        while (sent < until && socket.getSendQueueCount() < 2000) {
          const line = lines[sent++];
          const size = typeof line === 'string' ? Buffer.byteLength(line) : line.length;
          if (size > maxDatagram) throw new Error(`line ${sent} is ${size} bytes, longer than a UDP datagram can be (${maxDatagram})`);
          // a callback per send costs a tick each: one send in CHECK_EVERY (and the last) reports the errors that persist
          if (sent % CHECK_EVERY === 0 || sent === lines.length) {
            checks++;
            socket.send(line, settled);
          } else socket.send(line);
        }
        if (failure) throw failure;
        await tick();
      }
      while (checks > 0 || socket.getSendQueueCount() > 0) await tick();
      if (failure) throw failure;
    } finally {
      await new Promise<void>((resolve) => socket.close(() => resolve()));
    }
    return report();
  }
  const socket = net.connect({ host: o.host, port: o.port });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const newline = Buffer.from('\n');
  while (sent < lines.length) {
    const until = due();
    const parts: Uint8Array[] = [];
    let size = 0;
    while (sent < until && size < 1 << 20) {
      const l = lines[sent++];
      const bytes = typeof l === 'string' ? Buffer.from(l) : l;
      if (o.octetCount) parts.push(Buffer.from(`${bytes.length} `), bytes);
      else parts.push(bytes, newline);
      size += bytes.length + 1;
    }
    if (parts.length > 0 && !socket.write(Buffer.concat(parts))) await new Promise((resolve) => socket.once('drain', resolve));
    else await tick();
  }
  await new Promise<void>((resolve) => socket.end(resolve));
  return report();
}

/** The lines of a file (split at newlines; empty ones left out, as the sender skips them), as views of its bytes. */
export function fileLines(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  while (start <= bytes.length) {
    let end = bytes.indexOf(10, start);
    if (end < 0) end = bytes.length;
    if (end > start) out.push(bytes.subarray(start, end));
    start = end + 1;
  }
  return out;
}

async function main(argv: string[]): Promise<void> {
  const args = parseOptions(argv, { file: 'value', port: 'value', host: 'value', proto: 'value', rate: 'value', repeat: 'value', 'octet-count': 'flag' });
  const file = args.get('file')?.[0];
  if (!file) throw new UsageError('--file FILE is required');
  if (!args.has('port')) throw new UsageError('--port PORT is required');
  const port = numberOption(args, 'port', 0, 1, 65535);
  const proto = args.get('proto')?.[0] ?? 'udp';
  if (proto !== 'udp' && proto !== 'tcp') throw new UsageError(`--proto must be udp or tcp, not ${JSON.stringify(proto.slice(0, 20))}`);
  const rate = numberOption(args, 'rate', 2000, 0, Infinity, false);
  const repeat = numberOption(args, 'repeat', 1, 1, 1e6);
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  // the file's lines as views of its bytes: a datagram is sent from them with no string made or encoded per line
  const once = fileLines(bytes);
  const options: ReplayOptions = {
    lines: repeat === 1 ? once : Array.from({ length: repeat }, () => once).flat(),
    host: args.get('host')?.[0] ?? '127.0.0.1',
    port,
    proto,
    rate,
    octetCount: args.has('octet-count'),
  };
  const r = await replay(options);
  const asked = rate > 0 ? `${rate}/s asked` : 'as fast as possible';
  const short = rate > 0 && r.rate < rate * 0.98 ? ` — below the rate asked: this machine's sender reached ${Math.round(r.rate)}/s` : '';
  process.stdout.write(
    `sent ${r.sent} lines over ${proto} to ${options.host}:${port} in ${r.seconds.toFixed(2)} s: ${Math.round(r.rate)} lines/s (${asked})${short};` +
      ` CPU while sending ${r.sent > 0 ? ((1e6 * r.cpuSeconds) / r.sent).toFixed(1) : '0'} µs per line\n`,
  );
}

if (require.main === module) runTool('netbeacon-replay', USAGE, main);
