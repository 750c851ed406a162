import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import {
  ControlRounds,
  decodeControl,
  encodeControl,
  parsePartitionCount,
  parsePartitionList,
  partitionTopic,
  splitByPartition,
  topicPartition,
} from '../core/partition/partition';
import { describeValue, fieldList, RecordError } from '../core/common/records';
import { carried, compact, errorMessage, readIncoming, sendEach, StatusReporter, summariseErrors, translate } from './node-support';

interface PartitionDef extends NodeDef {
  /** 'split' (ingest: records → partition topics) or 'take' (worker: keep its partitions) */
  mode?: string;
  keyFields?: string;
  /** partition count (split); may be `${NETBEACON_PARTITION_COUNT}`, substituted by Node-RED */
  count?: string | number;
  /** the worker's partitions, e.g. "0-3" (take); may be `${NETBEACON_PARTITIONS}` */
  take?: string;
  topicPrefix?: string;
}

const DEFAULT_PREFIX = 'netbeacon/records';

type Send = (msg: Array<NodeMessage | NodeMessage[] | null>) => void;
type Done = (err?: Error) => void;

/**
 * beacon-partition: on the ingest, sends each record to the topic of its
 * partition (a documented hash of the delta key), a batch regrouped into one
 * message per partition, control messages to every partition; on a worker,
 * keeps the messages of its partitions and turns control payloads back
 * into msg.flush / msg.reset / msg.checkpoint.
 */
export = function register(RED: NodeAPI): void {
  function BeaconPartition(this: Node, config: PartitionDef) {
    RED.nodes.createNode(this, config);
    const node = this;
    const take = config.mode === 'take';
    let prefix = (config.topicPrefix || DEFAULT_PREFIX).trim();
    while (prefix.endsWith('/')) prefix = prefix.slice(0, -1);
    let handler: ((msg: NodeMessageInFlow, send: Send, done: Done) => void) | null = null;
    let records = 0;
    let rejected = 0;
    let skipped = 0;
    let describe = '';
    try {
      if (!prefix || /[+#]/.test(prefix)) throw new Error(`topic prefix must be a topic without wildcards, not "${prefix.slice(0, 40)}"`);
      // Node-RED puts '' for a ${VAR} whose variable is not set: say which one
      if (take && config.take === '') throw new Error('no partitions to take: is NETBEACON_PARTITIONS set?');
      if (!take && config.count === '') throw new Error('no partition count: is NETBEACON_PARTITION_COUNT set?');
      handler = take ? takeHandler(parsePartitionList(config.take ?? '0-3')) : splitHandler(fieldList(config.keyFields || 'LocalIP'), parsePartitionCount(config.count ?? 4));
    } catch (err) {
      node.error(translate(RED, 'beacon-partition.errors.config', 'invalid setting: __reason__', { reason: (err as Error).message }));
      node.status({ fill: 'red', shape: 'ring', text: 'invalid settings' });
    }
    const status = new StatusReporter(node, () => ({
      fill: rejected > 0 ? 'yellow' : 'green',
      shape: 'dot',
      text: `${compact(records)} records ${describe}` + (rejected ? ` · ${compact(rejected)} rejected` : '') + (skipped ? ` · ${compact(skipped)} other partitions` : ''),
    }));

    function splitHandler(keyFields: string[], count: number) {
      describe = `→ ${count} partitions`;
      let lastBatch = false;
      return (msg: NodeMessageInFlow, send: Send, done: Done) => {
        const incoming = readIncoming(msg, lastBatch);
        if (incoming instanceof Error) return done(incoming);
        if (incoming.records.length > 0) lastBatch = incoming.batch;
        if (incoming.reset) records = rejected = 0;
        const { groups, invalid } = splitByPartition(incoming.records, keyFields, count);
        const out: NodeMessage[] = [];
        const base = carried(msg);
        for (const p of [...groups.keys()].sort((a, b) => a - b)) {
          const group = groups.get(p) as unknown[];
          records += group.length;
          out.push({ ...base, topic: partitionTopic(prefix, p), payload: incoming.batch ? group : group[0] } as NodeMessage);
        }
        if (incoming.control) {
          for (let p = 0; p < count; p++) out.push({ ...base, topic: partitionTopic(prefix, p), payload: encodeControl(incoming) } as NodeMessage);
        }
        sendEach(send, [out]);
        rejected += invalid.length;
        const error = summariseErrors(invalid.map((v) => new RecordError('record', v, 'is not an object')), incoming.records.length);
        if (error) node.error(error, errorMessage(msg, error));
        finish(incoming.control, done);
      };
    }

    function takeHandler(partitions: number[]) {
      const owned = new Set(partitions);
      const rounds = new ControlRounds(owned.size);
      describe = `from ${config.take}`;
      return (msg: NodeMessageInFlow, send: Send, done: Done) => {
        const local = msg as { flush?: unknown; reset?: unknown; checkpoint?: unknown };
        if ((local.flush || local.reset || local.checkpoint) && msg.payload === undefined) {
          // a control message from this worker's own flow (e.g. the checkpoint before a shutdown)
          send([msg]);
          return finish(true, done);
        }
        const p = topicPartition(msg.topic, prefix);
        if (p === null) return done(new Error(`msg.topic ${describeValue(msg.topic, 60)} is not ${prefix}/<partition>`));
        if (!owned.has(p)) {
          skipped++;
          status.update();
          return done();
        }
        let payload = msg.payload;
        if (typeof payload === 'string' || Buffer.isBuffer(payload)) {
          const text = payload.toString();
          try {
            payload = JSON.parse(text);
          } catch {
            rejected++;
            return done(new Error(`msg.payload from ${msg.topic} is not JSON: ${describeValue(text, 60)}`));
          }
        }
        const flags = decodeControl(payload);
        if (flags) {
          const kind = (['flush', 'reset', 'checkpoint'] as const).filter((f) => flags[f]).join();
          if (flags.reset) records = rejected = skipped = 0;
          if (!rounds.accept(kind, p)) return finish(true, done);
          delete msg.payload;
          Object.assign(msg, flags);
          send([msg]);
          return finish(true, done);
        }
        records += Array.isArray(payload) ? payload.length : 1;
        msg.payload = payload;
        send([msg]);
        finish(false, done);
      };
    }

    function finish(control: boolean, done: Done): void {
      if (control) status.now();
      else status.update();
      done();
    }

    node.on('input', (msg, send, done) => {
      if (!handler) return done(new Error('beacon-partition: invalid settings, see the node'));
      handler(msg, send, done);
    });
    node.on('close', (_removed: boolean, done: () => void) => {
      status.close();
      done();
    });
  }
  RED.nodes.registerType('beacon-partition', BeaconPartition);
};
