import * as fs from 'fs';
import * as path from 'path';
import { effective, Problem, problemOf, Setting, SettingsTable, viewOf } from './table';
import { SETTINGS } from './index';

/** A setting the runtime refuses; the message names it as the flow file does. */
export class SettingError extends Error {
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(message);
  }
}

/** Looks up a catalog message (Node-RED's RED._ where it answers); null when it does not. */
export type Translate = (key: string, vars?: Record<string, unknown>) => string | null;

const catalogs = new Map<string, unknown>();

/** The node's English catalog, as shipped beside the compiled nodes. */
function english(type: string, key: string): string | null {
  if (!catalogs.has(type)) {
    const file = path.join(__dirname, '..', 'locales', 'en-US', `${type}.json`);
    catalogs.set(type, fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {});
  }
  const text = key.split('.').reduce<unknown>((o, k) => (o == null ? undefined : (o as Record<string, unknown>)[k]), catalogs.get(type));
  return typeof text === 'string' ? text : null;
}

function describe(type: string, key: string, value: unknown, problem: Problem, translate?: Translate): string {
  const catalogKey = `${type}.errors.${problem.error}`;
  const vars = problem.vars ?? {};
  const text =
    translate?.(catalogKey, vars) ?? english(type, catalogKey)?.replace(/__(\w+)__/g, (_, name: string) => String(vars[name] ?? '')) ?? problem.error;
  return `${key}: ${text} (not ${JSON.stringify(value).slice(0, 60)})`;
}

/** A node's settings once checked: each read as the table says '' and absent mean. */
export class NodeSettings {
  constructor(
    private readonly table: SettingsTable,
    private readonly config: Record<string, unknown>,
  ) {}

  private setting(key: string): Setting {
    const setting = this.table[key];
    if (!setting) throw new Error(`no setting ${key}`);
    return setting;
  }

  private raw(key: string): string {
    return String(effective(this.setting(key), this.config[key])).trim();
  }

  /** Text, '' replaced by the table's blank meaning when it has one. */
  text(key: string): string {
    const text = this.raw(key);
    const blank = this.setting(key).blank;
    return text === '' && typeof blank === 'string' ? blank : text;
  }

  /** A number; '' reads as the table's blank meaning (null = off). */
  numberOrNull(key: string): number | null {
    const text = this.raw(key);
    if (text !== '') return Number(text);
    const blank = this.setting(key).blank;
    return typeof blank === 'number' ? blank : null;
  }

  /** A number that '' cannot turn off (the table gives it a blank number or makes it required). */
  number(key: string): number {
    const n = this.numberOrNull(key);
    if (n === null) throw new Error(`${key} has no value`);
    return n;
  }

  /** A comma-separated list of field names. */
  fields(key: string): string[] {
    return this.text(key)
      .split(',')
      .map((f) => f.trim())
      .filter(Boolean);
  }

  flag(key: string): boolean {
    const v = effective(this.setting(key), this.config[key]);
    return v === true || v === 'true';
  }
}

/**
 * Checks every setting of a node of `type` against its table and returns
 * them for reading; throws a SettingError naming the first refused one.
 */
export function readSettings(type: string, config: object, translate?: Translate): NodeSettings {
  const table = SETTINGS[type];
  if (!table) throw new Error(`no settings table for ${type}`);
  const values = config as Record<string, unknown>;
  const view = viewOf(table, values);
  for (const key of Object.keys(table)) {
    const problem = problemOf(table[key], values[key], view);
    if (problem) throw new SettingError(key, describe(type, key, values[key], problem, translate));
  }
  return new NodeSettings(table, values);
}
