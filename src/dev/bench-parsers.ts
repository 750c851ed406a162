/**
 * The parsers next to their limit, in one run on the same lines: each
 * format's parser (LogParser.parseLine, syslog header included as the lines
 * carry one) against a bare split of the same lines on their separator and
 * JSON.parse of the same records written as JSON lines. No parser can beat
 * the split of its own lines by much, nor a JSON line parser JSON.parse, so
 * the ratio says how close to the limit a parser is, whatever the machine's
 * load; the rates alone are this machine's, at this moment.
 */
import { spawnSync } from 'child_process';
import { DEFAULT_PARSER_OPTIONS, LogParser } from '../core/parse/parser';
import { generateLines, LineFormat } from '../tools/log-lines';
import { sampleScenario } from '../tools/traffic-generator';
import { NAME_LINE_FORMATS, NameLineFormat, nameLines } from './name-lines';
import { median } from './bench-kit';

export interface ParserBenchRow {
  format: LineFormat | NameLineFormat;
  lines: number;
  /** lines per second, wall time (median of the runs) */
  parser: number;
  /** the same from the process's CPU time (user + system), less sensitive to other load on a shared machine */
  parserCpu: number;
  split: number;
  splitOn: string;
  jsonParse: number;
  /** parser / the limit for the format (split for text lines, JSON.parse for JSON lines), from CPU times */
  ofLimit: number;
}

/** what a bare split of each format's lines splits on (none for JSON) */
const SEPARATORS: Record<LineFormat | NameLineFormat, string> = {
  'panos-cef': ' ',
  'panos-csv': ',',
  'zeek-tsv': '\t',
  'zeek-json': '',
  'zeek-dns-tsv': '\t',
  'zeek-dns-json': '',
  'zeek-ssl-tsv': '\t',
  'zeek-ssl-json': '',
  'zeek-http-tsv': '\t',
  'zeek-http-json': '',
  squid: ' ',
  'panos-threat-csv': ',',
  'panos-threat-cef': ' ',
  'panos-url-cef': ' ',
};
const isJsonLines = (format: LineFormat | NameLineFormat) => SEPARATORS[format] === '';

interface Timing {
  wall: number[];
  cpu: number[];
}

/**
 * Runs each task once per round, in turn (so a burst of load from elsewhere
 * hits all alike); two rounds first, not counted, so the code is compiled
 * (V8 optimises after many calls, on background threads whose time a short
 * run would otherwise count). No forced GC before a run, unlike the other
 * stages: a full collection shrinks the young generation, and the next
 * hundred thousand lines then pay for many small scavenges (measured: 2 to
 * 3 times slower), which is no state a parser in a running flow is in.
 */
function interleaved(runs: number, tasks: Array<() => void>): Timing[] {
  const timings = tasks.map(() => ({ wall: [] as number[], cpu: [] as number[] }));
  for (const task of tasks) task(), task();
  for (let round = 0; round < runs; round++) {
    tasks.forEach((task, i) => {
      const cpu0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      task();
      timings[i].wall.push(Number(process.hrtime.bigint() - t0) / 1e9);
      const cpu = process.cpuUsage(cpu0);
      timings[i].cpu.push((cpu.user + cpu.system) / 1e6);
    });
  }
  return timings;
}

/** the connection logs' formats the bench reads (the name-carrying ones are NAME_LINE_FORMATS) */
const CONNECTION_FORMATS = ['panos-cef', 'panos-csv', 'zeek-tsv', 'zeek-json'] as const;

/** The bench's lines of a format, as flat strings (as a socket's Buffer#toString gives them; the generator's are concatenations). */
export function benchLines(format: LineFormat | NameLineFormat, hours = 6, nameLineCount = 100_000): string[] {
  const made = (NAME_LINE_FORMATS as readonly string[]).includes(format)
    ? nameLines(format as NameLineFormat, nameLineCount)
    : generateLines({ ...sampleScenario('csl'), hours }, format as LineFormat).map((l) => l.line);
  return made.map((l) => Buffer.from(l).toString());
}

