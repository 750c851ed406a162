import type { Node, NodeAPI, NodeDef } from 'node-red';
import { DEFAULT_MAX_OPEN_CELLS, HistogramAggregator, newHistogramOutput, parseDeltaBucket } from '../core/histogram';
import { fieldList } from '../core/common/records';
import { parsePrevalenceFields } from '../core/histogram';
import { compact, EvictionReporter, numberSetting, runRecordNode } from './node-support';
import { persistenceSettings } from './persistence';

interface HistogramDef extends NodeDef {
  /** context store for the state; '' = memory only */
  store?: string;
  checkpointEvery?: string | number;
  binSeconds: string | number;
  groupFields: string;
  minDelta: string | number;
  sumFields: string;
  closeAfter: string | number;
  timeField: string;
  deltaField: string;
  nextTimeField: string;
  maxOpenCells: string | number;
  /** field whose value 0 excludes a delta (the rules' port filter); '' = off */
  skipZero?: string;
  hopSeconds?: string | number;
  bytesField?: string;
  subBins?: string | number;
  /** "10s" / "10%": jitter buckets for the deltas; '' = exact deltas */
  deltaBucket?: string;
  /** count every record as a connection (strobe detection) */
  countConnections?: boolean;
  /** early verdicts: seconds past a window's end before its early rows ('' = off, flows saved before it) */
  certainAfter?: string | number;
  /** the delta node's key fields, for early verdicts */
  certainKey?: string;
  /** "LocalIP, RemoteIP": stamp rows with the distinct sources of their destination per window; '' = off */
  prevalence?: string;
}

/** beacon-histogram: per time bin and group, the count of each delta value, the total and byte sums. */
export = function register(RED: NodeAPI): void {
  function BeaconHistogram(this: Node, config: HistogramDef) {
    RED.nodes.createNode(this, config);
    const early = new EvictionReporter(this, '(bin, group) cells closed early');
    runRecordNode<HistogramAggregator>(RED, this, {
      type: 'beacon-histogram',
      create: () =>
        new HistogramAggregator({
          binSeconds: numberSetting(config.binSeconds, 'bin size', 3600) as number,
          groupFields: fieldList(config.groupFields ?? 'LocalIP, RemoteIP, RemotePortNumber'),
          minDelta: numberSetting(config.minDelta, 'minimum delta', 10) as number,
          sumFields: fieldList(config.sumFields ?? 'SentBytes, ReceivedBytes'),
          closeAfterSeconds: numberSetting(config.closeAfter, 'close after', 3600) as number,
          timeField: (config.timeField || 'TimeGenerated').trim(),
          deltaField: (config.deltaField || 'TimeDeltainSeconds').trim(),
          nextTimeField: (config.nextTimeField || 'nextTimeGenerated').trim(),
          maxOpenCells: numberSetting(config.maxOpenCells, 'maximum open cells', DEFAULT_MAX_OPEN_CELLS, 0) as number,
          skipZeroField: (config.skipZero ?? '').trim(),
          hopSeconds: numberSetting(config.hopSeconds, 'hop', 0, 0) as number,
          bytesField: (config.bytesField ?? '').trim(),
          subBins: numberSetting(config.subBins, 'sub-bins', 0, 0) as number,
          deltaBucket: parseDeltaBucket(config.deltaBucket),
          countConnections: config.countConnections === true,
          certainAfterSeconds: numberSetting(config.certainAfter, 'certain after', null),
          certainKeyFields: fieldList(config.certainKey ?? ''),
          prevalence: parsePrevalenceFields(config.prevalence),
        }),
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
        Object.assign(h.counts, { seen: 0, counted: 0, filtered: 0, late: 0, errors: 0, rows: 0, closedEarly: 0, earlyRows: 0, afterCertain: 0 });
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
      persist: {
        settings: () => persistenceSettings(config.store, config.checkpointEvery),
        snapshot: (s) => s.snapshot(),
        restore: (s, saved) => s.restore(saved),
      },
    });
  }
  RED.nodes.registerType('beacon-histogram', BeaconHistogram);
};
