import type { Node, NodeAPI, NodeDef } from 'node-red';
import { HistogramAggregator, newHistogramOutput } from '../core/histogram';
import { fieldList } from '../core/records';
import { compact, numberSetting, readIncoming, shapeOutputs, StatusReporter, summariseErrors, translate } from './node-support';

interface HistogramDef extends NodeDef {
  binSeconds: string | number;
  groupFields: string;
  minDelta: string | number;
  sumFields: string;
  closeAfter: string | number;
  timeField: string;
  deltaField: string;
  nextTimeField: string;
}

/** beacon-histogram: per time bin and group, the count of each delta value, the total and byte sums. */
export = function register(RED: NodeAPI): void {
  function BeaconHistogram(this: Node, config: HistogramDef) {
    RED.nodes.createNode(this, config);
    const node = this;
    let histogram: HistogramAggregator | null = null;
    try {
      histogram = new HistogramAggregator({
        binSeconds: numberSetting(config.binSeconds, 'bin size', 3600) as number,
        groupFields: fieldList(config.groupFields ?? 'LocalIP, RemoteIP, RemotePortNumber'),
        minDelta: numberSetting(config.minDelta, 'minimum delta', 10) as number,
        sumFields: fieldList(config.sumFields ?? 'SentBytes, ReceivedBytes'),
        closeAfterSeconds: numberSetting(config.closeAfter, 'close after', 3600) as number,
        timeField: (config.timeField || 'TimeGenerated').trim(),
        deltaField: (config.deltaField || 'TimeDeltainSeconds').trim(),
        nextTimeField: (config.nextTimeField || 'nextTimeGenerated').trim(),
      });
    } catch (err) {
      node.error(translate(RED, 'beacon-histogram.errors.config', 'invalid setting: __reason__', { reason: (err as Error).message }));
      node.status({ fill: 'red', shape: 'ring', text: 'invalid settings' });
    }
    const status = new StatusReporter(node, () => {
      const h = histogram as HistogramAggregator;
      const text = `${compact(h.counts.counted)} deltas · ${compact(h.openCells)} open · ${compact(h.counts.rows)} rows`;
      if (h.counts.late > 0) return { fill: 'yellow', shape: 'dot', text: `${text} · ${compact(h.counts.late)} late` };
      return { fill: 'green', shape: 'dot', text };
    });

    let lastBatch = false; // shape of the last records, for what a flush releases
    node.on('input', (msg, send, done) => {
      if (!histogram) return done(new Error('beacon-histogram: invalid settings, see the node'));
      const incoming = readIncoming(msg, lastBatch);
      if (incoming instanceof Error) return done(incoming);
      if (incoming.records.length > 0) lastBatch = incoming.batch;
      const out = newHistogramOutput();
      if (incoming.reset) {
        histogram.reset();
        Object.assign(histogram.counts, { seen: 0, counted: 0, filtered: 0, late: 0, errors: 0, rows: 0 });
      }
      for (const record of incoming.records) histogram.add(record, out);
      if (incoming.flush) histogram.flush(out);
      send(shapeOutputs(msg, [out.rows, out.late], incoming, false));
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
  RED.nodes.registerType('beacon-histogram', BeaconHistogram);
};
