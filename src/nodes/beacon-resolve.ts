import type { Node, NodeAPI, NodeDef } from 'node-red';
import { isRecord, LogRecord, RecordError } from '../core/common/records';
import { CidrSet, splitList } from '../core/common/address';
import { parsePrefixes } from '../core/filter/destination-group';
import { CSL_NAME_FIELDS, DEFAULT_RESOLVER_OPTIONS, isScored, KeyMode, NameResolver, WIRE_DATA_NAME_FIELDS } from '../core/names';
import { compact, runRecordNode, SELF_SNAPSHOT } from './node-support';

/** beacon-resolve: learns address → name from DNS answers and named records, and annotates connections. */
export = function register(RED: NodeAPI): void {
  function BeaconResolve(this: Node, config: NodeDef) {
    RED.nodes.createNode(this, config);
    runRecordNode<NameResolver>(RED, this, config, {
      type: 'beacon-resolve',
      create: (s) => {
        const table = s.text('table');
        const excluded = splitList(s.text('excludeQueriers'));
        return new NameResolver({
          ...DEFAULT_RESOLVER_OPTIONS,
          fields: table === 'WireData' ? WIRE_DATA_NAME_FIELDS : table === 'CommonSecurityLog' ? CSL_NAME_FIELDS : 'auto',
          graceSeconds: s.number('graceSeconds'),
          observedTtlSeconds: s.number('observedTtlSeconds'),
          maxBytes: s.number('maxMiB') * 1024 * 1024,
          privateDomains: s.flag('privateDomains'),
          keys: { mode: s.text('key') as KeyMode, ...parsePrefixes(s.text('keyNetwork')), excludeQueriers: excluded.length > 0 ? new CidrSet(excluded) : null },
        });
      },
      status: (r) => {
        const t = r.table;
        const c = r.counts;
        return {
          fill: 'green',
          shape: 'dot',
          text:
            `${compact(t.addresses)} addresses · named ${compact(c.annotated)} of ${compact(c.annotated + c.unknown)} · evicted ${compact(t.counts.evictions)}` +
            (c.query > 0 ? ` · ${compact(c.query)} DNS queries keyed` : ''),
        };
      },
      reset: (r) => r.reset(),
      handle: (r, incoming) => {
        const connections: unknown[] = [];
        const answers: unknown[] = [];
        // DNS queries keyed for DNS beaconing skip the address filter (their destination is the site's resolver)
        const queries: unknown[] = [];
        const errors: RecordError[] = [];
        for (const record of incoming.records) {
          if (!isRecord(record)) {
            errors.push(new RecordError('record', record, 'is not an object'));
            continue;
          }
          const kind = r.observe(record as LogRecord);
          (kind === 'query' ? queries : isScored(kind) ? connections : answers).push(record);
        }
        return { outputs: [connections, answers, queries], errors };
      },
      reuseInput: () => true,
      persist: SELF_SNAPSHOT,
    });
  }
  RED.nodes.registerType('beacon-resolve', BeaconResolve);
};
