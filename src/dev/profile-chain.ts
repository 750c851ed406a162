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
 *   node --expose-gc dev/profile-chain.js [--records 300000] [--runs 3] [--no-certain] [--single] [--allocations] [--out test-artifacts/profile]
 */
import * as fs from 'fs';
import * as path from 'path';
import { Session } from 'inspector/promises';
import { load, run } from './bench-chain-ab';
import { asParsed, benchRecords } from './bench-records';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
  selfSize?: number;
}

/** "name file:line", the file relative to the package; built-ins (no file) by name alone. */
function frameName(cf: ProfileNode['callFrame'], root: string): string {
  const url = cf.url.startsWith('file://') ? cf.url.slice(7) : cf.url;
  const file = url.startsWith('/') ? path.relative(root, url) : url;
  return `${cf.functionName || '(anonymous)'} ${file}${file ? `:${cf.lineNumber + 1}` : ''}`;
}

function table(title: string, totals: Map<string, number>, unit: (v: number) => string, top: number): void {
  const all = [...totals.values()].reduce((a, b) => a + b, 0);
  process.stdout.write(`\n${title}\n`);
  for (const [name, v] of [...totals].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(`${unit(v).padStart(10)} ${((100 * v) / all).toFixed(1).padStart(5)} %  ${name}\n`);
  }
}

async function main(): Promise<void> {
  if (args.includes('--help')) {
    process.stdout.write('usage: node --expose-gc dev/profile-chain.js [--records 300000] [--runs 3] [--no-certain] [--single] [--allocations] [--out test-artifacts/profile]\n');
    return;
  }
  const records = Number(arg('records', '300000'));
  const runs = Number(arg('runs', '3'));
  const mode = { certain: !args.includes('--no-certain'), single: args.includes('--single') };
  const allocations = args.includes('--allocations');
  const root = path.resolve(__dirname, '..');
  const out = path.resolve(arg('out', path.join(root, 'test-artifacts', 'profile')));
  const side = load(root);
  const made = benchRecords(records);
  const copies = Array.from({ length: runs + 1 }, () => asParsed(made));
  run(side, copies[0], mode); // warm-up: JIT and the first growth of every table
  (globalThis as { gc?: () => void }).gc?.();

  const session = new Session();
  session.connect();
  if (allocations) {
    await session.post('HeapProfiler.enable');
    await session.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true } as never);
  } else {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 100 });
    await session.post('Profiler.start');
  }
  const t0 = process.hrtime.bigint();
  for (let r = 1; r <= runs; r++) run(side, copies[r], mode);
  const nsPerRecord = Number(process.hrtime.bigint() - t0) / runs / records;
  fs.mkdirSync(out, { recursive: true });
  const what = `${records} WireData records, ${mode.single ? 'record by record' : 'batches of 1,000'}, early verdicts ${mode.certain ? 'on' : 'off'}, ${runs} runs after a warm-up`;
  process.stdout.write(`profiled chain: ${what}; ${nsPerRecord.toFixed(0)} ns per record under the profiler (its overhead included)\n`);

  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  const add = (node: ProfileNode, v: number) => {
    const cf = node.callFrame;
    // the profiler's own work (the inspector session answering) is not the chain's
    if (cf.url.startsWith('node:inspector') || (cf.functionName === 'dispatch' && !cf.url)) return;
    const name = frameName(cf, root);
    byFunction.set(name, (byFunction.get(name) ?? 0) + v);
    const file = cf.url ? name.slice(name.lastIndexOf(' ') + 1).replace(/:\d+$/, '') : name.trim();
    byFile.set(file, (byFile.get(file) ?? 0) + v);
  };
  if (allocations) {
    const { profile } = (await session.post('HeapProfiler.stopSampling')) as unknown as { profile: { head: ProfileNode & { children: ProfileNode[] } } };
    const file = path.join(out, 'chain.heapprofile');
    fs.writeFileSync(file, JSON.stringify(profile));
    const walk = (n: ProfileNode & { children: ProfileNode[] }) => {
      add(n, n.selfSize ?? 0);
      for (const c of n.children) walk(c as unknown as ProfileNode & { children: ProfileNode[] });
    };
    walk(profile.head);
    const perRecord = (v: number) => `${(v / runs / records).toFixed(0)} B`;
    table('bytes allocated per record, by function (sampled every 4 KB; freed objects included):', byFunction, perRecord, 25);
    table('by file:', byFile, perRecord, 12);
    process.stdout.write(`\nwritten: ${file}\n`);
  } else {
    const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] } };
    const file = path.join(out, 'chain.cpuprofile');
    fs.writeFileSync(file, JSON.stringify(profile));
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    for (let i = 0; i < profile.samples.length; i++) add(nodes.get(profile.samples[i]) as ProfileNode, profile.timeDeltas[i] ?? 0);
    const perRecord = (v: number) => `${((v * 1000) / runs / records).toFixed(0)} ns`;
    table('self time per record, by function (sampled every 100 µs):', byFunction, perRecord, 25);
    table('by file:', byFile, perRecord, 12);
    process.stdout.write(`\nwritten: ${file} (Chrome DevTools ▸ Performance ▸ Load profile)\n`);
  }
  session.disconnect();
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
});
