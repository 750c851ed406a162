#!/usr/bin/env node
/**
 * netbeacon-generate: writes seeded synthetic traffic as JSON lines.
 *   node dist/tools/generate-cli.js --schema wiredata|csl --out FILE [--seed N] [--hours H]
 *     [--beacon SRC,DST,PORT,PERIOD[,JITTER]] [--disorder SECONDS] [--sample]
 */
import { BeaconSpec, DEFAULT_OPTIONS, generateRecords, sampleScenario, Schema, TrafficOptions } from './traffic-generator';
import { writeJsonLines } from './sample-files';
import { numberOption, parseOptions, runTool, UsageError } from './cli-args';

const USAGE = `usage: netbeacon-generate --out FILE [options]

Writes seeded synthetic traffic (background noise plus beacons) as JSON lines.
  --out FILE                           where to write
  --schema wiredata|csl                WireData (default) or CommonSecurityLog columns
  --seed N                             random seed (default 1)
  --hours H                            hours of traffic
  --beacon SRC,DST,PORT,PERIOD[,JITTER] add a beacon (repeatable)
  --disorder SECONDS                   shuffle arrival by up to this much
  --sample                             the sample scenario of npm start
  --help                               this text`;

function main(argv: string[]): void {
  const args = parseOptions(argv, { out: 'value', schema: 'value', seed: 'value', hours: 'value', beacon: 'list', disorder: 'value', sample: 'flag' });
  const one = (k: string, d?: string) => (args.get(k) ?? [d])[0];
  const schema = one('schema', 'wiredata') as Schema;
  if (schema !== 'wiredata' && schema !== 'csl') throw new UsageError('--schema must be wiredata or csl');
  const out = one('out');
  if (!out) throw new UsageError('--out FILE is required');
  let options: TrafficOptions = args.has('sample') ? sampleScenario(schema) : { ...DEFAULT_OPTIONS, schema };
  options = {
    ...options,
    seed: numberOption(args, 'seed', options.seed, 0),
    hours: numberOption(args, 'hours', options.hours, 0.01, 24 * 366, false),
    disorderSeconds: numberOption(args, 'disorder', 0, 0, 7 * 86400, false),
  };
  const beacons: BeaconSpec[] = (args.get('beacon') ?? []).map((spec) => {
    const [src, dst, port, period, jitter = '0'] = spec.split(',');
    if (!src || !dst || !Number.isInteger(Number(port)) || !(Number(period) > 0) || !Number.isFinite(Number(jitter))) {
      throw new UsageError(`--beacon must be SRC,DST,PORT,PERIOD[,JITTER], not ${JSON.stringify(spec.slice(0, 60))}`);
    }
    return {
      src,
      dst,
      port: Number(port),
      periodSeconds: Number(period),
      jitter: Number(jitter),
      jitterMode: 'one-sided',
      startOffsetSeconds: 0,
      durationSeconds: options.hours * 3600,
      sentBytes: 400,
      receivedBytes: 800,
    };
  });
  if (beacons.length) options.beacons = [...options.beacons, ...beacons];
  const records = generateRecords(options);
  writeJsonLines(out, records);
  process.stdout.write(`wrote ${records.length} ${schema} records to ${out}\n`);
}

runTool('netbeacon-generate', USAGE, main);
