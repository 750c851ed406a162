import { hostname } from 'node:os';
import path from 'node:path';
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeStatus } from 'node-red';
import type { StreamClients } from '../stream/connection';
import { StreamWorker, type WorkerOptions, type WorkerSink } from '../stream/worker';
import type { NatsConfigNode } from './beacon-nats';
import { compact, StatusReporter, translate } from './node-support';
import { readSettings, SettingError } from './settings/read';
import { catalog } from './support/i18n';
import { chainIdentity, chainNodes, chainSpec } from './support/worker-profile';

interface WorkerDef extends NodeDef {
  nats?: string;
  /** unique among the workers; '' = host name and process id */
  workerId?: string;
  /** checkpoint folder; '' = netbeacon-checkpoints in the Node-RED user directory */
  checkpointDir?: string;
  leaseSeconds?: string | number;
  checkpointMessages?: string | number;
  checkpointSeconds?: string | number;
  /** wiredata, paloalto, hunt or custom */
  profile?: string;
  /** a profile: JSON changes by node type; custom: the exported detection nodes */
  chain?: string;
}

/** "0-3, 6, 8-9" */
function ranges(list: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < list.length; ) {
    let j = i;
    while (j + 1 < list.length && list[j + 1] === list[j] + 1) j++;
    parts.push(j > i ? `${list[i]}-${list[j]}` : String(list[i]));
    i = j + 1;
  }
  return parts.join(', ');
}

/** What the node keeps between the worker's callbacks; the status line and the log read it. */
interface WorkerState {
  /** the running worker: null while it starts, after it stops, and once the node closes */
  worker: StreamWorker | null;
  /** the node is closing: a worker still starting closes itself */
  closed: boolean;
  /** the partitions held at the last log line */
  lastHeld: string;
  /** why the worker did not start ('' while it starts or runs) */
  failure: string;
  /** alerts sent since the start */
  alerts: number;
}

/** The status line: the partitions held, the workers, the lag and the alerts sent. */
function workerStatus(state: WorkerState, nats: NatsConfigNode | null): NodeStatus {
  const { worker, failure } = state;
  if (!worker) return { fill: failure ? 'red' : 'grey', shape: 'ring', text: failure ? 'stopped: see the debug sidebar' : 'connecting…' };
  const lag = worker.lag;
  const pending = lag.reduce((a, l) => a + l.pending, 0);
  const failed = lag.filter((l) => l.failed).length;
  const held = lag.length > 0 ? `p ${ranges(lag.map((l) => l.partition))}` : 'no partitions';
  return {
    fill: failed > 0 ? 'red' : lag.length === 0 ? 'grey' : 'green',
    shape: 'dot',
    text:
      `${held} of ${nats?.partitions} · ${worker.workers.length} worker(s) · lag ${compact(pending)} msg · ${compact(state.alerts)} alerts` +
      (failed ? ` · ${failed} cannot resume` : ''),
  };
}

/**
 * The worker's options from the node's settings, checked against its table
 * (settings/nats.ts) as the editor checks them, and from the beacon-nats
 * node it works on. Throws on a bad setting, and when that node is missing
 * or unusable: then the worker cannot start.
 */
function workerOptions(RED: NodeAPI, config: WorkerDef, nats: NatsConfigNode | null): WorkerOptions {
  const s = readSettings('beacon-nats-worker', config, catalog(RED));
  const nodes = chainNodes(s.text('profile'), s.text('chain'));
  const chain = chainSpec(nodes, catalog(RED));
  if (!nats) throw new Error('no NATS configuration (beacon-nats) selected');
  if (nats.invalid) throw new Error(`the NATS configuration is invalid: ${nats.invalid}`);
  const id = s.text('workerId') || `${hostname()}-${process.pid}`;
  const userDir = (RED.settings as unknown as { userDir?: string }).userDir ?? process.cwd();
  const dir = s.text('checkpointDir') || path.join(userDir, 'netbeacon-checkpoints');
  return {
    stream: nats.stream,
    partitions: nats.partitions,
    workerId: id,
    checkpointDir: path.resolve(userDir, dir),
    chain,
    chainId: chainIdentity(nodes),
    leaseSeconds: s.number('leaseSeconds'),
    checkpointMessages: s.number('checkpointMessages'),
    checkpointSeconds: s.number('checkpointSeconds'),
    limits: nats.limits,
  };
}

/**
 * Where the worker's results go: alerts to the first output, rows to the
 * second, control messages to the third, unusable records as a warning; and
 * a log line per change of the partitions `self` holds.
 */
