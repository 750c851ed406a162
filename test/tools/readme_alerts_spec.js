'use strict';
/**
 * The README's alert examples are what the code makes: dist/dev/readme-alerts.js
 * runs the sample through the examples' own nodes (in a Node-RED of its own
 * process) and --check compares with the README's marked blocks. The blocks
 * are also read as a person and a SIEM would: the console lines npm start
 * prints (the hunt's destination a /24), an e-mail with a subject within 120
 * characters and what/who/how regular/why, a CEF line and an RFC 5424 line
 * that parse back to the same AlertId.
 */
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const should = require('should');
const { LogParser, DEFAULT_PARSER_OPTIONS } = require('../../dist/core/parse/parser');
const { parseStructuredData } = require('../../dist/core/alert/formats');

const ROOT = path.join(__dirname, '..', '..');
const block = (readme, name) => {
  const m = new RegExp(`<!-- readme-alerts:${name} [^\\n]*-->\\n([\\s\\S]*?)\\n<!-- /readme-alerts:${name} -->`).exec(readme);
  should.exist(m, `README block ${name}`);
  return m[1];
};

describe('README: the alerts it shows are the ones the code makes', function () {
  this.timeout(180000);
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

  it('readme-alerts --check: the console lines, e-mail, chat message and SIEM lines equal a fresh run on the sample', function () {
    const run = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'dev', 'readme-alerts.js'), '--check'], { encoding: 'utf8', cwd: ROOT });
    should(run.status).equal(0, run.stderr);
  });

  it('reads right: early lines say "as of", the hunt names its /24, the e-mail says what, who, how regular and why, the SIEM lines parse back', function () {
    const lines = block(readme, 'console')
      .split('\n')
      .filter((l) => l.startsWith('ALERT'));
    lines.should.have.length(3);
    lines[0].should.match(/^ALERT \[WireData\] \(early, as of 2024-05-08T\d\d:\d\d:\d\dZ\) beacon /);
    lines[2].should.match(/^ALERT \[hunt\] beacon 10\.0\.0\.7 → 185\.225\.17\.0\/24:8443 every ~40 s/);

    const handoffs = block(readme, 'handoffs');
    const subject = /^Subject: (.*)$/m.exec(handoffs)[1];
    subject.length.should.be.within(1, 120);
    for (const label of ['What:', 'Who:', 'How regular:', 'Since when:', 'Why:', 'Alert id:']) handoffs.should.match(new RegExp(`^${label}`, 'm'));
    const alertId = /^Alert id:\s+(\S+)$/m.exec(handoffs)[1];
    const cef = handoffs.split('\n').find((l) => l.startsWith('CEF:0|'));
    const syslog = handoffs.split('\n').find((l) => /^<\d+>1 /.test(l));
    cef.should.containEql(`externalId=${alertId}`);
    parseStructuredData(syslog).should.containEql({ alertId, src: '10.0.0.7', dst: '185.225.17.0/24', dpt: '8443' });
    const parsed = new LogParser({ ...DEFAULT_PARSER_OPTIONS }).parseLine(syslog);
    parsed.kind.should.equal('record');
    parsed.record.ExternalID.should.equal(alertId);
  });
});
