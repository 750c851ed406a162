#!/usr/bin/env node
/**
 * Alert latency in event time (the live latency contract, README: Early verdicts): the core
 * chain with the settings of the shipped Sentinel examples (read from
 * examples/*.json) replays generated traffic record by record, in arrival
 * order, as a live flow would see it. For each alerting (bin, group) cell,
 * latency = the newest event time fed when the cell was first alerted
 * (early, or at close) − the bin's end. Judged: cells whose bin ended at
 * least 15 min before the traffic does (later ones cannot show it).
 *
 *   node dist/dev/bench-latency.js [--hours H] [--beacons N] [--seed S] [--json FILE]
 */
import * as fs from 'fs';
import * as path from 'path';
import { kqlPublicDropReason } from '../core/common/address';
import { EarlyAlerts } from '../core/scorer/early-alerts';
import { DeltaTracker, newDeltaOutput } from '../core/delta/delta';
import { HistogramAggregator, newHistogramOutput } from '../core/histogram';
import { fieldList, LogRecord } from '../core/common/records';
import { parseEntities, ScorerOptions } from '../core/scorer/scorer';
import { parseEventTime } from '../core/common/time';
import { Random } from '../tools/random';
import { BeaconSpec, generateRecords, sampleScenario, Schema } from '../tools/traffic-generator';
import { argReader } from './bench-kit';

const WITHIN = 15 * 60;

type FlowNode = Record<string, unknown> & { type: string };

/** The example's chain settings, as its nodes hold them. */
function exampleChain(file: string) {
  const flow = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'examples', file), 'utf8')) as FlowNode[];
  const node = (type: string) => flow.find((n) => n.type === type) as FlowNode;
  const [filter, delta, hist, score] = ['beacon-ip-filter', 'beacon-delta', 'beacon-histogram', 'beacon-scorer'].map(node);
  const num = (v: unknown) => (v === '' || v === undefined ? null : Number(v));
  return {
    filterField: String(filter.field),
    delta: {
      keyFields: fieldList(delta.keyFields),
      tieFields: fieldList(delta.tieFields),
      timeField: 'TimeGenerated',
      latenessSeconds: Number(delta.lateness),
      deltaField: 'TimeDeltainSeconds',
      nextTimeField: 'nextTimeGenerated',
    },
    histogram: {
      binSeconds: Number(hist.binSeconds),
      groupFields: fieldList(hist.groupFields),
      minDelta: Number(hist.minDelta),
      sumFields: fieldList(hist.sumFields),
      closeAfterSeconds: Number(hist.closeAfter),
      timeField: 'TimeGenerated',
      deltaField: 'TimeDeltainSeconds',
      nextTimeField: 'nextTimeGenerated',
      skipZeroField: String(hist.skipZero ?? ''),
      certainAfterSeconds: num(hist.certainAfter),
      certainKeyFields: fieldList(hist.certainKey),
    },
    scorer: {
      minTotalEvents: num(score.minTotalEvents),
      minModeCount: num(score.minModeCount),
      minBeaconPercent: num(score.minBeaconPercent),
      entities: parseEntities(String(score.entities ?? '')),
    } as ScorerOptions,
  };
}

/** The sample day stretched to `hours`, with extra beacons that start and stop at random (hosts falling silent), arrival disorder 120 s. */
function traffic(schema: Schema, hours: number, beacons: number, seed: number): LogRecord[] {
  const rnd = new Random(seed);
  const sample = sampleScenario(schema);
  const extra: BeaconSpec[] = [];
  for (let i = 0; i < beacons; i++) {
    extra.push({
      src: `10.3.${Math.floor(i / 200)}.${(i % 200) + 10}`,
      dst: `52.${rnd.int(1, 200)}.${rnd.int(0, 255)}.${rnd.int(1, 254)}`,
      port: rnd.pick([443, 443, 80, 8443]),
      periodSeconds: rnd.pick([30, 45, 60, 60, 90, 120]),
      jitter: rnd.pick([0, 0, 0, 0.02]),
      jitterMode: 'symmetric',
      startOffsetSeconds: rnd.int(0, hours * 3600 - 3600),
      durationSeconds: rnd.int(3600, hours * 3600),
      sentBytes: rnd.int(100, 2000),
      receivedBytes: rnd.int(100, 5000),
      user: rnd.pick(['', 'corp\\svc']),
    });
  }
  const long = sample.beacons.map((b) => ({ ...b, durationSeconds: hours * 3600 }));
  return generateRecords({ ...sample, seed, hours, beacons: [...long, ...extra], disorderSeconds: 120 });
}

export interface LatencyResult {
  rule: string;
  records: number;
  alertCells: number;
  judged: number;
  within: number;
  share: number;
  /** the worst hour: its share of alerts within 15 min */
  worstHourShare: number;
  medianSeconds: number;
  p90Seconds: number;
  maxSeconds: number;
}

