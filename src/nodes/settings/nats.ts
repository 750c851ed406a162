import { choice, ENV_REFERENCE, NAME, SettingsTable } from './table';

const SERVER = /^((nats|tls|wss?):\/\/)?[^\s/:]+(:\d{1,5})?$/;
const MAX_PARTITIONS = 65536;
/** `${NETBEACON_WORKER_ID}`: Node-RED substitutes it when the flow starts */
const WORKER_ENV = `$\{NETBEACON_WORKER_ID}`;

/**
 * beacon-nats's settings (a configuration node: its boxes are
 * node-config-input-…). Token, user and password are credentials, kept by
 * Node-RED apart from the flow, and not in the table.
 */
export const NATS: SettingsTable = {
  name: NAME,
  servers: {
    type: 'string',
    value: 'nats://127.0.0.1:4222',
    required: true,
    error: 'servers',
    check: (text) =>
      ENV_REFERENCE.test(text) ||
      text
        .split(/[\s,]+/)
        .filter(Boolean)
        .every((s) => SERVER.test(s) || ENV_REFERENCE.test(s))
        ? null
        : { error: 'servers' },
    row: { icon: 'server', width: '70%', placeholder: 'nats://127.0.0.1:4222' },
  },
  stream: {
    type: 'string',
    value: 'netbeacon',
    required: true,
    error: 'stream',
    check: (text) => (ENV_REFERENCE.test(text) || /^[A-Za-z0-9_-]{1,64}$/.test(text) ? null : { error: 'stream' }),
    row: { icon: 'database', width: '70%', placeholder: 'netbeacon' },
  },
  partitions: {
    type: 'string',
    value: 12,
    required: true,
    error: 'partitions',
    check: (text) => (ENV_REFERENCE.test(text) || (/^\d+$/.test(text) && Number(text) >= 1 && Number(text) <= MAX_PARTITIONS) ? null : { error: 'partitions' }),
    row: { icon: 'th-large', width: '70%', placeholder: '12' },
  },
  // stream limits, applied when the stream is created; a flow saved without them means none
  maxAgeHours: { type: 'number', value: 168, absent: 0, blank: 0, min: 0, error: 'limit', row: { icon: 'clock-o', width: '70%', placeholder: '168' } },
  maxGigabytes: { type: 'number', value: 10, absent: 0, blank: 0, min: 0, error: 'limit', row: { icon: 'hdd-o', width: '70%', placeholder: '10' } },
  /** path of a .creds file ('' = none) */
  credsFile: { type: 'string', value: '', row: { icon: 'file-text-o', width: '70%', placeholder: '/etc/netbeacon/worker.creds' } },
  /** id of a tls-config node ('' = plain TCP) */
  tls: { type: 'string', value: '', row: { icon: 'shield' } },
};

/** beacon-nats-ingest's settings (the beacon-nats node it publishes through is a configuration reference, Node-RED's to check). */
export const NATS_INGEST: SettingsTable = {
  name: NAME,
  /** records: parsed records in; zeek-lines: Zeek TSV text in, published as lines the workers parse (the ingest only finds the key columns) */
  input: choice('input', ['records', 'zeek-lines'], { icon: 'sign-in' }),
  keyFields: { type: 'fields', value: 'LocalIP', required: true, error: 'keyFields', row: { icon: 'key', width: '70%', placeholder: 'LocalIP' } },
  /** seconds a batch refused by a full stream is retried before it is given up as an error */
  fullRetrySeconds: { type: 'number', value: 60, required: true, min: 0, error: 'fullRetrySeconds', row: { icon: 'repeat', width: '70%', placeholder: '60' } },
};

/** The stream worker's detection profiles (nodes/support/worker-profile.ts holds their node settings); custom = the user's exported nodes. */
export const WORKER_PROFILES = ['wiredata', 'paloalto', 'pairs', 'hunt', 'custom'] as const;

/** beacon-nats-worker's settings. */
export const NATS_WORKER: SettingsTable = {
  name: NAME,
  /** unique among the workers; '' (and a flow saved without it) = host name and process id */
  workerId: {
    type: 'string',
    value: WORKER_ENV,
    absent: '',
    error: 'workerId',
    check: (text) => (ENV_REFERENCE.test(text) || /^[A-Za-z0-9_-]{1,64}$/.test(text) ? null : { error: 'workerId' }),
    row: { icon: 'id-badge', width: '70%', placeholder: WORKER_ENV },
  },
  /** checkpoint folder; '' = netbeacon-checkpoints in the Node-RED user directory */
  checkpointDir: { type: 'string', value: '', row: { icon: 'folder-open-o', width: '70%', placeholder: 'netbeacon-checkpoints' } },
  leaseSeconds: { type: 'number', value: 10, required: true, min: 1, error: 'leaseSeconds', row: { icon: 'clock-o', width: '70%', placeholder: '10' } },
  checkpointMessages: {
    type: 'number',
    value: 2000,
    required: true,
    min: 1,
    error: 'checkpointMessages',
    row: { icon: 'floppy-o', width: '70%', placeholder: '2000' },
  },
  checkpointSeconds: {
    type: 'number',
    value: 60,
    required: true,
    min: 0,
    error: 'checkpointSeconds',
    row: { icon: 'floppy-o', width: '70%', placeholder: '60' },
  },
  /** the detection each partition runs: a profile of the examples' node settings, or the user's exported nodes */
  profile: {
    type: 'enum',
    value: 'wiredata',
    blank: 'wiredata',
    values: WORKER_PROFILES,
    error: 'profile',
    row: { icon: 'sliders', input: 'select', options: 'profile', width: '70%' },
  },
  /** a profile: JSON changes by node type; custom: the detection nodes exported from the editor (a JSON array) */
  chain: {
    type: 'string',
    value: '',
    error: 'chain',
    check: (text, view) => {
      try {
        const o = JSON.parse(text);
        const custom = view('profile') === 'custom';
        return o !== null && typeof o === 'object' && Array.isArray(o) === custom ? null : { error: 'chain' };
      } catch {
        return { error: 'chain' };
      }
    },
    row: { icon: 'code', input: 'textarea', lines: 3, width: '70%', placeholder: '{"beacon-delta": {"lateness": 21600}}' },
  },
};
