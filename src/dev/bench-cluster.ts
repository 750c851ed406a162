#!/usr/bin/env node
/**
 * Scale-out throughput: records/s through a real cluster on NATS JetStream
 * (one ingest, N workers, each a Node-RED process on 127.0.0.1) for each
 * worker count, in one run, on one generated Zeek conn.log; also one
 * Node-RED doing the same alone (read, parse, and the worker profile's
 * detection nodes wired in a row: the single-instance rate) and the
 * takeover time of a killed worker.
 *
 *   node dist/dev/bench-cluster.js [--records N] [--workers 1,2,3] [--partitions 12] [--repeat 1] [--no-takeover] [--ingest lines,records]
 *
 * --ingest: how the ingest publishes, each measured in every round: `lines`
 * (the example: Zeek lines published unparsed, the workers parse them) and/or
 * `records` (log parse in the ingest, parsed records published).
 *
 * Measured: wall time from firing the ingest's "replay records file" inject
 * to the end-of-file flush having come out of every partition (every record
 * parsed, published with a server ack, read and through the chain). Start-up
 * of the processes is not counted. All processes share this machine's cores.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { chainNodes } from '../nodes/support/worker-profile';
import { NATS_WORKER_EXAMPLE, readExample, StreamCluster } from '../run/stream-cluster';
import { freePort } from '../run/ports';
import { RedProcess } from '../run/red-process';
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
/** rounds of (single, each worker count), interleaved so a change in the machine's load falls on both alike */
const REPEAT = Number(arg('repeat', '1'));
const TAKEOVER = !args.includes('--no-takeover');
const INGESTS = arg('ingest', 'lines').split(',') as Array<'lines' | 'records'>;
if (INGESTS.some((i) => i !== 'lines' && i !== 'records')) throw new Error('--ingest takes lines, records or both (comma-separated)');

/** The parse node of a records ingest and of the single instance: the Zeek file in 64 KB chunks → one array of records per chunk. */
const parseNode = (id: string, z: string, to: string): Flows[number] => ({
  id,
  z,
  type: 'beacon-parse',
  input: 'stream',
  output: 'batch',
  format: 'auto',
  timeSource: 'event',
  byteDirection: 'microsoft',
  deviceOffset: '',
  wires: [[to], []],
});

/** A Zeek conn.log of about n records: many hosts (so every partition has work), a few beacons. */
function writeLog(file: string, n: number): number {
  const hosts = 400;
  const perHour = 60;
  const hours = Math.max(1, Math.ceil(n / (hosts * perHour)));
  const beacons = Array.from({ length: 20 }, (_, i) => ({
    src: `10.9.${i}.10`,
    dst: `52.${i}.1.1`,
    port: 443,
    periodSeconds: 60,
    jitter: 0,
    jitterMode: 'one-sided' as const,
    startOffsetSeconds: 0,
    durationSeconds: hours * 3600,
    sentBytes: 300,
    receivedBytes: 900,
    user: '',
  }));
  const rendered = generateLines({ ...DEFAULT_OPTIONS, seed: 5, hours, beacons, noiseHosts: hosts, noisePerHour: perHour, disorderSeconds: 60 }, 'zeek-tsv');
  const header = rendered.filter((r) => r.record === null);
  const body = rendered.filter((r) => r.record !== null).slice(0, n);
  fs.writeFileSync(file, [...header, ...body].map((r) => r.line).join('\n') + '\n');
  return body.length;
}

type Flows = Array<Record<string, unknown> & { wires?: string[][] }>;

/**
 * CPU seconds (user + system) a process has used, from /proc (Linux; 0
 * elsewhere). Wall time on a shared machine measures the machine; the CPU
 * a run costs does not depend on what else runs.
 */
