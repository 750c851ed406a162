/**
 * The shape of a node's settings table and the one check every setting goes
 * through. The same compiled code validates a deployed flow in the runtime
 * and a dialog in the editor (the build bundles this folder into
 * resources/settings.js), so the two cannot disagree. No imports from
 * outside this folder: it runs in the browser.
 */

/** What a setting holds, as the editor saves it (boxes save text, checkboxes booleans). */
export type SettingType = 'string' | 'field' | 'fields' | 'number' | 'integer' | 'boolean' | 'enum';

/** Why a value is refused: a catalog key under `<node type>.errors.`, with its placeholders. */
export interface Problem {
  error: string;
  vars?: Record<string, string | number>;
}

/** The other settings of the node, absent ones read as their defaults (for checks that compare settings). */
export type SettingsView = (key: string) => unknown;

/**
 * How the dialog shows a setting; the build writes the form rows from it
 * (scripts/editor-html.js). A setting without an icon sits on the row of the
 * setting before it, labelled inline.
 */
export interface Row {
  /** Font Awesome 4 icon of the row's label, without fa- */
  icon?: string;
  /** the box's CSS width, e.g. 100px or 70% */
  width?: string;
  /** placeholder text; `@key` takes it from the catalog (`<type>.label.key`) */
  placeholder?: string;
  /** catalog key (`<type>.label.`) of the text after the box, e.g. seconds */
  unit?: string;
  /** CSS class of the row: the collapsible section or the mode it belongs to */
  group?: string;
  /** the box: text (default), select (the enum's values, texts from the catalog group `options`), checkbox, store (the context stores) */
  input?: 'text' | 'select' | 'checkbox' | 'store' | 'textarea';
  /** select: the catalog group of the option texts (`<type>.<options>.<value>`) */
  options?: string;
  /** textarea: its height in lines */
  lines?: number;
}

export interface Setting {
  type: SettingType;
  /** the dialog row */
  row?: Row;
  /** the default of a new node (what the editor fills in) */
  value: string | number | boolean;
  /** what a setting absent from a saved flow means, when not `value` (e.g. `${ENV}` defaults) */
  absent?: string | number | boolean;
  /** '' is refused; otherwise '' means `blank` */
  required?: boolean;
  /** '' is refused when the other settings say so (e.g. TLS needs its configuration) */
  requiredIf?: (view: SettingsView) => boolean;
  /** what '' means when it is allowed: a number, null (off) or text; unset = '' itself, or null for numbers */
  blank?: string | number | null;
  /** inclusive bounds */
  min?: number;
  max?: number;
  /** exclusive bounds */
  above?: number;
  below?: number;
  /** enum: the allowed values */
  values?: readonly string[];
  /** catalog key (under `<type>.errors.`) for a value of the wrong type or out of range */
  error?: string;
  /** a further check of a non-empty value */
  check?: (text: string, view: SettingsView) => Problem | null;
}

export type SettingsTable = Readonly<Record<string, Setting>>;

const isAbsent = (v: unknown): boolean => v === undefined || v === null;

/** The value a setting reads as: an absent one is its default. */
export function effective(setting: Setting, value: unknown): unknown {
  if (!isAbsent(value)) return value;
  return setting.absent !== undefined ? setting.absent : setting.value;
}

/** A view of a node's settings where absent ones read as their defaults. */
export function viewOf(table: SettingsTable, node: Record<string, unknown> | null | undefined): SettingsView {
  return (key) => (table[key] ? effective(table[key], node ? node[key] : undefined) : node ? node[key] : undefined);
}

/** Environment-variable references Node-RED substitutes when the flow starts (the editor accepts them as they are). */
export const ENV_REFERENCE = /^\$\{\w+\}$/;

function numberProblem(setting: Setting, text: string, error: string): Problem | null {
  const n = Number(text);
  const { min, max, above, below } = setting;
  const ok =
    Number.isFinite(n) &&
    (setting.type !== 'integer' || Number.isInteger(n)) &&
    (min === undefined || n >= min) &&
    (max === undefined || n <= max) &&
    (above === undefined || n > above) &&
    (below === undefined || n < below);
  return ok ? null : { error, vars: { min: min ?? above ?? '', max: max ?? below ?? '' } };
}

