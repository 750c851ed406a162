import { NAME, persistenceRows, SettingsTable, SettingsView } from './table';

const list = (v: unknown): string[] =>
  String(v ?? '')
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
const isSet = (v: unknown): boolean => String(v ?? '').trim() !== '';

/** beacon-histogram's settings. */
export const HISTOGRAM: SettingsTable = {
  name: NAME,
  ...persistenceRows('checkpoint'),
  binSeconds: { type: 'integer', value: 3600, required: true, min: 1, error: 'binSeconds', row: { icon: 'calendar', width: '100px', unit: 'seconds' } },
  groupFields: {
    type: 'fields',
    value: 'LocalIP, RemoteIP, RemotePortNumber',
    required: true,
    error: 'groupFields',
    row: { icon: 'object-group', placeholder: 'LocalIP, RemoteIP, RemotePortNumber' },
  },
  minDelta: { type: 'number', value: 10, required: true, error: 'minDelta', row: { icon: 'filter', width: '100px', unit: 'exclusive' } },
  sumFields: { type: 'fields', value: 'SentBytes, ReceivedBytes', error: 'fields', row: { icon: 'plus', placeholder: 'SentBytes, ReceivedBytes' } },
  closeAfter: { type: 'number', value: 3600, required: true, min: 0, error: 'closeAfter', row: { icon: 'hourglass-end', width: '100px', unit: 'seconds' } },
  certainAfter: { type: 'number', value: '', min: 0, error: 'certainAfter', row: { icon: 'bolt', width: '100px', placeholder: '@off', unit: 'seconds' } },
  certainKey: {
    type: 'fields',
    value: '',
    error: 'certainKey',
    requiredIf: (view) => isSet(view('certainAfter')),
    // early verdicts need the delta key among the group fields (each cell then waits for at most one delta)
    check: (text, view: SettingsView) => {
      if (!isSet(view('certainAfter'))) return null;
      const groups = list(view('groupFields'));
      return list(text).every((k) => groups.indexOf(k) >= 0) ? null : { error: 'certainKey' };
    },
    row: { icon: 'key', placeholder: 'LocalIP' },
  },
  timeField: { type: 'field', value: 'TimeGenerated', required: true, error: 'field', row: { icon: 'clock-o', placeholder: 'TimeGenerated' } },
  deltaField: { type: 'field', value: 'TimeDeltainSeconds', required: true, error: 'field', row: { icon: 'arrow-right', placeholder: 'TimeDeltainSeconds' } },
  hopSeconds: {
    type: 'integer',
    value: '',
    blank: 0,
    min: 0,
    error: 'hop',
    check: (text, view) => {
      const hop = Number(text);
      const bin = Number(view('binSeconds'));
      return hop === 0 || bin % hop === 0 ? null : { error: 'hop' };
    },
    row: { icon: 'step-forward', width: '100px', placeholder: '@tumbling', unit: 'seconds', group: 'netbeacon-in-hunt' },
  },
  bytesField: { type: 'field', value: '', error: 'skipZero', row: { icon: 'bar-chart', width: '150px', placeholder: 'SentBytes', group: 'netbeacon-in-hunt' } },
  countConnections: { type: 'boolean', value: false, error: 'boolean', row: { icon: 'bolt', input: 'checkbox', group: 'netbeacon-in-hunt' } },
  prevalence: {
    type: 'string',
    value: '',
    check: (text, view) => {
      if (list(text).length !== 2) return { error: 'prevalence' };
      return isSet(view('certainAfter')) ? { error: 'prevalenceCertain' } : null;
    },
    row: { icon: 'users', width: '200px', placeholder: '@prevalenceOff', group: 'netbeacon-in-hunt' },
  },
  deltaBucket: {
    type: 'string',
    value: '',
    check: (text) => {
      const m = /^(\d+(?:\.\d+)?)\s*(s|%)$/.exec(text);
      const size = m ? Number(m[1]) : NaN;
      return m && size > 0 && !(m[2] === '%' && size >= 100) ? null : { error: 'bucket' };
    },
    row: { icon: 'th', width: '100px', placeholder: '@exact', group: 'netbeacon-in-hunt' },
  },
  subBins: { type: 'integer', value: '', blank: 0, min: 0, max: 1000, error: 'subBins', row: { width: '60px', placeholder: '24', group: 'netbeacon-in-hunt' } },
  skipZero: { type: 'field', value: '', error: 'skipZero', row: { icon: 'filter', width: '200px', placeholder: 'RemotePortNumber' } },
  maxOpenCells: { type: 'integer', value: 1_000_000, required: true, min: 0, error: 'cap', row: { icon: 'database', width: '120px' } },
  nextTimeField: { type: 'field', value: 'nextTimeGenerated', required: true, error: 'field', row: { icon: 'arrow-right', placeholder: 'nextTimeGenerated' } },
};