function cpuSeconds(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

const cpuOf = (pids: Array<number | undefined>): number => pids.reduce<number>((a, p) => a + cpuSeconds(p), 0);

/** Probe nodes on tab z: from `bench_flush` (a switch on msg.flush; or from `bench_text` with `text` for the payload) a line appended to `file`. */
function flushProbe(z: string, file: string, text: { to: string; tot: string } = { to: 'flush', tot: 'str' }): Flows {
  return [
    {
      id: 'bench_flush',
      z,
      type: 'switch',
      property: 'flush',
      propertyType: 'msg',
      rules: [{ t: 'true' }],
      checkall: 'true',
      outputs: 1,
      wires: [['bench_text']],
    },
    { id: 'bench_text', z, type: 'change', rules: [{ t: 'set', p: 'payload', pt: 'msg', ...text }], wires: [['bench_file']] },
    // the file node writes nothing for a message without payload
    {
      id: 'bench_file',
      z,
      type: 'file',
      filename: file,
      filenameType: 'str',
      appendNewline: true,
      createDir: true,
      overwriteFile: 'false',
      encoding: 'utf8',
      wires: [],
    },
  ];
}

/** NATS worker flows with a probe: each partition's flush appended to done.jsonl. */
function withNatsDoneProbe(flows: Flows): Flows {
  const nodes = JSON.parse(JSON.stringify(flows)) as Flows;
  (nodes.find((n) => n.id === 'nso_wk_worker') as { wires: string[][] }).wires[2].push('bench_text');
  return [...nodes, ...flushProbe('nso_wk_tab', 'done.jsonl', { to: 'partition', tot: 'msg' })];
}

const doneLines = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0);

let currentStream: StreamCluster | null = null;
/** records the generated log holds (the workers' counts reach it once they have read everything) */
let RECORDS_IN_LOG = 0;
process.on('SIGINT', () => void (currentStream?.kill() ?? Promise.resolve()).then(() => process.exit(130)));

/**
 * Ingest flows with a probe: the end-of-file flush, once the server holds
 * everything before it, appended to published.jsonl. A records ingest has
 * log parse in front of the stream ingest, as before lines were published.
 */
function withPublishedProbe(flows: Flows, ingest: 'lines' | 'records'): Flows {
  const nodes = JSON.parse(JSON.stringify(flows)) as Flows;
  const publish = nodes.find((n) => n.id === 'nso_in_publish') as Flows[number] & { wires: string[][] };
  publish.wires[0].push('bench_flush');
  if (ingest === 'records') {
    publish.input = 'records';
    for (const n of nodes) if (n.id === 'nso_in_eof' || n.id === 'nso_in_flush') n.wires = [['bench_parse']];
    nodes.push(parseNode('bench_parse', 'nso_in_tab', 'nso_in_publish'));
  }
  return [...nodes, ...flushProbe('nso_in_tab', 'published.jsonl')];
}

/** Seconds until the ingest had everything acknowledged, until every partition's flush came out of the workers, and the CPU seconds all processes used. */
async function measureNats(
  workers: number,
  log: string,
  dir: string,
  ingest: 'lines' | 'records',
): Promise<{ published: number; done: number; cpu: number; each: number[]; work: string }> {
  const ports = [await freePort(), ...(await Promise.all(Array.from({ length: workers }, () => freePort())))];
  const cluster = new StreamCluster({
    dir,
    workers,
    partitions: PARTITIONS,
    records: log,
    replayAtStart: false,
    natsPort: await freePort(),
    ports,
    workerFlows: withNatsDoneProbe,
    ingestFlows: (flows) => withPublishedProbe(flows, ingest),
  });
  currentStream = cluster;
  try {
    await cluster.start();
    // timed from the fair split: a worker still handing partitions to a newcomer would checkpoint and re-read during the run
    const fair = () => {
      const counts = cluster.workers.map((_, i) => cluster.held().get(cluster.workerId(i))?.length ?? 0);
      return counts.reduce((a, c) => a + c, 0) === PARTITIONS && counts.every((c) => c >= Math.floor(PARTITIONS / workers));
    };
    await cluster.ingest.until('every worker holding its share of the partitions', fair, 120);
    const done = cluster.workers.map((w) => path.join(w.o.userDir, 'done.jsonl'));
    const pids = [cluster.ingest.pid, cluster.nats?.pid, ...cluster.workers.map((w) => w.pid)];
    const cpu0 = cpuOf(pids);
    const each0 = pids.map((p) => cpuSeconds(p));
    const t0 = process.hrtime.bigint();
    const res = await fetch(`${cluster.ingest.base}/inject/nso_in_replay`, { method: 'POST' });
    if (res.status !== 200) throw new Error(`inject answered ${res.status}`);
    const seconds = () => Number(process.hrtime.bigint() - t0) / 1e9;
    let published = 0;
    const publishedFile = path.join(cluster.ingest.o.userDir, 'published.jsonl');
    await cluster.ingest.until(
      'the end-of-file flush out of every partition',
      () => {
        if (!published && doneLines(publishedFile) > 0) published = seconds();
        return done.reduce((a, f) => a + doneLines(f), 0) >= PARTITIONS;
      },
      3600,
    );
    const each = pids.map((p, i) => cpuSeconds(p) - each0[i]);
    const wall = seconds();
    const cpu = cpuOf(pids) - cpu0;
    // what each worker did, from its next status (every 2 s) once it counts every record: messages read, checkpoints written
    const statuses = () => cluster.workers.map((_, i) => cluster.statuses.get(cluster.workerId(i))?.counts ?? {});
    await cluster.ingest.until('the workers to report every record', () => statuses().reduce((a, c) => a + (c.records ?? 0), 0) >= RECORDS_IN_LOG, 30);
    const work = statuses()
      .map((c) => `${c.messages} messages, ${c.checkpoints} checkpoints${c.restored ? `, ${c.restored} restored` : ''}`)
      .join(' · ');
    return { published: published || wall, done: wall, cpu, each, work };
  } finally {
    await cluster.stop().catch(() => cluster.kill());
  }
}

