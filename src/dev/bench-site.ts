#!/usr/bin/env node
/**
 * The site benchmark: the hunt's pair history fed a seeded site of H hosts
 * over D days, generated on the fly in time order (never held, never on
 * disk), then scored. What it measures, as printed: records/s into the
 * store (the store's own time, per hour of event time, so a slowdown as
 * state grows shows), distinct pairs, pairs with ≥ 7 connections, the heap
 * and array buffers the store retains after GC, bytes per pair and per
 * active pair, and the detection table.
 *
 * The site: each host browses (diurnal Poisson arrivals, 80 an hour in
 * weekday working hours and 10 otherwise, page loads in bursts of 1-5
 * connections; 70 % of visits to the host's 40 favourite sites, the rest
 * fresh, all Zipf-popular over 2 M /24 networks) and runs ~12 applications: 6 polls of 30 popular services
 * (every 300, 900 or 3600 s ±5 %, each service polled by ~H/5 hosts),
 * 4 random (Poisson) pollers of its own rare destinations, 2 benign
 * periodic pollers of its own rare destinations (every 300-3600 s ±10 %:
 * periodic, so they alert by design: a site triages them by name or
 * allow-list). Beacons of the hard classes are planted on random hosts.
 *
 *   node --expose-gc dev/bench-site.js [--hosts 1000] [--days 3] [--seed 22] [--ring 256] [--cap MiB]
 *   (or node --expose-gc dev/bench.js --site …)
 */
import { DEFAULT_HUNT, PairCounters, PairHistory } from '../core/pairs';
import { LogRecord } from '../core/common/records';
import { Random } from '../tools/random';
import { TimeHeap } from './time-heap';

export const MONDAY = Date.UTC(2024, 4, 6) / 1000;
const UNIVERSE = 2_000_000;
const LOG_UNIVERSE = Math.log(UNIVERSE + 1);
export const MAX_SOURCES = 5;
const BATCH = 1000;

export interface SiteOptions {
  hosts: number;
  days: number;
  seed: number;
  ringSize: number;
  /** the store's byte cap (null = none) */
  maxBytes: number | null;
  log?: (line: string) => void;
}

type Kind = 'browse' | 'popular' | 'random' | 'benign' | 'beacon';

/** A source's settings, as the constructor lists them. */
type ProcessInit = Omit<Process, 'turn' | 'beacon'> & { beacon?: BeaconPlan };

/** One source of connections: its next time and how to step it (a class, so every source has one shape). */
class Process {
  t: number;
  kind: Kind;
  host: number;
  dstIp: string;
  dstNet: string;
  port: number;
  bytes: number;
  /** popular/benign: sleep and ± jitter; random: mean */
  period: number;
  jitter: number;
  beacon: BeaconPlan | null;
  turn = 0;

  constructor(p: ProcessInit) {
    this.t = p.t;
    this.kind = p.kind;
    this.host = p.host;
    this.dstIp = p.dstIp;
    this.dstNet = p.dstNet;
    this.port = p.port;
    this.bytes = p.bytes;
    this.period = p.period;
    this.jitter = p.jitter;
    this.beacon = p.beacon ?? null;
  }
}

interface BeaconPlan {
  cls: string;
  note: string;
  period: number;
  jitter?: number;
  symmetric?: boolean;
  drop?: number;
  workingHours?: [number, number];
  jitterSeconds?: number;
  alternate?: number[];
  rotate?: boolean;
  /** random connections on the same pair (mean seconds): a beacon sharing its destination */
  randomMean?: number;
}

