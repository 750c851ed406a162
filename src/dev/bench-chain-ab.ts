#!/usr/bin/env node
/**
 * A/B of the batched core chain (filter → delta → histogram → scorer,
 * batches of 1,000) between this build and another build of the package
 * (an older commit), in one process, runs alternated, so a shared or noisy
 * machine affects both sides alike. Prints CPU and wall nanoseconds per
 * record, per stage, and checks both sides give the same alert rows.
 *
 *   git worktree add /tmp/base <commit> && (cd /tmp/base && npm ci && npm run build)
 *   node --expose-gc dist/dev/bench-chain-ab.js --base /tmp/base [--records 300000] [--runs 5] [--certain] [--single]
 *
 * --certain: the histogram with early verdicts and the scorer's early-alert
 * book, as in the WireData example flow; --single: record by record.
 */
import * as os from 'os';
import * as path from 'path';
import { LogRecord } from '../core/common/records';
import { asParsed, benchRecords } from './bench-records';
import { argReader, median } from './bench-kit';

const args = process.argv.slice(2);
const arg = argReader(args);
const RECORDS = Number(arg('records', '300000'));
const RUNS = Number(arg('runs', '5'));
const CERTAIN = args.includes('--certain');
const SINGLE = args.includes('--single');
const BATCH = 1000;
const gc = (globalThis as { gc?: () => void }).gc;

/** The stage modules of one build, loaded by path: two builds need not share their types. */
// biome-ignore lint/suspicious/noExplicitAny: another build's module, typed by nobody
type Module = Record<string, any>;
export interface Side {
  kql: (v: unknown) => unknown;
  D: Module;
  H: Module;
  S: Module;
  C: Module;
}

export function load(root: string): Side {
  // a build of this layout (modules by stage) or of the older flat one
  const r = (...names: string[]) => {
    for (const m of names) {
      try {
        return require(path.join(root, m));
      } catch (err) {
        if ((err as { code?: string }).code !== 'MODULE_NOT_FOUND') throw err;
      }
    }
    throw new Error(`${root} holds none of ${names.join(', ')}: not a build of this project`);
  };
  return {
    kql: r('core/common/address', 'core/address').kqlPublicDropReason,
    D: r('core/delta/delta', 'core/delta'),
    H: r('core/histogram', 'core/histogram'),
    S: r('core/scorer/scorer', 'core/scorer'),
    C: r('core/scorer/early-alerts', 'core/certainty'),
  };
}

type Stage = 'filter' | 'delta' | 'histogram' | 'scorer';

/** The chain over `records` with one build's modules: each stage's nanoseconds, histogram rows, alert rows. */
export function run(m: Side, records: LogRecord[], mode = { certain: CERTAIN, single: SINGLE }): { ns: Record<Stage, number>; rows: number; alerts: string[] } {
  const delta = new m.D.DeltaTracker({ ...m.D.WIREDATA_DELTA, latenessSeconds: 300, maxKeys: 500_000, maxBuffered: 1_000_000 });
  const certain = mode.certain ? { certainAfterSeconds: 300, certainKeyFields: ['LocalIP'] } : {};
  const hist = new m.H.HistogramAggregator({
    ...m.H.WIREDATA_HISTOGRAM,
    skipZeroField: 'RemotePortNumber',
    closeAfterSeconds: 86400,
    maxOpenCells: 1_000_000,
    ...certain,
  });
  const early = new m.C.EarlyAlerts();
  const d = m.D.newDeltaOutput();
  const h = m.H.newHistogramOutput();
  const ns: Record<Stage, number> = { filter: 0, delta: 0, histogram: 0, scorer: 0 };
  const alerts: string[] = [];
  let rows = 0;
  const now = () => Number(process.hrtime.bigint());
  const drain = () => {
    const t0 = now();
    if (hist.addBatch) hist.addBatch(d.released, h);
    else for (const r of d.released) hist.add(r, h);
    d.released.length = 0;
    d.late.length = 0;
    const t1 = now();
    ns.histogram += t1 - t0;
    for (const row of h.rows) {
      const scored = mode.certain ? early.decide(row, m.S.WIREDATA_SCORER, 'ab', () => null)?.result : m.S.scoreRow(row, m.S.WIREDATA_SCORER);
      if (scored?.alert && scored.row.Final !== false)
        alerts.push(JSON.stringify([scored.row.TimeGenerated, scored.row.LocalIP, scored.row.RemoteIP, scored.row.TotalEvents, scored.row.BeaconPercent]));
    }
    rows += h.rows.length;
    h.rows.length = 0;
    ns.scorer += now() - t1;
  };
  for (let i = 0; i < records.length; i += BATCH) {
    const t0 = now();
    const kept: LogRecord[] = [];
    for (let j = i; j < i + BATCH && j < records.length; j++) if (m.kql(records[j].RemoteIP) === null) kept.push(records[j]);
    const t1 = now();
    ns.filter += t1 - t0;
    if (mode.single) {
      for (const r of kept) {
        const t2 = now();
        delta.add(r, d);
        ns.delta += now() - t2;
        drain();
      }
    } else {
      delta.addBatch(kept, d);
      ns.delta += now() - t1;
      drain();
    }
  }
  let t = now();
  delta.flush(d);
  ns.delta += now() - t;
  drain();
  t = now();
  hist.flush(h);
  ns.histogram += now() - t;
  drain();
  return { ns, rows, alerts };
}

