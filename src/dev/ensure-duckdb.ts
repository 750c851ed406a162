/**
 * DuckDB is the benchmark's reference, installed on demand rather than as a
 * dev dependency: its Node bindings ship one npm package per platform, and a
 * lock file must list them all, but the registry reachable from this
 * project's machines serves only some of them, which breaks `npm ci`.
 */
import { execFileSync } from 'child_process';
import * as path from 'path';

const VERSION = '1.5.6-r.1';
const ROOT = path.resolve(__dirname, '..', '..');

try {
  require.resolve('@duckdb/node-api', { paths: [ROOT] });
} catch {
  process.stdout.write(`installing @duckdb/node-api@${VERSION} for the benchmark (not saved in package.json)\n`);
  try {
    execFileSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', `@duckdb/node-api@${VERSION}`], { cwd: ROOT, stdio: 'inherit' });
  } catch {
    process.stdout.write('could not install DuckDB: the benchmark will skip the DuckDB comparison\n');
  }
}
