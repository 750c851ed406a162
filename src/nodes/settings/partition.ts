import { choice, ENV_REFERENCE, NAME, SettingsTable } from './table';

/** Node-RED's references to environment variables, substituted when the flow starts (a worker's own partitions). */
const COUNT_ENV = `$\{NETBEACON_PARTITION_COUNT}`;
const PARTITIONS_ENV = `$\{NETBEACON_PARTITIONS}`;

const MAX_PARTITIONS = 65536;

/** A topic prefix without its trailing slashes (a loop, not a regular expression: no backtracking). */
export function trimSlashes(text: string): string {
  let end = text.length;
  while (end > 0 && text[end - 1] === '/') end--;
  return text.slice(0, end);
}

/** beacon-partition's settings; count and take default to environment variables Node-RED substitutes at start. */
export const PARTITION: SettingsTable = {
  name: NAME,
  mode: choice('mode', ['split', 'take'], { icon: 'random' }, { required: false, blank: 'split' }),
  keyFields: {
    type: 'fields',
    value: 'LocalIP',
    blank: 'LocalIP',
    error: 'keyFields',
    row: { icon: 'key', width: '70%', placeholder: 'LocalIP', group: 'beacon-partition-split' },
  },
  count: {
    row: { icon: 'th-large', width: '70%', placeholder: COUNT_ENV, group: 'beacon-partition-split' },
    type: 'string',
    value: COUNT_ENV,
    absent: 4,
    requiredIf: (view) => view('mode') !== 'take',
    error: 'count',
    check: (text) => {
      const n = Number(text);
      return ENV_REFERENCE.test(text) || (/^\d+$/.test(text) && n >= 1 && n <= MAX_PARTITIONS) ? null : { error: 'count' };
    },
  },
  take: {
    row: { icon: 'th-large', width: '70%', placeholder: PARTITIONS_ENV, group: 'beacon-partition-take' },
    type: 'string',
    value: PARTITIONS_ENV,
    absent: '0-3',
    requiredIf: (view) => view('mode') === 'take',
    error: 'take',
    check: (text) => {
      if (ENV_REFERENCE.test(text)) return null;
      const ok = text.split(',').every((part) => {
        const m = /^\s*(\d{1,5})(?:\s*-\s*(\d{1,5}))?\s*$/.exec(part);
        return m !== null && Number(m[2] ?? m[1]) >= Number(m[1]) && Number(m[2] ?? m[1]) < MAX_PARTITIONS;
      });
      return ok ? null : { error: 'take' };
    },
  },
  topicPrefix: {
    type: 'string',
    value: 'netbeacon/records',
    blank: 'netbeacon/records',
    error: 'prefix',
    check: (text) => (!/[+#]/.test(text) && trimSlashes(text) !== '' ? null : { error: 'prefix' }),
    row: { icon: 'tasks', width: '70%', placeholder: 'netbeacon/records' },
  },
};
