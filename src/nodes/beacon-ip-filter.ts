import type { Node, NodeAPI, NodeDef } from 'node-red';
import { CidrSet, splitList } from '../core/address';
import { FilterMode, ipFilterDropReason, IpFilterOptions } from '../core/ip-filter';
import { RecordError } from '../core/records';
import { compact, readIncoming, shapeOutputs, StatusReporter, summariseErrors, translate } from './node-support';

interface IpFilterDef extends NodeDef {
  field: string;
  mode: FilterMode;
  exclude: string;
}

/** beacon-ip-filter: splits records by whether an address field is public. */
export = function register(RED: NodeAPI): void {
  function BeaconIpFilter(this: Node, config: IpFilterDef) {
    RED.nodes.createNode(this, config);
    const node = this;
    let options: IpFilterOptions | null = null;
    try {
      options = {
        field: (config.field || 'RemoteIP').trim(),
        mode: config.mode === 'public' ? 'public' : 'kql',
        exclude: new CidrSet(splitList(config.exclude)),
      };
    } catch (err) {
      node.error(translate(RED, 'beacon-ip-filter.errors.config', 'invalid setting: __reason__', { reason: (err as Error).message }));
      node.status({ fill: 'red', shape: 'ring', text: 'invalid settings' });
    }
    let kept = 0;
    const dropped = new Map<string, number>();
    const status = new StatusReporter(node, () => {
      let droppedTotal = 0;
      dropped.forEach((n) => (droppedTotal += n));
      return { fill: 'green', shape: 'dot', text: `kept ${compact(kept)} · dropped ${compact(droppedTotal)}` };
    });

    let lastBatch = false; // shape of the last records, for what a flush releases
    node.on('input', (msg, send, done) => {
      if (!options) return done(new Error('beacon-ip-filter: invalid settings, see the node'));
      const incoming = readIncoming(msg, lastBatch);
      if (incoming instanceof Error) return done(incoming);
      if (incoming.records.length > 0) lastBatch = incoming.batch;
      if (incoming.reset) {
        kept = 0;
        dropped.clear();
      }
      const keep: unknown[] = [];
      const drop: unknown[] = [];
      const errors: RecordError[] = [];
      for (const record of incoming.records) {
        const reason = ipFilterDropReason(record, options);
        if (reason === null) {
          keep.push(record);
          kept++;
        } else {
          drop.push(record);
          dropped.set(reason, (dropped.get(reason) ?? 0) + 1);
          if (reason === 'not-a-record') errors.push(new RecordError('record', record, 'is not an object'));
        }
      }
      send(shapeOutputs(msg, [keep, drop], incoming, true));
      const error = summariseErrors(errors, incoming.records.length);
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
  RED.nodes.registerType('beacon-ip-filter', BeaconIpFilter);
};
