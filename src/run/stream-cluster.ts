/**
 * `npm run cluster -- --workers N`: the scale-out on NATS JetStream on one
 * machine. Starts nats-server (file storage in DIR/nats; or uses --server
 * URL), N worker Node-RED processes (the Scale-out on NATS worker example,
 * checkpoints in one shared folder so a worker takes another's partitions
 * over with their state) and one ingest Node-RED that replays a Zeek
 * conn.log into the stream. Prints alerts and each worker's lag; the
 * launcher answers on a control port, so from another terminal
 *
 *   npm run cluster -- stop-worker 2     (SIGTERM: checkpoint, release)
 *   npm run cluster -- kill-worker 2     (SIGKILL: a crash)
 *   npm run cluster -- start-worker 2
 *   npm run cluster -- lag
 *
 * Ports are fixed so a script can find them: --nats-port (4222), --port
 * (1890: the ingest's editor; worker i at 1890 + i), --control-port (1889).
 * Other options: --partitions P (12), --records FILE, --dir DIR
 * (.cluster-data), --server URL, --stream NAME, --keep, --exit-after-alerts N.
 */
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { AlertFollower } from './alert-follower';
import { NatsServerProcess, startNatsServer } from './nats-server';
import { RedProcess } from './red-process';
import { writeSampleFiles } from '../tools/sample-files';
import { ROOT } from './user-dir';

export const NATS_INGEST_EXAMPLE = 'Scale-out on NATS ingest.json';
export const NATS_WORKER_EXAMPLE = 'Scale-out on NATS worker.json';
export const NATS_WORKER_ALERTS = 'beacon-alerts-scaleout.jsonl';

type Flows = Array<Record<string, unknown>>;

export function readExample(file: string): Flows {
  return JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', file), 'utf8')) as Flows;
}

export interface StreamClusterOptions {
  dir: string;
  workers: number;
  partitions: number;
  /** a log file the ingest replays ('' = none: the caller feeds the ingest) */
  records: string;
  replayAtStart?: boolean;
  /** an existing NATS server; none = start nats-server on natsPort */
  server?: string;
  natsPort?: number;
  /** the ingest's editor port; worker i (from 1) at port + i */
  port?: number;
  /** or every port given: [ingest, worker 1, worker 2, …] (tests take free ones) */
  ports?: number[];
  stream?: string;
  /** lease time of the workers, seconds (the example's 10 unless set) */
  leaseSeconds?: number;
  ingestFlows?: (flows: Flows) => Flows;
  workerFlows?: (flows: Flows, index: number) => Flows;
  echo?: boolean;
  keep?: boolean;
}

/** Per-worker state as the workers publish it on `<stream>_status.<worker>`. */
export interface WorkerStatus {
  worker: string;
  workers: number;
  partitions: Array<{ partition: number; lastSeq: number; pending: number; failed: boolean }>;
  counts: Record<string, number>;
}

export class StreamCluster {
  nats: NatsServerProcess | null = null;
  ingest!: RedProcess;
  workers: RedProcess[] = [];
  readonly statuses = new Map<string, WorkerStatus>();
  private nc: NatsConnection | null = null;

  constructor(readonly o: StreamClusterOptions) {
    if (!Number.isInteger(o.workers) || o.workers < 1 || o.workers > o.partitions) throw new Error(`need 1 to ${o.partitions} workers, not ${o.workers}`);
  }

  get url(): string {
    return this.o.server ?? (this.nats as NatsServerProcess).url;
  }

  get stream(): string {
    return this.o.stream ?? 'netbeacon';
  }

  workerId = (i: number) => `netbeacon-worker-${i + 1}`;

  private env(): Record<string, string> {
    return { NETBEACON_NATS_URL: this.url, NETBEACON_STREAM: this.stream, NETBEACON_PARTITION_COUNT: String(this.o.partitions) };
  }