/** The hard classes (as in the hard suite), with the 4 h and 6 h ±20 % sleeps the 7-day horizon is for. */
const BEACONS: BeaconPlan[] = [
  { cls: 'dropped 30 %', note: '60 s, 10 % jitter, 30 % dropped', period: 60, jitter: 0.1, drop: 0.3 },
  { cls: 'dropped 30 %', note: '900 s ±10 %, 30 % dropped', period: 900, jitter: 0.1, symmetric: true, drop: 0.3 },
  { cls: 'dropped 50 %', note: '300 s, 20 % jitter, 50 % dropped', period: 300, jitter: 0.2, drop: 0.5 },
  { cls: 'dropped 50 %', note: '900 s ±10 %, 50 % dropped', period: 900, jitter: 0.1, symmetric: true, drop: 0.5 },
  { cls: 'working hours', note: '60 s, 20 % jitter, 09-17 h weekdays', period: 60, jitter: 0.2, workingHours: [9, 17] },
  { cls: 'working hours', note: '900 s, 09-17 h weekdays', period: 900, workingHours: [9, 17] },
  { cls: 'long sleeps', note: '2 h, 10 % jitter', period: 7200, jitter: 0.1 },
  { cls: 'long sleeps', note: '4 h ±20 %', period: 14400, jitter: 0.2, symmetric: true },
  { cls: 'long sleeps', note: '6 h ±20 %', period: 21600, jitter: 0.2, symmetric: true },
  { cls: '/24 rotation', note: '300 s, 10 % jitter, 8 addresses of one /24', period: 300, jitter: 0.1, rotate: true },
  { cls: 'upward absolute jitter', note: '60 s + U[0, 30) s', period: 60, jitterSeconds: 30 },
  { cls: 'upward absolute jitter', note: '300 s + U[0, 120) s', period: 300, jitterSeconds: 120 },
  { cls: 'one-sided jitter to 80 %', note: '60 s, 80 % one-sided', period: 60, jitter: 0.8 },
  { cls: 'one-sided jitter to 80 %', note: '900 s, 80 % one-sided', period: 900, jitter: 0.8 },
  { cls: 'alternating retries', note: '60 s / 90 s', period: 60, alternate: [60, 90] },
  { cls: 'alternating retries', note: '300 s / 600 s', period: 300, alternate: [300, 600] },
  { cls: 'shared destination', note: '300 s, 5 % jitter, plus random traffic (mean 600 s)', period: 300, jitter: 0.05, randomMean: 600 },
  { cls: 'shared destination', note: '60 s, 5 % jitter, plus random traffic (mean 300 s)', period: 60, jitter: 0.05, randomMean: 300 },
];

/** Zipf (s = 1) over the universe, by the inverse of its continuous CDF ln(k + 1) / ln(U + 1) */
const zipfRank = (rnd: Random) => Math.floor(Math.exp(rnd.next() * LOG_UNIVERSE)) - 1;
const FAVOURITES = 40;
const FAVOURITE_SHARE = 0.7;

const hostIp = (h: number) => `10.${(h >> 8) & 255}.${h & 255}.10`;

/** Browsing destination of Zipf rank k, "a.b.c": a /24 outside the blocks the applications and beacons use. */
function browsingPrefix(k: number): string {
  let x = Math.imul(k + 1, 0x9e3779b1);
  x ^= x >>> 15;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  let a = 11 + ((x >>> 16) % 200);
  while (a === 45 || a === 46 || a === 47 || a === 52 || a === 100 || a === 127 || a === 169 || a === 172 || a === 192) a += 1;
  return `${a}.${(x >>> 8) & 255}.${x & 255}`;
}

/** Zipf ranks below this have their network's strings made once (three quarters of all browsing) */
const CACHED_RANKS = 1 << 16;

/** Weekday working hours [from, to) in UTC, by arithmetic on event time (1970-01-01 was a Thursday). */
function inWorkingHours(t: number, [from, to]: [number, number]): boolean {
  // whole milliseconds, as a Date made of t would hold them
  const ms = Math.trunc(t * 1000);
  const day = Math.floor(ms / 86_400_000);
  const hour = Math.floor((ms - day * 86_400_000) / 3_600_000);
  const weekday = (day + 4) % 7;
  return weekday >= 1 && weekday <= 5 && hour >= from && hour < to;
}

/** The site's connections in time order (bursts up to 2 s late), as WireData-like records, a batch at a time. */
export class SiteStream {
  readonly expected = new Map<string, { kind: Kind; cls?: string; note?: string }>();
  private readonly heap = new TimeHeap();
  private readonly processes: Process[] = [];
  private readonly rnd: Random;
  private readonly end: number;
  private readonly hostIps: string[];
  /** each host's favourite sites (Zipf ranks): most browsing returns to them */
  private readonly favourites: Int32Array;
  /** "a.b.c" of each favourite and of each popular rank, made before the run so the hot loop only appends a host */
  private readonly favouritePrefixes: string[];
  private readonly rankPrefixes: string[];

