import { NAME, persistenceRows, SettingsTable } from './table';

/** beacon-delta's settings. */
export const DELTA: SettingsTable = {
  name: NAME,
  ...persistenceRows('checkpoint'),
  keyFields: { type: 'fields', value: 'LocalIP', required: true, error: 'fields', row: { icon: 'key', placeholder: 'LocalIP' } },
  timeField: { type: 'field', value: 'TimeGenerated', required: true, error: 'field', row: { icon: 'clock-o', placeholder: 'TimeGenerated' } },
  tieFields: {
    type: 'fields',
    value: 'RemoteIP, RemotePortNumber',
    error: 'fields',
    row: { icon: 'sort-amount-asc', placeholder: 'RemoteIP, RemotePortNumber' },
  },
  lateness: {
    type: 'number',
    value: 0,
    required: true,
    min: 0,
    max: 7 * 86400,
    error: 'lateness',
    row: { icon: 'hourglass-half', width: '100px', unit: 'seconds' },
  },
  deltaField: { type: 'field', value: 'TimeDeltainSeconds', required: true, error: 'field', row: { icon: 'arrow-right', placeholder: 'TimeDeltainSeconds' } },
  futureTolerance: {
    type: 'number',
    value: 900,
    required: true,
    min: 0,
    error: 'futureTolerance',
    row: { icon: 'step-forward', width: '100px', unit: 'secondsAhead' },
  },
  maxKeys: { type: 'integer', value: 500_000, required: true, min: 0, error: 'cap', row: { icon: 'database', width: '120px' } },
  maxBuffered: { type: 'integer', value: 1_000_000, required: true, min: 0, error: 'cap', row: { width: '120px' } },
  nextTimeField: { type: 'field', value: 'nextTimeGenerated', required: true, error: 'field', row: { icon: 'arrow-right', placeholder: 'nextTimeGenerated' } },
};