  async start(): Promise<void> {
    if (!this.o.keep) fs.rmSync(this.o.dir, { recursive: true, force: true });
    fs.mkdirSync(this.o.dir, { recursive: true });
    if (!this.o.server) this.nats = await startNatsServer(path.join(this.o.dir, 'nats'), this.o.natsPort ?? 4222);
    this.nc = await connect({ servers: this.url, name: 'netbeacon cluster launcher', maxReconnectAttempts: -1 });
    const sub = this.nc.subscribe(`${this.stream}_status.*`);
    void (async () => {
      for await (const m of sub) {
        try {
          const s = JSON.parse(m.string()) as WorkerStatus;
          this.statuses.set(s.worker, s);
        } catch {
          // not ours
        }
      }
    })();
    for (let i = 0; i < this.o.workers; i++) this.workers.push(this.makeWorker(i));
    await Promise.all(this.workers.map((w) => w.start()));
    let flows = readExample(NATS_INGEST_EXAMPLE);
    if (this.o.records && this.o.replayAtStart !== false) for (const n of flows) if (n.id === 'nso_in_replay') n.once = true;
    if (this.o.ingestFlows) flows = this.o.ingestFlows(flows);
    this.ingest = new RedProcess({
      name: 'ingest',
      userDir: path.join(this.o.dir, 'ingest'),
      port: this.o.ports?.[0] ?? this.o.port ?? 1890,
      flows,
      env: { ...this.env(), NETBEACON_RECORDS_FILE: this.o.records },
      echo: this.o.echo,
      ready: /Started flows/,
    });
    await this.ingest.start();
  }

  private makeWorker(i: number): RedProcess {
    let flows = readExample(NATS_WORKER_EXAMPLE);
    if (this.o.leaseSeconds) for (const n of flows) if (n.type === 'beacon-nats-worker') n.leaseSeconds = this.o.leaseSeconds;
    if (this.o.workerFlows) flows = this.o.workerFlows(flows, i);
    return new RedProcess({
      name: `worker ${i + 1}`,
      userDir: path.join(this.o.dir, `worker-${i + 1}`),
      port: this.o.ports?.[i + 1] ?? (this.o.port ?? 1890) + i + 1,
      flows,
      env: { ...this.env(), NETBEACON_WORKER_ID: this.workerId(i), NETBEACON_CHECKPOINT_DIR: path.join(this.o.dir, 'checkpoints') },
      echo: this.o.echo,
      ready: /worker \S+ started on stream/,
    });
  }

  /** Starts worker i again (after a stop or a kill); the processes' files are kept. */
  async startWorker(i: number): Promise<void> {
    if (this.workers[i].running) return;
    await this.workers[i].start();
  }

  /** Partitions each worker holds now, by worker id, from their last status messages. */
  held(): Map<string, number[]> {
    return new Map([...this.statuses.values()].map((s) => [s.worker, s.partitions.map((p) => p.partition)]));
  }

  /** One line per worker: partitions held and messages still to read. */
  lagLines(): string[] {
    return this.workers.map((w, i) => {
      const s = this.statuses.get(this.workerId(i));
      if (!w.running) {
        this.statuses.delete(this.workerId(i)); // a restarted worker starts with no partitions
        return `worker ${i + 1}: stopped`;
      }
      if (!s) return `worker ${i + 1}: no status yet`;
      const behind = s.partitions.reduce((a, p) => a + p.pending, 0);
      const failed = s.partitions.filter((p) => p.failed).length;
      return (
        `worker ${i + 1}: ${s.partitions.length} partition(s) [${s.partitions.map((p) => p.partition).join(',')}], ${behind} message(s) behind` +
        (failed ? `, ${failed} cannot resume` : '')
      );
    });
  }

  alertFiles(): string[] {
    return this.workers.map((w) => path.join(w.o.userDir, NATS_WORKER_ALERTS));
  }

  async stop(): Promise<void> {
    await this.ingest?.stop();
    await Promise.all(this.workers.map((p) => p.stop()));
    await this.nc?.close().catch(() => undefined);
    await this.nats?.stop();
  }

  async kill(): Promise<void> {
    await Promise.all([this.ingest, ...this.workers].filter(Boolean).map((p) => p.kill()));
    await this.nc?.close().catch(() => undefined);
    await this.nats?.kill();
  }
}

function option(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}

/** `stop-worker N` and friends: a request to the running launcher's control port. */
async function command(argv: string[]): Promise<void> {
  const [verb, n] = argv;
  const port = Number(option(argv, 'control-port') ?? 1889);
  const url = verb === 'lag' ? `http://127.0.0.1:${port}/lag` : `http://127.0.0.1:${port}/workers/${Number(n)}/${verb.replace('-worker', '')}`;
  const res = await fetch(url, { method: verb === 'lag' ? 'GET' : 'POST' }).catch(() => {
    throw new Error(`no cluster launcher answers on 127.0.0.1:${port} (start one with npm run cluster, or give its --control-port)`);
  });
  process.stdout.write(await res.text());
  if (!res.ok) process.exitCode = 1;
}

export const COMMANDS = ['stop-worker', 'kill-worker', 'start-worker', 'lag'];

