#!/usr/bin/env node
/**
 * A lower bound for any chain that takes the WireData rule's records as
 * JavaScript objects (as Node-RED messages carry them): the work every
 * design must do before any of the rule's logic, measured on the same
 * records as the benchmark. Stages are cumulative: each loop does the work
 * of the ones above it plus one more step, over batches of 1,000, on fresh
 * copies of the records (as the json node delivers them), GC before each run,
 * median of the runs. There is no sorting, lateness, window, early verdict or
 * output row here, so a real chain can only be slower than the last line.
 *
 *   node --expose-gc dist/dev/chain-floor.js [--records 1450000] [--runs 5]
 */
import { kqlPublicDropReason } from '../core/common/address';
import { LogRecord } from '../core/common/records';
import { EventTime, readEventTime } from '../core/common/time';
import { asParsed, benchRecords } from './bench-records';
import { argReader } from './bench-kit';

/**
 * Integer triples → dense ids in typed arrays (open addressing, linear
 * probing): what a tuned design would use instead of a Map, which boxes
 * keys past 2^31 and costs ~100 B per entry.
 */
class TripleIds {
  private slots: Int32Array;
  private keys: Int32Array;
  size = 0;
  constructor(private capacity = 1 << 22) {
    this.slots = new Int32Array(capacity).fill(-1);
    this.keys = new Int32Array(capacity * 3);
  }
  id(a: number, b: number, c: number): number {
    const mask = this.capacity - 1;
    let i = (Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca6b) ^ Math.imul(c, 0xc2b2ae35)) & mask;
    for (;;) {
      const id = this.slots[i];
      if (id < 0) {
        if (this.size * 2 >= this.capacity) throw new Error('floor table full: raise its capacity');
        const n = this.size++;
        this.slots[i] = n;
        this.keys[3 * n] = a;
        this.keys[3 * n + 1] = b;
        this.keys[3 * n + 2] = c;
        return n;
      }
      if (this.keys[3 * id] === a && this.keys[3 * id + 1] === b && this.keys[3 * id + 2] === c) return id;
      i = (i + 1) & mask;
    }
  }
}

export interface FloorStage {
  name: string;
  nsPerRecord: number;
}

type Loop = (records: LogRecord[], from: number, to: number) => number;

const STAGES = [
  'read the 6 fields the rule uses',
  '+ parse TimeGenerated (readEventTime)',
  '+ public address check, cached per address',
  '+ host id and previous time per host',
  '+ group id (host, remote address id, port)',
  '+ count per (hour, group, delta)',
];

/**
 * The loop of stage `level` (0 = the first line of STAGES): every step up to
 * it, each in the order a chain needs it. `level` is fixed per loop, so its
 * tests are predicted branches; the loop returns a number so no work is
 * optimised away.
 */
function loopFor(level: number): Loop {
  const time: EventTime = { sec: 0, ticks: 0 };
  const field = (v: unknown) => (typeof v === 'string' ? v : '');
  const num = (v: unknown) => (typeof v === 'number' ? v : 0);
  const publicIp = new Map<string, boolean>();
  const hosts = new Map<string, number>();
  const remotes = new Map<string, number>();
  const groups = new TripleIds();
  const cells = new TripleIds();
  const counts = new Int32Array(1 << 22);
  const last = new Float64Array(1 << 20).fill(NaN);
  const lastGroup = new Int32Array(1 << 20);
  return (rs, from, to) => {
    let x = 0;
    for (let i = from; i < to; i++) {
      const r = rs[i];
      const ip = field(r.RemoteIP);
      const local = field(r.LocalIP);
      x += num(r.RemotePortNumber) + num(r.SentBytes) + num(r.ReceivedBytes);
      if (level === 0) {
        x += ip.length + local.length + field(r.TimeGenerated).length;
        continue;
      }
      if (level >= 2) {
        let pub = publicIp.get(ip);
        if (pub === undefined) publicIp.set(ip, (pub = kqlPublicDropReason(ip) === null));
        if (!pub) continue;
      }
      if (!readEventTime(r.TimeGenerated, time)) continue;
      if (level < 3) {
        x += time.sec + ip.length + local.length;
        continue;
      }
      let h = hosts.get(local);
      if (h === undefined) hosts.set(local, (h = hosts.size));
      const prev = last[h];
      last[h] = time.sec;
      if (level < 4) {
        x += time.sec - prev;
        continue;
      }
      let d = remotes.get(ip);
      if (d === undefined) remotes.set(ip, (d = remotes.size));
      const g = groups.id(h, d, num(r.RemotePortNumber) | 0);
      if (level >= 5) {
        // the previous event's cell (its hour and group) counts this delta
        const delta = time.sec - prev;
        if (delta > 10) counts[cells.id(Math.floor(prev / 3600) | 0, lastGroup[h], delta | 0)]++;
      }
      lastGroup[h] = g;
      x += g;
    }
    return x + cells.size;
  };
}

/** Each stage's nanoseconds per record (median of `runs`, after one warm-up). */
export function floorStages(made: LogRecord[], runs: number, batch = 1000): FloorStage[] {
  const gc = (globalThis as { gc?: () => void }).gc;
  const out: FloorStage[] = [];
  let sink = 0;
  for (let level = 0; level < STAGES.length; level++) {
    const times: number[] = [];
    for (let run = -1; run < runs; run++) {
      const records = asParsed(made);
      const loop = loopFor(level);
      gc?.();
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < records.length; i += batch) sink += loop(records, i, Math.min(records.length, i + batch));
      if (run >= 0) times.push(Number(process.hrtime.bigint() - t0) / records.length);
    }
    times.sort((a, b) => a - b);
    out.push({ name: STAGES[level], nsPerRecord: times[Math.floor(times.length / 2)] });
  }
  if (sink === 0.5) process.stdout.write(''); // keeps the sums alive
  return out;
}

export function printFloor(stages: FloorStage[], write: (t: string) => void): void {
  const width = Math.max(...stages.map((s) => s.name.length));
  for (const s of stages)
    write(`  ${s.name.padEnd(width)}  ${s.nsPerRecord.toFixed(0).padStart(6)} ns/record  (${(1e9 / s.nsPerRecord / 1e6).toFixed(2)} M records/s)\n`);
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const arg = argReader(args);
  const records = Number(arg('records', '1450000'));
  const runs = Number(arg('runs', '5'));
  process.stdout.write(
    `floor of a chain over ${records} WireData records as objects (cumulative stages, batches of 1,000, fresh copies, median of ${runs}):\n`,
  );
  printFloor(floorStages(benchRecords(records), runs), (t) => process.stdout.write(t));
}
