#!/usr/bin/env node
/**
 * npm run bench: how fast and how big the detection core is, next to the
 * same rule as SQL in DuckDB. Honest numbers: every figure is measured in
 * this run, on this machine, as printed; the median of several runs.
 *
 *   node --expose-gc dist/dev/bench.js [--records N] [--runs R] [--json FILE] [--runtime-records N]
 *                                   [--runtime-only | --chain-only | --memory-only | --scaling-only | --live-only | --parsers-only] [--scaling [--scaling-10m]]
 *                                   [--scaling-sizes 100000,1000000]  (the scaling run's sizes, e.g. a quick check)
 *                                   [--live [--live-lines N] [--live-rates 5000,10000,…] [--live-seconds S] [--live-examples cef,pan-os,zeek]
 *                                           [--live-transports udp,tcp] [--live-senders N] [--live-attack] [--live-parse-in auto,thread,flow] [--live-receive-buffer KIB]]
 *                                   [--site [--hosts 1000] [--days 3] [--seed 22] [--ring 256] [--cap MiB]]  (the pair history on a generated site: bench-site.ts)
 *                                   [--site-red [--hosts 1000] [--days 3] [--seed 22] [--cap MiB]]  (the same site through the hunt example's nodes inside Node-RED: bench-site-red.ts)
 *   --parsers-only: every parser in one process, then each format alone in a fresh process
 *     ([--parser-format F --parser-rows]: one format, its row as JSON, for that second table)
 *   --chain-only [--profile | --allocations]: the chain-speed target alone — DuckDB's query and the batched
 *     chain inside Node-RED on the same records, after the floor (chain-floor.ts); with V8's profiler
 *     around each timed run inside Node-RED
 */
import { spawnSync } from 'child_process';
import { compareRows, describeComparison, duckdb, feedOf, printVersus } from './bench-duckdb';
import { argReader, fmt, median, runMain } from './bench-kit';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { kqlPublicDropReason } from '../core/common/address';
import { DeltaTracker, newDeltaOutput, WIREDATA_DELTA } from '../core/delta/delta';
import { HistogramAggregator, newHistogramOutput, WIREDATA_HISTOGRAM } from '../core/histogram';
import { LogRecord } from '../core/common/records';
import { scoreRow, WIREDATA_SCORER } from '../core/scorer/scorer';
import { generateRecords, sampleScenario } from '../tools/traffic-generator';
import { asParsed, benchRecords } from './bench-records';
import { ParserBenchRow, parserBench, parserBenchAlone, printParserBench } from './bench-parsers';
import { runtimeBench } from './bench-runtime';
import { latencyBench } from './bench-latency';
import { bytesPerEntry } from './memory-growth';
import { pairMemory } from './pair-memory';
import { receiveBufferMax } from '../input/kernel-counters';
import { liveBench, LiveRun, summarise } from './bench-live';
import { PartProfiler } from './profile-report';
import { floorStages, printFloor } from './chain-floor';
import { printSite, siteArgs, siteBench } from './bench-site';
import { printSiteRed, siteRedBench } from './bench-site-red';

const args = process.argv.slice(2);
const arg = argReader(args);
/** 1.45 M: the size of the side-by-side run against DuckDB that BENCHMARKS.md's chain-speed target names */
const RECORDS = Number(arg('records', '1450000'));
const BATCH = 1000;
const RUNS = Number(arg('runs', '5'));
const gc = (globalThis as { gc?: () => void }).gc;

export { benchRecords, asParsed };
const clone = asParsed;

/**
 * The scaling run's records, made on the fly and never held in memory: the
 * sample day repeated with new hosts (50 × its sources) and shifted times.
 */
function scalingRecords(n: number, visit: (record: LogRecord, index: number) => void): void {
  const base = generateRecords({ ...sampleScenario('wiredata'), quirks: true });
  const baseMs = base.map((r) => Date.parse(r.TimeGenerated as string));
  const span = 6 * 3600 * 1000;
  let produced = 0;
  for (let copy = 0; produced < n; copy++) {
    for (let i = 0; i < base.length && produced < n; i++, produced++) {
      const r = base[i];
      const rec: LogRecord = Object.assign({}, r, { TimeGenerated: baseMs[i] + copy * span });
      if (typeof r.LocalIP === 'string') rec.LocalIP = `${r.LocalIP}#${copy % 50}`;
      visit(rec, produced);
    }
  }
}

