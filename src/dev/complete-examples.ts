/**
 * `node dist/dev/complete-examples.js [file.json …]` (default: every examples/**\/*.json):
 * writes each of this package's settings into the example flows explicitly
 * (an absent one takes the node's editor default, which is also what the
 * runtime assumes) and lays the flows out by the rules of ./flow-layout.
 * Run it after adding a setting or an example; test/nodes/examples_layout_spec.js
 * fails until it has been run.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ROOT } from '../run/user-dir';
import { allDefaults, editorDefinition, SettingDefinition } from './editor-definitions';
import { defaultLabel, FlowNode, LabelOf, layoutFlow } from './flow-layout';

/** Every example flow file, sub-folders included (they are sub-menus of Import ▸ Examples). */
export function exampleFiles(dir = path.join(ROOT, 'examples')): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => {
      const file = path.join(dir, e.name);
      if (e.isDirectory()) return exampleFiles(file);
      return e.name.endsWith('.json') ? [file] : [];
    })
    .sort();
}

/** The labels the editor draws: our label functions for our nodes, the name or type for the rest. */
export function editorLabels(): LabelOf {
  const labels = new Map<string, (this: unknown) => string>();
  const defaults = allDefaults();
  for (const type of defaults.keys()) {
    const def = editorDefinition(type).def;
    if (typeof def.label === 'function') labels.set(type, def.label as (this: unknown) => string);
  }
  return (node) => {
    const label = labels.get(node.type);
    return label ? String(label.call({ ...node, _def: { defaults: defaults.get(node.type) } })) : defaultLabel(node);
  };
}

/** The node with every setting of its type present, in the editor's order: id, type, z, settings, the rest, x, y, wires. */
export function completeNode(node: FlowNode, defaults: Record<string, SettingDefinition> | undefined): FlowNode {
  if (!defaults) return node;
  const out: Record<string, unknown> = { id: node.id, type: node.type };
  if ('z' in node) out.z = node.z;
  if ('g' in node) out.g = node.g;
  for (const [key, setting] of Object.entries(defaults)) out[key] = node[key] === undefined ? structuredClone(setting.value) : node[key];
  for (const [key, value] of Object.entries(node)) if (!(key in out) && !['x', 'y', 'wires'].includes(key)) out[key] = value;
  for (const key of ['x', 'y', 'wires']) if (key in node) out[key] = node[key];
  return out as FlowNode;
}

export function completeFlow(flow: FlowNode[], labelOf: LabelOf = editorLabels()): FlowNode[] {
  const defaults = allDefaults();
  return layoutFlow(
    flow.map((n) => completeNode(n, defaults.get(n.type))),
    labelOf,
  );
}

function main(): void {
  const files = process.argv.slice(2).length ? process.argv.slice(2).map((f) => path.resolve(f)) : exampleFiles();
  const labelOf = editorLabels();
  for (const file of files) {
    const before = fs.readFileSync(file, 'utf8');
    const after = `${JSON.stringify(completeFlow(JSON.parse(before), labelOf), null, 4)}\n`;
    if (after !== before) fs.writeFileSync(file, after);
    console.log(`${after === before ? 'unchanged' : 'rewritten'}  ${path.relative(ROOT, file)}`);
  }
}

if (require.main === module) main();
