import type { Node, NodeAPI, NodeDef } from 'node-red';
import { DeltaTracker, newDeltaOutput } from '../core/delta';
import { fieldList } from '../core/records';
import { compact, numberSetting, runRecordNode } from './node-support';

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
    runRecordNode<DeltaTracker>(RED, this, {
      type: 'beacon-delta',
      create: () =>
        new DeltaTracker({
          keyFields: fieldList(config.keyFields || 'LocalIP'),
          timeField: (config.timeField || 'TimeGenerated').trim(),
          tieFields: fieldList(config.tieFields ?? 'RemoteIP, RemotePortNumber'),
          latenessSeconds: numberSetting(config.lateness, 'lateness', 0) as number,
          deltaField: (config.deltaField || 'TimeDeltainSeconds').trim(),
          nextTimeField: (config.nextTimeField || 'nextTimeGenerated').trim(),
        }),
      status: (t) => {
        const text = `${compact(t.counts.seen)} rec · ${compact(t.keyCount)} keys · ${compact(t.bufferedCount)} buf`;
        if (t.counts.late > 0) return { fill: 'yellow', shape: 'dot', text: `${text} · ${compact(t.counts.late)} late` };
        return { fill: 'green', shape: 'dot', text };
      },
      reset: (t) => {
        t.reset();
        Object.assign(t.counts, { seen: 0, released: 0, late: 0, errors: 0 });
      },
      handle: (t, incoming) => {
        const out = newDeltaOutput();
        for (const record of incoming.records) t.add(record, out);
        if (incoming.flush) t.flush(out);
        return { outputs: [out.released, out.late], errors: out.errors };
      },
      reuseInput: () => false,
    });
  }
  RED.nodes.registerType('beacon-delta', BeaconDelta);
};
