import * as fs from 'fs';
import * as path from 'path';
import { generateRecords, sampleScenario, Schema } from './traffic-generator';

/** Writes records as JSON lines (what the example flows read). */
export function writeJsonLines(file: string, records: object[]): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
}

/** The bundled sample traffic for both rules, regenerated deterministically. */
export function writeSampleFiles(dir: string): Record<Schema, string> {
  const files = {
    wiredata: path.join(dir, 'wiredata-sample.jsonl'),
    csl: path.join(dir, 'commonsecuritylog-sample.jsonl'),
  };
  writeJsonLines(files.wiredata, generateRecords(sampleScenario('wiredata')));
  writeJsonLines(files.csl, generateRecords(sampleScenario('csl')));
  return files;
}
