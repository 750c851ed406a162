#!/usr/bin/env node
/**
 * npm run evaluate: the two Sentinel-exact example flows and the beacon hunt
 * example, run inside an embedded Node-RED on (a) a seeded synthetic suite
 * with known beacons, benign periodic services and inbound scanners and (b)
 * the real Zeek captures in ../shared/datasets when present. Prints, per
 * dataset and profile, the expected periodic pairs found and missed, the
 * other alerts, and what the hunt's gate suppressed; writes the same as JSON.
 *
 *   node dist/dev/evaluate.js [--json evaluation.json] [--datasets DIR] [--markdown]
 */
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { LogParser, DEFAULT_PARSER_OPTIONS } from '../core/parse/parser';
import { LogRecord } from '../core/common/records';
import { parseEventTime } from '../core/common/time';
import { EmbeddedRed, NodeConfig } from './embedded-red';
import { BeaconSpec, DEFAULT_OPTIONS, generateRecords } from '../tools/traffic-generator';
import { ROOT } from '../run/user-dir';
import { Dataset, Expected, hardSuite, pairOf } from './hard-suite';
import { namesSuite, ROTATING_NETWORKS } from './name-suite';
import { networkOf } from '../core/filter/destination-group';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};

/** WireData columns as a Palo Alto TRAFFIC record in CommonSecurityLog (what the Palo Alto flow reads). */
function toCommonSecurityLog(r: LogRecord): LogRecord {
  const c: LogRecord = {
    TimeGenerated: r.TimeGenerated,
    DeviceVendor: 'Palo Alto Networks',
    Activity: 'TRAFFIC',
    DeviceName: 'sensor',
    SourceUserID: '',
    SourceIP: r.LocalIP,
    SourcePort: r.LocalPortNumber,
    DestinationIP: r.RemoteIP,
    DestinationPort: r.RemotePortNumber,
    SentBytes: r.SentBytes,
    ReceivedBytes: r.ReceivedBytes,
  };
  for (const k of Object.keys(c)) if (c[k] === undefined) delete c[k];
  return c;
}

// ---------------------------------------------------------------- synthetic suite

const DAY_START = Date.UTC(2024, 4, 6) / 1000;
const DMZ_SERVER = '81.2.69.160'; // a public server of ours, scanned from outside

