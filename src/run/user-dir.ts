import * as fs from 'fs';
import * as path from 'path';

/** The project root (this file compiles to <root>/dist/run). */
export const ROOT = path.resolve(__dirname, '..', '..');
export const PACKAGE_NAME = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string }).name;

/**
 * V8 flags for the Node-RED that `npm start` runs, before its script. V8 compacts its old generation at
 * every full GC: the pair store's long-lived objects are few and scattered among the records and rows that
 * die, and without it V8 kept ~2.9 x its used heap committed (the 10,000-host week: RSS before the flush
 * 1.77 -> 1.36 x the retained heap, BENCHMARKS.md). Not allowed in NODE_OPTIONS: a command-line flag.
 */
export const NODE_RED_V8_FLAGS = ['--compact-on-every-full-gc'];

/** node's arguments for Node-RED with this user directory and settings file (and --port when given). */
export function nodeRedArgs(userDir: string, settings: string, portArgs: string[]): string[] {
  return [...NODE_RED_V8_FLAGS, nodeRedScript(), '--userDir', userDir, '--settings', settings, ...portArgs];
}

/**
 * The Node-RED to run: the install named by NODE_RED_DIR (a node-red package
 * directory, e.g. the Node-RED 5 of the CI matrix), else this project's own.
 */
export function nodeRedScript(): string {
  const dir = process.env.NODE_RED_DIR;
  return dir ? path.join(path.resolve(dir), 'red.js') : require.resolve('node-red/red.js');
}

/**
 * Installs this package into a Node-RED user directory the way
 * `npm install <path>` does: a link in its node_modules, and the dependency
 * recorded in its package.json.
 */
export function linkPackage(userDir: string): void {
  const target = path.join(userDir, 'node_modules', ...PACKAGE_NAME.split('/'));
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.rmSync(target, { recursive: true, force: true });
  fs.symlinkSync(ROOT, target, 'dir');
  const manifest = { name: 'netbeacon-node-red-data', private: true, dependencies: { [PACKAGE_NAME]: `file:${ROOT}` } };
  fs.writeFileSync(path.join(userDir, 'package.json'), JSON.stringify(manifest, null, 2));
}

/** The file that marks a user directory `npm start` seeded (so --reset knows it may empty it). */
export const USER_DIR_MARKER = '.netbeacon-user-dir';

/**
 * The user directory's package.json as Node-RED's palette manager expects
 * it, with no dependency on this package: the package is loaded from the
 * checkout through settings.js `nodesDir` instead, so `npm install <module>`
 * there (the palette manager, or by hand) never reifies the checkout and
 * never runs its `prepare` script (a rebuild of the checkout).
 */
export function seedManifest(userDir: string): void {
  const manifest = {
    name: 'netbeacon-node-red-data',
    description: "Node-RED user directory of netbeacon's npm start",
    version: '0.0.0',
    private: true,
    dependencies: {},
  };
  fs.writeFileSync(path.join(userDir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

/**
 * Undoes what the earlier `npm start` did to a user directory (this package
 * linked into node_modules and recorded as a `file:` dependency): the link
 * and that one entry go, every other dependency stays. Returns what changed.
 */
export function detachPackageLink(userDir: string): string[] {
  const notes: string[] = [];
  const link = path.join(userDir, 'node_modules', ...PACKAGE_NAME.split('/'));
  try {
    if (fs.lstatSync(link).isSymbolicLink()) {
      fs.unlinkSync(link);
      notes.push(`removed the link node_modules/${PACKAGE_NAME} (the package now loads through settings.js nodesDir)`);
    }
  } catch {
    // no link
  }
  const file = path.join(userDir, 'package.json');
  if (!fs.existsSync(file)) return notes;
  const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as { dependencies?: Record<string, string> };
  const spec = manifest.dependencies?.[PACKAGE_NAME];
  if (typeof spec === 'string' && spec.startsWith('file:')) {
    delete (manifest.dependencies as Record<string, string>)[PACKAGE_NAME];
    fs.writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
    notes.push(`removed the dependency ${PACKAGE_NAME}: ${spec} from package.json (npm install there rebuilt the checkout)`);
  }
  return notes;
}
