#!/usr/bin/env node
/**
 * What a scoring's pick costs: the seeded site of bench-site.ts fed into a
 * pair history (untimed), then the release of every pair with enough
 * intervals (`releaseRows` with the hunt example's send rule: periodic at
 * p ≤ 0.01 or a strobe) timed over several rounds in CPU time. Prints the
 * pairs tested, the pairs picked and a digest of the picked rows, so two
 * builds can be compared on the same store for speed and for the answer.
 *
 *   node --expose-gc dist/dev/bench-release.js [--hosts 1000] [--days 3] [--seed 22] [--rounds 5]
 */
import { createHash } from 'crypto';
import { LogRecord } from '../core/common/records';
import { PairHistory } from '../core/pairs/pair-history';
import { releaseRows } from '../core/pairs/pair-rows';
import { DEFAULT_HUNT } from '../core/pairs/pair-types';
import { fmt, SiteStream, siteArgs } from './bench-site';

/** The hunt example's send rule: the scorer's 0.001 times ten, and its strobe class (86,400 a day) per hour. */
const SEND = { maxPValue: 0.01, strobePerHour: 3600 };

function main(args: string[]): void {
  const o = siteArgs(args);
  const at = args.indexOf('--rounds');
  const rounds = at >= 0 ? Number(args[at + 1]) : 5;
  const stream = new SiteStream(o);
  const store = new PairHistory({
    ringSize: o.ringSize,
    maxBytes: o.maxBytes,
    keyFields: ['LocalIP', 'RemoteNetwork', 'RemotePortNumber'],
    timeField: 'TimeGenerated',
  });
  const batch: LogRecord[] = [];
  let records = 0;
  for (;;) {
    stream.next(batch);
    if (batch.length === 0) break;
    for (let i = 0; i < batch.length; i++) store.add(batch[i]);
    records += batch.length;
  }
  const tested = store.countWith(DEFAULT_HUNT.minIntervals + 1);
  console.log(
    `release pick: ${o.hosts} hosts × ${o.days} days (seed ${o.seed}), ${fmt(records)} records, ${fmt(store.size)} pairs, ${fmt(tested)} with ≥ ${DEFAULT_HUNT.minIntervals + 1} connections; releaseRows from the start, periodic at p ≤ ${SEND.maxPValue} or ${SEND.strobePerHour} an hour, ${rounds} rounds, CPU time (process.cpuUsage)`,
  );
  for (let r = 0; r < rounds; r++) {
    (globalThis as { gc?: () => void }).gc?.();
    const c0 = process.cpuUsage();
    const picked = releaseRows(store, 0, DEFAULT_HUNT.minIntervals, SEND);
    const c = process.cpuUsage(c0);
    const cpu = (c.user + c.system) / 1e6;
    const digest = createHash('sha256')
      .update(Buffer.from(picked.buffer, picked.byteOffset, picked.byteLength))
      .digest('hex')
      .slice(0, 16);
    console.log(
      `  round ${r + 1}: ${cpu.toFixed(2)} CPU s, ${((cpu / tested) * 1e6).toFixed(1)} µs per pair tested, ${fmt(picked.length)} picked (rows ${digest})`,
    );
  }
}

if (require.main === module) main(process.argv.slice(2));
