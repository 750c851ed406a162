#!/usr/bin/env node
/**
 * A digest of what a build's LogParser makes of many generated and mutated
 * CEF lines, to show that a change to the CEF hot path leaves every result
 * as it was: run it against the build before and the build after (the
 * lines come from this file, so both read the same lines) and compare the
 * digests.
 *
 *   node dist/dev/cef-digest.js --root /tmp/base [--lines 1000000] [--seed 1]
 *
 * The lines: runs of generated PAN-OS TRAFFIC, THREAT and URL CEF lines
 * (the bench's), 30 % of them changed by one to three of the mutations
 * below (escapes, white space, empty values, pairs inserted, dropped,
 * swapped and repeated, keys starting with a digit, `__proto__`, keys ending
 * like a known one, non-ASCII values and headers in and beyond Latin-1,
 * `=` and ` k=` inside values, other syslog headers, truncation, many extra
 * pairs), each parsed under three option sets. Per result: its kind and
 * format, the record's prototype, constructor, whether V8 keeps it with
 * fast properties, and each own key with its value's type and value, in
 * order; errors as their reason.
 */
import { createHash } from 'crypto';
import * as path from 'path';
import * as v8 from 'v8';
import { argReader, fmt } from './bench-kit';
import { benchLines } from './bench-parsers';
import { random } from './name-lines';

v8.setFlagsFromString('--allow-natives-syntax');
// biome-ignore lint/security/noGlobalEval: a V8 intrinsic, callable only from code compiled after the flag is set
const hasFastProperties = (0, eval)('(o) => %HasFastProperties(o)') as (o: object) => boolean;

interface Parser {
  parseLine(line: string): { kind: string; record?: Record<string, unknown>; format?: string; reason?: string };
}

const OPTION_SETS = [
  {},
  { byteDirection: 'client', timeSource: 'receipt', deviceOffsetMinutes: 330, maxFields: 72 },
  { format: 'cef', timeSource: 'syslog', maxFields: 75, maxLineLength: 3000 },
];

function parsersOf(root: string): Parser[] {
  const m = require(path.resolve(root, 'dist/core/parse/parser'));
  return OPTION_SETS.map((o) => new m.LogParser({ ...m.DEFAULT_PARSER_OPTIONS, ...o }));
}

/** Strings a mutation puts into values and keys: ASCII, Latin-1, beyond Latin-1, astral. */
const ODD = ['é', 'règle-', 'Ünïcødé', '€', '中文', '😀', '\u00a0', '\u0120', '\u013d', '\u015c', ' x=y', '=', 'a=b c=d', '\\', '|', '\t'];
const KEYS = ['src', 'dst', 'cs1', 'cs1Label', 'suser', 'request', 'dhost', 'rt', 'start', 'in', 'out', 'cnt', 'act', 'PanOSDGl1', 'fileId'];

