import { choice, NAME, SettingsTable, ZONE } from './table';

/** The parse settings beacon-parse and beacon-syslog-in share (same names, same defaults). */
export const PARSE_SETTINGS: SettingsTable = {
  format: { type: 'enum', value: 'auto', required: true, values: ['auto', 'cef', 'panos-csv', 'zeek-tsv', 'zeek-json', 'json'], error: 'format' },
  timeSource: { type: 'enum', value: 'event', required: true, values: ['event', 'receipt', 'syslog'], error: 'timeSource' },
  byteDirection: { type: 'enum', value: 'microsoft', required: true, values: ['microsoft', 'client'], error: 'byteDirection' },
  deviceOffset: { type: 'string', value: '', check: (text) => (ZONE.test(text) ? null : { error: 'offsetShort' }) },
};

/** beacon-parse's settings. */
export const PARSE: SettingsTable = {
  name: NAME,
  input: choice('input', ['messages', 'stream'], { icon: 'sign-in' }),
  output: choice('output', ['single', 'batch'], { icon: 'sign-out' }),
  ...PARSE_SETTINGS,
};
