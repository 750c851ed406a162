#!/usr/bin/env node
/**
 * Bytes allocated per datagram and per frame by the listener's own code,
 * before the flow sees a line: the UDP reader thread's chunker (a datagram
 * in, the chunk taken every 1,000 lines, as the thread does) and the TCP
 * frame reader (a newline-delimited stream in 64 KiB reads). V8's sampling
 * heap profiler, freed objects included (garbage is what this measures);
 * the datagram's and the read's own Buffer are made before it starts (Node
 * makes them, not this code). Generated PAN-OS CEF lines.
 *
 *   node --expose-gc dist/dev/profile-ingest.js [--lines 200000] [--out test-artifacts/profile]
 *
 * With --live: the UDP input alone over a real socket, paced by
 * netbeacon-replay, CPU per line per thread (dev/ingest-threads):
 *
 *   node dist/dev/profile-ingest.js --live [--lines 300000] [--rate 100000]
 *
 * With --live --floor: that run alternated, round by round, with the floor
 * under it: the same sender and lines into a bare dgram socket that only
 * counts (what any input on Node's dgram pays before its own work):
 *
 *   node dist/dev/profile-ingest.js --live --floor --lines 1000000 --rate 100000 [--rounds 3] [--receive-buffer BYTES]
 */
import * as os from 'os';
import * as path from 'path';
import { FrameReader } from '../input/frame-reader';
import { UdpChunker } from '../input/udp-chunks';
import { linesOf } from './bench-live';
import { devArg } from './dev-args';
import { formatFloor, formatIngestThreads, ingestThreads, udpFloor } from './ingest-threads';
import { PartProfiler } from './profile-report';

async function main(): Promise<void> {
  if (process.argv.includes('--live')) {
    const lines = Number(devArg('lines', '300000'));
    const rate = Number(devArg('rate', '100000'));
    // the input's receive buffer (and the floor's); the kernel cuts it to net.core.rmem_max
    const buffer = Number(devArg('receive-buffer', String(4 << 20)));
    if (!process.argv.includes('--floor')) {
      process.stdout.write(formatIngestThreads(await ingestThreads(lines, rate, buffer)));
      return;
    }
    // the floor and the input alternated, which goes first swapped each round, so a drift of the machine hits both
    const rounds = Number(devArg('rounds', '3'));
    for (let round = 1; round <= rounds; round++) {
      const runs = [async () => formatFloor(await udpFloor(lines, rate, buffer)), async () => formatIngestThreads(await ingestThreads(lines, rate, buffer))];
      if (round % 2 === 0) runs.reverse();
      for (const run of runs) process.stdout.write(`round ${round}, load ${os.loadavg()[0].toFixed(1)}: ${await run()}`);
    }
    return;
  }
  const count = Number(devArg('lines', '200000'));
  const root = path.resolve(__dirname, '..');
  const out = path.resolve(devArg('out', path.join(root, '..', 'test-artifacts', 'profile')));
  const lines = linesOf('panos-cef', count);
  const datagrams = lines.map((l) => Buffer.from(l));
  const stream = Buffer.from(lines.join('\n') + '\n');
  const reads: Buffer[] = [];
  for (let at = 0; at < stream.length; at += 65536) reads.push(stream.subarray(at, at + 65536));

  const udp = () => {
    const chunker = new UdpChunker({ maxFrameBytes: 65536, room: () => 1e9, roomBytes: () => 1e12 });
    for (const d of datagrams) {
      chunker.add(d, '127.0.0.1', 40000);
      if (chunker.pendingLines >= 1000) chunker.take();
    }
    chunker.take();
  };
  const tcp = () => {
    const reader = new FrameReader('auto', 65536);
    for (const r of reads) reader.push(r);
    reader.end();
  };
  for (const [name, work] of [
    ['UDP reader thread: chunker, per datagram', udp],
    ['TCP frame reader, per frame', tcp],
  ] as const) {
    work(); // warm-up
    (globalThis as { gc?: () => void }).gc?.();
    const profiler = new PartProfiler(root, true);
    await profiler.start();
    work();
    const file = await profiler.stop(out, name.startsWith('UDP') ? 'udp-chunker' : 'frame-reader');
    process.stdout.write(`\n${name} (${count} CEF lines of ${Math.round(stream.length / count)} bytes on average):`);
    profiler.report(count, 8);
    process.stdout.write(`written: ${file}\n`);
    profiler.disconnect();
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
});