/**
 * Scaling: the core chain over n records made on the fly, batches of 1,000
 * as a batched flow would pass them (the delta's batch path), released
 * deltas and closed rows consumed as they come. Peak heap is sampled every
 * 100,000 records.
 */
function scalingRun(n: number): { seconds: number; peakHeapMB: number; keys: number; lateDeltas: number; alerts: LogRecord[] } {
  const delta = new DeltaTracker({ ...WIREDATA_DELTA, latenessSeconds: 300 });
  const hist = new HistogramAggregator({ ...WIREDATA_HISTOGRAM, skipZeroField: 'RemotePortNumber', closeAfterSeconds: 3600 });
  gc?.();
  let peak = process.memoryUsage().heapUsed;
  const alerts: LogRecord[] = [];
  const d = newDeltaOutput();
  const h = newHistogramOutput();
  // deltas for a cell already closed (close after 1 h keeps memory flat): late, as the streaming model says (README: Streaming)
  let lateDeltas = 0;
  const drain = () => {
    for (const x of d.released) hist.add(x, h);
    d.released.length = 0;
    d.late.length = 0;
    lateDeltas += h.late.length;
    h.late.length = 0;
    for (const row of h.rows) {
      const scored = scoreRow(row, WIREDATA_SCORER);
      if (scored.alert) alerts.push(scored.row);
    }
    h.rows.length = 0;
  };
  let batch: LogRecord[] = [];
  const t0 = process.hrtime.bigint();
  scalingRecords(n, (rec, i) => {
    if (kqlPublicDropReason(rec.RemoteIP) === null) batch.push(rec);
    if (i % BATCH === BATCH - 1 || i === n - 1) {
      delta.addBatch(batch, d);
      batch = [];
      drain();
      if (i % 100000 === 99999) peak = Math.max(peak, process.memoryUsage().heapUsed);
    }
  });
  delta.flush(d);
  drain();
  hist.flush(h);
  drain();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { seconds, peakHeapMB: peak / 2 ** 20, keys: delta.keyCount, lateDeltas, alerts };
}

/** Times fn over fresh copies of the input, RUNS times; returns the median seconds. */
function timeIt<T>(prepare: () => T, fn: (input: T) => void): number {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const input = prepare();
    gc?.();
    const t0 = process.hrtime.bigint();
    fn(input);
    times.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return median(times);
}

interface Row {
  stage: string;
  events: number;
  seconds: number;
  perSecond: number;
  /** nanoseconds per event of the stage */
  nsPerEvent: number;
}

function coreChain(records: LogRecord[]): LogRecord[] {
  const delta = new DeltaTracker({ ...WIREDATA_DELTA, latenessSeconds: 300 });
  const hist = new HistogramAggregator({ ...WIREDATA_HISTOGRAM, closeAfterSeconds: 86400 });
  const d = newDeltaOutput();
  for (const r of records) if (kqlPublicDropReason(r.RemoteIP) === null) delta.add(r, d);
  delta.flush(d);
  const h = newHistogramOutput();
  for (const r of d.released) if (r.RemotePortNumber !== 0) hist.add(r, h);
  hist.flush(h);
  return h.rows
    .map((row) => scoreRow(row, WIREDATA_SCORER))
    .filter((s) => s.alert)
    .map((s) => s.row);
}

/**
 * The chain as the nodes run it on messages of 1,000 records: the filter
 * per batch, the delta's batch path (addBatch), the histogram with the
 * example's port condition, the scorer; outputs consumed batch by batch.
 */