/** Replays one example's traffic record by record and measures each alerting cell's latency. */
export function measureLatency(rule: string, file: string, schema: Schema, hours = 24, beacons = 40, seed = 7, early = true): LatencyResult {
  const chain = exampleChain(file);
  if (!early) chain.histogram.certainAfterSeconds = null; // the same flow before early verdicts: alerts when the bin closes
  const records = traffic(schema, hours, beacons, seed);
  const delta = new DeltaTracker(chain.delta);
  const hist = new HistogramAggregator(chain.histogram);
  const scorer = new EarlyAlerts();
  const first = new Map<string, { bin: number; at: number }>();
  let newest = -Infinity;
  const score = (rows: LogRecord[]) => {
    for (const row of rows) {
      const decision = scorer.decide(row, chain.scorer, rule, () => null);
      if (!decision?.notify) continue;
      const bin = (parseEventTime(row.TimeGenerated) as { sec: number }).sec;
      first.set(JSON.stringify([row.TimeGenerated, ...chain.histogram.groupFields.map((f) => row[f] ?? null)]), { bin, at: newest });
    }
  };
  const d = newDeltaOutput();
  const h = newHistogramOutput();
  const forward = () => {
    for (const r of d.released) hist.add(r, h);
    d.released.length = 0;
    score(h.rows);
    h.rows.length = 0;
  };
  for (const record of records) {
    const t = parseEventTime(record.TimeGenerated);
    if (t && t.sec > newest) newest = t.sec;
    if (kqlPublicDropReason(record[chain.filterField]) !== null) continue;
    delta.add(record, d);
    forward();
  }
  delta.flush(d);
  forward();
  hist.flush(h);
  score(h.rows);

  const end = chain.histogram.binSeconds;
  const judged = [...first.values()].filter((c) => c.bin + end + WITHIN <= newest);
  const latencies = judged.map((c) => c.at - (c.bin + end)).sort((a, b) => a - b);
  const within = latencies.filter((s) => s <= WITHIN).length;
  const hoursSeen = new Map<number, [number, number]>();
  for (const c of judged) {
    const [w, n] = hoursSeen.get(c.bin) ?? [0, 0];
    hoursSeen.set(c.bin, [w + (c.at - (c.bin + end) <= WITHIN ? 1 : 0), n + 1]);
  }
  const pick = (q: number) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] : NaN);
  return {
    rule,
    records: records.length,
    alertCells: first.size,
    judged: judged.length,
    within,
    share: judged.length ? within / judged.length : NaN,
    worstHourShare: Math.min(...[...hoursSeen.values()].map(([w, n]) => w / n)),
    medianSeconds: pick(0.5),
    p90Seconds: pick(0.9),
    maxSeconds: latencies.at(-1) ?? NaN,
  };
}

export function latencyBench(options: { hours?: number; beacons?: number; seed?: number } = {}): LatencyResult[] {
  const { hours = 24, beacons = 40, seed = 7 } = options;
  process.stdout.write(
    `\nalert latency in event time (newest event fed at the cell's first alert − bin end), core chain with the shipped examples' settings,\n` +
      `record by record in arrival order; the sample scenario over ${hours} h plus ${beacons} beacons starting and stopping at random, arrival disorder 120 s;\n` +
      `judged: alerting cells whose bin ended ≥ 15 min before the traffic does; target ≥ 90 % of each hour's alerts within 15 min;\n` +
      `with certain after off, cells alert when they close (a day later) or here at the end-of-replay flush, so those latencies are lower bounds\n`,
  );
  const results: LatencyResult[] = [];
  for (const [rule, file, schema] of [
    ['WireData', 'WireData beaconing (Sentinel rule).json', 'wiredata'],
    ['Palo Alto', 'Palo Alto beaconing (Sentinel rule).json', 'csl'],
  ] as const) {
    results.push(measureLatency(rule, file, schema, hours, beacons, seed));
    // side by side: the same run with certain after off (as flows saved before it)
    results.push(measureLatency(`${rule} (certain after off)`, file, schema, hours, beacons, seed, false));
  }
  const width = Math.max(...results.map((r) => r.rule.length));
  for (const r of results) {
    process.stdout.write(
      `${r.rule.padEnd(width)}  ${r.records} records, ${r.alertCells} alerting cells, ${r.judged} judged: ${r.within} within 15 min (${(r.share * 100).toFixed(1)} %, ` +
        `worst hour ${(r.worstHourShare * 100).toFixed(1)} %); latency median ${r.medianSeconds} s, p90 ${r.p90Seconds} s, max ${r.maxSeconds} s\n`,
    );
  }
  return results;
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const arg = argReader(args);
  const results = latencyBench({ hours: Number(arg('hours', '24')), beacons: Number(arg('beacons', '40')), seed: Number(arg('seed', '7')) });
  const json = arg('json', '');
  if (json) fs.writeFileSync(json, JSON.stringify({ started: new Date().toISOString(), latency: results }, null, 2));
}
