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
import { describeValue, RecordError } from '../core/common/records';
import { carried, compact, configure, controlFlags, errorMessage, readIncoming, sendEach, StatusReporter, summariseErrors } from './node-support';
import { trimSlashes } from './settings/partition';
import { readSettings } from './settings/read';
import { catalog } from './support/i18n';

type Send = (msg: Array<NodeMessage | NodeMessage[] | null>) => void;
type Done = (err?: Error) => void;
type Handler = (msg: NodeMessageInFlow, send: Send, done: Done) => void;

/** What both roles share: the node, its topic prefix, its counters, and the status refresh that ends each message. */
interface Partitioner {
  node: Node;
  prefix: string;
  counts: { records: number; rejected: number; skipped: number };
  /** status at once after a control message, paced otherwise; then done */
  finish(control: boolean, done: Done): void;
}

/** The ingest: each record to the topic of its partition, a batch regrouped per partition, control messages to every partition. */
function splitHandler(p: Partitioner, keyFields: string[], count: number): Handler {
  const { node, prefix, counts } = p;
  let lastBatch = false;
  return (msg, send, done) => {
    const incoming = readIncoming(msg, lastBatch);
    if (incoming instanceof Error) return done(incoming);
    if (incoming.records.length > 0) lastBatch = incoming.batch;
    if (incoming.reset) counts.records = counts.rejected = 0;
    const { groups, invalid } = splitByPartition(incoming.records, keyFields, count);
    const out: NodeMessage[] = [];
    const base = carried(msg);
    for (const part of [...groups.keys()].sort((a, b) => a - b)) {
      const group = groups.get(part) as unknown[];
      counts.records += group.length;
      out.push({ ...base, topic: partitionTopic(prefix, part), payload: incoming.batch ? group : group[0] } as NodeMessage);
    }
    if (incoming.control) {
      for (let part = 0; part < count; part++) out.push({ ...base, topic: partitionTopic(prefix, part), payload: encodeControl(incoming) } as NodeMessage);
    }
    sendEach(send, [out]);
    counts.rejected += invalid.length;
    const error = summariseErrors(
      invalid.map((v) => new RecordError('record', v, 'is not an object')),
      incoming.records.length,
    );
    if (error) node.error(error, errorMessage(msg, error));
    p.finish(incoming.control, done);
  };
}

/** A worker: the messages of its partitions, control payloads turned back into flags (the first copy of each round). */
function takeHandler(p: Partitioner, partitions: number[]): Handler {
  const { prefix, counts } = p;
  const owned = new Set(partitions);
  const rounds = new ControlRounds(owned.size);
  return (msg, send, done) => {
    if (controlFlags(msg).control && msg.payload === undefined) {
      // a control message from this worker's own flow (e.g. the checkpoint before a shutdown)
      send([msg]);
      return p.finish(true, done);
    }
    const part = topicPartition(msg.topic, prefix);
    if (part === null) return done(new Error(`msg.topic ${describeValue(msg.topic, 60)} is not ${prefix}/<partition>`));
    if (!owned.has(part)) {
      counts.skipped++;
      return p.finish(false, done);
    }
    let payload = msg.payload;
    if (typeof payload === 'string' || Buffer.isBuffer(payload)) {
      const text = payload.toString();
      try {
        payload = JSON.parse(text);
      } catch {
        counts.rejected++;
        return done(new Error(`msg.payload from ${msg.topic} is not JSON: ${describeValue(text, 60)}`));
      }
    }
    const flags = decodeControl(payload);
    if (flags) {
      const kind = (['flush', 'reset', 'checkpoint'] as const).filter((f) => flags[f]).join();
      if (flags.reset) counts.records = counts.rejected = counts.skipped = 0;
      if (!rounds.accept(kind, part)) return p.finish(true, done);
      delete msg.payload;
      Object.assign(msg, flags);
      send([msg]);
      return p.finish(true, done);
    }
    counts.records += Array.isArray(payload) ? payload.length : 1;
    msg.payload = payload;
    send([msg]);
    p.finish(false, done);
  };
}

/**
 * beacon-partition: on the ingest, sends each record to the topic of its
 * partition (a documented hash of the delta key), a batch regrouped into one
 * message per partition, control messages to every partition; on a worker,
 * keeps the messages of its partitions and turns control payloads back
 * into msg.flush / msg.reset / msg.checkpoint.
 */
export = function register(RED: NodeAPI): void {
  function BeaconPartition(this: Node, config: NodeDef & { mode?: unknown; count?: unknown; take?: unknown }) {
    RED.nodes.createNode(this, config);
    const counts = { records: 0, rejected: 0, skipped: 0 };
    let describe = '';
    const finish = (control: boolean, done: Done): void => {
      if (control) status.now();
      else status.update();
      done();
    };
    const handler = configure(RED, this, 'beacon-partition', () => {
      // Node-RED puts '' for a ${VAR} whose variable is not set: say which one
      if (config.take === '' && config.mode === 'take') throw new Error('no partitions to take: is NETBEACON_PARTITIONS set?');
      if (config.count === '' && config.mode !== 'take') throw new Error('no partition count: is NETBEACON_PARTITION_COUNT set?');
      const s = readSettings('beacon-partition', config, catalog(RED));
      const p: Partitioner = { node: this, prefix: trimSlashes(s.text('topicPrefix')), counts, finish };
      if (s.text('mode') === 'take') {
        describe = `from ${s.text('take')}`;
        return takeHandler(p, parsePartitionList(s.text('take')));
      }
      const count = parsePartitionCount(s.text('count'));
      describe = `→ ${count} partitions`;
      return splitHandler(p, s.fields('keyFields'), count);
    });
    if (!handler) return;
    const status = new StatusReporter(this, () => ({
      fill: counts.rejected > 0 ? 'yellow' : 'green',
      shape: 'dot',
      text:
        `${compact(counts.records)} records ${describe}` +
        (counts.rejected ? ` · ${compact(counts.rejected)} rejected` : '') +
        (counts.skipped ? ` · ${compact(counts.skipped)} other partitions` : ''),
    }));
    this.on('input', handler);
    this.on('close', (_removed: boolean, done: () => void) => {
      status.close();
      done();
    });
  }
  RED.nodes.registerType('beacon-partition', BeaconPartition);
};