function batchedCoreChain(records: LogRecord[], size = BATCH): LogRecord[] {
  const delta = new DeltaTracker({ ...WIREDATA_DELTA, latenessSeconds: 300 });
  const hist = new HistogramAggregator({ ...WIREDATA_HISTOGRAM, skipZeroField: 'RemotePortNumber', closeAfterSeconds: 86400 });
  const d = newDeltaOutput();
  const h = newHistogramOutput();
  const alerts: LogRecord[] = [];
  const drain = () => {
    for (const r of d.released) hist.add(r, h);
    d.released.length = 0;
    d.late.length = 0;
    for (const row of h.rows) {
      const scored = scoreRow(row, WIREDATA_SCORER);
      if (scored.alert) alerts.push(scored.row);
    }
    h.rows.length = 0;
  };
  for (let i = 0; i < records.length; i += size) {
    const kept: LogRecord[] = [];
    for (let j = i; j < i + size && j < records.length; j++) if (kqlPublicDropReason(records[j].RemoteIP) === null) kept.push(records[j]);
    delta.addBatch(kept, d);
    drain();
  }
  delta.flush(d);
  drain();
  hist.flush(h);
  drain();
  return alerts;
}

/** Heap bytes per tracked key (delta) and per open (bin, group) (histogram), by growing the count. */
function memoryPerKey(): { deltaBytesPerKey: number; histogramBytesPerCell: number } | string {
  if (!gc) return 'run with node --expose-gc to measure memory';
  const deltaWith = (n: number) => {
    const t = new DeltaTracker(WIREDATA_DELTA);
    const out = newDeltaOutput();
    for (let i = 0; i < n; i++) {
      // small records, as a parser would give: the state per key is the last event
      t.add(
        { TimeGenerated: 1715126400000 + i, LocalIP: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, RemoteIP: '52.1.1.1', RemotePortNumber: 443 },
        out,
      );
    }
    return t;
  };
  const histWith = (n: number) => {
    const h = new HistogramAggregator({ ...WIREDATA_HISTOGRAM, closeAfterSeconds: 1e9 });
    const out = newHistogramOutput();
    for (let i = 0; i < n; i++) {
      h.add(
        {
          TimeGenerated: 1715126400000,
          nextTimeGenerated: 1715126460000,
          TimeDeltainSeconds: 60,
          LocalIP: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
          RemoteIP: '52.1.1.1',
          RemotePortNumber: 443,
          SentBytes: 1,
          ReceivedBytes: 1,
        },
        out,
      );
    }
    return h;
  };
  return { deltaBytesPerKey: bytesPerEntry(deltaWith, 20000, 120000), histogramBytesPerCell: bytesPerEntry(histWith, 20000, 120000) };
}

