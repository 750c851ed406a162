/**
 * The largest TypeScript files and functions of a source tree, by lines, so
 * "how big is the biggest room" is a figure anyone can reproduce:
 *
 *   node dist/dev/largest.js [folder] [--top N]
 *
 * The folder defaults to this package's src/. A file counts all its lines; a
 * function counts the lines from its signature to its closing brace (or the
 * end of an arrow's expression), comments and blank lines inside included; a
 * nested function counts within its parent too. Functions are declarations,
 * methods, constructors, accessors, function expressions and arrow functions;
 * a nameless one is named after what it is assigned to or the call it is
 * passed to.
 *
 * The TypeScript installed (7, native) has no JavaScript parser API, so this
 * reads acorn's tokens, which TypeScript's type syntax does not disturb, and
 * finds function bodies by their brackets: a `{` after `=>`, or after the `)`
 * of a parameter list (and its return type) that is not `if (…)`, `for (…)`,
 * `while (…)`, `switch (…)` or `catch (…)`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Token, tokenizer } from 'acorn';

export interface Sized {
  name: string;
  /** file relative to the folder, with `:line` for a function */
  where: string;
  lines: number;
}

const CONTROL = new Set(['if', 'for', 'while', 'switch', 'catch', 'with']);
const OPENERS: Record<string, string> = { '(': ')', '[': ']', '{': '}', '${': '}' };

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...tsFiles(full));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

const label = (t: Token | undefined): string => (t ? t.type.label : '');
/** a token's text: a name's, a keyword's or an operator's (acorn's types leave it out) */
const value = (t: Token | undefined): string => String((t as { value?: unknown } | undefined)?.value ?? '');
const line = (t: Token): number => (t.loc as NonNullable<Token['loc']>).start.line;
const endLine = (t: Token): number => (t.loc as NonNullable<Token['loc']>).end.line;

/** For each bracket token, the index of its partner (both ways). */
function partners(tokens: Token[]): Int32Array {
  const match = new Int32Array(tokens.length).fill(-1);
  const open: number[] = [];
  tokens.forEach((t, i) => {
    const l = label(t);
    if (OPENERS[l]) open.push(i);
    else if ((l === ')' || l === ']' || l === '}') && open.length > 0) {
      const j = open.pop() as number;
      match[i] = j;
      match[j] = i;
    }
  });
  return match;
}

/** The index of the `<` that opens the type arguments ending at `i` (a `>` or `>>`), or -1. */
function typeArgsStart(tokens: Token[], i: number): number {
  let depth = 0;
  for (let k = i; k >= 0; k--) {
    const v = value(tokens[k]);
    if (label(tokens[k]) === '</>/<=/>=' || label(tokens[k]) === '<</>>/>>>') {
      if (v === '>') depth++;
      else if (v === '>>') depth += 2;
      else if (v === '<') depth--;
      if (depth === 0) return k;
    } else if (label(tokens[k]) === ';' || label(tokens[k]) === '{') return -1;
  }
  return -1;
}

/** The name of a function whose signature starts at token `s`: what it is assigned to, or the call it is passed to. */
function nameBefore(tokens: Token[], s: number, match: Int32Array): string {
  let k = s - 1;
  if (label(tokens[k]) === 'name' && value(tokens[k]) === 'async') k--;
  const l = label(tokens[k]);
  if ((l === '=' || l === ':') && label(tokens[k - 1]) === 'name') return value(tokens[k - 1]);
  if (l === '(' || l === ',') {
    let open = k;
    while (open >= 0 && label(tokens[open]) !== '(') open = label(tokens[open]) === ')' ? match[open] - 1 : open - 1;
    const callee = tokens[open - 1];
    if (callee && label(callee) === 'name') return `(passed to ${value(callee)})`;
  }
  return '(anonymous)';
}