function syntheticSuite(): Dataset {
  const beacons: Array<BeaconSpec & { note: string; kind: Expected['kind'] }> = [];
  let n = 0;
  const add = (
    periodSeconds: number,
    jitter: number,
    jitterMode: 'one-sided' | 'symmetric',
    note: string,
    over: Partial<BeaconSpec> = {},
    kind: Expected['kind'] = 'beacon',
  ) => {
    n++;
    beacons.push({
      src: `10.50.${n}.10`,
      dst: `45.${60 + n}.${n}.${10 + n}`,
      port: 443,
      periodSeconds,
      jitter,
      jitterMode,
      startOffsetSeconds: 60 * n,
      durationSeconds: 86400 - 60 * n - 600,
      sentBytes: 320 + n,
      receivedBytes: 1200,
      note,
      kind,
      ...over,
    });
  };
  for (const period of [30, 60, 300, 900, 3600]) {
    for (const jitter of [0, 0.1, 0.2, 0.5]) add(period, jitter, 'one-sided', `${period} s, ${jitter * 100} % one-sided jitter`);
  }
  for (const period of [60, 300]) for (const jitter of [0.1, 0.25]) add(period, jitter, 'symmetric', `${period} s, ±${jitter * 100} % jitter`);
  // two beacons from one host, interleaved (per-source deltas mix them)
  add(60, 0.1, 'one-sided', 'interleaved with the next, same host, 60 s', { src: '10.80.0.5' });
  add(90, 0.1, 'one-sided', 'interleaved with the previous, same host, 90 s', { src: '10.80.0.5', dst: '185.199.1.77' });
  // a beacon from a host that also browses heavily (noise added below)
  add(300, 0.2, 'one-sided', '300 s, 20 % jitter, host browsing heavily', { src: '10.90.0.5' });
  // a strobe: a connection every 0.8 s for two hours (its own alert class, not a beacon)
  add(
    0.8,
    0.1,
    'symmetric',
    'strobe, a connection every 0.8 s for 2 h',
    { src: '10.95.0.5', dst: '45.99.0.9', port: 8080, startOffsetSeconds: 7200, durationSeconds: 7200, sentBytes: 90, receivedBytes: 60 },
    'strobe',
  );
  // benign periodic services the hunt's default allow-list names
  add(960, 0.02, 'symmetric', 'Dropbox-style sync polling, 960 s', { src: '10.70.0.5', dst: '162.125.19.131' }, 'benign');
  // inbound: a scanner and an SSH brute-forcer hitting our public server
  add(
    26,
    0,
    'symmetric',
    'inbound scanner every 26 s',
    { src: '120.245.134.197', dst: DMZ_SERVER, port: 30003, startOffsetSeconds: 3600, durationSeconds: 4 * 3600, sentBytes: 60, receivedBytes: 0 },
    'inbound',
  );
  add(
    90,
    0.3,
    'symmetric',
    'inbound SSH brute force every ~90 s',
    { src: '218.92.0.112', dst: DMZ_SERVER, port: 22, sentBytes: 2100, receivedBytes: 2600 },
    'inbound',
  );

  const base = {
    ...DEFAULT_OPTIONS,
    seed: 4242,
    schema: 'wiredata' as const,
    startSeconds: DAY_START,
    hours: 24,
    quirks: false,
    quantizeSeconds: 0,
    disorderSeconds: 0,
    subSecondShare: 0.3,
  };
  const main = generateRecords({ ...base, beacons, noiseHosts: 30, noisePerHour: 40, ntp: true, internal: true });
  // heavy browsing from the beacon's own host: a noise-only run, moved onto 10.90.0.5
  const browsing: LogRecord[] = generateRecords({ ...base, seed: 4243, beacons: [], noiseHosts: 1, noisePerHour: 600, ntp: false, internal: false }).map(
    (r) => ({ ...r, LocalIP: '10.90.0.5' }),
  );
  const wiredata = [...(main as LogRecord[]), ...browsing].sort((a, b) => String(a.TimeGenerated).localeCompare(String(b.TimeGenerated)));
  const expected: Expected[] = beacons.map((b) => ({ pair: pairOf(b.src, b.dst, b.port), kind: b.kind, note: b.note }));
  expected.push({ pair: pairOf('10.2.0.5', '17.253.4.125', 123), kind: 'benign', note: 'NTP every 64 s' });
  return { name: 'synthetic (seed 4242, 24 h)', wiredata, internal: `10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, ${DMZ_SERVER}/32`, expected };
}

// ---------------------------------------------------------------- real captures

function readLines(file: string): string[] {
  const raw = fs.readFileSync(file);
  return (file.endsWith('.gz') ? zlib.gunzipSync(raw) : raw)
    .toString('utf8')
    .split('\n')
    .filter((l) => l.length > 0);
}

/** Zeek TSV through the package's own parser; Stratosphere labels kept per pair. */
function readZeek(files: string[]): { records: LogRecord[]; labels: Map<string, string> } {
  const parser = new LogParser({ ...DEFAULT_PARSER_OPTIONS, format: 'zeek-tsv' });
  const records: LogRecord[] = [];
  const labels = new Map<string, string>();
  for (const file of files) {
    let labelAt = -1;
    for (const line of readLines(file)) {
      if (line.startsWith('#fields')) labelAt = line.split('\t').slice(1).indexOf('label');
      const result = parser.parseLine(line);
      if (result.kind !== 'record') continue;
      records.push(result.record);
      if (labelAt >= 0) labels.set(pairOf(result.record.LocalIP, result.record.RemoteIP, result.record.RemotePortNumber), line.split('\t')[labelAt]);
    }
  }
  return { records, labels };
}