/** Scaling in a fresh process, so the heap and the collector start clean (the main run holds its records). */
function scalingInChild(): unknown[] {
  const out = path.join(os.tmpdir(), `netbeacon-scaling-${process.pid}.json`);
  const extra = [
    ...(args.includes('--scaling-10m') ? ['--scaling-10m'] : []),
    ...(arg('scaling-sizes', '') ? ['--scaling-sizes', arg('scaling-sizes', '')] : []),
  ];
  const child = spawnSync(process.execPath, ['--expose-gc', __filename, '--scaling-only', '--json', out, ...extra], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (child.status !== 0) throw new Error(`scaling run failed (exit ${child.status})`);
  const scaling = (JSON.parse(fs.readFileSync(out, 'utf8')) as { scaling: unknown[] }).scaling;
  fs.rmSync(out, { force: true });
  return scaling;
}

async function printScaling() {
  const scaling: Array<Record<string, unknown>> = [];
  process.stdout.write(
    `\nscaling, core chain on records made on the fly (batches of 1,000, the delta's batch path), one run each; DuckDB's query on the same records (median of ${Math.min(RUNS, 3)}, load not counted):\n`,
  );
  const sizes = arg('scaling-sizes', '') ? arg('scaling-sizes', '').split(',').map(Number) : [1e5, 1e6, ...(args.includes('--scaling-10m') ? [1e7] : [])];
  for (const n of sizes) {
    const { alerts, ...r } = scalingRun(n);
    const duck = await duckdb((add) => scalingRecords(n, add), Math.min(RUNS, 3));
    const versus =
      typeof duck === 'string'
        ? { skipped: duck }
        : { duckDbSeconds: duck.querySeconds, speedupOverDuckDB: duck.querySeconds / r.seconds, ...compareRows(alerts, duck.rows) };
    scaling.push({ events: n, ...r, alertRows: alerts.length, ...versus });
    const duckText =
      typeof duck === 'string'
        ? 'DuckDB skipped'
        : `DuckDB ${duck.querySeconds.toFixed(2)} s (DuckDB/ours ${(duck.querySeconds / r.seconds).toFixed(2)}), alert rows ${alerts.length}: ${describeComparison(compareRows(alerts, duck.rows), r.lateDeltas)}`;
    process.stdout.write(
      `${fmt(n).padStart(8)} events  ${r.seconds.toFixed(2).padStart(7)} s  ${fmt(n / r.seconds).padStart(8)} events/s  peak heap ${r.peakHeapMB.toFixed(0)} MB  ${r.keys} keys  ${duckText}\n`,
    );
  }
  return scaling;
}

async function printRuntime(records: LogRecord[], batchedRecords?: LogRecord[]) {
  const runtimeRecords = Number(arg('runtime-records', '200000'));
  process.stdout.write(
    `\nembedded Node-RED (RED.init/RED.start), ${fmt(runtimeRecords)} records, one warm-up then median of ${RUNS} runs, first send → flush out:\n`,
  );
  const runtime = await runtimeBench(records.slice(0, runtimeRecords), RUNS, { batchedRecords });
  const rw = Math.max(...runtime.map((r) => r.name.length));
  for (const r of runtime) {
    process.stdout.write(
      `${r.name.padEnd(rw)}  ${fmt(r.messages).padStart(8)} msgs  ${r.seconds.toFixed(3).padStart(7)} s  ${fmt(r.eventsPerSecond).padStart(9)} events/s  ${fmt(r.hopsPerSecond).padStart(9)} message-hops/s\n`,
    );
  }
  const rate = (prefix: string) => runtime.find((r) => r.name.startsWith(prefix))?.eventsPerSecond ?? NaN;
  const single = rate('WireData chain filter');
  process.stdout.write(
    `single-record WireData chain at ${((100 * single) / rate('pass-through ceiling, 4 nodes (5 hops)')).toFixed(1)} % of a pass-through chain of as many nodes (target ≥ 50 %), ${((100 * single) / rate('pass-through, 2 nodes')).toFixed(1)} % of the 3 hops every record takes\n`,
  );
  process.stdout.write(`batched WireData chain: ${fmt(rate('WireData chain, batches of 1000'))} events/s with batches of 1000 (against DuckDB below)\n`);
  return runtime;
}

/** The live path: a real Node-RED, the live examples, a sender process at stepped rates. */
async function printLive(): Promise<LiveRun[]> {
  const lines = Number(arg('live-lines', '100000'));
  const seconds = Number(arg('live-seconds', '0'));
  const rates = arg('live-rates', '5000,10000,20000,50000,80000').split(',').map(Number);
  const examples = args.includes('--live-examples') ? arg('live-examples', '').split(',') : undefined;
  const transports = args.includes('--live-transports') ? (arg('live-transports', '').split(',') as Array<'udp' | 'tcp'>) : undefined;
  const senders = Number(arg('live-senders', '1'));
  const attack = args.includes('--live-attack');
  const parseIn = args.includes('--live-parse-in') ? arg('live-parse-in', 'auto').split(',') : undefined;
  const receiveBufferKib = args.includes('--live-receive-buffer') ? Number(arg('live-receive-buffer', '4096')) : undefined;
  const per = seconds > 0 ? `max(${fmt(lines)}, ${seconds} s × rate) generated lines per run` : `${fmt(lines)} generated lines per run`;
  process.stdout.write(
    `\nlive path: a real Node-RED process runs the live examples (${examples?.join(', ') ?? 'all three'}); ${senders} netbeacon-replay process(es) of their own send ${per}, paced evenly (hrtime, sends due at each 1 ms tick), to 127.0.0.1 over ${(transports ?? ['udp', 'tcp']).join(' then ')}, rates ${rates.join(', ')} lines/s${receiveBufferKib === undefined ? '' : `, UDP receive buffer ${receiveBufferKib} KiB asked (net.core.rmem_max ${receiveBufferMax() ?? 'unknown'} bytes)`}${attack ? ', beside a mixed attack from 127.0.0.2 (garbage, 65,000-byte and crafted 10,000-extension CEF lines; over TCP slowloris and a connection flood)' : ''}; loss = lines sent − records counted on the wire into the filter (the input's counters and the kernel's drops for its UDP socket beside it); peak RSS = Node-RED's VmHWM reset per run (/proc clear_refs); worst block = the largest event-loop delay perf_hooks saw in Node-RED (5 ms resolution):\n`,
  );
  const runs = await liveBench({
    lines,
    seconds,
    rates,
    examples,
    transports,
    senders,
    attack,
    parseIn,
    receiveBufferKib,
    log: (l) => process.stdout.write(l + '\n'),
  });
  for (const line of summarise(runs)) process.stdout.write(line + '\n');
  return runs;
}

async function main(): Promise<void> {
  const started = new Date().toISOString();
  process.stdout.write(`netbeacon benchmark — ${started}\n`);
  process.stdout.write(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; Node ${process.version}\n`);
  if (
    !args.includes('--scaling-only') &&
    !args.includes('--live-only') &&
    !args.includes('--parsers-only') &&
    !args.includes('--site') &&
    !args.includes('--site-red')
  ) {
    process.stdout.write(
      `method: ${fmt(RECORDS)} generated WireData records (the sample day repeated, shifted), each stage on fresh copies, median of ${RUNS} runs, wall time (hrtime), GC before each run\n\n`,
    );
  }
  if (args.includes('--site-red')) {
    const site = await siteRedBench(siteArgs(args));
    printSiteRed(site, (l) => process.stdout.write(l + '\n'));
    const json = arg('json', '');
    if (json) fs.writeFileSync(json, JSON.stringify({ started, node: process.version, site }, null, 2));
    return;
  }
  if (args.includes('--site')) {
    const site = siteBench(siteArgs(args));
    printSite(site, (l) => process.stdout.write(l + '\n'));
    writeJson(started, { site });
    return;
  }
  if (args.includes('--memory-only')) {
    const memory = memoryPerKey();
    process.stdout.write(
      typeof memory === 'string'
        ? `memory: ${memory}\n`
        : `memory: delta ${memory.deltaBytesPerKey.toFixed(0)} B per tracked key; histogram ${memory.histogramBytesPerCell.toFixed(0)} B per open (bin, group)\n`,
    );
    return;
  }
  if (args.includes('--scaling-only')) {
    const scaling = await printScaling();
    writeJson(started, { scaling });
    return;
  }
  if (args.includes('--parsers-only')) {
    const one = arg('parser-format', '');
    if (args.includes('--parser-rows')) {
      process.stdout.write(`ROWS ${JSON.stringify(parserBench(RUNS, 6, 100_000, one ? [one] : null))}\n`);
      return;
    }
    printParserBench(parserBench(RUNS), RUNS, (t) => process.stdout.write(t));
    printParserBench(parserBenchAlone(RUNS, __filename), RUNS, (t) => process.stdout.write(t), true);
    return;
  }
  if (args.includes('--live-only')) {
    const live = await printLive();
    writeJson(started, { live });
    return;
  }
  const records = benchRecords(RECORDS);
  if (args.includes('--runtime-only')) {
    await printRuntime(records);
    return;
  }
  if (args.includes('--chain-only')) {
    await chainOnly(records);
    return;
  }
  const { rows, chainSeconds, batchedSeconds, parsers } = stageRows(records);

  const width = Math.max(...rows.map((r) => r.stage.length));
  process.stdout.write(`${'stage'.padEnd(width)}  ${'events'.padStart(10)}  ${'seconds'.padStart(8)}  ${'events/s'.padStart(9)}  ns/event\n`);
  for (const r of rows)
    process.stdout.write(
      `${r.stage.padEnd(width)}  ${fmt(r.events).padStart(10)}  ${r.seconds.toFixed(3).padStart(8)}  ${fmt(r.perSecond).padStart(9)}  ${r.nsPerEvent.toFixed(0).padStart(8)}\n`,
    );
  process.stdout.write(`in-process core chain, batches of ${BATCH}: ${fmt(records.length / batchedSeconds)} records/s (target ≥ 3 M)\n`);
  printParserBench(parsers, RUNS, (t) => process.stdout.write(t));

  const duck = await duckdb(feedOf(records), RUNS);
  const memory = memoryPerKey();
  if (typeof memory === 'string') process.stdout.write(`\nmemory: ${memory}\n`);
  else
    process.stdout.write(
      `\nmemory (heap and array-buffer growth from 20k to 120k entries, after GC, median of 5): delta ${memory.deltaBytesPerKey.toFixed(0)} B per tracked key; histogram ${memory.histogramBytesPerCell.toFixed(0)} B per open (bin, group) with one delta value\n`,
    );
  const pairs = pairMemory();
  if (typeof pairs !== 'string') {
    process.stdout.write(
      `hunt histogram (72 h windows, 12 h hop, whole-second intervals), heap and array-buffer bytes per pair after 72 h (grown from 40 to 200 pairs, median of 5):\n`,
    );
    for (const r of pairs)
      process.stdout.write(`  ${r.traffic.padEnd(40)} ${String(r.bytesPerPair).padStart(8)} B/pair (${r.intervalsPerPair} distinct intervals in 6 cells)\n`);
  }

  // the batched chain inside Node-RED runs on all the records, for the comparison below
  const runtime = await printRuntime(records, records);
  const inNodeRed = runtime.find((r) => r.alerts);

  const sides: Array<[string, number, () => LogRecord[]]> = [
    ['core chain, record by record, in-process', chainSeconds, () => coreChain(clone(records))],
    [`core chain, batches of ${BATCH}, in-process`, batchedSeconds, () => batchedCoreChain(clone(records))],
  ];
  if (inNodeRed) sides.push([`batched chain inside Node-RED (batches of ${BATCH})`, inNodeRed.seconds, () => inNodeRed.alerts as LogRecord[]]);
  const duckSummary = printVersus(duck, records.length, RUNS, sides);

  // alert latency in event time with early verdicts (live latency contract), next to the same flows without them
  const latency = latencyBench();

  const scaling = args.includes('--scaling') ? scalingInChild() : [];
  const live = args.includes('--live') ? await printLive() : [];

  writeJson(started, {
    cpus: os.cpus().length,
    records: records.length,
    runs: RUNS,
    rows,
    parsers,
    duckdb: duckSummary,
    memory,
    huntPairMemory: pairs,
    runtime,
    latency,
    scaling,
    live,
  });
}

/** --chain-only: the chain-speed target alone, DuckDB's query and the batched chain inside Node-RED on the same records, after the floor. */
async function chainOnly(records: LogRecord[]): Promise<void> {
  // DuckDB first, so its process memory is settled before Node-RED starts (as in the full run)
  const duck = await duckdb(feedOf(records), RUNS);
  process.stdout.write(
    `floor: the work any chain taking these records as objects must do (dev/chain-floor.js; cumulative, batches of ${BATCH}, fresh copies, median of ${RUNS}):\n`,
  );
  printFloor(floorStages(records, RUNS), (t) => process.stdout.write(t));
  process.stdout.write(
    `embedded Node-RED (RED.init/RED.start), the WireData example's chain, batches of ${BATCH}, one warm-up then median of ${RUNS} runs, first send → flush out:\n`,
  );
  // --profile / --allocations: V8's profiler around each timed run (its overhead in the times printed)
  const profiler =
    args.includes('--profile') || args.includes('--allocations') ? new PartProfiler(path.resolve(__dirname, '..'), args.includes('--allocations')) : null;
  const profiles = path.resolve(arg('out', path.join(__dirname, '..', '..', 'test-artifacts', 'profile')));
  const aroundTimedRun = profiler
    ? { before: () => profiler.start(), after: () => profiler.stop(profiles, 'node-red-chain').then(() => undefined) }
    : undefined;
  const [inNodeRed] = await runtimeBench([], RUNS, { batchedRecords: records, onlyBatched: true, aroundTimedRun });
  process.stdout.write(
    `${inNodeRed.name}: ${inNodeRed.seconds.toFixed(3)} s, ${fmt(inNodeRed.eventsPerSecond)} events/s${profiler ? ' (under the profiler)' : ''}\n`,
  );
  if (profiler) {
    profiler.report(records.length);
    process.stdout.write(`\nprofiles of each timed run in ${profiles}\n`);
    profiler.disconnect();
  }
  printVersus(duck, records.length, RUNS, [[`batched chain inside Node-RED (batches of ${BATCH})`, inNodeRed.seconds, () => inNodeRed.alerts as LogRecord[]]]);
}

/** The stages as the stage table times them: a delta with 300 s lateness, a histogram that closes a bin after a day; each with its output. */
const newDelta = () => [new DeltaTracker({ ...WIREDATA_DELTA, latenessSeconds: 300 }), newDeltaOutput()] as const;
const newHistogram = () => [new HistogramAggregator({ ...WIREDATA_HISTOGRAM, closeAfterSeconds: 86400 }), newHistogramOutput()] as const;

/** Each stage of the core alone, the core chain record by record and in batches, and the parsers: the full run's table. */
function stageRows(records: LogRecord[]): { rows: Row[]; chainSeconds: number; batchedSeconds: number; parsers: ParserBenchRow[] } {
  const rows: Row[] = [];
  const add = (stage: string, events: number, seconds: number) =>
    rows.push({ stage, events, seconds, perSecond: events / seconds, nsPerEvent: (seconds * 1e9) / events });

  add(
    'filter (kql ipv4_is_private)',
    records.length,
    timeIt(
      () => records,
      (rs) => {
        for (const r of rs) kqlPublicDropReason(r.RemoteIP);
      },
    ),
  );
  const publicRecords = records.filter((r) => kqlPublicDropReason(r.RemoteIP) === null);
  add(
    'delta (lateness 300 s)',
    publicRecords.length,
    timeIt(
      () => clone(publicRecords),
      (rs) => {
        const [t, out] = newDelta();
        for (const r of rs) t.add(r, out);
        t.flush(out);
      },
    ),
  );
  add(
    `delta, batches of ${BATCH} (batch path)`,
    publicRecords.length,
    timeIt(
      () => clone(publicRecords),
      (rs) => {
        const [t, out] = newDelta();
        for (let i = 0; i < rs.length; i += BATCH) {
          t.addBatch(rs.slice(i, i + BATCH), out);
          out.released.length = 0;
        }
        t.flush(out);
      },
    ),
  );
  const deltas = (() => {
    const [t, out] = newDelta();
    for (const r of clone(publicRecords)) t.add(r, out);
    t.flush(out);
    return out.released;
  })();
  add(
    'histogram (1 h bins)',
    deltas.length,
    timeIt(
      () => deltas,
      (rs) => {
        const [h, out] = newHistogram();
        for (const r of rs) h.add(r, out);
        h.flush(out);
      },
    ),
  );
  const histRows = (() => {
    const [h, out] = newHistogram();
    for (const r of deltas) h.add(r, out);
    h.flush(out);
    return out.rows;
  })();
  add(
    'scorer',
    histRows.length,
    timeIt(
      () => histRows,
      (rs) => {
        for (const r of rs) scoreRow(r, WIREDATA_SCORER);
      },
    ),
  );
  const chainSeconds = timeIt(
    () => clone(records),
    (rs) => coreChain(rs),
  );
  add('core chain filter→delta→histogram→scorer, record by record', records.length, chainSeconds);
  const batchedSeconds = timeIt(
    () => clone(records),
    (rs) => batchedCoreChain(rs),
  );
  add(`core chain, batches of ${BATCH} (the nodes' batch path)`, records.length, batchedSeconds);

  const parsers = parserBench(RUNS);
  for (const p of parsers) add(`parse ${p.format}`, p.lines, p.lines / p.parser);
  return { rows, chainSeconds, batchedSeconds, parsers };
}

/** With --json FILE: the run's figures, with when it started and on which Node. */
function writeJson(started: string, figures: Record<string, unknown>): void {
  const json = arg('json', '');
  if (!json) return;
  fs.writeFileSync(json, JSON.stringify({ started, node: process.version, ...figures }, null, 2));
  process.stdout.write(`\nwrote ${json}\n`);
}

if (require.main === module) runMain('bench', main);
