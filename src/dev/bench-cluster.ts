#!/usr/bin/env node
/**
 * Scale-out throughput: records/s through a real cluster (Mosquitto, one
 * ingest, N workers, each a Node-RED process on 127.0.0.1) for each worker
 * count, in one run, on one generated Zeek conn.log.
 *
 *   node dist/dev/bench-cluster.js [--records N] [--workers 1,2,3] [--partitions 12]
 *
 * Measured: wall time from firing the ingest's "replay records file" inject
 * (read in 64 KB chunks → parse → partition → publish, QoS 1) to the end-of-
 * file flush having left the scorer of every worker, i.e. every record
 * parsed, published, delivered and through the detection chain. Start-up of
 * the processes is not counted. All processes share this machine's cores:
 * with fewer cores than processes the figure shows the machine, not the design.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Cluster } from '../run/cluster';
import { generateLines } from '../tools/log-lines';
import { DEFAULT_OPTIONS } from '../tools/traffic-generator';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const RECORDS = Number(arg('records', '200000'));
const WORKERS = arg('workers', '1,2,3').split(',').map(Number);
const PARTITIONS = Number(arg('partitions', '12'));

/** A Zeek conn.log of about n records: many hosts (so every partition has work), a few beacons. */
function writeLog(file: string, n: number): number {
  const hosts = 400;
  const perHour = 60;
  const hours = Math.max(1, Math.ceil(n / (hosts * perHour)));
  const beacons = Array.from({ length: 20 }, (_, i) => ({
    src: `10.9.${i}.10`, dst: `52.${i}.1.1`, port: 443, periodSeconds: 60, jitter: 0, jitterMode: 'one-sided' as const,
    startOffsetSeconds: 0, durationSeconds: hours * 3600, sentBytes: 300, receivedBytes: 900, user: '',
  }));
  const rendered = generateLines({ ...DEFAULT_OPTIONS, seed: 5, hours, beacons, noiseHosts: hosts, noisePerHour: perHour, disorderSeconds: 60 }, 'zeek-tsv');
  const header = rendered.filter((r) => r.record === null);
  const body = rendered.filter((r) => r.record !== null).slice(0, n);
  fs.writeFileSync(file, [...header, ...body].map((r) => r.line).join('\n') + '\n');
  return body.length;
}

/** Worker flows with a probe: the flush leaving the scorer is appended to done.jsonl. */
function withDoneProbe(flows: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  const nodes = JSON.parse(JSON.stringify(flows)) as Array<Record<string, unknown> & { wires?: string[][] }>;
  // the scorer passes control messages on its second output (off the alert hand-offs)
  (nodes.find((n) => n.id === 'so_wk_score') as { wires: string[][] }).wires[1].push('bench_control');
  const z = 'so_wk_tab';
  return [
    ...nodes,
    { id: 'bench_control', z, type: 'switch', property: 'flush', propertyType: 'msg', rules: [{ t: 'true' }], checkall: 'true', outputs: 1, wires: [['bench_text']] },
    // the file node writes nothing for a message without payload
    { id: 'bench_text', z, type: 'change', rules: [{ t: 'set', p: 'payload', pt: 'msg', to: 'flush', tot: 'str' }], wires: [['bench_done']] },
    { id: 'bench_done', z, type: 'file', filename: 'done.jsonl', filenameType: 'str', appendNewline: true, createDir: true, overwriteFile: 'false', encoding: 'utf8', wires: [] },
  ];
}

let current: Cluster | null = null;
process.on('SIGINT', () => void (current?.kill() ?? Promise.resolve()).then(() => process.exit(130)));

async function measure(workers: number, log: string, dir: string): Promise<number> {
  const cluster = new Cluster({ dir, workers, partitions: PARTITIONS, records: log, replayAtStart: false, workerFlows: withDoneProbe });
  current = cluster;
  try {
    await cluster.start();
    const done = cluster.workers.map((w) => path.join(w.o.userDir, 'done.jsonl'));
    const t0 = process.hrtime.bigint();
    const res = await fetch(`${cluster.ingest.base}/inject/so_in_replay`, { method: 'POST' });
    if (res.status !== 200) throw new Error(`inject answered ${res.status}`);
    for (const [i, w] of cluster.workers.entries()) await w.until('the end-of-file flush', () => fs.existsSync(done[i]), 3600);
    return Number(process.hrtime.bigint() - t0) / 1e9;
  } finally {
    await cluster.stop().catch(() => cluster.kill());
  }
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netbeacon-bench-cluster-'));
  try {
    const log = path.join(dir, 'conn.log');
    const n = writeLog(log, RECORDS);
    console.log(`cluster benchmark: ${n} Zeek conn.log records (${(fs.statSync(log).size / 1e6).toFixed(1)} MB), ${PARTITIONS} partitions, Mosquitto QoS 1, on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'})`);
    console.log('measured: inject fired on the ingest → end-of-file flush out of every worker\'s scorer (process start-up excluded)');
    console.log('workers  seconds  records/s');
    for (const w of WORKERS) {
      const seconds = await measure(w, log, path.join(dir, `run-${w}`));
      console.log(`${String(w).padStart(7)}  ${seconds.toFixed(2).padStart(7)}  ${Math.round(n / seconds).toString().padStart(9)}`);
    }
    console.log(`${os.cpus().length} cores shared by Mosquitto, the ingest and every worker: beyond that, more workers cannot add throughput here.`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: Error) => {
  console.error(`bench-cluster: ${err.message}`);
  process.exit(1);
});
