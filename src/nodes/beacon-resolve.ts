import type { Node, NodeAPI, NodeDef } from 'node-red';
import { isRecord, LogRecord, RecordError } from '../core/common/records';
import { CSL_NAME_FIELDS, DEFAULT_RESOLVER_OPTIONS, NameResolver, WIRE_DATA_NAME_FIELDS } from '../core/names';
import { compact, numberSetting, runRecordNode } from './node-support';
import { persistenceSettings } from './persistence';

/** A number setting within [min, max] (absent or blank: the default). */
function bounded(value: unknown, name: string, fallback: number, min: number, max: number): number {
  const n = numberSetting(value, name, fallback) as number;
  if (n < min || n > max) throw new Error(`${name} must be between ${min} and ${max}, not ${n}`);
  return n;
}

interface ResolveDef extends NodeDef {
  /** which columns: auto (per record), WireData or CommonSecurityLog */
  table?: string;
  graceSeconds?: string | number;
  observedTtlSeconds?: string | number;
  maxMiB?: string | number;
  privateDomains?: boolean;
  /** context store for the learned names; '' = memory only */
  store?: string;
  checkpointEvery?: string | number;
}

/** beacon-resolve: learns address → name from DNS answers and named records, and annotates connections. */
export = function register(RED: NodeAPI): void {
  function BeaconResolve(this: Node, config: ResolveDef) {
    RED.nodes.createNode(this, config);
    runRecordNode<NameResolver>(RED, this, {
      type: 'beacon-resolve',
      create: () => {
        const table = config.table ?? 'auto';
        if (table !== 'auto' && table !== 'WireData' && table !== 'CommonSecurityLog') throw new Error(`table "${table}" is not auto, WireData or CommonSecurityLog`);
        return new NameResolver({
          ...DEFAULT_RESOLVER_OPTIONS,
          fields: table === 'WireData' ? WIRE_DATA_NAME_FIELDS : table === 'CommonSecurityLog' ? CSL_NAME_FIELDS : 'auto',
          graceSeconds: bounded(config.graceSeconds, 'grace', 300, 0, 7 * 86400),
          observedTtlSeconds: bounded(config.observedTtlSeconds, 'name lifetime', 3600, 0, 7 * 86400),
          maxBytes: bounded(config.maxMiB, 'memory', 32, 1, 65536) * 1024 * 1024,
          privateDomains: config.privateDomains !== false,
        });
      },
      status: (r) => {
        const t = r.table;
        const c = r.counts;
        return { fill: 'green', shape: 'dot', text: `${compact(t.addresses)} addresses · named ${compact(c.annotated)} of ${compact(c.annotated + c.unknown)} · evicted ${compact(t.counts.evictions)}` };
      },
      reset: (r) => r.reset(),
      handle: (r, incoming) => {
        const connections: unknown[] = [];
        const answers: unknown[] = [];
        const errors: RecordError[] = [];
        for (const record of incoming.records) {
          if (!isRecord(record)) {
            errors.push(new RecordError('record', record, 'is not an object'));
            continue;
          }
          (r.observe(record as LogRecord) === 'answer' ? answers : connections).push(record);
        }
        return { outputs: [connections, answers], errors };
      },
      reuseInput: () => true,
      persist: {
        settings: () => persistenceSettings(config.store, config.checkpointEvery),
        snapshot: (r) => r.snapshot(),
        restore: (r, saved) => r.restore(saved),
      },
    });
  }
  RED.nodes.registerType('beacon-resolve', BeaconResolve);
};
