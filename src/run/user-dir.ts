import * as fs from 'fs';
import * as path from 'path';

/** The project root (this file compiles to <root>/dist/run). */
export const ROOT = path.resolve(__dirname, '..', '..');
export const PACKAGE_NAME = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string }).name;

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
