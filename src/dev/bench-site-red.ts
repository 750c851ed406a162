#!/usr/bin/env node
/**
 * The site benchmark inside Node-RED: the hunt example's pair history and
 * its scorer, deployed unchanged in an embedded runtime, fed the
 * seeded site of bench-site.ts in batches of 1,000 records, made on a
 * thread of their own (site-feed.ts) so the generator's state is not on the
 * heap the runtime's GCs mark, and decoded into records on the main thread.
 *
 * How it measures: each chunk of 100 batches (`--chunk N`) is sent into
 * the flow followed by a msg.checkpoint barrier, and the clock runs until
 * the barrier has left the scorer (which runs without its context store,
 * so the barrier does not save its state after every chunk, 150 times as
 * often as its 60 s timer would). The feed thread makes a chunk's batches
 * before its clock starts and sleeps while it runs (CPU time is the
 * process's); each batch is decoded when the one before has gone in, as a
 * live feed's batches come, so its records die young, and the decoding's
 * CPU and wall time are measured batch by batch and taken out (`--held`:
 * the whole chunk decoded before its clock starts, its 100,000 records
 * alive at once). So the time is Node-RED's, the node's and the scorer's
 * (scorings every 12 h of event time included), never the feed's.
 * Throughput is per hour of event time (first and last hour, first and
 * last day), with the main thread's GC pauses that fell inside those
 * chunks (gc-pauses.ts: which hour paid for a full collection) and, for
 * the first and last hours, the main thread's own rate and the share of
 * CPU on other threads (V8's helpers) and in the kernel. Memory:
 * the retained heap after GC before the flush, and the peak RSS and heap
 * sampled every 20 ms while the flush releases every pair active since
 * the last scoring (in batches of 1,000 rows).
 *
 *   node --expose-gc dist/dev/bench-site-red.js [--hosts 1000] [--days 3] [--seed 22] [--cap MiB] [--chunk 100] [--held]
 *     [--profile 0-6,150-156]   (CPU profiles of the timed chunks starting in each range of event hours,
 *                                one table per range, profiles written under test-artifacts/profile/site-red/)
 *   (or node --expose-gc dist/dev/bench.js --site-red …)
 */
import * as fs from 'fs';
import * as path from 'path';
import * as v8 from 'v8';
import { LogRecord } from '../core/common/records';
import { ROOT } from '../run/user-dir';
import { PartProfiler } from './profile-report';
import { fmt, MONDAY, mb, SiteOptions, siteArgs, used } from './bench-site';
import { NodeConfig, startEmbedded } from './embedded-red';
import { addPauses, describePauses, GcPauses, Pauses } from './gc-pauses';
import { SiteFeed } from './site-feed';

/** batches per timed chunk (--chunk) */
const DEFAULT_CHUNK = 100;

/** One timed chunk: the hour of event time it starts in, records, seconds, and whether it crossed a scoring boundary (every 12 h). */
interface Chunk {
  hour: number;
  n: number;
  wall: number;
  cpu: number;
  /** the main thread's CPU seconds (Node-RED's, the nodes') and every thread's, on the scheduler's clock (/proc schedstat), the decoding taken out; the kernel's share of `cpu` (system time, every thread) */
  main: number;
  threads: number;
  system: number;
  scoring: boolean;
  /** the main thread's clock (performance.now) at the chunk's start and end: its GC pauses are read afterwards */
  from: number;
  to: number;
}
const gc = (globalThis as { gc?: () => void }).gc;

/**
 * The calling thread's CPU time so far, in seconds (Linux: the first field
 * of /proc/thread-self/schedstat, nanoseconds on the CPU), or NaN where
 * there is none: the rest of the process's CPU is its other threads' (V8's
 * GC helpers and compiler, the feed thread).
 */
export function threadCpuSeconds(file = '/proc/thread-self/schedstat'): number {
  try {
    return Number(fs.readFileSync(file, 'utf8').split(' ')[0]) / 1e9;
  } catch {
    return NaN;
  }
}

