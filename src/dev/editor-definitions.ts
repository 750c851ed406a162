/**
 * The package's editor definitions (src/nodes/*.html as built into dist/), read the way the editor
 * reads them: the shared helpers from resources/ and the inline
 * RED.nodes.registerType call run in a sandbox against a stand-in RED.
 * Development and tests only (examples completion, editor validation tests);
 * the shipped code never evaluates anything.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as vm from 'vm';
import { ROOT } from '../run/user-dir';

export interface SettingDefinition {
  value: unknown;
  required?: boolean;
  validate?: (this: unknown, v: unknown, opt?: { label?: string }) => unknown;
}
export interface EditorDefinition {
  type: string;
  /** the registerType object (defaults, labels, oneditprepare …) */
  def: Record<string, unknown> & { defaults: Record<string, SettingDefinition> };
  html: string;
  /** a catalog key (e.g. `beacon-delta.errors.cap`) to its en-US text */
  lookup: (key: string) => string | undefined;
}

/** The node types this package registers, from package.json (one per node file). */
export function packageNodeTypes(): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  return Object.keys(pkg['node-red'].nodes);
}

/** Runs one node's editor registration; `$` stands in for jQuery where a test needs it. */
export function editorDefinition(type: string, $: unknown = () => ({})): EditorDefinition {
  // as built (dialog rows written from the settings tables) and as Node-RED serves it
  const html = fs.readFileSync(path.join(ROOT, 'dist', 'nodes', `${type}.html`), 'utf8');
  const catalog = JSON.parse(fs.readFileSync(path.join(ROOT, 'dist', 'nodes', 'locales', 'en-US', `${type}.json`), 'utf8'));
  const lookup = (key: string): string | undefined =>
    key.split('.').reduce<unknown>((o, k) => (o == null ? undefined : (o as Record<string, unknown>)[k]), catalog) as string | undefined;
  let def: EditorDefinition['def'] | null = null;
  const RED = {
    _: (key: string) => key,
    nodes: { registerType: (name: string, d: EditorDefinition['def']) => name === type && (def = d) },
    validators: {
      number: (blankAllowed?: boolean) => (v: unknown) => (blankAllowed && (v === '' || v === undefined)) || (v !== '' && !Number.isNaN(Number(v))),
      regex: (re: RegExp) => (v: unknown) => re.test(String(v)),
    },
    settings: { context: { default: 'default', stores: ['default', 'file'] } },
  };
  const context = vm.createContext({ RED, $ }) as Record<string, unknown>;
  context.window = context;
  // the scripts the HTML loads from resources/ (settings tables, helpers), in order
  const helpers = [...html.matchAll(/<script type="text\/javascript" src="resources\/@netbeacon\/node-red-beaconing\/([\w.-]+)"><\/script>/g)];
  if (helpers.length === 0) throw new Error(`${type}.html does not load the editor helpers`);
  for (const m of helpers) vm.runInContext(fs.readFileSync(path.join(ROOT, 'resources', m[1]), 'utf8'), context);
  const script = /<script type="text\/javascript">([\s\S]*?)<\/script>/.exec(html);
  if (!script) throw new Error(`${type}.html has no inline registration`);
  vm.runInContext(script[1], context);
  if (!def) throw new Error(`${type}.html does not register ${type}`);
  return { type, def, html, lookup };
}

/** Every node type's settings with their defaults, in definition order. */
export function allDefaults(): Map<string, Record<string, SettingDefinition>> {
  return new Map(packageNodeTypes().map((type) => [type, editorDefinition(type).def.defaults]));
}
