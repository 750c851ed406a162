import { NAME, persistenceRows, SettingsTable } from './table';

const list = (v: unknown): string[] =>
  String(v ?? '')
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);

/** beacon-pairs' settings. */
export const PAIRS: SettingsTable = {
  name: NAME,
  ...persistenceRows('checkpoint'),
  keyFields: {
    type: 'fields',
    value: 'LocalIP, RemoteNetwork, RemotePortNumber',
    required: true,
    error: 'fields',
    row: { icon: 'key', placeholder: 'LocalIP, RemoteNetwork, RemotePortNumber' },
  },
  timeField: { type: 'field', value: 'TimeGenerated', required: true, error: 'field', row: { icon: 'clock-o', placeholder: 'TimeGenerated' } },
  horizonDays: { type: 'number', value: 7, required: true, min: 0.01, max: 44, error: 'horizon', row: { icon: 'history', width: '80px', unit: 'days' } },
  intervals: {
    type: 'integer',
    value: 256,
    required: true,
    error: 'intervals',
    check: (text) => {
      const n = Number(text);
      return n >= 2 && n <= 32768 && (n & (n - 1)) === 0 ? null : { error: 'intervals' };
    },
    row: { icon: 'circle-o-notch', width: '80px', unit: 'perPair' },
  },
  maxMegabytes: { type: 'number', value: 1024, blank: 0, min: 0, error: 'cap', row: { icon: 'database', width: '100px', unit: 'megabytes' } },
  scoreEvery: { type: 'integer', value: 43200, required: true, min: 60, error: 'scoreEvery', row: { icon: 'calendar', width: '100px', unit: 'seconds' } },
  sendPValue: { type: 'number', value: 0.01, required: true, min: 0, max: 1, error: 'sendPValue', row: { icon: 'filter', width: '80px', unit: 'sendUnit' } },
  minIntervals: { type: 'integer', value: 11, required: true, min: 1, error: 'minIntervals', row: { icon: 'filter', width: '80px', unit: 'intervalsUnit' } },
  batchRows: { type: 'integer', value: 1000, required: true, min: 1, error: 'batchRows', row: { width: '80px', unit: 'rows' } },
  prevalence: {
    type: 'string',
    value: '',
    check: (text, view) => {
      const f = list(text);
      if (f.length !== 2) return { error: 'prevalence' };
      const keys = list(view('keyFields'));
      return f.every((x) => keys.indexOf(x) >= 0) ? null : { error: 'prevalenceKeys' };
    },
    row: { icon: 'users', width: '200px', placeholder: '@prevalenceOff' },
  },
  skipZero: { type: 'field', value: '', error: 'field', row: { icon: 'filter', width: '200px', placeholder: 'RemotePortNumber' } },
  bytesField: { type: 'field', value: '', error: 'field', row: { icon: 'bar-chart', width: '150px', placeholder: 'SentBytes' } },
  strobePerDay: { type: 'integer', value: 86400, required: true, min: 1, error: 'strobe', row: { icon: 'bolt', width: '100px', unit: 'perDay' } },
};