/** One mutation of a line's words (the extension's `key=value` words and the words between). */
function mutate(line: string, rnd: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const at = line.indexOf('CEF:');
  const head = line.slice(0, at);
  const words = line.slice(at).split(' ');
  const w = 1 + Math.floor(rnd() * (words.length - 1));
  const word = words[w] ?? '';
  switch (Math.floor(rnd() * 26)) {
    case 0:
      words[w] = word.replace('=', '=\\=');
      break;
    case 1:
      words[w] = `${word}\\\\`;
      break;
    case 2:
      words[w] = `${word}\\n${pick(['', 'x', '\\r'])}`;
      break;
    case 3:
      words[w] = `${word}\\|`;
      break;
    case 4:
      words[w] = `${word}${pick([' ', '  ', '\t', ' \t '])}`;
      break;
    case 5:
      words[w] = word.includes('=') ? word.slice(0, word.indexOf('=') + 1) : word;
      break;
    case 6:
      words.splice(w, 0, `${pick(KEYS)}=${pick(['1', 'v', '', '10.0.0.9', 'May 08 2024 00:00:00 GMT'])}`);
      break;
    case 7:
      words.splice(w, 1);
      break;
    case 8: {
      const v = 1 + Math.floor(rnd() * (words.length - 1));
      [words[w], words[v]] = [words[v], words[w]];
      break;
    }
    case 9:
      words.splice(w, 0, word);
      break;
    case 10:
      words.splice(w, 0, `${Math.floor(rnd() * 10)}${pick(['x', 'src', ''])}=${pick(['1', 'z'])}`);
      break;
    case 11:
      words.splice(w, 0, `${pick(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])}=${pick(['1', 'x', ''])}`);
      break;
    case 12:
      words.splice(w, 0, `${pick(['x', 'my', 'Pan', 'cs1', 'a.b'])}${pick(KEYS)}=${pick(['1', 'q'])}`);
      break;
    case 13:
      words[w] = `${word}${pick(ODD)}`;
      break;
    case 14:
      words[0] = `${words[0]}${pick(['é', '€', 'x'])}`;
      break;
    case 15:
      words[w] = `${word}=${pick(['1', '', 'x=y'])}`;
      break;
    case 16:
      return `${pick(['<13>1 2024-05-08T00:00:01.5+02:00 fw app 12 ID47 - ', '<14>May  8 00:00:00 PA-3220 ', 'May  8 00:00:00 PA-3220 pan: ', '', '123 <14>May  8 00:00:00 PA-3220 '])}${words.join(' ')}`;
    case 17:
      return (head + words.join(' ')).slice(0, Math.floor(rnd() * (head.length + line.length)));
    case 18:
      for (let i = 0; i < 30; i++) words.push(`extra${i}=${pick(['v', '', 'a b', 'é'])}`);
      break;
    case 19:
      words[w] = `${pick(KEYS)}${word.slice(word.indexOf('='))}`;
      break;
    case 20:
      words[w] = `${word} ${pick(['x', 'y z', '-', 'src', 'src ='])}`;
      break;
    case 21:
      words[w] = word.replace('=', `=${pick(ODD)}`);
      break;
    case 22:
      words.push(pick(['', ' ', 'k=', 'src', 'src=', '=', 'x\\']));
      break;
    case 24:
      // a character outside the key characters where a key is read back from its '='
      words.splice(w, 0, `${pick(['', 'x', 'src'])}${pick(ODD)}${pick(['', 'y'])}=${pick(['1', '', 'é'])}`);
      break;
    case 23: {
      // one header field changed at its end (the header is kept from line to line when its bytes repeat)
      const text = words.join(' ');
      const pipes: number[] = [];
      for (let i = text.indexOf('|'); i >= 0 && pipes.length < 7; i = text.indexOf('|', i + 1)) pipes.push(i);
      if (pipes.length === 0) return head + text;
      const p = pick(pipes);
      const drop = rnd() < 0.3 ? 1 : 0;
      return head + text.slice(0, p - drop) + pick(['x', '7', '\\|', 'é', '€', '']) + text.slice(p);
    }
    default:
      words[w] = `${word}${pick([' ', ''])}${pick(KEYS)}`;
  }
  return head + words.join(' ');
}

function* linesOf(count: number, seed: number): Generator<string> {
  const sources = (['panos-cef', 'panos-threat-cef', 'panos-url-cef'] as const).map((f) => benchLines(f));
  const rnd = random(seed);
  let made = 0;
  while (made < count) {
    const lines = sources[Math.floor(rnd() * sources.length)];
    const from = Math.floor(rnd() * lines.length);
    const run = 1 + Math.floor(rnd() * 200);
    for (let i = 0; i < run && made < count; i++, made++) {
      let line = lines[(from + i) % lines.length];
      if (rnd() < 0.3) {
        const n = 1 + Math.floor(rnd() * 3);
        for (let k = 0; k < n; k++) line = mutate(line, rnd);
      }
      // as a socket gives them: flat strings
      yield Buffer.from(line).toString();
    }
  }
}

function summary(result: ReturnType<Parser['parseLine']>): string {
  if (result.kind !== 'record' || !result.record) return JSON.stringify(result);
  const r = result.record;
  const proto = Object.getPrototypeOf(r);
  let out = `${result.format}|${proto === Object.prototype ? 'Object' : String(proto)}|${r.constructor === Object}|${hasFastProperties(r)}`;
  for (const key of Reflect.ownKeys(r)) {
    const v = r[key as string];
    out += `|${String(key)}:${typeof v}:${typeof v === 'string' ? JSON.stringify(v) : String(v)}`;
  }
  return out;
}

function main(): void {
  const arg = argReader(process.argv.slice(2));
  const root = arg('root', path.join(__dirname, '../..'));
  const count = Number(arg('lines', '1000000'));
  const seed = Number(arg('seed', '1'));
  const parsers = parsersOf(root);
  const hash = createHash('sha256');
  const kinds: Record<string, number> = {};
  for (const line of linesOf(count, seed)) {
    for (const p of parsers) {
      const result = p.parseLine(line);
      kinds[result.kind] = (kinds[result.kind] ?? 0) + 1;
      hash.update(summary(result));
      hash.update('\n');
    }
  }
  process.stdout.write(
    `${path.resolve(root)}: ${fmt(count)} lines (seed ${seed}) x ${OPTION_SETS.length} option sets: ${Object.entries(kinds)
      .map(([k, n]) => `${n} ${k}`)
      .join(', ')}; sha256 ${hash.digest('hex')}\n`,
  );
}

if (require.main === module) main();
