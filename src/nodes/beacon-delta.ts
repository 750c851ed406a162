import type { Node, NodeAPI, NodeDef } from 'node-red';
import { DeltaTracker, newDeltaOutput } from '../core/delta';
import { fieldList } from '../core/records';
import { compact, numberSetting, readIncoming, shapeOutputs, StatusReporter, summariseErrors, translate } from './node-support';

interface DeltaDef extends NodeDef {
  keyFields: string;
  timeField: string;
  tieFields: string;
  lateness: string | number;
  deltaField: string;
  nextTimeField: string;
}

/** beacon-delta: time to the next event of the same key, attached to the earlier event. */
export = function register(RED: NodeAPI): void {
  function BeaconDelta(this: Node, config: DeltaDef) {
    RED.nodes.createNode(this, config);
    const node = this;
    let tracker: DeltaTracker | null = null;
    try {
      tracker = new DeltaTracker({
        keyFields: fieldList(config.keyFields || 'LocalIP'),
        timeField: (config.timeField || 'TimeGenerated').trim(),
        tieFields: fieldList(config.tieFields ?? 'RemoteIP, RemotePortNumber'),
        latenessSeconds: numberSetting(config.lateness, 'lateness', 0) as number,
        deltaField: (config.deltaField || 'TimeDeltainSeconds').trim(),
        nextTimeField: (config.nextTimeField || 'nextTimeGenerated').trim(),
      });
    } catch (err) {
      node.error(translate(RED, 'beacon-delta.errors.config', 'invalid setting: __reason__', { reason: (err as Error).message }));
      node.status({ fill: 'red', shape: 'ring', text: 'invalid settings' });
    }
    const status = new StatusReporter(node, () => {
      const t = tracker as DeltaTracker;
      const text = `${compact(t.counts.seen)} rec · ${compact(t.keyCount)} keys · ${compact(t.bufferedCount)} buf`;
      if (t.counts.late > 0) return { fill: 'yellow', shape: 'dot', text: `${text} · ${compact(t.counts.late)} late` };
      return { fill: 'green', shape: 'dot', text };
    });

    let lastBatch = false; // shape of the last records, for what a flush releases
    node.on('input', (msg, send, done) => {
      if (!tracker) return done(new Error('beacon-delta: invalid settings, see the node'));
      const incoming = readIncoming(msg, lastBatch);
      if (incoming instanceof Error) return done(incoming);
      if (incoming.records.length > 0) lastBatch = incoming.batch;
      const out = newDeltaOutput();
      if (incoming.reset) {
        tracker.reset();
        Object.assign(tracker.counts, { seen: 0, released: 0, late: 0, errors: 0 });
      }
      for (const record of incoming.records) tracker.add(record, out);
      if (incoming.flush) tracker.flush(out);
      send(shapeOutputs(msg, [out.released, out.late], incoming, false));
      const error = summariseErrors(out.errors, incoming.records.length);
      if (error) node.error(error, msg);
      if (incoming.flush || incoming.reset) status.now();
      else status.update();
      done();
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      status.close();
      done();
    });
  }
  RED.nodes.registerType('beacon-delta', BeaconDelta);
};