function realDatasets(dir: string): Dataset[] {
  if (!fs.existsSync(dir)) return [];
  const at = (...p: string[]) => path.join(dir, ...p);
  const stratosphere = '147.32.0.0/16'; // CTU Prague, where the Stratosphere captures were taken
  const specs: Array<{ name: string; files: string[]; internal: string; expected: Expected[] }> = [
    {
      name: 'rita-proxy',
      files: [at('rita-proxy', 'conn.log')],
      internal: '10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16',
      expected: [{ pair: pairOf('10.136.0.18', '10.136.0.16', 3128), kind: 'beacon', note: 'C2 through a proxy, 247 s ±20 % (internal destination)' }],
    },
    {
      name: 'rita-missing-host',
      files: fs.existsSync(at('rita-missing-host'))
        ? fs
            .readdirSync(at('rita-missing-host'))
            .filter((f) => f.endsWith('.gz'))
            .sort()
            .map((f) => at('rita-missing-host', f))
        : [],
      internal: '64.225.56.201/32',
      expected: [
        { pair: pairOf('64.225.56.201', '91.189.91.157', 123), kind: 'benign', note: 'NTP every 2048 s' },
        { pair: pairOf('120.245.134.197', '64.225.56.201', 30003), kind: 'inbound', note: 'inbound scanner, 26 s' },
      ],
    },
    {
      name: 'stratosphere-001',
      files: [at('stratosphere', '001-labeled-conn.log')],
      internal: '10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16',
      expected: [{ pair: pairOf('192.168.1.115', '41.108.179.197', 1177), kind: 'beacon', note: 'NjRAT C2 retries, 9 s / 14 s, 45 min' }],
    },
    {
      name: 'stratosphere-008',
      files: [at('stratosphere', '008-conn.log.labeled')],
      internal: stratosphere,
      expected: [{ pair: pairOf('147.32.81.167', '91.228.167.171', 8883), kind: 'benign', note: 'ESET every 301.6 s' }],
    },
    {
      name: 'stratosphere-010',
      files: [at('stratosphere', '010-conn.log.labeled')],
      internal: stratosphere,
      expected: [
        { pair: pairOf('147.32.83.234', '34.225.190.52', 443), kind: 'benign', note: 'labelled benign, 300 s' },
        { pair: pairOf('147.32.83.234', '65.9.94.12', 443), kind: 'benign', note: 'labelled benign, 300 s' },
        { pair: pairOf('147.32.83.234', '104.64.125.191', 443), kind: 'benign', note: 'labelled benign, 900 s' },
      ],
    },
    {
      name: 'stratosphere-011',
      files: [at('stratosphere', '011-conn.log.labeled')],
      internal: stratosphere,
      expected: [
        { pair: pairOf('147.32.83.165', '3.80.138.201', 443), kind: 'beacon', note: '25.3 s for 3 h (SaaS keep-alive; the target to find)' },
        { pair: pairOf('147.32.83.165', '44.201.116.124', 443), kind: 'beacon', note: '25.3 s for 3 h (SaaS keep-alive; the target to find)' },
      ],
    },
    { name: 'stratosphere-012', files: [at('stratosphere', '012-conn.log.labeled')], internal: stratosphere, expected: [] },
  ];
  return specs
    .filter((s) => s.files.length > 0 && s.files.every((f) => fs.existsSync(f)))
    .map((s) => {
      const { records, labels } = readZeek(s.files);
      return { name: s.name, wiredata: records, internal: s.internal, expected: s.expected, labels };
    });
}

/** Largest lag of a record behind the newest seen before it, in seconds (+1): the lateness a replay needs. */
function maxLagSeconds(records: LogRecord[]): number {
  let newest = -Infinity;
  let lag = 0;
  for (const r of records) {
    const t = parseEventTime(r.TimeGenerated);
    if (!t) continue;
    if (t.sec < newest) lag = Math.max(lag, newest - t.sec);
    newest = Math.max(newest, t.sec);
  }
  return Math.ceil(lag) + 1;
}

// ---------------------------------------------------------------- profiles (the example flows)