function main(): void {
  const baseRoot = arg('base', '');
  const help = args.includes('--help');
  if (help || !baseRoot) {
    // a development tool, but it answers like the shipped ones: usage, not a stack trace
    const usage =
      'usage: node --expose-gc dist/dev/bench-chain-ab.js --base <directory of another build> [--records 300000] [--runs 5] [--certain] [--single]\n';
    if (help) process.stdout.write(usage);
    else process.stderr.write(`--base <directory of another build> is needed\n${usage}`);
    process.exit(help ? 0 : 2);
  }
  const sides: Array<[string, Side]> = [
    ['base', load(path.resolve(baseRoot))],
    ['this', load(path.resolve(__dirname, '..'))],
  ];
  const records = benchRecords(RECORDS);
  const results = new Map<string, Array<{ cpu: number; wall: number; ns: Record<Stage, number>; rows: number; alerts: string[] }>>();
  for (let r = 0; r < RUNS; r++) {
    for (const [name, side] of r % 2 === 0 ? sides : [...sides].reverse()) {
      const copy = asParsed(records);
      gc?.();
      const c0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      const out = run(side, copy);
      const wall = Number(process.hrtime.bigint() - t0);
      const cu = process.cpuUsage(c0);
      results.set(name, [...(results.get(name) ?? []), { cpu: (cu.user + cu.system) * 1000, wall, ...out }]);
    }
  }
  const per = (x: number) => (x / RECORDS).toFixed(0).padStart(6);
  process.stdout.write(
    `chain A/B: ${RECORDS} WireData records, ${SINGLE ? 'record by record' : `batches of ${BATCH}`}, early verdicts ${CERTAIN ? 'on (as the WireData example)' : 'off'}; ` +
      `runs alternated in one process, median of ${RUNS}; ns per record; load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores\n`,
  );
  const alertsOf = (name: string) => (results.get(name) ?? [])[0]?.alerts.slice().sort().join('\n');
  for (const [name] of sides) {
    const rs = results.get(name) ?? [];
    const stage = (s: Stage) => per(median(rs.map((x) => x.ns[s])));
    process.stdout.write(
      `${name.padEnd(5)} cpu ${per(median(rs.map((x) => x.cpu)))}  wall ${per(median(rs.map((x) => x.wall)))}  (filter ${stage('filter')}, delta ${stage('delta')}, histogram ${stage('histogram')}, scorer ${stage('scorer')})  ` +
        `${(RECORDS / (median(rs.map((x) => x.wall)) / 1e9) / 1e3).toFixed(0)} k records/s, ${rs[0]?.rows} histogram rows, ${rs[0]?.alerts.length} alert rows\n`,
    );
  }
  process.stdout.write(`alert rows: ${alertsOf('base') === alertsOf('this') ? 'identical' : 'DIFFERENT'}\n`);
}

// a module too: dev/profile-chain.js runs the same chain under the profiler
if (require.main === module) main();
