#!/usr/bin/env node
/**
 * netbeacon-replay: sends a log file to a syslog listener, so integrators
 * can test their flows with their own captures.
 *
 *   netbeacon-replay --file conn.log --port 5514 [--host 127.0.0.1] [--proto udp|tcp]
 *                    [--rate LINES_PER_SECOND] [--octet-count]
 *
 * UDP sends one datagram per line. TCP sends newline-delimited lines, or
 * RFC 6587 octet-counted frames with --octet-count (for syslog lines, which
 * start with their <PRI>). --rate 0 sends as fast as
 * the socket takes it (over UDP the receiver may drop datagrams then).
 */
import * as dgram from 'dgram';
import * as fs from 'fs';
import * as net from 'net';

export interface ReplayOptions {
  lines: string[];
  host: string;
  port: number;
  proto: 'udp' | 'tcp';
  /** lines per second; 0 = as fast as possible */
  rate: number;
  octetCount: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends the lines; resolves with the number sent once the socket is closed. */
export async function replay(o: ReplayOptions): Promise<number> {
  const lines = o.lines.filter((l) => l.length > 0);
  const batch = o.rate > 0 ? Math.max(1, Math.round(o.rate / 100)) : lines.length;
  const started = Date.now();
  let sent = 0;
  const pace = async () => {
    if (o.rate <= 0) return;
    const due = started + (sent / o.rate) * 1000;
    const wait = due - Date.now();
    if (wait > 0) await sleep(wait);
  };
  if (o.proto === 'udp') {
    const socket = dgram.createSocket(o.host.includes(':') ? 'udp6' : 'udp4');
    try {
      for (let i = 0; i < lines.length; i += batch) {
        for (const line of lines.slice(i, i + batch)) {
          await new Promise<void>((resolve, reject) => socket.send(Buffer.from(line), o.port, o.host, (err) => (err ? reject(err) : resolve())));
          sent++;
        }
        await pace();
      }
    } finally {
      socket.close();
    }
    return sent;
  }
  const socket = net.connect({ host: o.host, port: o.port });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  for (let i = 0; i < lines.length; i += batch) {
    const chunk = lines
      .slice(i, i + batch)
      .map((l) => (o.octetCount ? `${Buffer.byteLength(l)} ${l}` : `${l}\n`))
      .join('');
    if (!socket.write(chunk)) await new Promise((resolve) => socket.once('drain', resolve));
    sent += Math.min(batch, lines.length - i);
    await pace();
  }
  await new Promise<void>((resolve) => socket.end(resolve));
  return sent;
}

function main(argv: string[]): Promise<void> {
  const get = (name: string, fallback?: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 && argv[i + 1] !== undefined && !argv[i + 1].startsWith('--') ? argv[i + 1] : fallback;
  };
  const file = get('file');
  const port = Number(get('port'));
  if (!file || !Number.isInteger(port) || port <= 0) {
    throw new Error('usage: netbeacon-replay --file FILE --port PORT [--host 127.0.0.1] [--proto udp|tcp] [--rate N] [--octet-count]');
  }
  const proto = get('proto', 'udp') === 'tcp' ? 'tcp' : 'udp';
  const options: ReplayOptions = {
    lines: fs.readFileSync(file, 'utf8').split('\n'),
    host: get('host', '127.0.0.1') as string,
    port,
    proto,
    rate: Number(get('rate', '2000')),
    octetCount: argv.includes('--octet-count'),
  };
  const t0 = Date.now();
  return replay(options).then((n) => {
    process.stdout.write(`sent ${n} lines over ${proto} to ${options.host}:${port} in ${((Date.now() - t0) / 1000).toFixed(1)} s (rate ${options.rate || 'max'}/s)\n`);
  });
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err: Error) => {
    process.stderr.write(`netbeacon-replay: ${err.message}\n`);
    process.exit(2);
  });
}