interface Profile {
  name: string;
  example: string;
  schema: 'wiredata' | 'csl';
  /** changes a user makes for this data: lateness, internal networks, the filter mode */
  adapt(nodes: NodeConfig[], d: Dataset, lateness: number): void;
  src: string;
  dst: string;
  port: string;
  /** the example keys pairs by the destination's network: expected pairs are regrouped the same way */
  grouped?: boolean;
  /** keyed by name: runs on every dataset (addresses fall back to networks); the others skip the names suite */
  byName?: boolean;
}

/** "src → 45.1.2.3:443" → "src → 45.1.2.0/24:443" (the hunt's destination grouping). */
function groupedPair(pair: string): string {
  const m = /^(.*) → (.*):([^:]*)$/.exec(pair);
  return m ? pairOf(m[1], networkOf(m[2], 24, 48), m[3]) : pair;
}

/** The example's record nodes (the entry first: the filter, or the name resolver before it), wired among themselves as in the flow. */
function chainOf(example: string, entry = 'beacon-ip-filter'): NodeConfig[] {
  const all = JSON.parse(fs.readFileSync(path.join(ROOT, example.includes('/') ? '' : 'examples', example), 'utf8')) as NodeConfig[];
  // records go in parsed: a live example's input node is left out
  const nodes = all.filter((n) => n.type.startsWith('beacon-') && n.type !== 'beacon-syslog-in').map((n) => JSON.parse(JSON.stringify(n)) as NodeConfig);
  const ids = new Set(nodes.map((n) => n.id));
  for (const n of nodes) n.wires = (n.wires ?? []).map((w) => w.filter((t) => ids.has(t)));
  nodes.sort((a, b) => Number(b.type === entry) - Number(a.type === entry));
  if (nodes[0]?.type !== entry) throw new Error(`${example} has no ${entry}`);
  return nodes;
}

const BY_NAME = 'Beacon hunt by name (Zeek conn + dns + ssl over TCP).json';

/** The hunt by name, adapted to a dataset: its networks, its DNS servers, and the benign pack on or off. */
function byNameProfile(name: string, benignPack: boolean): Profile {
  return {
    name,
    example: BY_NAME,
    schema: 'wiredata',
    src: 'LocalIP',
    dst: 'RemoteKey',
    port: 'RemotePortNumber',
    // a destination without a name is keyed by its network, as the hunt groups it
    grouped: true,
    byName: true,
    adapt: (nodes, d, lateness) => {
      setLateness(nodes, lateness);
      for (const n of nodes) {
        if (n.type === 'beacon-ip-filter') n.internal = d.internal;
        if (n.type === 'beacon-resolve') n.excludeQueriers = d.dnsServers ?? '';
        if (n.type === 'beacon-scorer') n.benignPack = benignPack;
      }
    },
  };
}

/** The delta's lateness raised to the data's; a flow without a delta (the pair history places late events itself) has none. */
const setLateness = (nodes: NodeConfig[], lateness: number) => {
  const delta = nodes.find((n) => n.type === 'beacon-delta');
  if (delta) delta.lateness = Math.max(Number(delta.lateness) || 0, lateness);
};
const latenessOf = (nodes: NodeConfig[]): number => Number(nodes.find((n) => n.type === 'beacon-delta')?.lateness ?? 0);

/** A hunt flow: pairs keyed by the destination's network; the filter told the data's internal networks (and `filter`'s settings). */
function huntProfile(name: string, example: string, filter: Record<string, unknown>): Profile {
  return {
    name,
    example,
    schema: 'wiredata',
    src: 'LocalIP',
    dst: 'RemoteNetwork',
    port: 'RemotePortNumber',
    grouped: true,
    adapt: (nodes, d, lateness) => {
      setLateness(nodes, lateness);
      Object.assign(nodes[0], { internal: d.internal, ...filter });
    },
  };
}

