#!/usr/bin/env node
/**
 * `npm run cluster -- --mqtt --workers 3 [--records FILE]`: the MQTT
 * scale-out examples on one machine (without --mqtt, `npm run cluster` runs
 * the NATS JetStream scale-out: stream-cluster.ts). Starts a local Mosquitto with a configuration of ours
 * (127.0.0.1, persistence on, queues sized for a worker restart), N worker
 * Node-RED processes (each taking a range of the partitions, state in a
 * file context store, persistent MQTT session) and one ingest Node-RED that
 * replays FILE (default: the generated Zeek sample) and publishes each
 * record to its partition's topic. Alerts are printed as `npm start` prints
 * them; Ctrl-C stops everything.
 *
 * Options: --workers N (default 3), --partitions P (default 12: ranges for
 * 1, 2, 3, 4 or 6 workers), --records FILE, --dir DIR (default
 * .cluster-data in the project), --exit-after-alerts N (stop once N alert
 * lines were seen: for tests and CI), --keep (keep DIR's broker database and
 * worker state from a previous run).
 */
import * as fs from 'fs';
import * as path from 'path';
import { AlertFollower } from './alert-follower';
import { Broker, freePort, startBroker } from './mosquitto';
import { RedProcess } from './red-process';
import { streamMain } from './stream-cluster';
import { writeSampleFiles } from '../tools/sample-files';
import { ROOT } from './user-dir';

export const INGEST_EXAMPLE = 'Scale-out ingest.json';
export const WORKER_EXAMPLE = 'Scale-out worker.json';
export const WORKER_ALERTS = 'beacon-alerts-scaleout.jsonl';

export function readExample(file: string): Array<Record<string, unknown>> {
  return JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', file), 'utf8')) as Array<Record<string, unknown>>;
}

/** P partitions as N contiguous ranges, as even as can be: 12 over 3 → 0-3, 4-7, 8-11. */
export function partitionRanges(partitions: number, workers: number): string[] {
  if (!Number.isInteger(workers) || workers < 1 || workers > partitions)
    throw new Error(`need 1 to ${partitions} workers (one partition at least each), not ${workers}`);
  const ranges: string[] = [];
  let start = 0;
  for (let w = 0; w < workers; w++) {
    const size = Math.floor(partitions / workers) + (w < partitions % workers ? 1 : 0);
    ranges.push(size === 1 ? String(start) : `${start}-${start + size - 1}`);
    start += size;
  }
  return ranges;
}

export interface ClusterOptions {
  dir: string;
  workers: number;
  partitions: number;
  /** a log file the ingest replays ('' = none: the caller feeds the ingest) */
  records: string;
  /** replay it as soon as the ingest runs (default); false: the caller fires the ingest's "replay records file" inject */
  replayAtStart?: boolean;
  /** changes to the flows before they are written (tests add probes) */
  ingestFlows?: (flows: Array<Record<string, unknown>>) => Array<Record<string, unknown>>;
  workerFlows?: (flows: Array<Record<string, unknown>>, index: number) => Array<Record<string, unknown>>;
  echo?: boolean;
  /** keep the broker database and worker state of a previous run in dir */
  keep?: boolean;
}

/** A broker, N workers and an ingest, started in that order (workers subscribe before anything is published). */
export class Cluster {
  broker!: Broker;
  ingest!: RedProcess;
  workers: RedProcess[] = [];
  readonly ranges: string[];

  constructor(readonly o: ClusterOptions) {
    this.ranges = partitionRanges(o.partitions, o.workers);
  }

  workerId = (i: number) => `netbeacon-worker-${i + 1}`;

  async start(): Promise<void> {
    if (!this.o.keep) fs.rmSync(this.o.dir, { recursive: true, force: true });
    fs.mkdirSync(this.o.dir, { recursive: true });
    this.broker = await startBroker(path.join(this.o.dir, 'broker'));
    const env = { NETBEACON_MQTT_URL: this.broker.url, NETBEACON_PARTITION_COUNT: String(this.o.partitions) };
    for (let i = 0; i < this.o.workers; i++) {
      const flows = readExample(WORKER_EXAMPLE);
      this.workers.push(
        new RedProcess({
          name: `worker ${i + 1}`,
          userDir: path.join(this.o.dir, `worker-${i + 1}`),
          port: await freePort(),
          flows: this.o.workerFlows ? this.o.workerFlows(flows, i) : flows,
          env: { ...env, NETBEACON_PARTITIONS: this.ranges[i], NETBEACON_WORKER_ID: this.workerId(i) },
          fileStore: true,
          echo: this.o.echo,
        }),
      );
    }
    await Promise.all(this.workers.map((w, i) => w.start().then(() => this.subscribed(i))));
    let flows = readExample(INGEST_EXAMPLE);
    if (this.o.records && this.o.replayAtStart !== false) for (const n of flows) if (n.id === 'so_in_replay') n.once = true;
    if (this.o.ingestFlows) flows = this.o.ingestFlows(flows);
    this.ingest = new RedProcess({
      name: 'ingest',
      userDir: path.join(this.o.dir, 'ingest'),
      port: await freePort(),
      flows,
      env: { ...env, NETBEACON_RECORDS_FILE: this.o.records, NETBEACON_INGEST_ID: 'netbeacon-ingest' },
      echo: this.o.echo,
    });
    await this.ingest.start();
  }

