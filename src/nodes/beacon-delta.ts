import type { Node, NodeAPI, NodeDef } from 'node-red';
import { DeltaTracker, newDeltaOutput } from '../core/delta/delta';
import { compact, EvictionReporter, runRecordNode, SELF_SNAPSHOT } from './node-support';

/** beacon-delta: time to the next event of the same key, attached to the earlier event. */
export = function register(RED: NodeAPI): void {
  function BeaconDelta(this: Node, config: NodeDef) {
    RED.nodes.createNode(this, config);
    const evictions = new EvictionReporter(this, 'keys forgotten');
    const forced = new EvictionReporter(this, 'events released early from a full reorder buffer');
    runRecordNode<DeltaTracker>(RED, this, config, {
      type: 'beacon-delta',
      create: (s) =>
        new DeltaTracker({
          keyFields: s.fields('keyFields'),
          timeField: s.text('timeField'),
          tieFields: s.fields('tieFields'),
          latenessSeconds: s.number('lateness'),
          deltaField: s.text('deltaField'),
          nextTimeField: s.text('nextTimeField'),
          maxKeys: s.number('maxKeys'),
          maxBuffered: s.number('maxBuffered'),
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
        t.resetCounts();
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
      persist: SELF_SNAPSHOT,
    });
  }
  RED.nodes.registerType('beacon-delta', BeaconDelta);
};