const PROFILES: Profile[] = [
  {
    name: 'Sentinel WireData',
    example: 'WireData beaconing (Sentinel rule).json',
    schema: 'wiredata',
    src: 'LocalIP',
    dst: 'RemoteIP',
    port: 'RemotePortNumber',
    adapt: (nodes, _d, lateness) => setLateness(nodes, lateness),
  },
  {
    name: 'Sentinel Palo Alto',
    example: 'Palo Alto beaconing (Sentinel rule).json',
    schema: 'csl',
    src: 'SourceIP',
    dst: 'DestinationIP',
    port: 'DestinationPort',
    adapt: (nodes, _d, lateness) => setLateness(nodes, lateness),
  },
  huntProfile('hunt', 'Beacon hunt (per pair, 7-day history).json', {}),
  // the hunt before the pair history (delta, 72 h windows hopping by 12 h, 1 h bursts), kept to compare against
  huntProfile('hunt on 72 h windows', 'test/fixtures/flows/hunt-72h-windows.json', {}),
  huntProfile('hunt, private destinations allowed', 'Beacon hunt (per pair, 7-day history).json', { mode: 'any' }),
  byNameProfile('hunt by name', true),
  byNameProfile('hunt by name, benign pack off', false),
];

/** Runs only the hunt by name, on the names suite alone (`--names`): the quick look. */
const namesOnly = args.includes('--names');

// ---------------------------------------------------------------- run and report

export interface Result {
  dataset: string;
  profile: string;
  records: number;
  lateness: number;
  expected: Array<Expected & { alerted: boolean; suppressed: string | null; alertClass: unknown }>;
  otherAlerts: Array<{ pair: string; alerts: number; label?: string; class?: unknown }>;
  suppressed: Array<{ pair: string; reason: string }>;
  /** alerts whose destination this many or more internal sources polled in the window (DestinationSources at or over the limit) */
  prevalentAlerts: number;
  /** the scorer's prevalence limit (0 = off) */
  prevalenceLimit: number;
}

/** Runs every profile on the synthetic suite and on the real captures found in `datasetsDir`. */
export async function evaluate(datasetsDir: string): Promise<Result[]> {
  const datasets = namesOnly ? [namesSuite()] : [syntheticSuite(), hardSuite(), ...realDatasets(datasetsDir), namesSuite()];
  const profiles = namesOnly ? PROFILES.filter((p) => p.byName) : PROFILES;
  const red = await EmbeddedRed.start();
  const results: Result[] = [];
  try {
    const chains: Record<string, NodeConfig[]> = {};
    const jobs: Array<{ job: string; d: Dataset; p: Profile; lateness: number }> = [];
    datasets.forEach((d, i) => {
      const lateness = maxLagSeconds(d.wiredata);
      profiles.forEach((p, j) => {
        // the per-address hunt runs on the names suite for comparison only (its pairs are networks, not names)
        if (d.names && !p.byName && p.name !== 'hunt') return;
        const nodes = chainOf(p.example, p.byName ? 'beacon-resolve' : 'beacon-ip-filter');
        p.adapt(nodes, d, lateness);
        const job = `d${i}p${j}`;
        chains[job] = nodes;
        jobs.push({ job, d, p, lateness: latenessOf(nodes) });
      });
    });
    await red.deploy(chains);
    for (const { job, d, p, lateness } of jobs) {
      const input = (p.schema === 'csl' ? d.wiredata.map(toCommonSecurityLog) : d.wiredata).map((r) => ({ ...r }));
      const run = await red.run(job, input);
      const key = (r: Record<string, unknown>) => pairOf(r[p.src], r[p.dst], r[p.port]);
      const alerted = new Map<string, Array<Record<string, unknown>>>();
      for (const a of run.alerts) alerted.set(key(a), [...(alerted.get(key(a)) ?? []), a]);
      const suppressed = new Map<string, string>();
      for (const o of run.other) if (typeof o.Suppressed === 'string' && !suppressed.has(key(o))) suppressed.set(key(o), o.Suppressed);
      const regroup = (pair: string) => (p.grouped ? groupedPair(pair) : pair);
      const limit = Math.max(0, ...chains[job].filter((n) => n.type === 'beacon-scorer').map((n) => Number(n.maxSources) || 0));
      const prevalentAlerts = limit > 0 ? run.alerts.filter((a) => typeof a.DestinationSources === 'number' && a.DestinationSources >= limit).length : 0;
      const expectedPairs = new Set(d.expected.map((e) => regroup(e.pair)));
      const labels = new Map([...(d.labels ?? [])].map(([pair, label]) => [regroup(pair), label]));
      results.push({
        dataset: d.name,
        profile: p.name,
        records: input.length,
        lateness,
        expected: d.expected.map((e) => ({
          ...e,
          alerted: alerted.has(regroup(e.pair)),
          suppressed: suppressed.get(regroup(e.pair)) ?? null,
          alertClass: alerted.get(regroup(e.pair))?.[0].AlertClass,
        })),
        otherAlerts: [...alerted]
          .filter(([pair]) => !expectedPairs.has(pair))
          .map(([pair, rows]) => ({ pair, alerts: rows.length, label: labels.get(pair), class: rows[0].AlertClass })),
        suppressed: [...suppressed].map(([pair, reason]) => ({ pair, reason })),
        prevalentAlerts,
        prevalenceLimit: limit,
      });
    }
  } finally {
    await red.stop();
  }
  return results;
}