/** Every live thread's CPU time so far, in seconds, on the same clock as threadCpuSeconds (NaN without /proc). */
export function processCpuSeconds(): number {
  let tasks: string[];
  try {
    tasks = fs.readdirSync('/proc/self/task');
  } catch {
    return NaN;
  }
  // a thread that ended since the listing counts 0 (its time leaves the sum, as it would at its end)
  return tasks.reduce((a, t) => a + (threadCpuSeconds(`/proc/self/task/${t}/schedstat`) || 0), 0);
}

interface SiteRedGlobal {
  alerts: LogRecord[];
  barrier: (() => void) | null;
  seen: number;
  expected: number;
  /** the pair node's latest status text (a status node listens to it) */
  status: string;
}
const G = globalThis as unknown as { __netbeaconSiteRed: SiteRedGlobal };

/** A sink that keeps the alerts' pair keys and hears control messages (the barrier leaves each scorer's second output). */
const NODES = `
module.exports = function (RED) {
  const G = globalThis.__netbeaconSiteRed;
  function Sink(config) {
    RED.nodes.createNode(this, config);
    this.on('input', function (msg, send, done) {
      if (config.status) G.status = msg.status && msg.status.text || G.status;
      else if (msg.checkpoint || msg.flush) {
        if (++G.seen >= G.expected && G.barrier) { const b = G.barrier; G.barrier = null; b(); }
      } else if (config.keep && msg.payload !== undefined) {
        // the pair's key only: whole rows (their interval counts) would be the bench's memory, not the flow's
        for (const a of [].concat(msg.payload)) G.alerts.push({ LocalIP: a.LocalIP, RemoteNetwork: a.RemoteNetwork, RemotePortNumber: a.RemotePortNumber });
      }
      done();
    });
  }
  RED.nodes.registerType('site-sink', Sink);
};
`;

export interface SiteRedResult {
  hosts: number;
  days: number;
  seed: number;
  /** batches per timed chunk */
  chunkBatches: number;
  /** whether each chunk was made whole before its clock started (--held) rather than batch by batch as it went in */
  heldChunks: boolean;
  records: number;
  cpuSeconds: number;
  seconds: number;
  recordsPerCpuSecond: number;
  recordsPerSecond: number;
  firstHourPerSecond: number;
  firstHour: number;
  /** ingest chunks timed in the first and last hour */
  firstHourChunks: number;
  lastHourChunks: number;
  /** the slowest and fastest of those chunks (records per CPU second): how much one hour's figure can swing within a run */
  firstHourSpread: [number, number];
  lastHourSpread: [number, number];
  /** those hours by thread: the main thread's records per its own CPU second, the other threads' share of every thread's CPU (both on the schedstat clock), and the kernel's share of the process's CPU (process.cpuUsage); NaN without /proc */
  firstHourMain: { perSecond: number; others: number; system: number };
  lastHourMain: { perSecond: number; others: number; system: number };
  /** the main thread's GC pauses within the first and last hours' ingest chunks, and within each day's */
  firstHourGc: Pauses;
  lastHourGc: Pauses;
  dayGc: Pauses[];
  /** ingest alone, each day of event time */
  ingestDayPerSecond: number[];
  lastHourPerSecond: number;
  lastHour: number;
  scorings: number;
  /** CPU seconds a chunk with a scoring took beyond its records at the ingest rate, on average */
  scoringCpuSeconds: number;
  firstDayPerSecond: number;
  lastDayPerSecond: number;
  pairs: number;
  heldBytes: number;
  retainedBytes: number | null;
  flushSeconds: number;
  flushRows: number;
  peakRssDuringFlush: number;
  peakHeapDuringFlush: number;
  rssBeforeFlush: number;
  /** the highest RSS after a chunk while records streamed in (evictions and scorings included) */
  peakRssFeed: number;
  /** the feed thread's used V8 heap at the site's end */
  feedHeapBytes: number;
  /** what the RSS before the flush is made of (after GC) */
  before: {
    heapCommitted: number;
    heapUsed: number;
    arrayBuffers: number;
    external: number;
    /** V8's young generation, committed */
    newSpace: number;
    /** what V8 itself holds through malloc (not the heap, not array buffers) */
    v8Malloced: number;
    /** resident pages mapped from files (node's code, libraries) */
    rssFile: number;
  };
  /** the runtime's RSS with the flow deployed, before the first record (after GC) */
  rssIdle: number;
  /** V8's used heap then (the runtime and the flow, before the store holds anything) */
  heapIdle: number;
  evicted: number;
  alertPairs: number;
  beaconsFound: number;
  beacons: number;
  beaconsMissed: string[];
  benignAlerted: number;
  benign: number;
  randomAlerted: number;
  popularAlerted: number;
  otherAlerted: number;
}