/** Why `value` is not valid for `setting`, or null when it is (absent = the default). */
export function problemOf(setting: Setting, value: unknown, view: SettingsView): Problem | null {
  const v = effective(setting, value);
  const error = setting.error ?? 'invalid';
  if (setting.type === 'boolean') return v === true || v === false || v === 'true' || v === 'false' ? null : { error };
  if (typeof v !== 'string' && typeof v !== 'number') return { error };
  const text = String(v).trim();
  if (text === '') return setting.required || setting.requiredIf?.(view) ? { error } : null;
  let problem: Problem | null = null;
  if (setting.type === 'number' || setting.type === 'integer') problem = numberProblem(setting, text, error);
  else if (setting.type === 'enum') problem = (setting.values ?? []).indexOf(text) >= 0 ? null : { error };
  else if (setting.type === 'fields') problem = text.split(',').every((p) => p.trim() !== '') ? null : { error };
  else if (setting.type === 'field') problem = text.indexOf(',') < 0 ? null : { error };
  return problem ?? (setting.check ? setting.check(text, view) : null);
}

// ---- checks several tables share ------------------------------------------------------------

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** A dotted-quad IPv4 address, each part 0-255. */
export function isIPv4(text: string): boolean {
  const m = IPV4.exec(text);
  return m !== null && m.slice(1).every((p) => Number(p) <= 255);
}

/** An IPv6 address: up to eight groups of 1-4 hex digits, one '::' at most, optionally ending in an IPv4 address. */
export function isIPv6(text: string): boolean {
  let rest = text;
  let groups = 0;
  const last = rest.lastIndexOf(':');
  if (last >= 0 && rest.indexOf('.', last) > last) {
    if (!isIPv4(rest.slice(last + 1))) return false;
    rest = rest.slice(0, last + 1) + '0:0';
  }
  const halves = rest.split('::');
  if (halves.length > 2) return false;
  for (const half of halves) {
    if (half === '') continue;
    for (const group of half.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return false;
      groups++;
    }
  }
  return halves.length === 2 ? groups <= 7 : groups === 8;
}

/** An address, or a CIDR block (IPv4 /0-32, IPv6 /0-128). */
export function isCidr(entry: string): boolean {
  const slash = entry.indexOf('/');
  const host = slash < 0 ? entry : entry.slice(0, slash);
  const bits = slash < 0 ? null : entry.slice(slash + 1);
  if (bits !== null && !/^\d{1,3}$/.test(bits)) return false;
  if (isIPv4(host)) return bits === null || Number(bits) <= 32;
  return isIPv6(host) && (bits === null || Number(bits) <= 128);
}

/** A list of addresses and CIDR blocks separated by commas, spaces or new lines. */
export function cidrList(error: string): (text: string) => Problem | null {
  return (text) => {
    const bad = text
      .split(/[\s,;]+/)
      .filter(Boolean)
      .find((entry) => !isCidr(entry));
    return bad === undefined ? null : { error, vars: { entry: bad.slice(0, 60) } };
  };
}

/** "24, 48": an IPv4 prefix (0-32), then optionally an IPv6 prefix (0-128). */
export function networkPrefixes(error: string): (text: string) => Problem | null {
  return (text) => {
    const parts = text
      .split(/[\s,/]+/)
      .filter((x) => x !== '')
      .map(Number);
    const bits = (n: number | undefined, max: number) => n === undefined || (Number.isInteger(n) && n >= 0 && n <= max);
    return parts.length <= 2 && bits(parts[0], 32) && bits(parts[1], 128) ? null : { error };
  };
}

/** A time zone offset: Z, UTC, GMT, +02:00, -0500. */
export const ZONE = /^(Z|UTC|GMT|[+-]\d{2}:?\d{2})$/i;

/** The persistence settings of the stateful nodes (a context store and how often to save). */
export function persistenceRows(error: string, group?: string): Record<string, Setting> {
  return {
    store: { type: 'string', value: '', row: { icon: 'hdd-o', input: 'store', width: '200px', group } },
    checkpointEvery: { type: 'number', value: 60, blank: 60, min: 0, error, row: { width: '60px', unit: 'seconds', group } },
  };
}

/**
 * A setting picked from a select box. Its error key and the catalog group of
 * its option texts are both named after the setting; the first value is the
 * default, and the setting is required unless `more` says otherwise (e.g. a
 * `blank` that '' stands for).
 */
export function choice(key: string, values: readonly string[], row: Row, more: Partial<Setting> = {}): Setting {
  return { type: 'enum', value: values[0], required: true, values, error: key, ...more, row: { input: 'select', options: key, width: '70%', ...row } };
}

/** The name every node has (Node-RED's own label). */
export const NAME: Setting = { type: 'string', value: '', row: { icon: 'tag' } };
