'use strict';
/**
 * The column lists the editor completes field names from (core/parse/columns)
 * hold every column the parsers produce: generated lines of every format with
 * their quirks, and a real PAN-OS CEF line that sets every CEF key of the
 * mapping, parsed with syslog framing; and each table's list names what the
 * Sentinel rules and the examples key on.
 */
const should = require('should');
const { LogParser, DEFAULT_PARSER_OPTIONS } = require('../../dist/core/parse/parser');
const { CEF_KEY_COLUMNS } = require('../../dist/core/parse/csl-columns');
const { COMMON_SECURITY_LOG_COLUMNS, WIRE_DATA_COLUMNS } = require('../../dist/core/parse/columns');
const lines = require('../../dist/tools/log-lines');
const gen = require('../../dist/tools/traffic-generator');

/** Every column of the records the parser gives for these lines. */
function columnsOf(text) {
  const parser = new LogParser({ ...DEFAULT_PARSER_OPTIONS, timeSource: 'event' });
  const seen = new Set();
  let records = 0;
  for (const line of text) {
    const r = parser.parseLine(line);
    if (r.kind !== 'record') continue;
    records++;
    Object.keys(r.record).forEach((k) => seen.add(k));
  }
  records.should.be.above(0);
  return [...seen];
}

const generated = (scenario, format) =>
  lines
    .generateLines(gen.sampleScenario(scenario), format)
    .slice(0, 3000)
    .map((l) => l.line);
const notIn = (list) => (c) => !list.includes(c);

describe('the column lists for field-name completion (core/parse/columns)', function () {
  it('hold every CommonSecurityLog column of the CEF and PAN-OS CSV parsers', function () {
    // every CEF key of the mapping, in a syslog frame with a host (Computer, SyslogTime)
    const everyKey = CEF_KEY_COLUMNS.map(([key]) => (key === 'rt' || key === 'start' || key === 'end' ? `${key}=May 08 2024 08:10:31 GMT` : `${key}=1`)).join(
      ' ',
    );
    const cef = [`<14>1 2024-05-08T08:10:31Z fw01 - - - - CEF:0|Palo Alto Networks|PAN-OS|10.1|end|TRAFFIC|1|${everyKey} in=5 out=6 custom=x`];
    should(columnsOf(cef).filter(notIn(COMMON_SECURITY_LOG_COLUMNS))).eql([]);
    should(columnsOf(generated('csl', 'panos-cef')).filter(notIn(COMMON_SECURITY_LOG_COLUMNS))).eql([]);
    should(columnsOf(generated('csl', 'panos-csv')).filter(notIn(COMMON_SECURITY_LOG_COLUMNS))).eql([]);
  });

  it('hold every WireData column of the Zeek parsers (TSV and JSON)', function () {
    should(columnsOf(generated('wiredata', 'zeek-tsv')).filter(notIn(WIRE_DATA_COLUMNS))).eql([]);
    should(columnsOf(generated('wiredata', 'zeek-json')).filter(notIn(WIRE_DATA_COLUMNS))).eql([]);
  });

  it('name the columns the Sentinel rules and the examples key on', function () {
    COMMON_SECURITY_LOG_COLUMNS.should.containDeep([
      'DeviceName',
      'SourceUserID',
      'SourceIP',
      'DestinationIP',
      'DestinationPort',
      'DeviceVendor',
      'Activity',
      'TimeGenerated',
    ]);
    WIRE_DATA_COLUMNS.should.containDeep(['LocalIP', 'RemoteIP', 'RemotePortNumber', 'SentBytes', 'ReceivedBytes', 'TimeGenerated']);
  });
});