  /** Resolves once the broker has the worker's subscription (its session queues from then on). */
  async subscribed(i: number): Promise<void> {
    const id = this.workerId(i);
    await this.workers[i].until(`the broker to register ${id}'s subscription`, () => this.broker.log.includes(`${id} 1 netbeacon/records/+`));
  }

  /** Restarts worker i (after stop or kill) and waits until it is connected again. */
  async restartWorker(i: number): Promise<void> {
    await this.workers[i].start();
  }

  alertFiles(): string[] {
    return this.workers.map((w) => path.join(w.o.userDir, WORKER_ALERTS));
  }

  async stop(): Promise<void> {
    await Promise.all([this.ingest, ...this.workers].filter(Boolean).map((p) => p.stop()));
    await this.broker?.stop();
  }

  /** Last resort (failed test, second Ctrl-C): kills every process. */
  async kill(): Promise<void> {
    await Promise.all([this.ingest, ...this.workers].filter(Boolean).map((p) => p.kill()));
    this.broker?.kill();
  }
}

function parseArgs(argv: string[]) {
  const get = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  return {
    workers: Number(get('workers') ?? 3),
    partitions: Number(get('partitions') ?? 12),
    records: get('records') ? path.resolve(get('records') as string) : '',
    dir: path.resolve(get('dir') ?? path.join(ROOT, '.cluster-data')),
    exitAfterAlerts: Number(get('exit-after-alerts') ?? 0),
    keep: argv.includes('--keep'),
  };
}

async function main(): Promise<void> {
  if (!process.argv.includes('--mqtt')) return streamMain(process.argv.slice(2));
  const args = parseArgs(process.argv.slice(2));
  if (!args.records) args.records = writeSampleFiles(path.join(args.dir + '-samples')).zeek;
  if (!fs.existsSync(args.records)) throw new Error(`--records: no file ${args.records}`);
  const cluster = new Cluster({ ...args, echo: false });
  let stopping = false;
  const stop = async (reason: string, code: number) => {
    if (stopping) return cluster.kill().then(() => process.exit(code));
    stopping = true;
    process.stdout.write(`netbeacon: stopping (${reason})\n`);
    await cluster.stop().catch(() => cluster.kill());
    process.exit(code);
  };
  process.on('SIGINT', () => void stop('interrupted', 0));
  process.on('SIGTERM', () => void stop('terminated', 0));
  try {
    await cluster.start();
  } catch (err) {
    await cluster.kill();
    throw err;
  }
  process.stdout.write(
    `netbeacon: mosquitto at ${cluster.broker.url} (config and database in ${path.join(args.dir, 'broker')})\n` +
      cluster.workers.map((w, i) => `netbeacon: worker ${i + 1} takes partitions ${cluster.ranges[i]} of ${args.partitions}; editor at ${w.base}\n`).join('') +
      `netbeacon: ingest replays ${args.records}; editor at ${cluster.ingest.base}\n` +
      `netbeacon: alerts follow (also in ${args.dir}/worker-*/${WORKER_ALERTS}); Ctrl-C stops the cluster\n`,
  );
  const follower = new AlertFollower(cluster.alertFiles(), (file) => `worker ${path.basename(path.dirname(file)).split('-')[1]}`);
  follower.start((total) => {
    if (args.exitAfterAlerts > 0 && total >= args.exitAfterAlerts) void stop('enough alerts seen', 0);
  });
  for (const p of [cluster.ingest, ...cluster.workers]) p.onExit(() => !stopping && void stop(`${p.o.name} exited:\n${p.log.slice(-1500)}`, 1));
}

if (require.main === module) {
  main().catch((err: Error) => {
    process.stderr.write(`netbeacon cluster: ${err.message}\n`);
    process.exit(1);
  });
}