/**
 * One Node-RED alone on the same file: the NATS ingest's read and parse wired
 * into the worker example's detection, as the detection nodes themselves
 * (its profile's nodes with its changes), one after the other.
 */
async function measureSingle(log: string, dir: string): Promise<{ seconds: number; cpu: number }> {
  const ingest = readExample('Scale-out on NATS ingest.json') as Flows;
  const worker = readExample(NATS_WORKER_EXAMPLE).find((n) => n.type === 'beacon-nats-worker') as { profile?: string; chain?: string };
  const z = 'nso_in_tab';
  const keep = new Set(['nso_in_tab', 'nso_in_replay', 'nso_in_read', 'nso_in_eof']);
  const detection = chainNodes(worker.profile ?? 'wiredata', worker.chain ?? '').map((n, i) => ({ ...n, id: `bench_${n.id ?? i}`, z }) as Flows[number]);
  const idsOf = (type: string) => detection.filter((n) => n.type === type).map((n) => String(n.id));
  const scorers = idsOf('beacon-scorer');
  for (const n of detection) {
    if (n.type === 'beacon-ip-filter') n.wires = [idsOf('beacon-delta'), []];
    if (n.type === 'beacon-delta') n.wires = [idsOf('beacon-histogram'), []];
    if (n.type === 'beacon-histogram') n.wires = [(n.wires?.[0] ?? scorers.map((id) => id.slice('bench_'.length))).map((id) => `bench_${id}`), []];
    // a scorer passes control messages on its second output (off the alert hand-offs)
    if (n.type === 'beacon-scorer') n.wires = [[], ['bench_flush']];
  }
  const nodes: Flows = [...JSON.parse(JSON.stringify(ingest.filter((n) => keep.has(String(n.id))))), ...detection];
  (nodes.find((n) => n.id === 'nso_in_eof') as { wires: string[][] }).wires = [['bench_parse']];
  nodes.push(parseNode('bench_parse', z, String(detection[0].id)));
  nodes.push(...flushProbe(z, 'done.jsonl'));
  const red = new RedProcess({
    name: 'single',
    userDir: path.join(dir, 'single'),
    port: await freePort(),
    flows: nodes,
    env: { NETBEACON_RECORDS_FILE: log },
    ready: /Started flows/,
  });
  try {
    await red.start();
    const cpu0 = cpuSeconds(red.pid);
    const t0 = process.hrtime.bigint();
    const res = await fetch(`${red.base}/inject/nso_in_replay`, { method: 'POST' });
    if (res.status !== 200) throw new Error(`inject answered ${res.status}`);
    await red.until('the end-of-file flush', () => doneLines(path.join(dir, 'single', 'done.jsonl')) >= scorers.length, 3600);
    return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, cpu: cpuSeconds(red.pid) - cpu0 };
  } finally {
    await red.stop().catch(() => red.kill());
  }
}

