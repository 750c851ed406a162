'use strict';
/**
 * The alert formats (core/alert/formats): ECS fields, CEF and RFC 5424
 * escaping, and both SIEM lines read back by the package's own LogParser
 * into the alert's fields; e-mail and chat bodies from the same text.
 */
const should = require('should');
const F = require('../../dist/core/alert/formats');
const { alertSubject, SUBJECT_MAX } = require('../../dist/core/alert/text');
const { LogParser, DEFAULT_PARSER_OPTIONS } = require('../../dist/core/parse/parser');
const FIXTURE = require('../fixtures/alert-rows.json');

const find = (example, scorer, kind = 'alert') => FIXTURE.find((r) => r.example === example && (!scorer || r.scorer === scorer) && r.kind === kind).row;
const PA = () => ({ ...find('Palo Alto'), AlertId: 'nb-7f3a9c' });
const HUNT = () => ({ ...find('hunt', 'Beacon hunt'), AlertId: 'nb-c2c2' });
const HUNT_OPTS = { title: 'Beacon hunt', thresholds: ['TotalEvents > 10', 'PeriodPValue <= 0.001'], hostname: 'nr-1' };
const parse = (line) => {
  const r = new LogParser(DEFAULT_PARSER_OPTIONS).parseLine(line);
  r.kind.should.equal('record', JSON.stringify(r));
  return r.record;
};

describe('alert formats: ECS', function () {
  it('an alert document: event.kind alert, event.id the AlertId, source/destination/observer as ECS names them, threat and rule', function () {
    const doc = F.ecsDocument(PA(), { title: 'Palo Alto beaconing', thresholds: ['TotalEvents > 30'] });
    doc.event.should.containDeep({ kind: 'alert', id: 'nb-7f3a9c', start: '2024-05-08T00:00:00Z', category: ['network'] });
    doc.source.should.eql({ ip: '10.0.0.4', user: { name: 'corp\\svc-backup' }, bytes: 28160 });
    doc.destination.should.eql({ ip: '52.239.1.10', port: 443, bytes: 56320 });
    doc.observer.should.eql({ name: 'PA-VM' });
    doc.threat.tactic.id.should.eql(['TA0011']);
    doc.threat.technique.id.should.eql(['T1071']);
    doc.rule.name.should.equal('Palo Alto beaconing');
    doc.rule.description.should.match(/thresholds: TotalEvents > 30/);
    doc.message.should.equal(alertSubject(PA(), { title: 'Palo Alto beaconing' }));
    doc['@timestamp'].should.equal('2024-05-08T01:05:00Z'); // the early verdict's event time
    doc.netbeacon.row.should.eql(PA());
    // the Sentinel rules do not check direction: their rows do not claim it
    should(doc.network).be.undefined();
    JSON.parse(JSON.stringify(doc)).should.eql(doc);
  });

  it('a network destination is destination.address (destination.ip holds addresses only); an empty user is absent', function () {
    const doc = F.ecsDocument(HUNT(), HUNT_OPTS);
    doc.destination.should.containDeep({ address: '185.225.17.0/24', port: 8443 });
    should(doc.destination.ip).be.undefined();
    doc.network.should.eql({ direction: 'outbound' });
    doc.netbeacon.should.containDeep({ method: 'periodic', period_seconds: 40, intervals_in_pattern: 480, intervals: 535 });
    const noUser = F.ecsDocument({ ...PA(), SourceUserID: '' });
    should(noUser.source.user).be.undefined();
  });
});

