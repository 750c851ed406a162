/**
 * Every node's settings table, by node type: what the runtime reads a
 * deployed node's settings with and what the editor's defaults and
 * validators are built from (bundled into resources/settings.js).
 */
import { SettingsTable } from './table';
import { DELTA } from './delta';
import { FORMAT } from './format';
import { HISTOGRAM } from './histogram';
import { IP_FILTER } from './ip-filter';
import { PAIRS } from './pairs';
import { PARSE } from './parse';
import { NATS, NATS_INGEST, NATS_WORKER } from './nats';
import { PARTITION } from './partition';
import { RESOLVE } from './resolve';
import { isAllowRule, METHOD_THRESHOLDS, SCORER } from './scorer';
import { SYSLOG_IN } from './syslog-in';

export { effective, problemOf, viewOf } from './table';
export { isAllowRule, METHOD_THRESHOLDS };

export const SETTINGS: Readonly<Record<string, SettingsTable>> = {
  'beacon-parse': PARSE,
  'beacon-ip-filter': IP_FILTER,
  'beacon-delta': DELTA,
  'beacon-histogram': HISTOGRAM,
  'beacon-pairs': PAIRS,
  'beacon-scorer': SCORER,
  'beacon-partition': PARTITION,
  'beacon-syslog-in': SYSLOG_IN,
  'beacon-format': FORMAT,
  'beacon-resolve': RESOLVE,
  'beacon-nats': NATS,
  'beacon-nats-ingest': NATS_INGEST,
  'beacon-nats-worker': NATS_WORKER,
};
