#!/usr/bin/env node
/**
 * A/B of the batched WireData chain inside an embedded Node-RED (the case
 * the chain-speed target of BENCHMARKS.md names, 1.45 M records, batches of 1,000) between this
 * build and another, one fresh process per measurement, builds alternated,
 * so a noisy machine affects both alike. In-process A/B (bench-chain-ab)
 * misses what Node-RED adds: one process holding every message, and its
 * garbage collection (a change faster in-process was slower here). Each
 * build's own bench-runtime and records are used (any build since the
 * runtime bench took batchedRecords).
 *
 *   git worktree add /tmp/base <commit> && (cd /tmp/base && npm ci && npm run build)
 *   node dist/dev/bench-node-red-ab.js --base /tmp/base [--rounds 6] [--runs 3] [--records 1450000]
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import type { RuntimeOptions, RuntimeResult } from './bench-runtime';
import type { LogRecord } from '../core/common/records';
import { argReader, median } from './bench-kit';

const args = process.argv.slice(2);
const arg = argReader(args);

/**
 * In the child: one build's runtime bench (loaded from --root) on the case
 * alone, median of `runs` after a warm-up; prints seconds and alert rows as
 * JSON. Builds older than onlyBatched run their other cases too, untimed here.
 */
async function child(): Promise<void> {
  const root = arg('root', path.resolve(__dirname, '..'));
  const { runtimeBench } = require(path.join(root, 'dev', 'bench-runtime')) as {
    runtimeBench: (r: unknown[], runs: number, o: RuntimeOptions) => Promise<RuntimeResult[]>;
  };
  const { benchRecords } = require(path.join(root, 'dev', 'bench-records')) as { benchRecords: (n: number) => LogRecord[] };
  const records = benchRecords(Number(arg('records', '1450000')));
  const results = await runtimeBench(records.slice(0, 1000), Number(arg('runs', '3')), { batchedRecords: records, onlyBatched: true });
  const r = results.find((x) => x.alerts) as RuntimeResult;
  process.stdout.write(`${JSON.stringify({ seconds: r.seconds, alerts: (r.alerts ?? []).length })}\n`);
  process.exit(0);
}

function main(): void {
  const base = arg('base', '');
  if (!base) {
    process.stderr.write('usage: node dist/dev/bench-node-red-ab.js --base <another build> [--rounds 6] [--runs 3] [--records 1450000]\n');
    process.exit(2);
  }
  const sides = [path.resolve(base), path.resolve(__dirname, '..')];
  const rounds = Number(arg('rounds', '6'));
  const times = new Map<string, number[]>(sides.map((s) => [s, []]));
  process.stdout.write(
    `batched WireData chain inside Node-RED, ${arg('records', '1450000')} records, ${rounds} rounds, one process per measurement (median of ${arg('runs', '3')} runs each), builds alternated\n`,
  );
  for (let round = 0; round < rounds; round++) {
    // alternate which build goes first, so a trend over time affects both alike
    for (const side of round % 2 ? [...sides].reverse() : sides) {
      const r = spawnSync(
        process.execPath,
        ['--expose-gc', __filename, '--child', '--root', side, '--runs', arg('runs', '3'), '--records', arg('records', '1450000')],
        { encoding: 'utf8', maxBuffer: 1 << 26 },
      );
      const line = r.stdout.trim().split('\n').pop() ?? '';
      let got: { seconds: number; alerts: number };
      try {
        got = JSON.parse(line) as { seconds: number; alerts: number };
      } catch {
        throw new Error(`the build in ${side} gave no result: ${r.stderr.slice(-500)}`);
      }
      times.get(side)?.push(got.seconds);
      process.stdout.write(`  round ${round + 1}  ${side.padEnd(40)} ${got.seconds.toFixed(3)} s  ${got.alerts} alert rows\n`);
    }
  }
  for (const side of sides) {
    const t = times.get(side) as number[];
    process.stdout.write(`${side === sides[0] ? 'base' : 'this'} ${side}: median ${median(t).toFixed(3)} s (${t.map((x) => x.toFixed(2)).join(', ')})\n`);
  }
}

if (args.includes('--child'))
  child().catch((err) => {
    process.stderr.write(`${(err as Error).stack}\n`);
    process.exit(1);
  });
else main();