describe('alert formats: CEF', function () {
  it('escapes \\ and | in the header, \\ and = in values, line breaks as \\n', function () {
    F.cefHeaderEscape('a|b\\c').should.equal('a\\|b\\\\c');
    F.cefValueEscape('a=b\\c\nd\r\ne|f').should.equal('a\\=b\\\\c\\nd\\ne|f');
  });

  it("reads back through the LogParser into CommonSecurityLog columns with the alert's fields", function () {
    const row = PA();
    const line = F.cefLine(row, { title: 'Palo Alto beaconing', thresholds: ['TotalEvents > 30', 'BeaconPercent > 80'] });
    line.should.startWith('CEF:0|netbeacon|node-red-beaconing|');
    const r = parse(line);
    r.should.containDeep({
      DeviceVendor: 'netbeacon',
      DeviceEventClassID: 'beacon-kql',
      LogSeverity: '8',
      SourceIP: '10.0.0.4',
      SourceUserName: 'corp\\svc-backup',
      DestinationIP: '52.239.1.10',
      DestinationPort: 443,
      DeviceName: 'PA-VM',
      ExternalID: 'nb-7f3a9c',
      EventCount: 55,
      DeviceAction: 'alert',
      DeviceCustomString1Label: 'Method',
      DeviceCustomString1: 'kql',
      DeviceCustomString2: 'Palo Alto beaconing',
      DeviceCustomString6: 'TotalEvents > 30, BeaconPercent > 80',
      DeviceCustomNumber1: 60,
      DeviceCustomNumber2: 55,
    });
    r.Message.should.equal(alertSubject(row, { title: 'Palo Alto beaconing' }));
    r.Activity.should.equal(r.Message);
    // the record's time is the bin's start (CEF start)
    r.TimeGenerated.should.startWith('2024-05-08T00:00:00');
  });

  it('hostile log strings (= \\ | and line breaks) come back as written, minus the line breaks', function () {
    const row = { ...PA(), SourceUserID: 'a=b\\c|d\ne', DeviceName: 'fw|1=x' };
    const line = F.cefLine(row);
    line.should.not.match(/[\r\n]/);
    const r = parse(line);
    r.SourceUserName.should.equal('a=b\\c|d e');
    r.DeviceName.should.equal('fw|1=x');
    r.DeviceVendor.should.equal('netbeacon'); // the header was not split by the | in the subject
    r.Message.should.containEql('a=b\\c|d e@10.0.0.4');
  });

  it('leaves empty fields out: no "suser=" for a CEF row without a user, no label without its value', function () {
    const line = F.cefLine({ ...PA(), SourceUserID: '' });
    line.should.not.match(/suser=/);
    line.should.not.match(/ \w+= /);
    line.should.not.match(/cs4Label/); // no destination network for a single address
    parse(line).SourceUserName.should.equal('');
  });

  it("a periodic row: network, p-value and the band's figures, never the mode's share", function () {
    const r = parse(F.cefLine(HUNT(), HUNT_OPTS));
    r.should.containDeep({
      DeviceEventClassID: 'beacon-periodic',
      SourceIP: '10.0.0.7',
      DestinationPort: 8443,
      DeviceCustomString4Label: 'DestinationNetwork',
      DeviceCustomString4: '185.225.17.0/24',
      DeviceCustomString5Label: 'PValue',
      DeviceCustomString5: '<1e-300',
      DeviceCustomNumber1: 40,
      DeviceCustomNumber2: 480,
      EventCount: 535,
    });
    should(r.DestinationIP).be.undefined();
    r.DeviceCustomString3.should.equal('every ~40 s (intervals of 36.5–44.5 s): 480 of 535 intervals in the band (89.7 %)');
  });
});