/** Where an arrow's expression body ends: the last token before a `,` `;` or closing bracket at its own depth. */
function expressionEnd(tokens: Token[], from: number, match: Int32Array): number {
  let k = from;
  while (k < tokens.length) {
    const l = label(tokens[k]);
    if (OPENERS[l]) k = match[k] >= 0 ? match[k] + 1 : tokens.length;
    else if (l === ',' || l === ';' || l === ')' || l === ']' || l === '}') return k - 1;
    else k++;
  }
  return tokens.length - 1;
}

/** Functions of one file: [name, first line, last line]. */
function functionsOf(text: string): Array<[string, number, number]> {
  const tokens = [...tokenizer(text, { ecmaVersion: 'latest', locations: true, allowHashBang: true })];
  const match = partners(tokens);
  const found: Array<[string, number, number]> = [];
  tokens.forEach((t, i) => {
    if (label(t) === '=>') {
      const before = tokens[i - 1];
      const start = label(before) === ')' && match[i - 1] >= 0 ? match[i - 1] : i - 1;
      const last = label(tokens[i + 1]) === '{' ? match[i + 1] : expressionEnd(tokens, i + 1, match);
      if (last >= 0) found.push([nameBefore(tokens, start, match), line(tokens[start]), endLine(tokens[last])]);
      return;
    }
    if (label(t) !== ')' || match[i] < 0) return;
    // a parameter list: what stands before its `(` is a name, `function` or type arguments, not a control keyword
    let head = match[i] - 1;
    if (label(tokens[head]) === '</>/<=/>=' && value(tokens[head]) === '>') head = typeArgsStart(tokens, head) - 1;
    const h = tokens[head];
    if (!h || CONTROL.has(label(h)) || (label(h) !== 'name' && label(h) !== 'function')) return;
    // the body: right after `)`, or after a return type (an object type is skipped whole)
    let k = i + 1;
    if (label(tokens[k]) === ':') {
      k++;
      if (label(tokens[k]) === '{') k = match[k] + 1;
      while (k < tokens.length && k > 0 && !['{', ';', ',', '=>', '}', '='].includes(label(tokens[k]))) k = OPENERS[label(tokens[k])] ? match[k] + 1 : k + 1;
    }
    if (label(tokens[k]) !== '{' || match[k] < 0) return;
    let first = head;
    while (first > 0 && ['function', 'async', 'get', 'set', 'static', 'export', 'default'].includes(value(tokens[first - 1]) || label(tokens[first - 1])))
      first--;
    const name = label(h) === 'function' ? nameBefore(tokens, head, match) : value(h);
    found.push([name, line(tokens[first]), endLine(tokens[match[k]])]);
  });
  return found;
}

/** Every file and every function below `root`, by lines, largest first. */
export function measure(root: string): { files: Sized[]; functions: Sized[] } {
  const files: Sized[] = [];
  const functions: Sized[] = [];
  for (const file of tsFiles(root)) {
    const text = fs.readFileSync(file, 'utf8');
    const rel = path.relative(root, file);
    files.push({ name: path.basename(file), where: rel, lines: text.split('\n').length - (text.endsWith('\n') ? 1 : 0) });
    for (const [name, first, last] of functionsOf(text)) functions.push({ name, where: `${rel}:${first}`, lines: last - first + 1 });
  }
  const bySize = (a: Sized, b: Sized) => b.lines - a.lines || a.where.localeCompare(b.where);
  return { files: files.sort(bySize), functions: functions.sort(bySize) };
}

function main(): void {
  const args = process.argv.slice(2);
  const topAt = args.indexOf('--top');
  const top = topAt >= 0 ? Number(args.splice(topAt, 2)[1]) : 5;
  const root = path.resolve(args[0] ?? path.join(__dirname, '..', '..', 'src'));
  const { files, functions } = measure(root);
  console.log(`${root}: ${files.length} TypeScript files, ${functions.length} functions (lines from first to last, comments included)`);
  console.log('largest files:');
  for (const f of files.slice(0, top)) console.log(`  ${String(f.lines).padStart(5)}  ${f.where}`);
  console.log('largest functions:');
  for (const f of functions.slice(0, top)) console.log(`  ${String(f.lines).padStart(5)}  ${f.name}  ${f.where}`);
}

if (require.main === module) main();
