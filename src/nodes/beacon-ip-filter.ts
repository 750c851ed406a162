import type { Node, NodeAPI, NodeDef } from 'node-red';
import { CidrSet, splitList } from '../core/common/address';
import { DEFAULT_INTERNAL, FilterMode, ipFilterDropReason, IpFilterOptions, parseMatch } from '../core/filter/ip-filter';
import { RecordError } from '../core/common/records';
import { parsePrefixes } from '../core/filter/destination-group';
import { compact, runRecordNode } from './node-support';

interface IpFilterDef extends NodeDef {
  field: string;
  mode: FilterMode;
  exclude: string;
  /** "Field=value, …": conditions every kept record meets */
  match?: string;
  /** direction: the source field that must be internal ('' = no direction check) */
  sourceField?: string;
  internal?: string;
  /** destination grouping: the field to write the destination's network into ('' = off) and the prefixes */
  networkField?: string;
  networkPrefix?: string;
}

interface FilterState {
  options: IpFilterOptions;
  kept: number;
  /** drop counts by reason (private, ipv6, invalid, excluded, a range name …) */
  dropped: Map<string, number>;
}

/** beacon-ip-filter: splits records by whether an address field is public. */
export = function register(RED: NodeAPI): void {
  function BeaconIpFilter(this: Node, config: IpFilterDef) {
    RED.nodes.createNode(this, config);
    runRecordNode<FilterState>(RED, this, {
      type: 'beacon-ip-filter',
      create: () => ({
        options: {
          field: (config.field || 'RemoteIP').trim(),
          mode: config.mode === 'public' || config.mode === 'any' ? config.mode : 'kql',
          exclude: new CidrSet(splitList(config.exclude)),
          match: parseMatch(config.match),
          sourceField: (config.sourceField ?? '').trim(),
          internal: new CidrSet(splitList(config.internal ?? DEFAULT_INTERNAL)),
          grouping: (config.networkField ?? '').trim() ? { field: (config.networkField as string).trim(), ...parsePrefixes(config.networkPrefix) } : null,
        },
        kept: 0,
        dropped: new Map(),
      }),
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
