#!/usr/bin/env node
/**
 * What one more connection of a known pair costs as the pair history
 * grows: N pairs made once each, then 2,000,000 connections of pairs drawn
 * at random among them (keys made beforehand, outside the timing), CPU time
 * per connection (process.cpuUsage: the machine may be shared). The work
 * per connection is the same at every N apart from ring growth; what
 * changes is how far apart in memory the rows touched are.
 *
 *   node dev/bench-pair-access.js [10000,100000,1000000,3000000]
 */
import { PairHistory } from '../core/pairs';
import { Random } from '../tools/random';

const T0 = Date.UTC(2024, 4, 6) / 1000;
const M = 2_000_000;

function run(n: number): number {
  const h = new PairHistory();
  const ips = Array.from({ length: 1000 }, (_, i) => `10.0.${i >> 8}.${i & 255}`);
  const nets = Array.from({ length: 4096 }, (_, i) => `45.${i >> 8}.${i & 255}.0/24`);
  const key = (i: number) => [ips[i % 1000], nets[Math.floor(i / 1000) % 4096], 443 + Math.floor(i / 4_096_000)];
  let t = T0;
  for (let i = 0; i < n; i++) h.addEvent(key(i), (t += 0.01));
  const rnd = new Random(1);
  const keys = Array.from({ length: M }, () => key(Math.floor(rnd.next() * n)));
  const c0 = process.cpuUsage();
  for (let i = 0; i < M; i++) h.addEvent(keys[i], (t += 0.01));
  const c = process.cpuUsage(c0);
  return ((c.user + c.system) * 1000) / M;
}

if (require.main === module) {
  const sizes = (process.argv[2] ?? '10000,100000,1000000,3000000').split(',').map(Number);
  process.stdout.write(`pair history: CPU time per connection of a known pair drawn at random (${M / 1e6} M connections after N pairs seen once)\n`);
  for (const n of sizes) process.stdout.write(`  ${String(n).padStart(9)} pairs: ${run(n).toFixed(0)} ns\n`);
}
