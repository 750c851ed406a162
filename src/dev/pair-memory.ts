/**
 * Heap bytes per tracked pair of the hunt's 72-hour histogram (windows of
 * 72 h hopping every 12 h, so 6 open cells per pair; whole-second interval
 * buckets, bytes per connection, 24 sub-bins, sources per destination), fed
 * 72 h of one kind of traffic per pair and measured by growing the number of
 * pairs. The cell holds one count per distinct whole-second interval: a
 * beacon's jitter bounds them, random polling spreads them widest.
 *
 *   node --expose-gc dist/dev/pair-memory.js
 */
import { HistogramAggregator, newHistogramOutput, parseDeltaBucket, WIREDATA_HISTOGRAM } from '../core/histogram';
import { Random } from '../tools/random';
import { bytesPerEntry } from './memory-growth';

const HOURS = 72;
const gc = (globalThis as { gc?: () => void }).gc;

export interface PairMemory {
  traffic: string;
  bytesPerPair: number;
  intervalsPerPair: number;
}

type Sleep = (rnd: Random) => number;

const KINDS: Array<[string, Sleep]> = [
  ['300 s beacon, 20 % one-sided jitter', (rnd) => 300 * (1 - 0.2 * rnd.next())],
  ['60 s beacon, 80 % one-sided jitter', (rnd) => 60 * (1 - 0.8 * rnd.next())],
  ['random polling, mean 60 s', (rnd) => rnd.exponential(60)],
];

function histogramWith(pairs: number, sleep: Sleep): HistogramAggregator {
  const h = new HistogramAggregator({
    ...WIREDATA_HISTOGRAM,
    groupFields: ['LocalIP', 'RemoteNetwork', 'RemotePortNumber'],
    binSeconds: 3 * 86400,
    hopSeconds: 43200,
    minDelta: 0,
    closeAfterSeconds: 1e9,
    deltaBucket: parseDeltaBucket('1s'),
    bytesField: 'SentBytes',
    subBins: 24,
    prevalence: { source: 'LocalIP', destination: 'RemoteNetwork' },
  });
  const out = newHistogramOutput();
  const start = Date.UTC(2024, 4, 6) / 1000;
  for (let p = 0; p < pairs; p++) {
    const rnd = new Random(p + 1);
    const src = `10.${(p >> 8) & 255}.${p & 255}.9`;
    for (let t = start + rnd.next() * 60; t < start + HOURS * 3600; ) {
      const d = sleep(rnd);
      h.add(
        {
          TimeGenerated: t * 1000,
          nextTimeGenerated: (t + d) * 1000,
          TimeDeltainSeconds: d,
          LocalIP: src,
          RemoteNetwork: '45.1.2.0/24',
          RemotePortNumber: 443,
          SentBytes: 512,
          ReceivedBytes: 1024,
        },
        out,
      );
      t += d;
    }
  }
  if (out.rows.length > 0) throw new Error('a window closed while measuring');
  return h;
}

export function pairMemory(): PairMemory[] | string {
  if (!gc) return 'run with node --expose-gc to measure memory';
  const a = 40;
  const b = 200;
  return KINDS.map(([traffic, sleep]) => {
    const one = histogramWith(1, sleep).snapshot() as unknown as { state: { cells: Array<[number, string, unknown[], unknown[]]> } };
    const intervals = one.state.cells.reduce((n, c) => n + c[3].length, 0);
    return { traffic, bytesPerPair: Math.round(bytesPerEntry((n) => histogramWith(n, sleep), a, b)), intervalsPerPair: intervals };
  });
}

if (require.main === module) {
  const result = pairMemory();
  if (typeof result === 'string') process.stdout.write(`${result}\n`);
  else {
    process.stdout.write(
      `hunt histogram (72 h windows, 12 h hop: 6 open cells per pair), heap bytes per pair after 72 h of traffic, grown from 40 to 200 pairs:\n`,
    );
    for (const r of result)
      process.stdout.write(
        `  ${r.traffic.padEnd(40)} ${String(r.bytesPerPair).padStart(8)} B/pair  (${r.intervalsPerPair} distinct whole-second intervals over the 6 cells)\n`,
      );
  }
}