  constructor(readonly o: SiteOptions) {
    this.rnd = new Random(o.seed);
    this.end = MONDAY + o.days * 86400;
    this.hostIps = Array.from({ length: o.hosts }, (_, h) => hostIp(h));
    const rnd = this.rnd;
    this.favourites = new Int32Array(o.hosts * FAVOURITES);
    for (let i = 0; i < this.favourites.length; i++) this.favourites[i] = zipfRank(rnd);
    this.rankPrefixes = Array.from({ length: CACHED_RANKS }, (_, k) => browsingPrefix(k));
    this.favouritePrefixes = Array.from(this.favourites, (k) => this.prefix(k));
    const add = (p: ProcessInit) => {
      this.heap.push(this.processes.length, p.t);
      this.processes.push(new Process(p));
    };
    const services = Array.from({ length: 30 }, (_, s) => ({ net: `52.20.${s}.0/24`, ip: `52.20.${s}.7`, period: [300, 900, 3600][s % 3] }));
    for (let h = 0; h < o.hosts; h++) {
      add({ t: MONDAY + rnd.exponential(60), kind: 'browse', host: h, dstIp: '', dstNet: '', port: 443, bytes: 0, period: 0, jitter: 0 });
      for (const s of rnd.shuffle(services.slice()).slice(0, 6)) {
        add({ t: MONDAY + rnd.next() * s.period, kind: 'popular', host: h, dstIp: s.ip, dstNet: s.net, port: 443, bytes: 700, period: s.period, jitter: 0.05 });
        this.label(h, s.net, 443, { kind: 'popular' });
      }
      for (let k = 0; k < 4; k++) {
        const net = `46.${k * 40 + ((h >> 8) & 31)}.${h & 255}`;
        add({
          t: MONDAY + rnd.next() * 600,
          kind: 'random',
          host: h,
          dstIp: `${net}.9`,
          dstNet: `${net}.0/24`,
          port: 443,
          bytes: 512,
          period: rnd.pick([120, 300, 600, 1800, 3600]),
          jitter: 0,
        });
        this.label(h, `${net}.0/24`, 443, { kind: 'random' });
      }
      for (let k = 0; k < 2; k++) {
        const net = `47.${k * 40 + ((h >> 8) & 31)}.${h & 255}`;
        const period = rnd.pick([300, 600, 900, 1800, 3600]);
        add({
          t: MONDAY + rnd.next() * period,
          kind: 'benign',
          host: h,
          dstIp: `${net}.5`,
          dstNet: `${net}.0/24`,
          port: 8443,
          bytes: 900,
          period,
          jitter: 0.1,
        });
        this.label(h, `${net}.0/24`, 8443, { kind: 'benign' });
      }
    }
    BEACONS.forEach((b, i) => {
      const h = rnd.int(0, o.hosts - 1);
      const net = `45.${100 + i}.${1 + (i % 200)}`;
      const p = {
        t: MONDAY + 37 * (i + 1) + rnd.next(),
        kind: 'beacon' as const,
        host: h,
        dstIp: `${net}.20`,
        dstNet: `${net}.0/24`,
        port: 443,
        bytes: 400 + i,
        period: b.period,
        jitter: b.jitter ?? 0,
        beacon: b,
      };
      add(p);
      if (b.randomMean) add({ ...p, t: MONDAY + 11, kind: 'random', period: b.randomMean, jitter: 0, beacon: undefined });
      this.label(h, `${net}.0/24`, 443, { kind: 'beacon', cls: b.cls, note: b.note });
    });
  }

  private label(h: number, net: string, port: number, what: { kind: Kind; cls?: string; note?: string }): void {
    this.expected.set(`${this.hostIps[h]}|${net}|${port}`, what);
  }

  private prefix(rank: number): string {
    return rank < CACHED_RANKS ? this.rankPrefixes[rank] : browsingPrefix(rank);
  }