describe('alert formats: RFC 5424 syslog', function () {
  it('escapes ] " and \\ in structured data and reads back both through the SD and through the LogParser', function () {
    const row = { ...PA(), SourceUserID: 'x"] [evil@1 a="b\\' };
    const line = F.syslogLine(row, { title: 'Palo "Alto"] rule\\', hostname: 'nr-1', facility: 4 });
    line.should.match(/^<36>1 2024-05-08T01:05:00\.000Z nr-1 netbeacon - beacon \[netbeacon@32473 /);
    line.should.containEql('user="x\\"\\] [evil@1 a=\\"b\\\\"');
    const sd = F.parseStructuredData(line);
    sd.should.containDeep({
      alertId: 'nb-7f3a9c',
      state: 'alert',
      rule: 'Palo "Alto"] rule\\',
      method: 'kql',
      src: '10.0.0.4',
      user: 'x"] [evil@1 a="b\\',
      device: 'PA-VM',
      dst: '52.239.1.10',
      dpt: '443',
      period: '60',
      inPattern: '55',
      intervals: '55',
      start: '2024-05-08T00:00:00Z',
    });
    const r = parse(line);
    r.should.containDeep({
      Computer: 'nr-1',
      SourceIP: '10.0.0.4',
      SourceUserName: 'x"] [evil@1 a="b\\',
      DestinationIP: '52.239.1.10',
      DestinationPort: 443,
      ExternalID: 'nb-7f3a9c',
      DeviceCustomString2: 'Palo "Alto"] rule\\',
    });
    r.SyslogTime.should.startWith('2024-05-08T01:05:00');
  });

  it('a hunt row: network destination, p-value in the SD, severity by state, facility setting', function () {
    const line = F.syslogLine(HUNT(), { ...HUNT_OPTS, facility: 13 });
    line.should.startWith('<108>1 '); // 13 * 8 + 4 (warning)
    F.parseStructuredData(line).should.containDeep({ dst: '185.225.17.0/24', pValue: '<1e-300', method: 'periodic', since: '2024-05-05T12:00:00Z' });
    const suppressed = F.syslogLine(find('hunt', 'Beacon hunt', 'suppressed'));
    suppressed.should.startWith('<38>1 '); // 4 * 8 + 6 (informational)
    F.parseStructuredData(suppressed).suppressed.should.match(/^allow-list: NTP/);
    parse(suppressed).DeviceAction.should.equal('suppressed');
  });
});

describe('alert formats: e-mail and chat', function () {
  it('e-mail: subject ≤ 120, text body, HTML with one bar per interval and escaped log strings', function () {
    const hostile = { ...PA(), SourceUserID: '<img src=x onerror=alert(1)>' };
    const m = F.emailMessage([hostile], { title: 'Palo Alto beaconing' });
    m.subject.length.should.be.belowOrEqual(SUBJECT_MAX);
    m.text.should.startWith(m.subject);
    m.text.should.match(/\nHow regular: /);
    m.html.should.not.containEql('<img');
    m.html.should.containEql('&lt;img src=x onerror=alert(1)&gt;');
    m.html.should.not.match(/<script|<svg/i);
    (m.html.match(/bgcolor=/g) || []).length.should.equal(Object.keys(hostile.histogram).length);
  });

  it('e-mail of a batch: one subject counting the rest, every row in the body', function () {
    const rows = FIXTURE.filter((r) => r.example === 'WireData' && r.kind === 'alert').map((r) => r.row);
    const m = F.emailMessage(rows, { title: 'WireData beaconing' });
    m.subject.should.endWith(`(+${rows.length - 1} more)`);
    (m.text.match(/^What: /gm) || []).length.should.equal(rows.length);
    (m.html.match(/<h2 /g) || []).length.should.equal(rows.length);
  });

  it('Slack/Mattermost: text + attachments with the facts; < > & cannot make links or mentions', function () {
    const p = F.slackMessage([{ ...PA(), SourceUserID: '<!channel> & <http://x|y>' }], { title: 'Palo Alto beaconing' });
    p.text.should.containEql('beacon &lt;!channel&gt; &amp; &lt;http://x|y&gt;@10.0.0.4');
    JSON.stringify(p).should.not.match(/<!channel>|<http/);
    p.attachments[0].fields.map((f) => f.title).should.containDeep(['What', 'Who', 'How regular', 'Since when', 'Why']);
    p.attachments[0].footer.should.equal('AlertId nb-7f3a9c');
  });

  it('Teams: an Adaptive Card with the subject and the facts', function () {
    const p = F.teamsMessage([HUNT()], HUNT_OPTS);
    p.type.should.equal('message');
    const card = p.attachments[0].content;
    card.type.should.equal('AdaptiveCard');
    card.body[0].text.should.equal(alertSubject(HUNT(), HUNT_OPTS));
    card.body[1].facts.find((f) => f.title === 'Chance').value.should.match(/less than 1 in 10\^300/);
  });

  it('formatAlerts: one message per alert in every format, a digest of e-mail and chat when asked; no rows, no message', function () {
    const rows = [PA(), HUNT()];
    for (const f of ['email', 'slack', 'teams']) {
      F.formatAlerts(rows, f)
        .map((m) => m.topic)
        .should.eql(rows.map((r) => alertSubject(r)));
      F.formatAlerts(rows, f, { digest: true }).should.have.length(1);
    }
    for (const f of ['ecs', 'cef', 'syslog'])
      F.formatAlerts(rows, f)
        .map((m) => m.topic)
        .should.eql(rows.map((r) => alertSubject(r)));
    F.formatAlerts([], 'email').should.eql([]);
  });

  it('TCP framing (RFC 6587): a newline after the line, or its length in bytes before it; a document as one JSON line', function () {
    const line = F.syslogLine(HUNT(), HUNT_OPTS);
    F.framed(line, '').should.equal(line);
    F.framed(line, 'newline').should.equal(`${line}\n`);
    F.framed(`${line}\n`, 'newline').should.equal(`${line}\n`); // never two
    const octet = F.framed('é=1 → x', 'octet');
    octet.should.equal(`${Buffer.byteLength('é=1 → x')} é=1 → x`); // bytes, not characters
    const doc = F.ecsDocument(HUNT(), HUNT_OPTS);
    const framedDoc = F.framed(doc, 'newline');
    framedDoc.endsWith('\n').should.be.true();
    framedDoc.slice(0, -1).includes('\n').should.be.false();
    JSON.parse(framedDoc).should.eql(doc);
  });
});