/** A range of event hours whose timed chunks are profiled, with its own profiler (its own table). */
export interface ProfiledHours {
  from: number;
  to: number;
  profiler?: PartProfiler;
  records: number;
  parts: number;
}

/** "0-6,150-156" → ranges of event hours (to exclusive). */
export function profiledHours(text: string): ProfiledHours[] {
  return text.split(',').map((r) => {
    const [from, to] = r.split('-').map(Number);
    if (!Number.isFinite(from) || !Number.isFinite(to) || to <= from) throw new Error(`--profile: "${r}" is not a range of hours like 0-6`);
    return { from, to, records: 0, parts: 0 };
  });
}

export async function siteRedBench(o: SiteOptions, chunkBatches = DEFAULT_CHUNK, profiled: ProfiledHours[] = [], heldChunks = false): Promise<SiteRedResult> {
  const CHUNK = chunkBatches;
  const log = o.log ?? ((line: string) => process.stdout.write(line + '\n'));
  G.__netbeaconSiteRed = { alerts: [], barrier: null, seen: 0, expected: 1, status: '' };
  const { RED, stop } = await startEmbedded('site', NODES, ['site-sink'], 'warn');
  try {
    const example = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', 'Beacon hunt (per pair, 7-day history).json'), 'utf8')) as NodeConfig[];
    const pick = (id: string) => ({ ...(example.find((n) => n.id === id) as NodeConfig), z: 'site' });
    const pairs = { ...pick('hu_pairs'), maxMegabytes: o.maxBytes === null ? 0 : o.maxBytes / 2 ** 20, wires: [['hu_score']] };
    // the scorer without its context store: the barrier is a msg.checkpoint after every chunk, which would
    // otherwise save the scorer's state (a JSON copy of every pair it remembers) every ~0.4 s instead of every
    // 60 s; late in a week that was a sixth of the timed CPU, growing with the alerts held, and none of it the pair store's
    const scorers = [{ ...pick('hu_score'), store: '', wires: [['alerts'], ['control']] }];
    const flows: NodeConfig[] = [
      { id: 'site', type: 'tab', label: 'site bench' },
      pairs,
      ...scorers,
      { id: 'alerts', type: 'site-sink', z: 'site', keep: true, wires: [] },
      { id: 'control', type: 'site-sink', z: 'site', wires: [] },
      { id: 'watch', type: 'status', z: 'site', scope: ['hu_pairs'], wires: [['status']] },
      { id: 'status', type: 'site-sink', z: 'site', status: true, wires: [] },
    ];
    await RED.runtime.flows.setFlows({ flows: { flows }, deploymentType: 'full' });
    for (let i = 0; i < 500 && !RED.nodes.getNode('alerts'); i++) await new Promise((r) => setTimeout(r, 20));
    const entry = RED.nodes.getNode('hu_pairs');
    if (!entry) throw new Error('the site flow did not start');
    const node = entry as unknown as { receive(m: unknown): void; status?: unknown };
    /** Sends messages (and those `more` makes, one after the other, until null), then a control message; resolves when it has left the scorer. */
    const through = (messages: unknown[], more: () => unknown, control: Record<string, boolean>) =>
      new Promise<void>((resolve) => {
        G.__netbeaconSiteRed.seen = 0;
        G.__netbeaconSiteRed.barrier = resolve;
        // taken off the list as they go in (it is left empty): nothing here keeps a batch alive once the flow has it
        while (messages.length > 0) node.receive(messages.shift());
        for (let m = more(); m !== null; m = more()) node.receive(m);
        node.receive(control);
      });

    gc?.();
    const idle = process.memoryUsage();
    const rssIdle = idle.rss;
    const feed = new SiteFeed(o);
    const pauses = new GcPauses();
    const chunks: Chunk[] = [];
    let peakRssFeed = 0;
    let done = false;
    /** The next batch, and the newest time in it (epoch seconds); an empty batch at the stream's end. */
    const nextBatch = (): { payload: LogRecord[]; newest: number } => {
      const batch = feed.next();
      // the newest time, not the last record's: bursts arrive up to 2 s out of order, and the newest one is what crosses a boundary
      let newest = -Infinity;
      for (const r of batch) newest = Math.max(newest, (r.TimeGenerated as number) / 1000);
      return { payload: batch, newest };
    };
    while (!done) {
      // the feed thread makes the chunk's batches now and sleeps while the chunk is timed (cpuUsage counts every thread)
      feed.fill(CHUNK);
      // the chunk's first batch is decoded before its clock starts (its hour picks the profile); held: all of them
      const ready: Array<{ payload: LogRecord[]; newest: number }> = [];
      // what went in is tallied, not kept: a list of the chunk's batches held every record to the chunk's end, so each
      // scavenge copied them and promoted them, and the old generation filled with the feed's garbage
      let n = 0;
      let batches = 0;
      let last = -Infinity;
      const tally = (b: { payload: LogRecord[]; newest: number }) => {
        n += b.payload.length;
        batches++;
        last = Math.max(last, b.newest);
      };
      while (ready.length < (heldChunks ? CHUNK : 1)) {
        const batch = nextBatch();
        if (batch.payload.length === 0) {
          done = true;
          break;
        }
        ready.push(batch);
        tally(batch);
      }
      if (ready.length === 0) break;
      const first = (ready[0].payload[0].TimeGenerated as number) / 1000;
      const hour = Math.floor((first - MONDAY) / 3600);
      // profiled chunks' times include the profiler's sampling: they are read from the tables, not the rates
      const range = profiled.find((p) => hour >= p.from && hour < p.to);
      if (range) {
        range.profiler ??= new PartProfiler(ROOT);
        await range.profiler.start();
      }
      const c0 = process.cpuUsage();
      const main0 = threadCpuSeconds();
      const all0 = processCpuSeconds();
      const t0 = process.hrtime.bigint();
      const from = pauses.now();
      // live (the default): each further batch is made when the one before has gone in, as a feed's batches come, so
      // its records die young; the generator's CPU and wall time are measured batch by batch and taken out
      const gen = { cpu: 0, wall: 0n, main: 0, system: 0 };
      const more = (): { payload: LogRecord[]; newest: number } | null => {
        if (heldChunks || done || batches >= CHUNK) return null;
        const g0 = process.cpuUsage();
        const m0 = threadCpuSeconds();
        const w0 = process.hrtime.bigint();
        const batch = nextBatch();
        gen.wall += process.hrtime.bigint() - w0;
        gen.main += threadCpuSeconds() - m0;
        const g = process.cpuUsage(g0);
        gen.cpu += g.user + g.system;
        gen.system += g.system;
        if (batch.payload.length === 0) {
          done = true;
          return null;
        }
        tally(batch);
        return batch;
      };
      await through(ready, more, { checkpoint: true });
      const to = pauses.now();
      const wall = Number(process.hrtime.bigint() - t0 - gen.wall) / 1e9;
      const c1 = process.cpuUsage(c0);
      const main = threadCpuSeconds() - main0 - gen.main;
      const threads = processCpuSeconds() - all0 - gen.main;
      last = Math.max(last, first);
      if (range?.profiler) {
        await range.profiler.stop(path.join(ROOT, 'test-artifacts', 'profile', 'site-red'), `hours-${range.from}-${range.to}`);
        range.records += n;
        range.parts++;
      }
      peakRssFeed = Math.max(peakRssFeed, process.memoryUsage.rss());
      // CPU time too: on a shared machine the wall clock counts other processes' turns
      chunks.push({
        hour,
        n,
        wall,
        cpu: (c1.user + c1.system - gen.cpu) / 1e6,
        main,
        threads,
        system: (c1.system - gen.system) / 1e6,
        scoring: Math.floor(first / 43200) !== Math.floor(last / 43200),
        from,
        to,
      });
      const records = chunks.reduce((a, c) => a + c.n, 0);
      if (records % 2_000_000 < n)
        log(
          `  … ${fmt(records)} records, hour ${chunks[chunks.length - 1].hour}, ${fmt(records / chunks.reduce((a, c) => a + c.cpu, 0))} records per CPU second so far`,
        );
    }

    await feed.close();
    pauses.stop();
    const gcOf = (list: Chunk[]) => addPauses(list.map((c) => pauses.between(c.from, c.to)));
    await new Promise((r) => setTimeout(r, 100)); // the status after the last barrier
    const held = statusFigures(G.__netbeaconSiteRed.status);
    // the retained heap before the flush
    let retained: number | null = null;
    if (gc) {
      gc();
      gc();
      retained = used();
    }
    const m0 = process.memoryUsage();
    const rssBefore = m0.rss;
    let peakRss = rssBefore;
    let peakHeap = used();
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      peakRss = Math.max(peakRss, m.rss);
      peakHeap = Math.max(peakHeap, m.heapUsed + m.arrayBuffers);
    }, 20);
    const alertsBefore = G.__netbeaconSiteRed.alerts.length;
    const f0 = process.hrtime.bigint();
    await through([], () => null, { flush: true });
    const flushSeconds = Number(process.hrtime.bigint() - f0) / 1e9;
    clearInterval(sampler);

    const rate = (list: Chunk[], by: 'cpu' | 'wall' = 'cpu') => list.reduce((a, c) => a + c.n, 0) / list.reduce((a, c) => a + c[by], 0);
    const mainOf = (list: Chunk[]) => {
      const main = list.reduce((a, c) => a + c.main, 0);
      const threads = list.reduce((a, c) => a + c.threads, 0);
      const cpu = list.reduce((a, c) => a + c.cpu, 0);
      return { perSecond: list.reduce((a, c) => a + c.n, 0) / main, others: 1 - main / threads, system: list.reduce((a, c) => a + c.system, 0) / cpu };
    };
    const spread = (list: Chunk[]): [number, number] => [Math.min(...list.map((c) => c.n / c.cpu)), Math.max(...list.map((c) => c.n / c.cpu))];
    // ingest alone: whole chunks without a scoring boundary (the stream's last one is a few batches, timed
    // mostly by its barrier), all of the first and last hours' (one chunk swings with the machine's load);
    // the very first chunk warms the JIT
    const ingest = chunks.filter((c) => !c.scoring && c.n >= (CHUNK * 1000) / 2).slice(1);
    const firstHour = ingest[0]?.hour ?? NaN;
    const lastHour = ingest[ingest.length - 1]?.hour ?? NaN;
    const ingestDays = Array.from({ length: o.days }, (_, d) => rate(ingest.filter((c) => Math.floor(c.hour / 24) === d)));
    const day = (d: number) => chunks.filter((c) => Math.floor(c.hour / 24) === d);
    const scorings = chunks.filter((c) => c.scoring);
    const plain = rate(ingest);
    const alerted = new Set<string>();
    for (const a of G.__netbeaconSiteRed.alerts) alerted.add(`${a.LocalIP}|${a.RemoteNetwork}|${a.RemotePortNumber}`);
    const count = (kind: string) => [...feed.expected].filter(([k, e]) => e.kind === kind && alerted.has(k)).length;
    const total = (kind: string) => [...feed.expected.values()].filter((e) => e.kind === kind).length;
    const expectedKeys = new Set(feed.expected.keys());
    return {
      hosts: o.hosts,
      days: o.days,
      seed: o.seed,
      chunkBatches: CHUNK,
      heldChunks,
      records: chunks.reduce((a, c) => a + c.n, 0),
      cpuSeconds: chunks.reduce((a, c) => a + c.cpu, 0),
      seconds: chunks.reduce((a, c) => a + c.wall, 0),
      recordsPerCpuSecond: rate(chunks),
      recordsPerSecond: rate(chunks, 'wall'),
      firstHourPerSecond: rate(ingest.filter((c) => c.hour === firstHour)),
      firstHour,
      firstHourChunks: ingest.filter((c) => c.hour === firstHour).length,
      firstHourSpread: spread(ingest.filter((c) => c.hour === firstHour)),
      lastHourSpread: spread(ingest.filter((c) => c.hour === lastHour)),
      firstHourMain: mainOf(ingest.filter((c) => c.hour === firstHour)),
      lastHourMain: mainOf(ingest.filter((c) => c.hour === lastHour)),
      firstHourGc: gcOf(ingest.filter((c) => c.hour === firstHour)),
      lastHourGc: gcOf(ingest.filter((c) => c.hour === lastHour)),
      dayGc: Array.from({ length: o.days }, (_, d) => gcOf(ingest.filter((c) => Math.floor(c.hour / 24) === d))),
      lastHourPerSecond: rate(ingest.filter((c) => c.hour === lastHour)),
      lastHour,
      lastHourChunks: ingest.filter((c) => c.hour === lastHour).length,
      ingestDayPerSecond: ingestDays,
      firstDayPerSecond: rate(day(0)),
      lastDayPerSecond: rate(day(o.days - 1)),
      scorings: scorings.length,
      scoringCpuSeconds: scorings.reduce((a, c) => a + c.cpu - c.n / plain, 0) / Math.max(1, scorings.length),
      pairs: held.pairs,
      heldBytes: held.bytes,
      retainedBytes: retained,
      flushSeconds,
      flushRows: G.__netbeaconSiteRed.alerts.length - alertsBefore,
      peakRssDuringFlush: peakRss,
      peakHeapDuringFlush: peakHeap,
      rssBeforeFlush: rssBefore,
      peakRssFeed,
      feedHeapBytes: feed.feedHeapBytes,
      before: {
        heapCommitted: m0.heapTotal,
        heapUsed: m0.heapUsed,
        arrayBuffers: m0.arrayBuffers,
        external: m0.external,
        newSpace: v8.getHeapSpaceStatistics().find((sp) => sp.space_name === 'new_space')?.space_size ?? NaN,
        v8Malloced: v8.getHeapStatistics().malloced_memory,
        rssFile: rssFile(),
      },
      rssIdle,
      heapIdle: idle.heapUsed,
      evicted: held.evicted,
      alertPairs: alerted.size,
      beaconsFound: count('beacon'),
      beacons: total('beacon'),
      beaconsMissed: [...feed.expected].filter(([k, e]) => e.kind === 'beacon' && !alerted.has(k)).map(([k, e]) => `${e.cls}: ${e.note} (${k})`),
      benignAlerted: count('benign'),
      benign: total('benign'),
      randomAlerted: count('random'),
      popularAlerted: count('popular'),
      otherAlerted: [...alerted].filter((k) => !expectedKeys.has(k)).length,
    };
  } finally {
    await stop();
  }
}