  /** The next batch of records, or an empty one at the end. */
  next(into: LogRecord[]): void {
    into.length = 0;
    const rnd = this.rnd;
    const heap = this.heap;
    while (into.length < BATCH) {
      const id = heap.topId;
      if (id === undefined) return;
      const p = this.processes[id];
      if (p.t >= this.end) return;
      const t = p.t;
      const src = this.hostIps[p.host];
      switch (p.kind) {
        case 'browse': {
          const busy = inWorkingHours(t, [8, 18]);
          const net = rnd.chance(FAVOURITE_SHARE) ? this.favouritePrefixes[p.host * FAVOURITES + rnd.int(0, FAVOURITES - 1)] : this.prefix(zipfRank(rnd));
          const port = rnd.chance(0.8) ? 443 : 80;
          into.push(record(t, src, `${net}.${1 + rnd.int(0, 253)}`, `${net}.0/24`, port, rnd.int(200, 4000)));
          if (rnd.chance(0.3)) {
            // a page load: more connections within two seconds, to the same network or others
            for (let k = rnd.int(1, 4); k > 0; k--) {
              const other = rnd.chance(0.5) ? net : this.prefix(zipfRank(rnd));
              into.push(record(t + rnd.next() * 2, src, `${other}.${1 + rnd.int(0, 253)}`, `${other}.0/24`, port, rnd.int(200, 4000)));
            }
          }
          p.t += rnd.exponential(3600 / (busy ? 80 : 10));
          break;
        }
        case 'popular':
        case 'benign':
          into.push(record(t, src, p.dstIp, p.dstNet, p.port, p.bytes));
          p.t += p.period * (1 + p.jitter * (2 * rnd.next() - 1));
          break;
        case 'random':
          into.push(record(t, src, p.dstIp, p.dstNet, p.port, p.bytes));
          p.t += rnd.exponential(p.period);
          break;
        case 'beacon': {
          const b = p.beacon as BeaconPlan;
          if (!(b.drop && rnd.chance(b.drop)) && (!b.workingHours || inWorkingHours(t, b.workingHours))) {
            const ip = b.rotate ? `${p.dstNet.slice(0, -5)}.${rnd.pick([20, 21, 33, 47, 58, 101, 140, 201])}` : p.dstIp;
            into.push(record(t, src, ip, p.dstNet, p.port, p.bytes));
          }
          const u = rnd.next();
          const factor = b.symmetric ? 1 + (b.jitter ?? 0) * (2 * u - 1) : 1 - (b.jitter ?? 0) * u;
          const sleep = b.alternate ? b.alternate[p.turn++ % b.alternate.length] : b.period;
          p.t += Math.max(1, sleep * factor) + (b.jitterSeconds ? rnd.next() * b.jitterSeconds : 0);
          break;
        }
      }
      heap.retimeTop(p.t);
    }
  }
}

function record(t: number, src: string, ip: string, net: string, port: number, bytes: number): LogRecord {
  // whole milliseconds, as most exports carry them
  return { TimeGenerated: Math.round(t * 1000), LocalIP: src, RemoteIP: ip, RemoteNetwork: net, RemotePortNumber: port, SentBytes: bytes };
}

