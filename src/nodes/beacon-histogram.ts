import type { Node, NodeAPI, NodeDef } from 'node-red';
import { HistogramAggregator, newHistogramOutput } from '../core/histogram';
import { compact, EvictionReporter, runRecordNode, SELF_SNAPSHOT } from './node-support';
import { histogramOptions } from './support/stage-options';

/** beacon-histogram: per time bin and group, the count of each delta value, the total and byte sums. */
export = function register(RED: NodeAPI): void {
  function BeaconHistogram(this: Node, config: NodeDef) {
    RED.nodes.createNode(this, config);
    const early = new EvictionReporter(this, '(bin, group) cells closed early');
    runRecordNode<HistogramAggregator>(RED, this, config, {
      type: 'beacon-histogram',
      create: (s) => new HistogramAggregator(histogramOptions(s)),
      status: (h) => {
        let text = `${compact(h.counts.counted)} deltas · ${compact(h.openCells)} open · ${compact(h.counts.rows)} rows`;
        if (h.counts.late > 0) text += ` · ${compact(h.counts.late)} late`;
        if (h.counts.closedEarly > 0) text += ` · ${compact(h.counts.closedEarly)} closed early`;
        if (h.counts.earlyRows > 0) text += ` · ${compact(h.counts.earlyRows)} early`;
        if (h.counts.afterCertain > 0) text += ` · ${compact(h.counts.afterCertain)} after certain`;
        return { fill: h.counts.late > 0 || h.counts.closedEarly > 0 || h.counts.afterCertain > 0 ? 'yellow' : 'green', shape: 'dot', text };
      },
      reset: (h) => {
        h.reset();
        h.resetCounts();
        early.reset();
      },
      handle: (h, incoming) => {
        const out = newHistogramOutput();
        h.addBatch(incoming.records, out);
        if (incoming.flush) h.flush(out);
        early.check(h.counts.closedEarly, h.watermarkSeconds, h.options.maxOpenCells ?? 0);
        return { outputs: [out.rows, out.late], errors: out.errors };
      },
      reuseInput: () => false,
      persist: SELF_SNAPSHOT,
    });
  }
  RED.nodes.registerType('beacon-histogram', BeaconHistogram);
};
