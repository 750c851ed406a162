import type { Node, NodeAPI, NodeDef } from 'node-red';
import { DeltaTracker, newDeltaOutput } from '../core/delta/delta';
import { isoFromSeconds } from '../core/common/time';
import { compact, EvictionReporter, runRecordNode, SELF_SNAPSHOT } from './node-support';
import { deltaOptions } from './support/stage-options';

/**
 * Warns of records held apart as dated too far ahead that nothing confirmed:
 * given up at a flush, or still waiting after the feed moved on by more than
 * the tolerance (a real jump waiting a moment for its quorum is not worth
 * one). At most once per minute of event time, so a flood of forged lines
 * gives one warning a minute.
 */
class AheadReporter {
  private givenUp = 0;
  private stale = 0;
  private lastMinute = -Infinity;

  constructor(private readonly node: Node) {}

  /** `flush`: what a flush gave up is reported even within the minute of an earlier report */
  check(t: DeltaTracker, flush: boolean): void {
    const w = t.watermarkTime;
    const stale = t.staleHeldCount;
    const givenUp = t.counts.aheadGivenUp;
    if (!w || (givenUp <= this.givenUp && stale <= this.stale)) return;
    const minute = Math.floor(w.sec / 60);
    if (minute <= this.lastMinute && !(flush && givenUp > this.givenUp)) return;
    this.node.warn(
      `records dated more than ${t.options.futureToleranceSeconds} s ahead of the watermark (${isoFromSeconds(w.sec)}) ` +
        `and confirmed by no other records: ${stale} held apart while the feed moved on, ${givenUp} given up ` +
        `(late output, LateReason "ahead"); ${t.counts.ahead} held apart in all`,
    );
    this.givenUp = givenUp;
    this.stale = stale;
    this.lastMinute = minute;
  }

  reset(): void {
    this.givenUp = 0;
    this.stale = 0;
    this.lastMinute = -Infinity;
  }
}

/** beacon-delta: time to the next event of the same key, attached to the earlier event. */
export = function register(RED: NodeAPI): void {
  function BeaconDelta(this: Node, config: NodeDef) {
    RED.nodes.createNode(this, config);
    const evictions = new EvictionReporter(this, 'keys forgotten');
    const forced = new EvictionReporter(this, 'events released early from a full reorder buffer');
    const ahead = new AheadReporter(this);
    runRecordNode<DeltaTracker>(RED, this, config, {
      type: 'beacon-delta',
      create: (s) => new DeltaTracker(deltaOptions(s)),
      status: (t) => {
        let text = `${compact(t.counts.seen)} rec · ${compact(t.keyCount)} keys · ${compact(t.bufferedCount)} buf`;
        if (t.counts.late > 0) text += ` · ${compact(t.counts.late)} late`;
        const evicted = t.counts.evictedKeys + t.counts.forcedReleases;
        if (evicted > 0) text += ` · ${compact(evicted)} evicted`;
        // held apart now, or given up unconfirmed: dated too far ahead of the watermark
        const aheadNow = (t.watermarkTime ? t.heldCount : 0) + t.counts.aheadGivenUp;
        if (aheadNow > 0) text += ` · ${compact(aheadNow)} ahead`;
        return { fill: t.counts.late > 0 || evicted > 0 || aheadNow > 0 ? 'yellow' : 'green', shape: 'dot', text };
      },
      reset: (t) => {
        t.reset();
        t.resetCounts();
        evictions.reset();
        forced.reset();
        ahead.reset();
      },
      handle: (t, incoming) => {
        const out = newDeltaOutput();
        if (incoming.batch) t.addBatch(incoming.records, out);
        else for (const record of incoming.records) t.add(record, out);
        if (incoming.flush) t.flush(out);
        const now = t.watermarkTime?.sec ?? null;
        evictions.check(t.counts.evictedKeys, now, t.options.maxKeys ?? 0);
        forced.check(t.counts.forcedReleases, now, t.options.maxBuffered ?? 0);
        ahead.check(t, incoming.flush);
        return { outputs: [out.released, out.late], errors: out.errors };
      },
      reuseInput: () => false,
      persist: SELF_SNAPSHOT,
    });
  }
  RED.nodes.registerType('beacon-delta', BeaconDelta);
};