export async function streamMain(argv: string[]): Promise<void> {
  if (COMMANDS.includes(argv[0])) return command(argv);
  const dir = path.resolve(option(argv, 'dir') ?? path.join(ROOT, '.cluster-data'));
  const args: StreamClusterOptions = {
    dir,
    workers: Number(option(argv, 'workers') ?? 3),
    partitions: Number(option(argv, 'partitions') ?? 12),
    records: option(argv, 'records') ? path.resolve(option(argv, 'records') as string) : '',
    server: option(argv, 'server'),
    natsPort: Number(option(argv, 'nats-port') ?? 4222),
    port: Number(option(argv, 'port') ?? 1890),
    stream: option(argv, 'stream'),
    keep: argv.includes('--keep'),
  };
  const controlPort = Number(option(argv, 'control-port') ?? 1889);
  // stop once this many alert lines were printed: for tests and CI
  const exitAfterAlerts = Number(option(argv, 'exit-after-alerts') ?? 0);
  if (!args.records) args.records = writeSampleFiles(path.join(`${dir}-samples`)).zeek;
  if (!fs.existsSync(args.records)) throw new Error(`--records: no file ${args.records}`);
  const cluster = new StreamCluster(args);
  let stopping = false;
  const control = http.createServer((req, res) => {
    const m = /^\/workers\/(\d+)\/(stop|kill|start)$/.exec(req.url ?? '');
    const answer = (code: number, text: string) => {
      res.writeHead(code, { 'content-type': 'text/plain' });
      res.end(text + '\n');
    };
    if (req.method === 'GET' && req.url === '/lag') return answer(200, cluster.lagLines().join('\n'));
    if (req.method !== 'POST' || !m) return answer(404, 'POST /workers/<n>/stop|kill|start, or GET /lag');
    const i = Number(m[1]) - 1;
    const w = cluster.workers[i];
    if (!w) return answer(404, `no worker ${m[1]} (1 to ${cluster.workers.length})`);
    const act = m[2] === 'stop' ? w.stop() : m[2] === 'kill' ? w.kill() : cluster.startWorker(i);
    act.then(
      () =>
        answer(200, `worker ${m[1]}: ${m[2] === 'start' ? 'started' : m[2] === 'stop' ? 'stopped (SIGTERM: checkpointed and released)' : 'killed (SIGKILL)'}`),
      (err: Error) => answer(500, err.message),
    );
  });
  const stop = async (reason: string, code: number) => {
    if (stopping) return cluster.kill().then(() => process.exit(code));
    stopping = true;
    process.stdout.write(`netbeacon: stopping (${reason})\n`);
    control.close();
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
  control.listen(controlPort, '127.0.0.1');
  process.stdout.write(
    (args.server ? `netbeacon: NATS at ${args.server}\n` : `netbeacon: nats-server at ${cluster.url} (JetStream files in ${path.join(dir, 'nats')})\n`) +
      cluster.workers.map((w, i) => `netbeacon: worker ${i + 1} (${cluster.workerId(i)}); editor at ${w.base}\n`).join('') +
      `netbeacon: ingest replays ${args.records} into stream ${cluster.stream} (${args.partitions} partitions); editor at ${cluster.ingest.base}\n` +
      `netbeacon: control on 127.0.0.1:${controlPort}: npm run cluster -- stop-worker|kill-worker|start-worker <n>, or lag\n` +
      `netbeacon: alerts follow (also in ${dir}/worker-*/${NATS_WORKER_ALERTS}); Ctrl-C stops the cluster\n`,
  );
  const follower = new AlertFollower(cluster.alertFiles(), (file) => `worker ${path.basename(path.dirname(file)).split('-')[1]}`);
  follower.start((total) => {
    if (exitAfterAlerts > 0 && total >= exitAfterAlerts) void stop('enough alerts seen', 0);
  });
  let lastLag = '';
  const lagTimer = setInterval(() => {
    const line = `lag: ${cluster.lagLines().join(' | ')}`;
    if (line !== lastLag) process.stdout.write(`netbeacon: ${line}\n`);
    lastLag = line;
  }, 5000);
  lagTimer.unref();
  cluster.ingest.onExit(() => !stopping && void stop(`the ingest exited:\n${cluster.ingest.log.slice(-1500)}`, 1));
  cluster.workers.forEach((w, i) =>
    w.onExit(
      () =>
        !stopping &&
        process.stdout.write(
          `netbeacon: worker ${i + 1} exited; its partitions are taken over by the others within the lease time (npm run cluster -- start-worker ${i + 1})\n`,
        ),
    ),
  );
}

if (require.main === module) {
  streamMain(process.argv.slice(2)).catch((err: Error) => {
    process.stderr.write(`netbeacon cluster: ${err.message}\n`);
    process.exit(1);
  });
}
