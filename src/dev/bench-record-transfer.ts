#!/usr/bin/env node
/**
 * What moving the parser into the UDP reader thread would cost and save,
 * per CEF line, before building it: parsing a line; handing lines across as
 * now (the structured clone postMessage makes: serialised by the reader,
 * deserialised by the flow's thread); handing parsed records across as
 * objects; and handing them across as columns (src/input/record-columns:
 * encoded and the strings serialised by the reader, typed arrays
 * transferred, decoded into objects by the flow's thread). v8.serialize /
 * deserialize are the serialiser postMessage uses; chunks of 1,000 as the
 * reader thread sends them; the process's CPU time (GC threads included),
 * median of --runs, after one warm-up.
 *
 *   node --expose-gc dist/dev/bench-record-transfer.js [--lines 100000] [--runs 7]
 */
import * as v8 from 'v8';
import { LogRecord } from '../core/common/records';
import { DEFAULT_PARSER_OPTIONS, LogParser } from '../core/parse/parser';
import { decodeRecords, encodeRecords, RecordColumns } from '../input/record-columns';
import { linesOf } from './bench-live';
import { devArg } from './dev-args';

const LINES = Number(devArg('lines', '100000'));
const RUNS = Number(devArg('runs', '7'));
const CHUNK = 1000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** ns per line of `work` over every chunk, median of RUNS after a warm-up. */
function time<T>(chunks: T[], work: (c: T) => unknown): number {
  const runs: number[] = [];
  for (let r = 0; r <= RUNS; r++) {
    (global as { gc?: () => void }).gc?.();
    // CPU time, not wall time: on a shared machine the wall clock counts the other processes' turns too
    const t = process.cpuUsage();
    for (const c of chunks) work(c);
    const used = process.cpuUsage(t);
    if (r > 0) runs.push(((used.user + used.system) * 1000) / LINES);
  }
  return median(runs);
}

function main(): void {
  const lines = linesOf('panos-cef', LINES);
  const lineChunks: string[][] = [];
  for (let i = 0; i < lines.length; i += CHUNK) lineChunks.push(lines.slice(i, i + CHUNK));
  const parser = new LogParser(DEFAULT_PARSER_OPTIONS);
  const parse = (c: string[]) => c.map((l) => (parser.parseLine(l) as { record: LogRecord }).record);
  const recordChunks = lineChunks.map(parse);
  const columnChunks = recordChunks.map(encodeRecords);
  const rest = (c: RecordColumns) => ({ count: c.count, shapes: c.shapes, strings: c.strings, others: c.others });
  const lineBytes = lineChunks.map((c) => v8.serialize(c));
  const recordBytes = recordChunks.map((c) => v8.serialize(c));
  const columnBytes = columnChunks.map((c) => v8.serialize(rest(c)));
  const rows: Array<[string, number, number]> = [
    ['parse (as the flow thread does now)', 0, time(lineChunks, parse)],
    ['lines across (now)', time(lineChunks, (c) => v8.serialize(c)), time(lineBytes, (b) => v8.deserialize(b))],
    ['records across as objects', time(recordChunks, (c) => v8.serialize(c)), time(recordBytes, (b) => v8.deserialize(b))],
    [
      'records across as columns',
      time(recordChunks, (c) => v8.serialize(rest(encodeRecords(c)))),
      time(
        columnChunks.map((_, i) => i),
        (i) =>
          decodeRecords({
            ...(v8.deserialize(columnBytes[i]) as RecordColumns),
            shapeOf: columnChunks[i].shapeOf,
            tags: columnChunks[i].tags,
            values: columnChunks[i].values,
          }),
      ),
    ],
  ];
  const kb = (bs: Buffer[]) => (bs.reduce((n, b) => n + b.length, 0) / LINES).toFixed(0);
  process.stdout.write(
    `record transfer: ${LINES} generated PAN-OS CEF lines in chunks of ${CHUNK}, CPU ns per line, median of ${RUNS} (GC before each run), Node ${process.version}\n` +
      `bytes serialised per line: lines ${kb(lineBytes)}, records ${kb(recordBytes)}, columns' strings ${kb(columnBytes)} + typed arrays ${(
        columnChunks.reduce((n, c) => n + c.tags.byteLength + c.values.byteLength + c.shapeOf.byteLength, 0) / LINES
      ).toFixed(0)} (transferred)\n`,
  );
  process.stdout.write('| step | reader thread | flow thread |\n|---|---|---|\n');
  for (const [name, reader, flow] of rows) process.stdout.write(`| ${name} | ${reader.toFixed(0)} | ${flow.toFixed(0)} |\n`);
}

main();
