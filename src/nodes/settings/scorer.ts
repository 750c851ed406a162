import { choice, isCidr, NAME, persistenceRows, Problem, SettingsTable } from './table';

const LABEL = /^[A-Za-z0-9_-]{1,63}$/;

/** A host name or `*.domain` as an allow-list entry writes it (the runtime also refuses a public suffix after `*.`); read label by label, so no pattern can backtrack. */
function isNameEntry(text: string): boolean {
  const name = (text.startsWith('*.') ? text.slice(2) : text).replace(/\.$/, '');
  return name !== '' && name.split('.').every((label) => LABEL.test(label) && !label.startsWith('-') && !label.endsWith('-'));
}

/** Whether one allow-list rule (the text before #) is one: dst CIDR…, src CIDR…, port N, name NAME…, domain DOMAIN… or pair SRC DST. */
export function isAllowRule(body: string): boolean {
  const [kind, ...args] = body.split(/\s+/);
  if (kind === 'name' || kind === 'domain') return args.length > 0 && args.every((a) => isNameEntry(a) && a.length <= 255);
  if (kind === 'dst' || kind === 'src') return args.length > 0 && args.every(isCidr);
  if (kind === 'port') return args.length === 1 && /^\d{1,5}$/.test(args[0]) && Number(args[0]) <= 65535;
  if (kind !== 'pair' || args.length !== 2) return false;
  // a pair to an address compares the two texts; a pair to a name needs its sources as addresses or CIDRs
  const [src, dst] = args;
  return /^[0-9.]+(\/\d+)?$/.test(dst) || dst.includes(':') || (isNameEntry(dst) && src.split(',').every(isCidr));
}

const threshold = { type: 'number', blank: null, error: 'threshold' } as const;

/** beacon-scorer's settings. */
export const SCORER: SettingsTable = {
  name: NAME,
  minTotalEvents: { ...threshold, value: 15, row: { icon: 'hashtag', width: '100px', placeholder: '15' } },
  minModeCount: { ...threshold, value: '', row: { icon: 'hashtag', width: '100px', placeholder: '@notApplied' } },
  minBeaconPercent: { ...threshold, value: 95, row: { icon: 'percent', width: '100px', placeholder: '95' } },
  entities: {
    type: 'string',
    value: 'IPCustomEntity=RemoteIP',
    check: (text): Problem | null => {
      const bad = text
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
        .find((p) => !/^[A-Za-z_]\w*\s*=\s*\S+$/.test(p));
      return bad === undefined ? null : { error: 'entity', vars: { entry: bad.slice(0, 40) } };
    },
    row: { icon: 'id-card-o', placeholder: 'IPCustomEntity=RemoteIP' },
  },
  title: { type: 'string', value: 'Beaconing', blank: 'Beaconing', row: { icon: 'header', placeholder: 'Beaconing' } },
  method: choice('method', ['kql', 'window', 'stats', 'periodic'], { icon: 'calculator' }, { required: false, blank: 'kql' }),
  windowSeconds: { type: 'number', value: 0, blank: 0, min: 0, error: 'nonNegative' },
  windowPercent: { type: 'number', value: 10, blank: 0, min: 0, below: 100, error: 'percent' },
  minScore: {
    type: 'number',
    value: 0.8,
    blank: null,
    min: 0,
    max: 1,
    error: 'score',
    row: { icon: 'line-chart', width: '100px', placeholder: '0.8', group: 'beacon-scorer-stats' },
  },
  weights: {
    type: 'string',
    value: '',
    check: (text) => {
      const w = text.split(/[\s,;]+/).map(Number);
      const ok = w.length === 4 && w.every((x) => x >= 0) && Math.abs(w.reduce((a, b) => a + b, 0) - 1) <= 1e-9;
      return ok ? null : { error: 'weights' };
    },
    row: { width: '160px', placeholder: '0.25, 0.25, 0.25, 0.25', group: 'beacon-scorer-stats' },
  },
  maxPValue: {
    type: 'number',
    value: 0.001,
    blank: 0.001,
    above: 0,
    max: 1,
    error: 'pValue',
    row: { icon: 'line-chart', width: '100px', placeholder: '0.001', group: 'beacon-scorer-periodic' },
  },
  strobePerHour: { type: 'number', value: '', blank: null, above: 0, error: 'positive', row: { icon: 'bolt', width: '100px', placeholder: '@notApplied' } },
  allow: {
    type: 'string',
    value: '',
    check: (text) => {
      for (const line of text.split(/\r?\n/)) {
        const body = line.split('#')[0].trim();
        if (body !== '' && !isAllowRule(body)) return { error: 'allow', vars: { entry: body.slice(0, 40) } };
      }
      return null;
    },
  },
  /** the shipped benign pack's name entries after the user's own (off: existing flows keep their verdicts) */
  benignPack: {
    type: 'boolean',
    value: false,
    error: 'boolean',
    row: { icon: 'shield', input: 'checkbox', unit: 'benignPackText', group: 'netbeacon-in-gate' },
  },
  maxSources: { type: 'number', value: 0, blank: 0, min: 0, error: 'nonNegative', row: { icon: 'users', width: '60px', group: 'netbeacon-in-gate' } },
  rearmHours: { type: 'number', value: 0, blank: 0, min: 0, error: 'nonNegative', row: { width: '60px', group: 'netbeacon-in-gate' } },
  srcField: {
    type: 'field',
    value: 'LocalIP',
    blank: 'LocalIP',
    error: 'field',
    row: { icon: 'sign-out', width: '200px', placeholder: 'LocalIP', group: 'netbeacon-in-gate' },
  },
  dstField: {
    type: 'field',
    value: 'RemoteIP',
    blank: 'RemoteIP',
    error: 'field',
    row: { icon: 'sign-in', width: '200px', placeholder: 'RemoteIP', group: 'netbeacon-in-gate' },
  },
  portField: {
    type: 'field',
    value: 'RemotePortNumber',
    blank: 'RemotePortNumber',
    error: 'field',
    row: { icon: 'plug', width: '200px', placeholder: 'RemotePortNumber', group: 'netbeacon-in-gate' },
  },
  ...persistenceRows('nonNegative', 'netbeacon-in-gate'),
};

/** The thresholds each method is meant to run with; switching the method in the dialog applies them. */
export const METHOD_THRESHOLDS: Readonly<Record<string, Readonly<Record<string, string | number>>>> = {
  // the Sentinel WireData rule
  kql: { minTotalEvents: 15, minModeCount: '', minBeaconPercent: 95 },
  // the share inside the densest band: lower than an exact mode's (the hunt example)
  window: { minTotalEvents: 30, minModeCount: '', minBeaconPercent: 80 },
  // RITA's score decides; the modal share of a jittered beacon is low
  stats: { minTotalEvents: 15, minModeCount: '', minBeaconPercent: '', minScore: 0.8 },
  // the periodicity test decides (p-value); the modal share is not what it measures
  periodic: { minTotalEvents: 10, minModeCount: '', minBeaconPercent: '', maxPValue: 0.001 },
};
