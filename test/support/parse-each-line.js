'use strict';
/**
 * The reference a parsed chunk is checked against: each line parsed on its
 * own with its stream's parser (one per sender and port), as the flow's
 * thread parses TCP lines; and the lines such chunks are made of.
 */
const fc = require('fast-check');
const { DEFAULT_PARSER_OPTIONS, LogParser } = require('../../dist/core/parse/parser');
const { generateLines } = require('../../dist/tools/log-lines');
const { sampleScenario } = require('../../dist/tools/traffic-generator');

/** runs: [[sender address, port, lines]] in arrival order → the records, the unparsed [line, reason, sender] and per-sender [headers, errors] */
function parseEachLine(runs) {
  const parsers = new Map();
  const records = [];
  const unparsed = [];
  const counts = {};
  for (const [a, p, lines] of runs) {
    if (!parsers.has(`${a}:${p}`)) parsers.set(`${a}:${p}`, new LogParser(DEFAULT_PARSER_OPTIONS));
    for (const l of lines) {
      const r = parsers.get(`${a}:${p}`).parseLine(l);
      if (r.kind === 'record') records.push(r.record);
      if (r.kind === 'header') (counts[a] ??= [0, 0])[0]++;
      if (r.kind === 'error') {
        (counts[a] ??= [0, 0])[1]++;
        unparsed.push([l, r.reason, a]);
      }
    }
  }
  return { records, unparsed, counts };
}

/** generated CEF lines, Zeek TSV with its header, JSON, and anything else (`other`: the arbitrary for the rest) */
function chunkLine(other = fc.string({ maxLength: 20 })) {
  const cef = generateLines({ ...sampleScenario('csl'), hours: 1 }, 'panos-cef')
    .slice(0, 50)
    .map((l) => l.line);
  return fc.oneof(
    fc.constantFrom(...cef),
    fc.constantFrom('#fields\tts\tid.orig_h\tid.resp_h', '1715155200.0\t10.0.0.3\t1.2.3.4', '{"LocalIP":"10.0.0.1","TimeGenerated":"2024-05-08T08:00:00Z"}'),
    other,
  );
}

module.exports = { parseEachLine, chunkLine };