function workerSink(node: Node, nats: NatsConfigNode, state: WorkerState, status: StatusReporter, self: () => StreamWorker): WorkerSink {
  return {
    output: (partition, out) => {
      // a send passes its first message as it is and copies every other: the rows, the big one, go in a send of their own
      if (out.rows.length > 0) node.send([null, { payload: out.rows, partition } as NodeMessage, null]);
      if (out.alerts.length > 0) {
        state.alerts += out.alerts.length;
        const messages = out.alerts.map((row, i) => ({ payload: row, topic: out.summaries[i], notify: row.Notify !== false, partition }) as NodeMessage);
        node.send([messages, null, null] as never);
      }
      if (out.errors.length > 0) node.warn(`partition ${partition}: ${out.errors.length} record(s) not usable, e.g. ${out.errors[0].message}`);
      status.update();
    },
    control: (partition, flags, seq) => {
      node.send([null, null, { ...flags, partition, seq, topic: `${nats.stream}.${partition}` } as NodeMessage]);
      status.now();
    },
    warn: (m) => node.warn(m),
    error: (err) => node.error(err.message),
    changed: () => {
      status.now();
      // one log line per change of the partitions held (an operator's record of takeovers), never per message
      const w = self();
      const held = ranges(w.lag.map((l) => l.partition)) || 'none';
      if (held !== state.lastHeld) node.log(`worker ${w.workerId} holds partitions ${held} of ${nats.partitions} (stream ${nats.stream})`);
      state.lastHeld = held;
    },
  };
}

/** Starts a worker on the stream's clients and hands it to the node, unless the node closed meanwhile (then it closes again). */
async function startWorker(
  node: Node,
  nats: NatsConfigNode,
  clients: StreamClients,
  options: WorkerOptions,
  state: WorkerState,
  status: StatusReporter,
): Promise<void> {
  const w: StreamWorker = new StreamWorker(
    clients,
    options,
    workerSink(node, nats, state, status, () => w),
  );
  if (state.closed) return;
  await w.start();
  if (state.closed) {
    await w.close();
    return;
  }
  state.worker = w;
  node.log(`worker ${w.workerId} started on stream ${nats.stream} (${nats.partitions} partitions), checkpoints in ${options.checkpointDir}`);
  status.now();
}

/**
 * beacon-nats-worker: one worker of the scale-out. It leases its share of
 * the stream's partitions, runs the detection chain of its profile (the
 * settings of the address filter, delta, histogram and scorer nodes) for
 * each, and sends the scored rows on. Each
 * partition's state is checkpointed with the stream position it has
 * absorbed, so after a crash, a restart or a takeover by another worker the
 * partition resumes exactly where its state stands.
 */
export = function register(RED: NodeAPI): void {
  function BeaconNatsWorker(this: Node, config: WorkerDef) {
    RED.nodes.createNode(this, config);
    const nats = (config.nats ? RED.nodes.getNode(config.nats) : null) as NatsConfigNode | null;
    const state: WorkerState = { worker: null, closed: false, lastHeld: '', failure: '', alerts: 0 };
    const status = new StatusReporter(this, () => workerStatus(state, nats));
    let starting: Promise<void> = Promise.resolve();
    try {
      const options = workerOptions(RED, config, nats);
      const stream = nats as NatsConfigNode; // workerOptions throws without one
      starting = stream
        .clients()
        .then((clients) => startWorker(this, stream, clients, options, state, status))
        .catch((err: Error) => {
          state.failure = err.message;
          this.error(translate(RED, 'beacon-nats-worker.errors.start', 'cannot start the worker: __reason__', { reason: err.message }));
          status.now();
        });
    } catch (err) {
      state.failure = (err as Error).message;
      // no stream selected is not a bad setting of this node (a new worker, or a flow saved without one): it waits to be given one
      const unstarted = nats === null && !(err instanceof SettingError);
      this.error(
        unstarted
          ? translate(RED, 'beacon-nats-worker.errors.start', 'cannot start the worker: __reason__', { reason: state.failure })
          : translate(RED, 'beacon-nats-worker.errors.config', 'invalid setting: __reason__', { reason: state.failure }),
      );
    }
    status.now();
    // the lag shown moves while the worker catches up, between messages too
    const refresh = setInterval(() => status.update(), 2000);
    refresh.unref?.();

    this.on('close', (done: () => void) => {
      clearInterval(refresh);
      state.closed = true;
      // checkpoint and release each partition, so another worker takes it over at once
      const current = state.worker; // null while starting: the start closes it itself
      const closing = starting
        .then(() => current?.close())
        .catch((err: Error) => this.warn(`partitions not released (they free themselves after the lease time): ${err.message}`));
      state.worker = null;
      nats?.hold(closing);
      closing.finally(() => {
        status.close();
        done();
      });
    });
  }
  RED.nodes.registerType('beacon-nats-worker', BeaconNatsWorker);
};