/** Seconds from a worker's SIGKILL until the other holds all its partitions (no records flowing: the lease time decides). */
async function measureTakeover(dir: string): Promise<{ seconds: number; lease: number }> {
  const ports = [await freePort(), await freePort(), await freePort()];
  const cluster = new StreamCluster({ dir, workers: 2, partitions: PARTITIONS, records: '', natsPort: await freePort(), ports });
  currentStream = cluster;
  const lease = Number((readExample('Scale-out on NATS worker.json').find((n) => n.type === 'beacon-nats-worker') as { leaseSeconds?: number }).leaseSeconds);
  try {
    await cluster.start();
    const held = (i: number) => cluster.held().get(cluster.workerId(i))?.length ?? 0;
    await cluster.ingest.until('a split', () => held(0) > 0 && held(0) + held(1) === PARTITIONS, 120);
    const t0 = process.hrtime.bigint();
    await cluster.workers[0].kill();
    // the survivor's status comes every 2 s: the figure is an upper bound by up to that much
    await cluster.ingest.until('the takeover', () => held(1) === PARTITIONS, 120);
    return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, lease };
  } finally {
    await cluster.stop().catch(() => cluster.kill());
  }
}

async function natsMain(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netbeacon-bench-nats-'));
  try {
    const log = path.join(dir, 'conn.log');
    const n = writeLog(log, RECORDS);
    RECORDS_IN_LOG = n;
    console.log(
      `cluster benchmark: ${n} Zeek conn.log records (${(fs.statSync(log).size / 1e6).toFixed(1)} MB), ${PARTITIONS} partitions, NATS JetStream (file storage), on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'})`,
    );
    console.log('measured: inject fired on the ingest → end-of-file flush out of every partition (process start-up excluded)');
    const load = () =>
      os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ');
    console.log(`load average at the start: ${load()}`);
    console.log('round  run                 seconds  records/s  of single  ingest acked after  CPU s (all processes)  CPU of single');
    const per100k = (cpu: number) => ((cpu * 100000) / n).toFixed(2);
    const ratios = new Map<string, number[]>();
    for (let round = 1; round <= REPEAT; round++) {
      const single = await measureSingle(log, path.join(dir, `single-${round}`));
      const rate = (s: number) =>
        Math.round(n / s)
          .toString()
          .padStart(9);
      console.log(
        `${String(round).padStart(5)}  ${'single'.padEnd(18)}  ${single.seconds.toFixed(2).padStart(7)}  ${rate(single.seconds)}  ${''.padStart(9)}  ${''.padStart(18)}  ${single.cpu.toFixed(2).padStart(21)}`,
      );
      console.log(`${''.padStart(18)}CPU s per 100,000 records: single ${per100k(single.cpu)}`);
      for (const w of WORKERS) {
        for (const ingest of INGESTS) {
          const { published, done, cpu, each, work } = await measureNats(w, log, path.join(dir, `run-${round}-${w}-${ingest}`), ingest);
          const ratio = (100 * single.seconds) / done;
          const run = `${w} worker${w > 1 ? 's' : ''}, ${ingest}`;
          ratios.set(run, [...(ratios.get(run) ?? []), ratio]);
          console.log(
            `${String(round).padStart(5)}  ${run.padEnd(18)}  ${done.toFixed(2).padStart(7)}  ${rate(done)}  ${ratio.toFixed(0).padStart(7)} %` +
              `  ${published.toFixed(2).padStart(16)} s  ${cpu.toFixed(2).padStart(21)}  ${((100 * cpu) / single.cpu).toFixed(0).padStart(11)} %`,
          );
          console.log(
            `${''.padStart(18)}CPU s per 100,000 records: ingest ${per100k(each[0])}, nats-server ${per100k(each[1])}, workers ${each.slice(2).map(per100k).join(' + ')}`,
          );
          console.log(`${''.padStart(18)}workers: ${work}`);
        }
      }
    }
    const median = (xs: number[]) => {
      const s = [...xs].sort((a, b) => a - b);
      const m = Math.floor(s.length / 2);
      return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
    };
    console.log(`load average at the end: ${load()}`);
    for (const [run, r] of ratios) console.log(`${run}: ${r.map((x) => `${x.toFixed(0)} %`).join(', ')} of single's rate; median ${median(r).toFixed(0)} %`);
    if (!TAKEOVER) return;
    const t = await measureTakeover(path.join(dir, 'takeover'));
    console.log(
      `takeover: a SIGKILLed worker's partitions all held by the other ${t.seconds.toFixed(1)} s later (lease ${t.lease} s, renewals every ${t.lease / 4} s, status every 2 s)`,
    );
    console.log(`${os.cpus().length} cores shared by nats-server, the ingest and every worker: beyond that, more workers cannot add throughput here.`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

natsMain().catch((err: Error) => {
  console.error(`bench-cluster: ${err.message}`);
  process.exit(1);
});