/** Resident bytes mapped from files (/proc/self/status RssFile), NaN where there is no /proc. */
function rssFile(): number {
  try {
    const m = /RssFile:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** The pair node's figures from its status text ("1.2M pairs · 150 MB of 1024 MB · 3.4k rows · 12 evicted"): 2-3 digits. */
function statusFigures(text: string): { pairs: number; bytes: number; evicted: number } {
  const num = (m: RegExpExecArray | null) => (m ? Number(m[1]) * ({ k: 1e3, M: 1e6 }[m[2]] ?? 1) : NaN);
  const mbs = /· ([\d.]+) MB/.exec(text);
  return {
    pairs: num(/^([\d.]+)([kM]?) pairs/.exec(text)),
    bytes: mbs ? Number(mbs[1]) * 2 ** 20 : NaN,
    evicted: num(/([\d.]+)([kM]?) evicted/.exec(text)) || 0,
  };
}

export function printSiteRed(r: SiteRedResult, log: (line: string) => void): void {
  log(
    `site in Node-RED: ${r.hosts} hosts × ${r.days} days (seed ${r.seed}); the hunt example's pair history (7 days, 256 intervals, scored every 12 h) and its scorer (no context store: the barrier is a checkpoint) in an embedded runtime; ${fmt(r.records)} records in batches of 1,000 made by a feed thread (its state off the measured heap; it sleeps while a chunk is timed), each ${r.chunkBatches} batches timed until a checkpoint barrier has left the scorer; ${r.heldChunks ? 'each chunk decoded whole before its clock starts (--held: its records all on the heap at once)' : 'each batch decoded from columns when the one before has gone in, as a feed sends them (its records die young), the decoding measured batch by batch and taken out'}`,
  );
  const change = (a: number, b: number) => `${(((b - a) / a) * 100).toFixed(0)} %`;
  log(
    `  throughput: ${fmt(r.recordsPerCpuSecond)} records per CPU second (${r.cpuSeconds.toFixed(1)} s of process CPU, process.cpuUsage), ${fmt(r.recordsPerSecond)} per wall second (${r.seconds.toFixed(1)} s)`,
  );
  log(
    `    ingest (chunks without a scoring boundary), per CPU second: hour ${r.firstHour} ${fmt(r.firstHourPerSecond)} (${r.firstHourChunks} chunks, ${r.firstHourSpread.map(fmt).join('–')}), hour ${r.lastHour} ${fmt(r.lastHourPerSecond)} (${r.lastHourChunks}, ${r.lastHourSpread.map(fmt).join('–')}) (${change(r.firstHourPerSecond, r.lastHourPerSecond)}); by day ${r.ingestDayPerSecond.map(fmt).join(', ')}; all chunks, first day ${fmt(r.firstDayPerSecond)}, last day ${fmt(r.lastDayPerSecond)} (${change(r.firstDayPerSecond, r.lastDayPerSecond)}); ${r.scorings} scorings, ${r.scoringCpuSeconds.toFixed(1)} CPU s each beyond their records`,
  );
  const share = (x: number) => `${(x * 100).toFixed(0)} %`;
  const [fm, lm] = [r.firstHourMain, r.lastHourMain];
  log(
    `    the same hours by thread (/proc/thread-self/schedstat): the main thread (Node-RED, the nodes) hour ${r.firstHour} ${fmt(fm.perSecond)} records per its CPU second, hour ${r.lastHour} ${fmt(lm.perSecond)} (${change(fm.perSecond, lm.perSecond)}); other threads (V8's GC helpers and compiler, the feed thread) ${share(fm.others)} → ${share(lm.others)} of the threads' CPU; the kernel (system time, process.cpuUsage) ${share(fm.system)} → ${share(lm.system)}`,
  );
  log(
    `    the main thread's GC pauses within those ingest chunks (perf_hooks 'gc' entries; concurrent marking on helper threads not included): hour ${r.firstHour} ${describePauses(r.firstHourGc)}; hour ${r.lastHour} ${describePauses(r.lastHourGc)}; full collections by day ${r.dayGc.map((p) => `${p.major} (${(p.majorMs / 1000).toFixed(1)} s)`).join(', ')}`,
  );
  log(
    `  state (the pair node's status): ${fmt(r.pairs)} pairs, ${mb(r.heldBytes)} held by the store (${(r.heldBytes / r.pairs).toFixed(0)} B per pair), ${fmt(r.evicted)} evicted; retained heap + array buffers after GC before the flush ${r.retainedBytes === null ? '(run with --expose-gc)' : mb(r.retainedBytes)}`,
  );
  log(
    `  flush: ${r.flushSeconds.toFixed(1)} s, ${fmt(r.flushRows)} alert rows; RSS ${mb(r.rssBeforeFlush)} before, peak ${mb(r.peakRssDuringFlush)} during; peak heap + array buffers during ${mb(r.peakHeapDuringFlush)}${r.retainedBytes === null ? '' : ` = ${(r.peakHeapDuringFlush / r.retainedBytes).toFixed(2)} × retained; peak RSS ${(r.peakRssDuringFlush / r.retainedBytes).toFixed(2)} × retained`}`,
  );
  const b = r.before;
  log(
    `    RSS before the flush ${mb(r.rssBeforeFlush)}: V8's heap committed ${mb(b.heapCommitted)} (used ${mb(b.heapUsed)}; young generation ${mb(b.newSpace)}), external ${mb(b.external)} (array buffers ${mb(b.arrayBuffers)}), the rest ${mb(r.rssBeforeFlush - b.heapCommitted - b.external)} (files mapped ${mb(b.rssFile)}, V8's own malloc ${mb(b.v8Malloced)}, stacks, allocator slack); the runtime with the flow deployed, before the first record, ${mb(r.rssIdle)} (V8's heap used ${mb(r.heapIdle)}); the highest RSS after a chunk while records streamed in ${mb(r.peakRssFeed)} (with the feed thread, whose heap held ${mb(r.feedHeapBytes)} at its end; it is stopped before the flush)`,
  );
  log(
    `  alerts: ${r.alertPairs} pairs (${((r.alertPairs / r.hosts) * 1000).toFixed(0)} per 1,000 hosts over ${r.days} days): planted beacons ${r.beaconsFound}/${r.beacons}, benign periodic pollers ${r.benignAlerted}/${r.benign}, random pollers ${r.randomAlerted}, popular-service polls ${r.popularAlerted}, other pairs ${r.otherAlerted}`,
  );
  if (r.beaconsMissed.length) log(`  missed: ${r.beaconsMissed.join('; ')}`);
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  const at = argv.indexOf('--chunk');
  const chunk = at >= 0 ? Number(argv.splice(at, 2)[1]) : DEFAULT_CHUNK;
  const pf = argv.indexOf('--profile');
  const profiled = pf >= 0 ? profiledHours(argv.splice(pf, 2)[1]) : [];
  const hd = argv.indexOf('--held');
  if (hd >= 0) argv.splice(hd, 1);
  siteRedBench(siteArgs(argv), chunk, profiled, hd >= 0).then(
    (r) => {
      printSiteRed(r, (l) => process.stdout.write(l + '\n'));
      for (const p of profiled) {
        if (!p.profiler) continue;
        process.stdout.write(`\nprofile of hours ${p.from}-${p.to}: ${p.parts} timed chunks, ${fmt(p.records)} records\n`);
        p.profiler.report(p.records / p.parts);
      }
      process.exit(0);
    },
    (err) => {
      process.stderr.write(`bench-site-red: ${(err as Error).stack}\n`);
      process.exit(1);
    },
  );
}