const gc = (globalThis as { gc?: () => void }).gc;
export const used = () => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};
export const fmt = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k` : n.toFixed(0));
export const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;

export interface SiteResult {
  hosts: number;
  days: number;
  seed: number;
  ringSize: number;
  records: number;
  storeSeconds: number;
  storeCpuSeconds: number;
  recordsPerCpuSecond: number;
  wallSeconds: number;
  recordsPerSecond: number;
  firstHourPerSecond: number;
  firstDayPerSecond: number;
  lastDayPerSecond: number;
  lastHourPerSecond: number;
  pairs: number;
  activePairs: number;
  retainedBytes: number | null;
  heldBytes: number;
  allocatedBytes: number;
  bytesPerPair: number | null;
  bytesPerActivePair: number | null;
  /** what the store counts for an active pair (its row and ring) */
  heldPerActivePair: number;
  huntSeconds: number;
  scored: number;
  maxRssMiB: number;
  /** the peak before the hunt: the feed, its evictions and their rebuilds */
  maxRssFeedMiB: number;
  detection: Record<string, { total: number; alerted: number; suppressed?: number }>;
  beaconsByClass: Record<string, { total: number; found: number; missed: string[] }>;
  otherAlerts: number;
  strobes: number;
  maxBytes: number | null;
  counters: PairCounters;
}

/** What the store took per hour of event time: records, wall nanoseconds, CPU seconds. */
type PerHour = Map<number, { n: number; ns: bigint; cpu: number }>;

/** The site's records fed to the store batch by batch, timed around the store alone. */
function feedSite(stream: SiteStream, store: PairHistory, batch: LogRecord[], log: (line: string) => void) {
  const perHour: PerHour = new Map();
  let records = 0;
  let storeNs = 0n;
  let storeCpu = 0;
  const wall0 = process.hrtime.bigint();
  for (;;) {
    stream.next(batch);
    if (batch.length === 0) break;
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    // as the hunt's node feeds it (pair-hunt): the store reads the next 16 records' pairs ahead, then takes them one by one
    for (let i = 0; i < batch.length; i++) {
      if ((i & 15) === 0) store.readAhead(batch, i, i + 16);
      store.add(batch[i]);
    }
    const ns = process.hrtime.bigint() - t0;
    const c1 = process.cpuUsage(c0);
    // CPU time too: on a shared machine the wall clock counts other processes' turns
    const cpu = (c1.user + c1.system) / 1e6;
    storeNs += ns;
    storeCpu += cpu;
    records += batch.length;
    const hour = Math.floor(((batch[0].TimeGenerated as number) / 1000 - MONDAY) / 3600);
    const h = perHour.get(hour) ?? { n: 0, ns: 0n, cpu: 0 };
    h.n += batch.length;
    h.ns += ns;
    h.cpu += cpu;
    perHour.set(hour, h);
    if (records % 1_000_000 < BATCH) {
      const elapsed = Number(process.hrtime.bigint() - wall0) / 1e9;
      const { evictedOneShot, evictedRepeated } = store.counters;
      log(
        `  … ${fmt(records)} records, hour ${hour}, ${fmt(store.size)} pairs, store ${mb(store.allocatedBytes)}, evicted ${fmt(evictedOneShot)} one-shot and ${fmt(evictedRepeated)} repeated, ${elapsed.toFixed(0)} s wall`,
      );
    }
  }
  const wallSeconds = Number(process.hrtime.bigint() - wall0) / 1e9;
  return { perHour, records, storeNs, storeCpu, wallSeconds, maxRssFeedMiB: process.resourceUsage().maxRSS / 1024 };
}

/** Records per CPU second in the first and last hour and day, the JIT's warming and the state's growth. */
function hourRates(perHour: PerHour, days: number) {
  const hours = [...perHour.keys()].sort((a, b) => a - b);
  const rate = (h: number) => {
    const x = perHour.get(h) as { n: number; cpu: number };
    return x.n / x.cpu;
  };
  const dayRate = (d: number) => {
    let n = 0;
    let cpu = 0;
    for (const [h, x] of perHour) if (Math.floor(h / 24) === d) (n += x.n), (cpu += x.cpu);
    return n / cpu;
  };
  return {
    firstHourPerSecond: rate(hours[0]),
    lastHourPerSecond: rate(hours[hours.length - 1]),
    firstDayPerSecond: dayRate(0),
    lastDayPerSecond: dayRate(days - 1),
  };
}

/**
 * The hunt's verdicts against the site's planted traffic: per kind, the
 * pairs alerted and those suppressed by prevalence; per beacon class, the
 * beacons found and missed; and the alerts on anything else.
 */
function tally(expected: SiteStream['expected'], verdicts: ReturnType<PairHistory['hunt']>) {
  const detection: SiteResult['detection'] = {};
  const beaconsByClass: SiteResult['beaconsByClass'] = {};
  for (const [, e] of expected) {
    const d = (detection[e.kind] ??= { total: 0, alerted: 0, suppressed: 0 });
    d.total++;
    if (e.kind === 'beacon') {
      const c = (beaconsByClass[e.cls as string] ??= { total: 0, found: 0, missed: [] });
      c.total++;
    }
  }
  const alerted = new Set<string>();
  let otherAlerts = 0;
  let strobes = 0;
  for (const v of verdicts) {
    if (v.strobe) strobes++;
    if (!v.periodic) continue;
    const key = v.key.join('|');
    const e = expected.get(key);
    const suppressed = (v.destinationSources ?? 0) > MAX_SOURCES;
    if (!e) {
      if (!suppressed) otherAlerts++;
      continue;
    }
    if (suppressed) (detection[e.kind].suppressed as number)++;
    else {
      detection[e.kind].alerted++;
      alerted.add(key);
    }
  }
  for (const [key, e] of expected) {
    if (e.kind !== 'beacon') continue;
    const c = beaconsByClass[e.cls as string];
    if (alerted.has(key)) c.found++;
    else c.missed.push(e.note as string);
  }
  return { detection, beaconsByClass, otherAlerts, strobes };
}

export function siteBench(o: SiteOptions): SiteResult {
  const log = o.log ?? ((line: string) => process.stdout.write(line + '\n'));
  const stream = new SiteStream(o);
  const batch: LogRecord[] = [];
  gc?.();
  const before = used();
  const store = new PairHistory({
    ringSize: o.ringSize,
    maxBytes: o.maxBytes,
    keyFields: ['LocalIP', 'RemoteNetwork', 'RemotePortNumber'],
    timeField: 'TimeGenerated',
  });
  const { perHour, records, storeNs, storeCpu, wallSeconds, maxRssFeedMiB } = feedSite(stream, store, batch, log);
  batch.length = 0;
  let retained: number | null = null;
  if (gc) {
    gc();
    gc();
    retained = used() - before;
  }
  const pairs = store.size;
  const activePairs = store.countWith(7);
  const activeHeld = store.heldBytesWith(7);

  const h0 = process.hrtime.bigint();
  const verdicts = store.hunt({ ...DEFAULT_HUNT, prevalence: { source: 'LocalIP', destination: 'RemoteNetwork' } });
  const huntSeconds = Number(process.hrtime.bigint() - h0) / 1e9;
  const { detection, beaconsByClass, otherAlerts, strobes } = tally(stream.expected, verdicts);
  const storeSeconds = Number(storeNs) / 1e9;
  const rates = hourRates(perHour, o.days);
  return {
    hosts: o.hosts,
    days: o.days,
    seed: o.seed,
    ringSize: o.ringSize,
    records,
    storeSeconds,
    storeCpuSeconds: storeCpu,
    recordsPerCpuSecond: records / storeCpu,
    wallSeconds,
    recordsPerSecond: records / storeSeconds,
    firstHourPerSecond: rates.firstHourPerSecond,
    lastHourPerSecond: rates.lastHourPerSecond,
    firstDayPerSecond: rates.firstDayPerSecond,
    lastDayPerSecond: rates.lastDayPerSecond,
    pairs,
    activePairs,
    retainedBytes: retained,
    heldBytes: store.bytes,
    allocatedBytes: store.allocatedBytes,
    bytesPerPair: retained === null ? null : retained / pairs,
    bytesPerActivePair: retained === null ? null : retained / activePairs,
    heldPerActivePair: activeHeld / activePairs,
    huntSeconds,
    scored: verdicts.length,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    maxRssFeedMiB,
    detection,
    beaconsByClass,
    otherAlerts,
    strobes,
    maxBytes: o.maxBytes,
    counters: { ...store.counters },
  };
}

/** the change from a to b as a signed percentage */
const change = (a: number, b: number) => `${b >= a ? '+' : '−'}${Math.abs((100 * (b - a)) / a).toFixed(0)} %`;

export function printSite(r: SiteResult, log: (line: string) => void): void {
  log(
    `site: ${r.hosts} hosts × ${r.days} days (seed ${r.seed}), ring ${r.ringSize} intervals, 7-day horizon, ${r.maxBytes === null ? 'no byte cap' : `byte cap ${mb(r.maxBytes)}`}; ${fmt(r.records)} records generated on the fly in batches of ${BATCH} (bursts up to 2 s out of order), fed to the pair history in this process`,
  );
  log(
    `  throughput into the store (its own time around each batch, the generator's left out): ${fmt(r.recordsPerCpuSecond)} records per CPU second (${r.storeCpuSeconds.toFixed(1)} s, process.cpuUsage), ${fmt(r.recordsPerSecond)} per wall second (${r.storeSeconds.toFixed(1)} s, hrtime; ${r.wallSeconds.toFixed(1)} s wall with the generator)`,
  );
  log(
    `    per CPU second: first hour ${fmt(r.firstHourPerSecond)} (JIT warming), last hour ${fmt(r.lastHourPerSecond)}; first day ${fmt(r.firstDayPerSecond)}, last day ${fmt(r.lastDayPerSecond)} (last day ${change(r.firstDayPerSecond, r.lastDayPerSecond)}, last hour ${change(r.firstHourPerSecond, r.lastHourPerSecond)} beside the first)`,
  );
  log(`  pairs: ${fmt(r.pairs)} distinct, ${fmt(r.activePairs)} with ≥ 7 connections`);
  if (r.retainedBytes === null) log('  memory: run with node --expose-gc to measure the retained heap');
  else {
    log(
      `  memory: ${mb(r.retainedBytes)} retained after GC (heap + array buffers, grown from before the store was made) = ${(r.bytesPerPair as number).toFixed(0)} B per pair; ${(r.bytesPerActivePair as number).toFixed(0)} B per active pair (all retained bytes / pairs with ≥ 7 connections)`,
    );
  }
  log(
    `    the store's own count: ${mb(r.heldBytes)} held (what a cap applies to), ${mb(r.allocatedBytes)} allocated; an active pair's own row and ring ${r.heldPerActivePair.toFixed(0)} B; peak RSS of the process ${r.maxRssFeedMiB.toFixed(0)} MiB while fed (evictions included), ${r.maxRssMiB.toFixed(0)} MiB after the hunt`,
  );
  const c = r.counters;
  log(
    `  store counters: ${fmt(c.late)} late connections placed, ${fmt(c.forgotten)} intervals forgotten (full rings), ${fmt(c.expired)} pairs expired, evicted ${fmt(c.evictedOneShot)} one-shot and ${fmt(c.evictedRepeated)} repeated pairs, cap unmet ${c.overCap} times`,
  );
  log(
    `  hunt: ${fmt(r.scored)} pairs scored (≥ 11 intervals, strobes labelled) in ${r.huntSeconds.toFixed(1)} s; alert when periodic (p ≤ 0.001) and the destination has ≤ ${MAX_SOURCES} sources`,
  );
  log('  | traffic | pairs | alerted | suppressed by prevalence |');
  log('  |---|---:|---:|---:|');
  const names: Record<string, string> = {
    beacon: 'planted beacons',
    random: 'random (Poisson) pollers',
    popular: 'popular-service polls',
    benign: 'benign periodic pollers (rare destinations)',
  };
  for (const k of ['beacon', 'random', 'popular', 'benign']) {
    const d = r.detection[k];
    if (d) log(`  | ${names[k]} | ${d.total} | ${d.alerted} | ${d.suppressed ?? 0} |`);
  }
  log(`  | other pairs (browsing) | ${fmt(r.pairs - Object.values(r.detection).reduce((a, d) => a + d.total, 0))} | ${r.otherAlerts} | |`);
  log(
    `  beacons by class: ${Object.entries(r.beaconsByClass)
      .map(([c, x]) => `${c} ${x.found}/${x.total}`)
      .join(', ')}`,
  );
  const missed = Object.values(r.beaconsByClass).flatMap((x) => x.missed);
  if (missed.length) log(`  missed: ${missed.join('; ')}`);
  const perThousand = ((r.detection.benign?.alerted ?? 0) + r.otherAlerts + (r.detection.beacon?.alerted ?? 0)) / (r.hosts / 1000);
  log(
    `  alert volume: ${perThousand.toFixed(0)} alerting pairs per 1,000 hosts over ${r.days} days (planted beacons included); strobes labelled: ${r.strobes}`,
  );
}

export function siteArgs(args: string[]): SiteOptions {
  const arg = (name: string, fallback: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : fallback;
  };
  const cap = arg('cap', '');
  return {
    hosts: Number(arg('hosts', '1000')),
    days: Number(arg('days', '3')),
    seed: Number(arg('seed', '22')),
    ringSize: Number(arg('ring', '256')),
    maxBytes: cap ? Number(cap) * 2 ** 20 : null,
  };
}

if (require.main === module) {
  const o = siteArgs(process.argv.slice(2));
  printSite(siteBench(o), (l) => process.stdout.write(l + '\n'));
}
