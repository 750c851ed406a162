import type { Node, NodeAPI, NodeDef } from 'node-red';
import { RecordError } from '../core/common/records';
import { PairHuntStage } from '../core/pairs';
import { compact, EvictionReporter, runRecordNode, SELF_SNAPSHOT } from './node-support';

const MB = 1024 * 1024;
const megabytes = (bytes: number): string => `${(bytes / MB).toFixed(bytes < 10 * MB ? 1 : 0)} MB`;

/**
 * beacon-pairs: the hunt's memory of every pair (first and last time, count,
 * its last N intervals) over a horizon of event time; every scoring interval
 * it releases the pairs active since the last one as rows the scorer scores
 * (periodic method), in bounded batches.
 */
export = function register(RED: NodeAPI): void {
  function BeaconPairs(this: Node, config: NodeDef) {
    RED.nodes.createNode(this, config);
    let cap = '';
    const evicted = new EvictionReporter(this, 'pairs evicted under the byte cap (one-shot pairs first, never periodic ones)');
    const overCap = new EvictionReporter(this, 'times the byte cap could not be met (only periodic pairs and strobes were left)');
    const warn = (stage: PairHuntStage) => {
      const c = stage.history.counters;
      evicted.check(c.evictedOneShot + c.evictedRepeated, stage.history.newestSeconds, cap);
      overCap.check(c.overCap, stage.history.newestSeconds, cap);
    };
    runRecordNode<PairHuntStage>(RED, this, config, {
      type: 'beacon-pairs',
      create: (s) => {
        const maxMegabytes = s.number('maxMegabytes');
        cap = maxMegabytes > 0 ? megabytes(maxMegabytes * MB) : '';
        const prevalence = s.fields('prevalence');
        return new PairHuntStage({
          history: {
            keyFields: s.fields('keyFields'),
            timeField: s.text('timeField'),
            bytesField: s.text('bytesField') || null,
            ringSize: s.number('intervals'),
            horizonSeconds: Math.round(s.number('horizonDays') * 86400),
            maxBytes: maxMegabytes > 0 ? Math.round(maxMegabytes * MB) : null,
            strobePerDay: s.number('strobePerDay'),
            sweepSeconds: 3600,
          },
          hunt: {
            minIntervals: s.number('minIntervals'),
            prevalence: prevalence.length === 2 ? { source: prevalence[0], destination: prevalence[1] } : null,
          },
          scoreEverySeconds: s.number('scoreEvery'),
          batchRows: s.number('batchRows'),
          skipZeroField: s.text('skipZero'),
          // the scorer's strobe class is per hour; the store's label per day: the same rate
          send: { maxPValue: s.number('sendPValue'), strobePerHour: s.number('strobePerDay') / 24 },
        });
      },
      status: (stage) => {
        const h = stage.history;
        const c = h.counters;
        const evictions = c.evictedOneShot + c.evictedRepeated;
        let text = `${compact(h.size)} pairs · ${megabytes(h.bytes)}${cap ? ` of ${megabytes(h.options.maxBytes as number)}` : ''} · ${compact(stage.counts.rows)} rows`;
        if (evictions > 0) text += ` · ${compact(evictions)} evicted`;
        if (c.overCap > 0) text += ' · over cap';
        if (c.tooOld > 0) text += ` · ${compact(c.tooOld)} older than the horizon`;
        return { fill: evictions > 0 || c.overCap > 0 ? 'yellow' : 'green', shape: 'dot', text };
      },
      reset: (stage) => {
        stage.reset();
        evicted.reset();
        overCap.reset();
      },
      handle: (stage, incoming) => {
        const errors: RecordError[] = [];
        // records past a scoring boundary are added while its rows leave (more): errors found then still join this message's
        stage.addBatch(incoming.records, errors, incoming.flush);
        warn(stage);
        return { outputs: [[]], errors };
      },
      more: (stage) => {
        const rows = stage.nextRows();
        warn(stage);
        return rows ? [rows] : null;
      },
      reuseInput: () => false,
      persist: SELF_SNAPSHOT,
    });
  }
  RED.nodes.registerType('beacon-pairs', BeaconPairs);
};
