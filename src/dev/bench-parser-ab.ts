#!/usr/bin/env node
/**
 * A/B of one parser between this build and another build of the package
 * (an older commit), in one process: both builds' LogParser read the same
 * lines in turn, in runs of 20,000 lines, the order flipped every round, so
 * a shared or noisy machine weighs on both alike. `bench.js --parsers-only`
 * times each parser beside a split and a JSON.parse of the lines and swung
 * ±30 % run to run on this 2-core machine under load; the ratio per round
 * here held to a few percent. Prints the median lines per CPU second of each
 * side, the median of the per-round ratios, the load, and whether both sides
 * gave the same results for every line.
 *
 *   git worktree add /tmp/base <commit> && (cd /tmp/base && npm ci && npm run build)
 *   node dist/dev/bench-parser-ab.js --base /tmp/base --format panos-url-cef [--rounds 40] [--variant plain|distinct|accented]
 *
 * --variant distinct: every other line's values changed (no value equals
 * the line before's); accented: `règle-` at the start of every line's cs1
 * value, so no line is all ASCII.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { LineFormat } from '../tools/log-lines';
import { argReader, fmt, median } from './bench-kit';
import { benchLines } from './bench-parsers';
import type { NameLineFormat } from './name-lines';

const RUN = 20_000;

interface Parser {
  parseLine(line: string): { kind: string };
}

/** A build's parser, loaded by path (the other build need not share this one's types). */
function parserOf(root: string): Parser {
  const m = require(path.resolve(root, 'dist/core/parse/parser'));
  return new m.LogParser(m.DEFAULT_PARSER_OPTIONS);
}

function linesOf(format: string, variant: string): string[] {
  let lines = benchLines(format as LineFormat | NameLineFormat);
  if (variant === 'distinct') {
    const next = (v: string) => (/^\d+$/.test(v) ? String(Number(v) + 1) : `${v}1`);
    lines = lines.map((l, i) => (i & 1 ? l.replace(/(=)([^ =]+)(?= [A-Za-z0-9_.[\]-]+=|$)/g, (_m, e, v) => e + next(v)) : l));
  } else if (variant === 'accented') {
    lines = lines.map((l) => l.replace('cs1=', 'cs1=règle-'));
  }
  return lines;
}

function main(): void {
  const arg = argReader(process.argv.slice(2));
  const base = arg('base', '');
  if (!base) throw new Error('--base DIR (a built checkout of the commit to compare with) is required');
  const format = arg('format', 'panos-url-cef');
  const rounds = Number(arg('rounds', '40'));
  const variant = arg('variant', 'plain');
  const lines = linesOf(format, variant);
  const here = path.join(__dirname, '../..');
  const sides = [
    { name: path.basename(path.resolve(base)), parser: parserOf(base), rates: [] as number[] },
    { name: 'this build', parser: parserOf(here), rates: [] as number[] },
  ];
  // the same results line by line (records as JSON), on parsers of their own, before any timing
  const a = parserOf(base);
  const b = parserOf(here);
  let differ = 0;
  for (const l of lines) if (JSON.stringify(a.parseLine(l)) !== JSON.stringify(b.parseLine(l))) differ++;
  let sink = 0;
  const run = (p: Parser, from: number) => {
    for (let j = from; j < from + RUN; j++) sink += p.parseLine(lines[j % lines.length]).kind.length;
  };
  for (let w = 0; w < 5; w++) for (const s of sides) run(s.parser, w * RUN); // warm-up: the JIT on both
  for (let r = 0; r < rounds; r++) {
    const order = r & 1 ? [...sides].reverse() : sides;
    for (const s of order) {
      const c0 = process.cpuUsage();
      run(s.parser, r * RUN);
      const c = process.cpuUsage(c0);
      s.rates.push(RUN / ((c.user + c.system) / 1e6));
    }
  }
  const ratio = median(sides[1].rates.map((v, r) => v / sides[0].rates[r]));
  const load = fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  process.stdout.write(
    `${format} (${variant}, ${fmt(lines.length)} lines, ${rounds} rounds of ${fmt(RUN)} per side, lines per CPU second, median): ` +
      `${sides.map((s) => `${s.name} ${fmt(median(s.rates))}`).join(', ')}; this build ×${ratio.toFixed(3)} per round; ` +
      `${differ === 0 ? 'same results for every line' : `${differ} lines differ`}; load ${load} (${sink > 0 ? 'ran' : 'empty'})\n`,
  );
  if (differ > 0) process.exitCode = 1;
}

if (require.main === module) main();