async function main(): Promise<void> {
  const datasetsDir = path.resolve(arg('datasets', path.join(ROOT, '..', 'shared', 'datasets')));
  if (!fs.existsSync(datasetsDir)) process.stdout.write(`(real datasets skipped: ${datasetsDir} is absent)\n`);
  const results = await evaluate(datasetsDir);
  report(results);
  const json = arg('json', '');
  if (json) {
    fs.writeFileSync(json, JSON.stringify({ generated: new Date().toISOString(), datasetsDir, results }, null, 2));
    process.stdout.write(`\nwrote ${json}\n`);
  }
}

/** Per dataset and profile: beacons found / expected, benign and inbound alerted, other alerts. */
function report(results: Result[]): void {
  const lines: string[] = [];
  lines.push(
    '| dataset | profile | beacons found (by class) | strobes found | random pollers alerted | popular-poller pairs alerted | benign alerted (suppressed) | inbound alerted | other alerts |',
  );
  lines.push('|---|---|---|---|---|---|---|---|---|');
  const ofAll = (xs: Result['expected']) => (xs.length ? `${xs.filter((e) => e.alerted).length} / ${xs.length}` : '—');
  for (const r of results.filter((x) => !x.dataset.startsWith('names') || x.profile.includes('by name'))) {
    const beacons = r.expected.filter((e) => e.kind === 'beacon');
    const of = (kind: Expected['kind']) => r.expected.filter((e) => e.kind === kind);
    const strobes = of('strobe');
    const strobeText = strobes.length ? `${strobes.filter((e) => e.alerted && e.alertClass === 'strobe').length} / ${strobes.length}` : '—';
    const classes = [...new Set(beacons.map((e) => e.cls ?? ''))];
    const beaconText =
      classes.length > 1 ? `${ofAll(beacons)}: ${classes.map((c) => `${c} ${ofAll(beacons.filter((e) => (e.cls ?? '') === c))}`).join(', ')}` : ofAll(beacons);
    const benign = of('benign');
    const others = r.otherAlerts.length;
    const benignText = benign.length
      ? `${benign.filter((e) => e.alerted).length} / ${benign.length} (${benign.filter((e) => e.suppressed).length} suppressed)`
      : '—';
    lines.push(
      `| ${r.dataset} | ${r.profile} | ${beaconText} | ${strobeText} | ${ofAll(of('random'))} | ${ofAll(of('popular'))} | ${benignText} | ${ofAll(of('inbound'))} | ${others} pair${others === 1 ? '' : 's'} |`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  namesReport(results.filter((r) => r.dataset.startsWith('names')));
  if (args.includes('--details') || !args.includes('--markdown')) {
    for (const r of results) {
      const missed = r.expected.filter((e) => (e.kind === 'beacon' || e.kind === 'strobe') && !e.alerted);
      const wrong = r.expected.filter((e) => e.kind !== 'beacon' && e.kind !== 'strobe' && e.alerted);
      if (!missed.length && !wrong.length && !r.otherAlerts.length) continue;
      process.stdout.write(`\n${r.dataset} / ${r.profile} (lateness ${r.lateness} s, ${r.records} records):\n`);
      for (const e of missed) process.stdout.write(`  missed beacon  ${e.pair}  (${e.note})\n`);
      for (const e of wrong) process.stdout.write(`  alerted ${e.kind.padEnd(7)} ${e.pair}  (${e.note})\n`);
      for (const o of r.otherAlerts.slice(0, 12))
        process.stdout.write(`  other alert    ${o.pair}  ×${o.alerts}${o.label ? `  label ${o.label}` : ''}${o.class ? `  ${String(o.class)}` : ''}\n`);
      if (r.otherAlerts.length > 12) process.stdout.write(`  … ${r.otherAlerts.length - 12} more\n`);
    }
  }
}

/** The names suite: what keys by name find, what the benign pack holds back (by which entry), and prevalence by name. */
function namesReport(results: Result[]): void {
  if (results.length === 0) return;
  const lines = [
    '',
    '| names suite, profile | rotating-address beacons found | DNS beacons (unique subdomains) found | C2 look-ups found | benign services alerted (suppressed by an entry) | resolver forwarding alerted | 12-host name: pairs alerted | alerts with DestinationSources ≥ limit | other alerts |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  const ofAll = (xs: Result['expected']) => `${xs.filter((e) => e.alerted).length} / ${xs.length}`;
  for (const r of results) {
    if (!r.profile.includes('by name')) {
      // keyed by address: the rotating C2s' sources show as pairs to networks, the DNS beacons not at all
      const rotating = r.expected.filter((e) => e.cls === 'rotating addresses');
      const seen = rotating.filter((e) => r.otherAlerts.some((o) => o.pair.startsWith(`${e.pair.split(' → ')[0]} → `) && o.pair.endsWith(':443')));
      const networks = r.otherAlerts.filter((o) => rotating.some((e) => o.pair.startsWith(`${e.pair.split(' → ')[0]} → `) && o.pair.endsWith(':443')));
      lines.push(
        `| ${r.profile} (per address, for comparison) | ${seen.length} / ${rotating.length} sources alerted, on ${networks.length} /24 pairs of their ${ROTATING_NETWORKS} networks | not seen (the destination is the site's resolver) | — | — | — | — | — | ${r.otherAlerts.length - networks.length} |`,
      );
      continue;
    }
    const beacons = (cls: string) => r.expected.filter((e) => e.kind === 'beacon' && e.cls === cls);
    const benign = r.expected.filter((e) => e.kind === 'benign' && !e.pair.startsWith('10.1.0.2 '));
    const forwarding = r.expected.filter((e) => e.kind === 'benign' && e.pair.startsWith('10.1.0.2 '));
    const byEntry = benign.filter((e) => e.suppressed?.startsWith('allow-list: ')).length;
    lines.push(
      `| ${r.profile} | ${ofAll(beacons('rotating addresses'))} | ${ofAll(beacons('DNS, unique subdomains'))} | ${ofAll(beacons('DNS look-ups of a rotating C2'))} | ${ofAll(benign)} (${byEntry}) | ${ofAll(forwarding)} | ${ofAll(r.expected.filter((e) => e.kind === 'popular'))} | ${r.prevalentAlerts} (limit ${r.prevalenceLimit}) | ${r.otherAlerts.length} |`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  for (const r of results.filter((x) => x.profile.includes('by name'))) {
    process.stdout.write(`\n${r.profile}: the benign services\n`);
    for (const e of r.expected.filter((x) => x.kind === 'benign')) {
      const verdict = e.alerted ? 'ALERTED' : e.suppressed ? `suppressed: ${e.suppressed}` : 'no alert';
      process.stdout.write(`  ${e.pair}  ${verdict.slice(0, 160)}\n`);
    }
  }
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (err) => {
      process.stderr.write(`evaluate: ${(err as Error).stack}\n`);
      process.exit(1);
    },
  );
}
