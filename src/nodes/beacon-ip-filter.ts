import type { Node, NodeAPI, NodeDef } from 'node-red';
import { ipFilterDropReason, IpFilterOptions } from '../core/filter/ip-filter';
import { RecordError } from '../core/common/records';
import { compact, runRecordNode } from './node-support';
import { ipFilterOptions } from './support/stage-options';

interface FilterState {
  options: IpFilterOptions;
  kept: number;
  /** drop counts by reason (private, ipv6, invalid, excluded, a range name …) */
  dropped: Map<string, number>;
}

/** beacon-ip-filter: splits records by whether an address field is public. */
export = function register(RED: NodeAPI): void {
  function BeaconIpFilter(this: Node, config: NodeDef) {
    RED.nodes.createNode(this, config);
    runRecordNode<FilterState>(RED, this, config, {
      type: 'beacon-ip-filter',
      create: (s) => ({ options: ipFilterOptions(s), kept: 0, dropped: new Map() }),
      status: (s) => {
        let droppedTotal = 0;
        s.dropped.forEach((n) => (droppedTotal += n));
        return { fill: 'green', shape: 'dot', text: `kept ${compact(s.kept)} · dropped ${compact(droppedTotal)}` };
      },
      reset: (s) => {
        s.kept = 0;
        s.dropped.clear();
      },
      handle: (s, incoming) => {
        const keep: unknown[] = [];
        const drop: unknown[] = [];
        const errors: RecordError[] = [];
        for (const record of incoming.records) {
          const reason = ipFilterDropReason(record, s.options);
          if (reason === null) {
            keep.push(record);
            s.kept++;
          } else if (reason === 'not-a-record') {
            // reported, not dropped: each record ends in exactly one place
            errors.push(new RecordError('record', record, 'is not an object'));
          } else {
            drop.push(record);
            s.dropped.set(reason, (s.dropped.get(reason) ?? 0) + 1);
          }
        }
        return { outputs: [keep, drop], errors };
      },
      reuseInput: () => true,
    });
  }
  RED.nodes.registerType('beacon-ip-filter', BeaconIpFilter);
};
