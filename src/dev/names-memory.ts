/**
 * The name resolver's memory, measured: heap bytes per address with one
 * name (the flood's case: every name unique), per address with four names
 * of a shared domain (a CDN address), next to the table's own estimate; and
 * a flood of unique random subdomains (10 M by default) through a bounded
 * table, reporting the estimate, the heap, evictions and whether the
 * established names survived.
 *   node --expose-gc dist/dev/names-memory.js [--flood 10000000] [--max-mib 64]
 */
import { NameTable } from '../core/names';
import { DEFAULT_NAME_TABLE_OPTIONS } from '../core/names/name-table';
import { bytesPerEntry } from './memory-growth';
import { argReader } from './bench-kit';

const arg = argReader(process.argv);
const T0 = Date.parse('2024-05-08T10:00:00Z');
const address = (i: number) => `${20 + (i % 200)}.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
// names as fresh strings, as a parser makes them
const uniqueName = (i: number) => `${(Math.imul(i, 2654435761) >>> 0).toString(36)}${i}.tunnel.example.net`;

function tableWith(n: number, namesPerAddress: number): NameTable {
  const t = new NameTable({ ...DEFAULT_NAME_TABLE_OPTIONS, maxBytes: 1e12, latenessSeconds: 1e9 });
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < namesPerAddress; k++) t.learn(address(i), namesPerAddress === 1 ? uniqueName(i) : `img${k}.cdn${i % 1000}.example.com`, 3600, T0 + i);
  }
  return t;
}

function main(): void {
  const one = bytesPerEntry((n) => tableWith(n, 1), 20_000, 120_000);
  const estimateOne = tableWith(100_000, 1).bytes / 100_000;
  const four = bytesPerEntry((n) => tableWith(n, 4), 10_000, 60_000);
  const estimateFour = tableWith(50_000, 4).bytes / 50_000;
  process.stdout.write(`resolver bytes per address (heap, measured / the table's estimate):\n`);
  process.stdout.write(`  one unique name each:           ${one.toFixed(0)} / ${estimateOne.toFixed(0)}\n`);
  process.stdout.write(`  four names of a shared domain:  ${four.toFixed(0)} / ${estimateFour.toFixed(0)}\n`);

  const flood = Number(arg('flood', '10000000'));
  const maxBytes = Number(arg('max-mib', '64')) * 1024 * 1024;
  const t = new NameTable({ ...DEFAULT_NAME_TABLE_OPTIONS, maxBytes });
  const established: string[] = [];
  for (let i = 0; i < 1000; i++) {
    const a = `52.${i >> 8}.${i & 255}.7`;
    established.push(a);
    t.learn(a, `svc${i}.example${i % 50}.com`, 86400, T0);
    t.lookup(a, T0 + 1000);
  }
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  let maxEstimate = 0;
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < flood; i++) {
    const ms = T0 + 2000 + Math.floor(i / 100);
    t.learn(address(i), uniqueName(i), 60, ms, '10.1.0.66');
    if (t.bytes > maxEstimate) maxEstimate = t.bytes;
    if (i % 1_000_000 === 0) {
      for (const a of established) t.lookup(a, ms, null);
      if (i > 0) process.stderr.write(`  ${i.toLocaleString('en')} names, estimate ${(t.bytes / 2 ** 20).toFixed(1)} MiB\n`);
    }
  }
  const cpu = process.cpuUsage(cpu0);
  const rate = flood / ((cpu.user + cpu.system) / 1e6);
  gc?.();
  const heap = process.memoryUsage().heapUsed - heap0;
  const end = T0 + 2000 + Math.floor(flood / 100);
  const kept = established.filter((a) => t.lookup(a, end) !== null).length;
  process.stdout.write(
    `flood of ${flood.toLocaleString('en')} unique subdomains, limit ${(maxBytes / 2 ** 20).toFixed(0)} MiB: ` +
      `max estimate ${(maxEstimate / 2 ** 20).toFixed(1)} MiB, heap growth ${(heap / 2 ** 20).toFixed(1)} MiB, ` +
      `${t.addresses.toLocaleString('en')} addresses held, ${t.counts.evictions.toLocaleString('en')} evicted, ${t.counts.expired.toLocaleString('en')} expired, ` +
      `established names kept ${kept} of ${established.length}; ${(rate / 1e3).toFixed(0)} k names/s (CPU time)\n`,
  );
}

main();
