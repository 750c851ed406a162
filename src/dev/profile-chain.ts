#!/usr/bin/env node
/**
 * Where the batched core chain spends its time, before anyone optimises it:
 * the chain of dev/bench-chain-ab (filter → delta → histogram → scorer,
 * batches of 1,000; early verdicts on, as in the WireData example, unless
 * --no-certain) over generated WireData records, run once to warm up, then
 * --runs times under V8's sampling profiler (node:inspector; the records are
 * made before it starts, so their making is not in the profile). Prints the
 * self time per function and per file, the garbage collector's share, and
 * writes the .cpuprofile (open it in Chrome DevTools ▸ Performance).
 * --allocations samples the bytes allocated instead (objects the garbage
 * collector has already freed included), per function.
 *
 *   node --expose-gc dist/dev/profile-chain.js [--records 300000] [--runs 3] [--no-certain] [--single] [--allocations] [--out test-artifacts/profile]
 */
import * as path from 'path';
import { load, run } from './bench-chain-ab';
import { asParsed, benchRecords } from './bench-records';
import { PartProfiler } from './profile-report';
import { argReader, runMain } from './bench-kit';

const args = process.argv.slice(2);
const arg = argReader(args);

async function main(): Promise<void> {
  if (args.includes('--help')) {
    process.stdout.write(
      'usage: node --expose-gc dist/dev/profile-chain.js [--records 300000] [--runs 3] [--no-certain] [--single] [--allocations] [--out test-artifacts/profile]\n',
    );
    return;
  }
  const records = Number(arg('records', '300000'));
  const runs = Number(arg('runs', '3'));
  const mode = { certain: !args.includes('--no-certain'), single: args.includes('--single') };
  const allocations = args.includes('--allocations');
  const root = path.resolve(__dirname, '..');
  const out = path.resolve(arg('out', path.join(root, '..', 'test-artifacts', 'profile')));
  const side = load(root);
  const made = benchRecords(records);
  const copies = Array.from({ length: runs + 1 }, () => asParsed(made));
  run(side, copies[0], mode); // warm-up: JIT and the first growth of every table
  (globalThis as { gc?: () => void }).gc?.();

  const profiler = new PartProfiler(root, allocations);
  await profiler.start();
  const t0 = process.hrtime.bigint();
  for (let r = 1; r <= runs; r++) run(side, copies[r], mode);
  const nsPerRecord = Number(process.hrtime.bigint() - t0) / runs / records;
  const file = await profiler.stop(out, 'chain');
  const what = `${records} WireData records, ${mode.single ? 'record by record' : 'batches of 1,000'}, early verdicts ${mode.certain ? 'on' : 'off'}, ${runs} runs after a warm-up`;
  process.stdout.write(`profiled chain: ${what}; ${nsPerRecord.toFixed(0)} ns per record under the profiler (its overhead included)\n`);
  // one profiled part holding all the runs: per record of one run
  profiler.report(records * runs);
  process.stdout.write(`\nwritten: ${file}${allocations ? '' : ' (Chrome DevTools ▸ Performance ▸ Load profile)'}\n`);
  profiler.disconnect();
}

runMain('profile-chain', main);