export function parserBench(runs: number, hours = 6, nameLineCount = 100_000, only: string[] | null = null): ParserBenchRow[] {
  const rows: ParserBenchRow[] = [];
  const all = [...CONNECTION_FORMATS, ...NAME_LINE_FORMATS];
  const sources = only ? all.filter((format) => only.includes(format)) : all;
  for (const format of sources) {
    const lines = benchLines(format, hours, nameLineCount);
    const records: string[] = [];
    const collect = new LogParser(DEFAULT_PARSER_OPTIONS);
    for (const l of lines) {
      const r = collect.parseLine(l);
      if (r.kind === 'record') records.push(JSON.stringify(r.record));
    }
    let sink = 0;
    const sep = SEPARATORS[format];
    const json = isJsonLines(format) ? lines : records;
    const [parse, split, parseJson] = interleaved(runs, [
      () => {
        const p = new LogParser(DEFAULT_PARSER_OPTIONS);
        for (const l of lines) sink += p.parseLine(l).kind.length;
      },
      () => {
        for (const l of lines) sink += l.split(sep).length;
      },
      () => {
        for (const l of json) sink += JSON.parse(l) ? 1 : 0;
      },
    ]);
    const row: ParserBenchRow = {
      format,
      lines: lines.length,
      parser: lines.length / median(parse.wall),
      parserCpu: lines.length / median(parse.cpu),
      split: sep ? lines.length / median(split.wall) : NaN,
      splitOn: sep ? JSON.stringify(sep) : '-',
      jsonParse: json.length / median(parseJson.wall),
      // from CPU time: the ratio a quiet machine would show, as far as a shared one can tell
      ofLimit: lines.length / median(parse.cpu) / (isJsonLines(format) ? json.length / median(parseJson.cpu) : lines.length / median(split.cpu)),
    };
    rows.push(row);
    void sink;
  }
  return rows;
}

/**
 * The same bench, each format in a fresh process of its own (`script`
 * run with --parsers-only --parser-format F --parser-rows): the parse
 * core's inline caches then see one format, as in a UDP input's parse
 * thread; in the shared run they see every format, as several TCP inputs
 * parsing on the flow's thread do.
 */
export function parserBenchAlone(runs: number, script: string): ParserBenchRow[] {
  const formats = [...CONNECTION_FORMATS, ...NAME_LINE_FORMATS];
  return formats.flatMap((format) => {
    const run = spawnSync(process.execPath, [script, '--parsers-only', '--runs', String(runs), '--parser-format', format, '--parser-rows'], {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    });
    const rows = run.stdout.split('\n').find((l) => l.startsWith('ROWS '));
    if (run.status !== 0 || !rows) throw new Error(`parser bench of ${format} alone failed: ${run.stderr || run.stdout}`);
    // JSON writes NaN (no split for JSON lines) as null
    return (JSON.parse(rows.slice(5)) as ParserBenchRow[]).map((r) => ({ ...r, split: r.split ?? NaN }));
  });
}

export function printParserBench(rows: ParserBenchRow[], runs: number, out: (s: string) => void, alone = false): void {
  const k = (n: number) => (Number.isNaN(n) ? '-' : `${(n / 1e3).toFixed(0)} k`).padStart(8);
  out(
    `\nparsers${alone ? ', each format alone in a fresh process' : ', every format in one process'}, lines/s (median of ${runs} interleaved runs after 2 warm-up runs, wall time; "cpu" from process CPU time), each next to its limit on the same lines in this run:\n`,
  );
  out(
    `${'format'.padEnd(16)} ${'lines'.padStart(7)} ${'parser'.padStart(8)} ${'(cpu)'.padStart(8)}   ${'split'.padStart(8)} on    ${'JSON.parse'.padStart(10)}   parser/limit\n`,
  );
  for (const r of rows) {
    const limit = isJsonLines(r.format) ? 'JSON.parse of the lines' : `split(${r.splitOn}) of the lines`;
    out(
      `${r.format.padEnd(16)} ${String(r.lines).padStart(7)} ${k(r.parser)} ${k(r.parserCpu)}   ${k(r.split)} ${r.splitOn.padEnd(5)} ${k(r.jsonParse).padStart(10)}   ${(100 * r.ofLimit).toFixed(0).padStart(3)} % of ${limit} (CPU time)\n`,
    );
  }
  out(`(JSON.parse column: the same records as JSON lines, or the Zeek JSON lines themselves; target ≥ 250 k lines/s per parser, one core)\n`);
}
