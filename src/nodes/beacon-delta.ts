import type { Node, NodeAPI, NodeDef } from 'node-red';
import { DEFAULT_MAX_BUFFERED, DEFAULT_MAX_KEYS, DeltaTracker, newDeltaOutput } from '../core/delta/delta';
import { fieldList } from '../core/common/records';
import { compact, EvictionReporter, numberSetting, runRecordNode } from './node-support';
import { persistenceSettings } from './persistence';

interface DeltaDef extends NodeDef {
  /** context store for the state; '' = memory only */
  store?: string;
  checkpointEvery?: string | number;
  keyFields: string;
  timeField: string;
  tieFields: string;
  lateness: string | number;
  deltaField: string;
  nextTimeField: string;
  maxKeys: string | number;
  maxBuffered: string | number;
}

/** beacon-delta: time to the next event of the same key, attached to the earlier event. */
export = function register(RED: NodeAPI): void {
  function BeaconDelta(this: Node, config: DeltaDef) {
    RED.nodes.createNode(this, config);
    const evictions = new EvictionReporter(this, 'keys forgotten');
    const forced = new EvictionReporter(this, 'events released early from a full reorder buffer');
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
          maxKeys: numberSetting(config.maxKeys, 'maximum keys', DEFAULT_MAX_KEYS, 0) as number,
          maxBuffered: numberSetting(config.maxBuffered, 'maximum buffered events', DEFAULT_MAX_BUFFERED, 0) as number,
        }),
      status: (t) => {
        let text = `${compact(t.counts.seen)} rec · ${compact(t.keyCount)} keys · ${compact(t.bufferedCount)} buf`;
        if (t.counts.late > 0) text += ` · ${compact(t.counts.late)} late`;
        const evicted = t.counts.evictedKeys + t.counts.forcedReleases;
        if (evicted > 0) text += ` · ${compact(evicted)} evicted`;
        return { fill: t.counts.late > 0 || evicted > 0 ? 'yellow' : 'green', shape: 'dot', text };
      },
      reset: (t) => {
        t.reset();
        Object.assign(t.counts, { seen: 0, released: 0, late: 0, errors: 0, evictedKeys: 0, forcedReleases: 0 });
        evictions.reset();
        forced.reset();
      },
      handle: (t, incoming) => {
        const out = newDeltaOutput();
        if (incoming.batch) t.addBatch(incoming.records, out);
        else for (const record of incoming.records) t.add(record, out);
        if (incoming.flush) t.flush(out);
        const now = t.watermarkTime?.sec ?? null;
        evictions.check(t.counts.evictedKeys, now, t.options.maxKeys ?? 0);
        forced.check(t.counts.forcedReleases, now, t.options.maxBuffered ?? 0);
        return { outputs: [out.released, out.late], errors: out.errors };
      },
      reuseInput: () => false,
      persist: {
        settings: () => persistenceSettings(config.store, config.checkpointEvery),
        snapshot: (s) => s.snapshot(),
        restore: (s, saved) => s.restore(saved),
      },
    });
  }
  RED.nodes.registerType('beacon-delta', BeaconDelta);
};
