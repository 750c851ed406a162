import { hostname } from 'node:os';
import path from 'node:path';
import type { Node, NodeAPI, NodeDef, NodeMessage } from 'node-red';
import { StreamWorker } from '../stream/worker';
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
    let worker: StreamWorker | null = null;
    let starting: Promise<void> = Promise.resolve();
    let closed = false;
    let lastHeld = '';
    let failure = '';
    let alerts = 0;
    const status = new StatusReporter(this, () => {
      if (!worker) return { fill: failure ? 'red' : 'grey', shape: 'ring', text: failure ? 'stopped: see the debug sidebar' : 'connecting…' };
      const lag = worker.lag;
      const pending = lag.reduce((a, l) => a + l.pending, 0);
      const failed = lag.filter((l) => l.failed).length;
      const held = lag.length > 0 ? `p ${ranges(lag.map((l) => l.partition))}` : 'no partitions';
      return {
        fill: failed > 0 ? 'red' : lag.length === 0 ? 'grey' : 'green',
        shape: 'dot',
        text:
          `${held} of ${nats?.partitions} · ${worker.workers.length} worker(s) · lag ${compact(pending)} msg · ${compact(alerts)} alerts` +
          (failed ? ` · ${failed} cannot resume` : ''),
      };
    });
    try {
      // checked against the settings table (settings/nats.ts), as the editor checks them
      const s = readSettings('beacon-nats-worker', config, catalog(RED));
      const nodes = chainNodes(s.text('profile'), s.text('chain'));
      const chain = chainSpec(nodes, catalog(RED));
      // the stream it works on is the beacon-nats node's: missing or unusable there, the worker cannot start
      if (!nats) throw new Error('no NATS configuration (beacon-nats) selected');
      if (nats.invalid) throw new Error(`the NATS configuration is invalid: ${nats.invalid}`);
      const id = s.text('workerId') || `${hostname()}-${process.pid}`;
      const userDir = (RED.settings as unknown as { userDir?: string }).userDir ?? process.cwd();
      const dir = s.text('checkpointDir') || path.join(userDir, 'netbeacon-checkpoints');
      const options = {
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
      starting = nats
        .clients()
        .then(async (clients) => {
          const w = new StreamWorker(clients, options, {
            output: (partition, out) => {
              // a send passes its first message as it is and copies every other: the rows, the big one, go in a send of their own
              if (out.rows.length > 0) this.send([null, { payload: out.rows, partition } as NodeMessage, null]);
              if (out.alerts.length > 0) {
                alerts += out.alerts.length;
                const messages = out.alerts.map(
                  (row, i) => ({ payload: row, topic: out.summaries[i], notify: row.Notify !== false, partition }) as NodeMessage,
                );
                this.send([messages, null, null] as never);
              }
              if (out.errors.length > 0) this.warn(`partition ${partition}: ${out.errors.length} record(s) not usable, e.g. ${out.errors[0].message}`);
              status.update();
            },
            control: (partition, flags, seq) => {
              this.send([null, null, { ...flags, partition, seq, topic: `${nats.stream}.${partition}` } as NodeMessage]);
              status.now();
            },
            warn: (m) => this.warn(m),
            error: (err) => this.error(err.message),
            changed: () => {
              status.now();
              // one log line per change of the partitions held (an operator's record of takeovers), never per message
              const held = ranges(w.lag.map((l) => l.partition)) || 'none';
              if (held !== lastHeld) this.log(`worker ${w.workerId} holds partitions ${held} of ${nats.partitions} (stream ${nats.stream})`);
              lastHeld = held;
            },
          });
          if (closed) return;
          await w.start();
          if (closed) {
            await w.close();
            return;
          }
          worker = w;
          this.log(`worker ${w.workerId} started on stream ${nats.stream} (${nats.partitions} partitions), checkpoints in ${options.checkpointDir}`);
          status.now();
        })
        .catch((err: Error) => {
          failure = err.message;
          this.error(translate(RED, 'beacon-nats-worker.errors.start', 'cannot start the worker: __reason__', { reason: err.message }));
          status.now();
        });
    } catch (err) {
      failure = (err as Error).message;
      // no stream selected is not a bad setting of this node (a new worker, or a flow saved without one): it waits to be given one
      const unstarted = nats === null && !(err instanceof SettingError);
      this.error(
        unstarted
          ? translate(RED, 'beacon-nats-worker.errors.start', 'cannot start the worker: __reason__', { reason: failure })
          : translate(RED, 'beacon-nats-worker.errors.config', 'invalid setting: __reason__', { reason: failure }),
      );
    }
    status.now();
    // the lag shown moves while the worker catches up, between messages too
    const refresh = setInterval(() => status.update(), 2000);
    refresh.unref?.();

    this.on('close', (done: () => void) => {
      clearInterval(refresh);
      closed = true;
      // checkpoint and release each partition, so another worker takes it over at once
      const current = worker; // null while starting: the start closes it itself
      const closing = starting
        .then(() => current?.close())
        .catch((err: Error) => this.warn(`partitions not released (they free themselves after the lease time): ${err.message}`));
      worker = null;
      nats?.hold(closing);
      closing.finally(() => {
        status.close();
        done();
      });
    });
  }
  RED.nodes.registerType('beacon-nats-worker', BeaconNatsWorker);
};
