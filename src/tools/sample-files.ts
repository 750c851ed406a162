import * as fs from 'fs';
import * as path from 'path';
import { generateLines } from './log-lines';
import { generateRecords, sampleScenario } from './traffic-generator';

/** Writes records as JSON lines (what the example flows read). */
export function writeJsonLines(file: string, records: object[]): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
}

export interface SampleFiles {
  wiredata: string;
  csl: string;
  zeek: string;
}

/** The sample traffic for the example flows (JSON records, and a Zeek conn.log), regenerated deterministically. */
export function writeSampleFiles(dir: string): SampleFiles {
  const files = {
    wiredata: path.join(dir, 'wiredata-sample.jsonl'),
    csl: path.join(dir, 'commonsecuritylog-sample.jsonl'),
    zeek: path.join(dir, 'conn-sample.log'),
  };
  writeJsonLines(files.wiredata, generateRecords(sampleScenario('wiredata')));
  writeJsonLines(files.csl, generateRecords(sampleScenario('csl')));
  fs.writeFileSync(
    files.zeek,
    generateLines(sampleScenario('wiredata'), 'zeek-tsv')
      .map((l) => l.line)
      .join('\n') + '\n',
  );
  return files;
}
