/**
 * The benchmark's yardstick: the WireData rule as SQL in DuckDB (installed on
 * demand by dev/ensure-duckdb.js) over the same records as ours, and our alert
 * rows held against its rows.
 */
import { LogRecord } from '../core/common/records';
import { fmt, median } from './bench-kit';

export interface DuckResult {
  loadSeconds: number;
  querySeconds: number;
  queryCpuSeconds: number;
  rows: LogRecord[];
}

/** Our alert rows against DuckDB's, on the columns both have. */
export function compareRows(ours: LogRecord[], theirs: LogRecord[]): { rows: number; identical: boolean; differing: number } {
  const key = (r: LogRecord) =>
    JSON.stringify([
      r.TimeGenerated,
      r.LocalIP,
      r.RemoteIP,
      r.RemotePortNumber,
      r.MostFrequentTimeDeltaCount,
      r.MostFrequentTimeDeltainSeconds,
      r.TotalEvents,
      r.TotalSentBytes,
      r.TotalReceivedBytes,
      r.BeaconPercent,
    ]);
  // the contract is on final rows: the example's early alerts (Final: false) come on top of them
  const a = ours
    .filter((r) => r.Final !== false)
    .map(key)
    .sort();
  const b = theirs.map(key).sort();
  const theirsSet = new Set(b);
  const differing = a.filter((x) => !theirsSet.has(x)).length;
  return { rows: a.length, identical: a.length === b.length && a.every((x, i) => x === b[i]), differing };
}

/**
 * The scaling run closes cells an hour after they end (memory stays flat over 10^7 events), and its
 * copies reuse each host name every 50 copies (300 h later): the delta across that gap reaches a closed
 * cell and is late (the streaming model), where the batch query, which sees every record at once, counts it.
 */
export function describeComparison(c: { identical: boolean; differing: number }, lateDeltas: number): string {
  if (c.identical) return 'identical';
  return (
    `DIFFERENT in ${c.differing} rows` +
    (lateDeltas > 0 ? ` (${lateDeltas} deltas reached a closed cell: late by the streaming model, counted by the batch query)` : '')
  );
}

/** The part of @duckdb/node-api used here (installed on demand, so no compile-time types). */
interface DuckDbAppender {
  appendBigInt(v: bigint): void;
  appendVarchar(v: string): void;
  appendInteger(v: number): void;
  appendNull(): void;
  endRow(): void;
  closeSync(): void;
}
interface DuckDbConnection {
  run(sql: string): Promise<unknown>;
  createAppender(table: string): Promise<DuckDbAppender>;
  runAndReadAll(sql: string): Promise<{ getRows(): unknown[][] }>;
  closeSync(): void;
}
interface DuckDbApi {
  DuckDBInstance: { create(path: string): Promise<{ connect(): Promise<DuckDbConnection> }> };
}

/** Event time in microseconds: ISO text (the 1.45 M run) or epoch milliseconds (the scaling run). */
function microsOf(time: unknown): bigint {
  if (typeof time === 'number') return BigInt(time) * 1000n;
  const text = time as string;
  return BigInt(Date.parse(text.slice(0, 19) + 'Z')) * 1000n + BigInt(text.slice(20, 26));
}

/** The records handed to DuckDB's appender by a feeder (an array, or records made on the fly). */
export type Feed = (add: (record: LogRecord) => void) => void;
export const feedOf =
  (records: LogRecord[]): Feed =>
  (add) =>
    records.forEach((r) => add(r));

