#!/usr/bin/env node
/**
 * netbeacon-generate: writes seeded synthetic traffic as JSON lines.
 *   node tools/generate-cli.js --schema wiredata|csl --out FILE [--seed N] [--hours H]
 *     [--beacon SRC,DST,PORT,PERIOD[,JITTER]] [--disorder SECONDS] [--sample]
 */
import { BeaconSpec, DEFAULT_OPTIONS, generateRecords, sampleScenario, Schema, TrafficOptions } from './traffic-generator';
import { writeJsonLines } from './sample-files';

function main(argv: string[]): void {
  const args = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument: ${a}`);
    const value = argv[i + 1] && !argv[i + 1].startsWith('--') ? argv[++i] : 'true';
    args.set(a.slice(2), [...(args.get(a.slice(2)) ?? []), value]);
  }
  const one = (k: string, d?: string) => (args.get(k) ?? [d])[0];
  const schema = (one('schema', 'wiredata') as Schema);
  if (schema !== 'wiredata' && schema !== 'csl') throw new Error('--schema must be wiredata or csl');
  const out = one('out');
  if (!out) throw new Error('--out FILE is required');
  let options: TrafficOptions = args.has('sample') ? sampleScenario(schema) : { ...DEFAULT_OPTIONS, schema };
  options = {
    ...options,
    seed: Number(one('seed', String(options.seed))),
    hours: Number(one('hours', String(options.hours))),
    disorderSeconds: Number(one('disorder', '0')),
  };
  const beacons: BeaconSpec[] = (args.get('beacon') ?? []).map((spec) => {
    const [src, dst, port, period, jitter = '0'] = spec.split(',');
    return {
      src, dst, port: Number(port), periodSeconds: Number(period), jitter: Number(jitter), jitterMode: 'one-sided',
      startOffsetSeconds: 0, durationSeconds: options.hours * 3600, sentBytes: 400, receivedBytes: 800,
    };
  });
  if (beacons.length) options.beacons = [...options.beacons, ...beacons];
  const records = generateRecords(options);
  writeJsonLines(out, records);
  process.stdout.write(`wrote ${records.length} ${schema} records to ${out}\n`);
}

try {
  main(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`netbeacon-generate: ${(err as Error).message}\n`);
  process.exit(2);
}