/** The WireData rule as SQL in DuckDB over the fed records: the load time, the query's median wall and CPU time over `runs`, its rows (or why it did not run). */
export async function duckdb(feed: Feed, runs: number): Promise<DuckResult | string> {
  let api: DuckDbApi;
  try {
    api = require('@duckdb/node-api') as DuckDbApi;
  } catch {
    return 'DuckDB (@duckdb/node-api) is not installed: npm run bench installs it on demand';
  }
  const db = await api.DuckDBInstance.create(':memory:');
  const c = await db.connect();
  await c.run('CREATE TABLE wd (seq BIGINT, us BIGINT, LocalIP VARCHAR, RemoteIP VARCHAR, RemotePortNumber INTEGER, SentBytes BIGINT, ReceivedBytes BIGINT)');
  const t0 = process.hrtime.bigint();
  const appender = await c.createAppender('wd');
  let i = 0;
  feed((r) => {
    appender.appendBigInt(BigInt(i++));
    appender.appendBigInt(microsOf(r.TimeGenerated));
    const str = (v: unknown) => (typeof v === 'string' ? appender.appendVarchar(v) : appender.appendNull());
    const int = (v: unknown) => (typeof v === 'number' ? appender.appendInteger(v) : appender.appendNull());
    const big = (v: unknown) => (typeof v === 'number' ? appender.appendBigInt(BigInt(v)) : appender.appendNull());
    str(r.LocalIP);
    str(r.RemoteIP);
    int(r.RemotePortNumber);
    big(r.SentBytes);
    big(r.ReceivedBytes);
    appender.endRow();
  });
  appender.closeSync();
  const loadSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  // the WireData rule, stage by stage; lead() per LocalIP equals next() over the sorted set,
  // because pairs across LocalIPs are discarded by the rule anyway
  const octet = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
  const sql = `
    WITH pub AS (
      SELECT * FROM wd
      WHERE regexp_full_match(RemoteIP, '${octet}(\\.${octet}){3}(/(3[0-2]|[12]?[0-9]))?')
        AND NOT (split_part(RemoteIP, '.', 1) = '10'
          OR (split_part(RemoteIP, '.', 1) = '172' AND CAST(split_part(RemoteIP, '.', 2) AS INTEGER) BETWEEN 16 AND 31)
          OR (split_part(RemoteIP, '.', 1) = '192' AND split_part(RemoteIP, '.', 2) = '168'))
    ), nxt AS (
      SELECT *, lead(us) OVER (PARTITION BY LocalIP ORDER BY us, RemoteIP NULLS FIRST, RemotePortNumber NULLS FIRST, seq) AS next_us FROM pub
    ), d AS (
      SELECT *, floor(next_us / 1000000) - floor(us / 1000000) AS delta, floor(us / 3600000000) AS hour FROM nxt
      WHERE next_us IS NOT NULL
    ), g1 AS (
      SELECT delta, hour, LocalIP, RemoteIP, RemotePortNumber, count(*) AS c, sum(SentBytes) AS s, sum(ReceivedBytes) AS r
      FROM d WHERE delta > 10 AND (RemotePortNumber IS NULL OR RemotePortNumber <> 0)
      GROUP BY ALL
    ), g2 AS (
      SELECT hour, LocalIP, RemoteIP, RemotePortNumber, max(c) AS mc, arg_min(delta, (-c, delta)) AS md, sum(c) AS total,
             coalesce(sum(s), 0) AS ts, coalesce(sum(r), 0) AS tr
      FROM g1 GROUP BY ALL
    )
    SELECT hour, LocalIP, RemoteIP, RemotePortNumber, mc, md, total, ts, tr, mc / total * 100 AS pct
    FROM g2 WHERE total > 15 AND mc / total * 100 > 95`;
  const times: number[] = [];
  const cpu: number[] = [];
  let rows: LogRecord[] = [];
  for (let run = 0; run < runs; run++) {
    const q0 = process.hrtime.bigint();
    // the process's CPU time, all threads: DuckDB runs the query on as many threads as there are cores
    const c0 = process.cpuUsage();
    const result = await c.runAndReadAll(sql);
    times.push(Number(process.hrtime.bigint() - q0) / 1e9);
    const used = process.cpuUsage(c0);
    cpu.push((used.user + used.system) / 1e6);
    rows = result.getRows().map((v: unknown[]) => ({
      TimeGenerated: new Date(Number(v[0]) * 3600000).toISOString().replace('.000Z', 'Z'),
      LocalIP: v[1],
      RemoteIP: v[2],
      RemotePortNumber: v[3],
      MostFrequentTimeDeltaCount: Number(v[4]),
      MostFrequentTimeDeltainSeconds: Number(v[5]),
      TotalEvents: Number(v[6]),
      TotalSentBytes: Number(v[7]),
      TotalReceivedBytes: Number(v[8]),
      BeaconPercent: Number(v[9]),
    }));
  }
  c.closeSync();
  return { loadSeconds, querySeconds: median(times), queryCpuSeconds: median(cpu), rows };
}

/** Each side's time and alert rows against DuckDB's query on the same records. */
export function printVersus(
  duck: DuckResult | string,
  records: number,
  runs: number,
  sides: Array<[string, number, () => LogRecord[]]>,
): Record<string, unknown> {
  if (typeof duck === 'string') {
    process.stdout.write(`\nDuckDB: ${duck}\n`);
    return { skipped: duck };
  }
  const expected = duck.rows;
  process.stdout.write(
    `\nWireData rule over ${fmt(records)} records, side by side: DuckDB query ${duck.querySeconds.toFixed(3)} s (median of ${runs}; ${duck.queryCpuSeconds.toFixed(2)} CPU-seconds over its threads; + ${duck.loadSeconds.toFixed(3)} s appender load with the times parsed, not counted), ${expected.length} alert rows\n`,
  );
  const compared = sides.map(([name, seconds, rows]) => {
    const c = compareRows(rows(), expected);
    process.stdout.write(
      `  ${name.padEnd(48)} ${seconds.toFixed(3).padStart(7)} s  DuckDB/ours = ${(duck.querySeconds / seconds).toFixed(2)}  alert rows ${c.rows}: ${c.identical ? 'identical' : 'DIFFERENT'}\n`,
    );
    return { name, seconds, speedupOverDuckDB: duck.querySeconds / seconds, ...c };
  });
  process.stdout.write(`target: the batched chain inside Node-RED at least 2 × faster than DuckDB's query (DuckDB/ours ≥ 2)\n`);
  return { querySeconds: duck.querySeconds, queryCpuSeconds: duck.queryCpuSeconds, loadSeconds: duck.loadSeconds, rowsDuckDB: expected.length, compared };
}
