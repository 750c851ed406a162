'use strict';
const fc = require('fast-check');
const should = require('should');
const { LogParser, DEFAULT_PARSER_OPTIONS } = require('../../dist/core/parse/parser');
const { parseSyslogFrame, FrameSplitter } = require('../../dist/core/parse/syslog');
const { parseCef } = require('../../dist/core/parse/cef');
const lines = require('../../dist/tools/log-lines');
const gen = require('../../dist/tools/traffic-generator');

const parser = (o = {}) => new LogParser({ ...DEFAULT_PARSER_OPTIONS, ...o });

// real lines as the vendors' log-format documentation quotes them
const REAL_CEF =
  '<14>1 2024-05-08T01:10:31-07:00 tusredrwep52hb - - - - CEF:0|Palo Alto Networks|PAN-OS|10.1.11|end|TRAFFIC|1|rt=May 08 2024 08:10:31 GMT deviceExternalId=013201027985 src=10.226.66.16 dst=10.50.10.50 sourceTranslatedAddress=0.0.0.0 destinationTranslatedAddress=0.0.0.0 cs1Label=Rule cs1=IANOUTER_to_CORPNET_DNS suser= duser= app=dns-base cs3Label=Virtual System cs3=vsys1 cs4Label=Source Zone cs4=IANOUTER cs5Label=Destination Zone cs5=CORPNET deviceInboundInterface=ethernet1/23.21 deviceOutboundInterface=ethernet1/21 cs6Label=LogProfile cs6=Base-LoggingProfile cn1Label=SessionID cn1=781099 cnt=1 spt=42301 dpt=53 sourceTranslatedPort=0 destinationTranslatedPort=0 flexString1Label=Flags flexString1=0x19 proto=udp act=allow flexNumber1Label=Total bytes flexNumber1=180 in=84 out=96 cn2Label=Packets cn2=2 PanOSPacketsReceived=1 PanOSPacketsSent=1 start=$cefformatted-time_generated cn3Label=Elapsed time in seconds cn3=0 cs2Label=URL Category cs2=any externalId=7360463872407464946 reason=aged-out PanOSDGl1=18 PanOSDGl2=0 PanOSDGl3=0 PanOSDGl4=0 PanOSVsysName=FABRIC dvchost=tusredrwep52hb cat=from-policy PanOSActionFlags=0x8000000000000000 PanOSSrcUUID= PanOSDstUUID= PanOSTunnelID=0 PanOSMonitorTag= PanOSParentSessionID=0 PanOSParentStartTime= PanOSTunnelType=N/A';
const REAL_CSV =
  'Nov 30 16:09:08 PA-220 1,2018/11/30 16:09:07,012801096514,TRAFFIC,end,2049,2018/11/30 16:09:07,192.168.15.207,175.16.199.1,192.168.1.63,175.16.199.1,new_outbound_from_trust,,,apple-maps,vsys1,trust,untrust,ethernet1/2,ethernet1/1,send_to_mac,2018/11/30 16:09:07,22751,1,55113,443,16418,443,0x400053,tcp,allow,7734,1758,5976,36,2018/11/30 15:59:04,586,computer-and-internet-info,0,32091112,0x0,192.168.0.0-192.168.255.255,United States,0,16,20,tcp-fin,0,0,0,0,,PA-220,from-policy,,,0,,0,,N/A,0,0,0,0';

describe('core/parse', function () {
  describe('syslog framing', function () {
    it('reads RFC 5424 headers, structured data included', function () {
      const f = parseSyslogFrame(
        '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Appl\\]ication"] hello world',
      );
      f.header.should.containDeep({ format: 'rfc5424', priority: 165, time: '2003-10-11T22:14:15.003Z', host: 'mymachine.example.com', appName: 'evntslog' });
      f.message.should.equal('hello world');
    });
    it('reads RFC 3164 headers with and without PRI and tag', function () {
      parseSyslogFrame('<34>Oct  1 22:14:15 mymachine su: bad su').should.containDeep({
        header: { format: 'rfc3164', priority: 34, time: 'Oct 1 22:14:15', host: 'mymachine', appName: 'su' },
        message: 'bad su',
      });
      parseSyslogFrame('Nov 30 16:09:08 PA-220 1,2018/11/30').should.containDeep({ header: { host: 'PA-220', priority: null }, message: '1,2018/11/30' });
    });
    it('leaves a line without header alone', function () {
      should(parseSyslogFrame('CEF:0|a|b|c|d|e|f|').header).equal(null);
    });
    it('reassembles octet-counted and newline-delimited TCP frames across chunk boundaries', function () {
      const a = '<14>1 2024-01-01T00:00:00Z h - - - - first message';
      const b = '<14>1 2024-01-01T00:00:01Z h - - - - second, with ünïcode';
      const stream = Buffer.from(`${Buffer.byteLength(a)} ${a}${Buffer.byteLength(b)} ${b}third line\nfourth`);
      for (let cut = 1; cut < stream.length; cut += 7) {
        const s = new FrameSplitter();
        const frames = [...s.push(stream.subarray(0, cut)).frames, ...s.push(stream.subarray(cut)).frames, ...s.end()];
        frames.should.eql([a, b, 'third line', 'fourth']);
      }
    });
    it('drops frames larger than the cap instead of buffering them', function () {
      const s = new FrameSplitter(100);
      const { frames, overflow } = s.push(`500 <14>${'x'.repeat(600)}`);
      frames.should.eql([]);
      overflow.should.be.above(0);
      s.bufferedBytes.should.be.below(101);
    });
  });

  describe('CEF', function () {
    it('honours escapes and values with spaces', function () {
      const e = parseCef('CEF:0|Ven\\|dor|Prod|1.0|100|Name|5|cs1=a\\=b c\\\\d msg=two words here\\nnext suser= dst=1.2.3.4');
      e.deviceVendor.should.equal('Ven|dor');
      e.extension.should.eql({ cs1: 'a=b c\\d', msg: 'two words here\nnext', suser: '', dst: '1.2.3.4' });
    });
    it('reports a short header', function () {
      parseCef('CEF:0|a|b').should.match(/CEF header has 3 of 8 fields/);
    });
    it('maps the real PAN-OS CEF line to CommonSecurityLog columns', function () {
      const r = parser().parseLine(REAL_CEF);
      r.kind.should.equal('record');
      r.record.should.containDeep({
        DeviceVendor: 'Palo Alto Networks',
        DeviceProduct: 'PAN-OS',
        Activity: 'TRAFFIC',
        DeviceEventClassID: 'end',
        SourceIP: '10.226.66.16',
        DestinationIP: '10.50.10.50',
        SourcePort: 42301,
        DestinationPort: 53,
        SourceUserID: '',
        SourceUserName: '',
        DeviceName: 'tusredrwep52hb',
        ReceivedBytes: 84,
        SentBytes: 96,
        Computer: 'tusredrwep52hb',
        DeviceCustomString3: 'vsys1',
        DeviceCustomString3Label: 'Virtual System',
        // start= is the literal "$cefformatted-time_generated" (a sender typo): rt is used
        TimeGenerated: '2024-05-08T08:10:31.0000000Z',
        SyslogTime: '2024-05-08T08:10:31.0000000Z',
      });
      r.record.AdditionalExtensions.should.match(/PanOSVsysName=FABRIC/);
    });
    it('reads bytes client → server with the client setting', function () {
      parser({ byteDirection: 'client' }).parseLine(REAL_CEF).record.should.containDeep({ SentBytes: 84, ReceivedBytes: 96 });
    });
  });

  describe('event time one line cannot set for the next', function () {
    const cef = (header, ext) => `${header} CEF:0|Palo Alto Networks|PAN-OS|10.1|end|TRAFFIC|1|${ext} src=10.0.0.1 dst=8.8.8.8 spt=1 dpt=443`;
    it('reports an rt that does not read as a parse error instead of falling back to the header time', function () {
      for (const header of ['<14>May  8 00:00:00 fw', '<14>1 2024-05-08T00:00:00Z fw - - - -']) {
        const r = parser().parseLine(cef(header, 'rt=garbage'));
        r.kind.should.equal('error', header);
        r.reason.should.match(/CEF rt is not a time: "garbage"/);
        parser({ timeSource: 'syslog' }).parseLine(cef(header, 'rt=garbage')).kind.should.equal('error');
      }
      // without rt, an unreadable start has nothing to stand in for it
      parser()
        .parseLine(cef('<14>May  8 00:00:00 fw', 'start=soon'))
        .reason.should.match(/CEF start is not a time/);
    });
    it('dates a yearless line from its own times only, never from a line before it', function () {
      const p = parser();
      p.parseLine(cef('<14>Dec 31 23:59:00 fw', 'rt=Dec 31 2099 23:59:00 GMT')).record.TimeGenerated.should.equal('2099-12-31T23:59:00.0000000Z');
      // a BSD header and a yearless rt carry no year: an error, not 2099 (what the line before said)
      p.parseLine(cef('<14>May  8 00:00:01 fw', 'rt=May 08 00:00:01 GMT')).reason.should.match(/CEF rt is not a time/);
      p.parseLine(cef('<14>May  8 00:00:01 fw', 'rt=May 08 2024 00:00:01 GMT')).record.should.containDeep({
        TimeGenerated: '2024-05-08T00:00:01.0000000Z',
        SyslogTime: '2024-05-08T00:00:01.0000000Z',
      });
      // a JSON record with only a BSD header has no year for the syslog time
      const s = parser({ timeSource: 'syslog' });
      s.parseLine('<14>1 2099-12-31T23:59:00Z fw - - - - {"LocalIP":"10.0.0.1"}').record.TimeGenerated.should.equal('2099-12-31T23:59:00.0000000Z');
      s.parseLine('<14>Dec 31 23:59:30 fw {"LocalIP":"10.0.0.1"}').kind.should.equal('error');
      // an RFC 5424 header on the same line gives a yearless rt its year
      parser()
        .parseLine(cef('<14>1 2024-05-08T00:00:01Z fw - - - -', 'rt=May 08 00:00:01 GMT'))
        .record.TimeGenerated.should.equal('2024-05-08T00:00:01.0000000Z');
    });
  });

  describe('PAN-OS CSV', function () {
    it("maps the real TRAFFIC line as Microsoft's parser does, with the year from the device time", function () {
      const r = parser().parseLine(REAL_CSV);
      r.record.should.containDeep({
        DeviceVendor: 'Palo Alto Networks',
        Activity: 'TRAFFIC',
        DeviceEventClassID: 'end',
        SourceIP: '192.168.15.207',
        DestinationIP: '175.16.199.1',
        SourcePort: 55113,
        DestinationPort: 443,
        SentBytes: 1758,
        ReceivedBytes: 5976,
        DeviceName: 'PA-220',
        TimeGenerated: '2018-11-30T16:09:07.0000000Z',
        SyslogTime: '2018-11-30T16:09:08.0000000Z',
      });
    });
    it('chooses receive time, syslog time, and a device zone on request', function () {
      parser({ timeSource: 'receipt' }).parseLine(REAL_CSV).record.TimeGenerated.should.equal('2018-11-30T16:09:07.0000000Z');
      parser({ timeSource: 'syslog' }).parseLine(REAL_CSV).record.TimeGenerated.should.equal('2018-11-30T16:09:08.0000000Z');
      parser({ deviceOffsetMinutes: 60 }).parseLine(REAL_CSV).record.TimeGenerated.should.equal('2018-11-30T15:09:07.0000000Z');
    });
    it('keeps quoted fields with commas together', function () {
      const line = REAL_CSV.replace('new_outbound_from_trust', '"allow, web"');
      parser().parseLine(line).record.should.containDeep({ DeviceCustomString1: 'allow, web', DestinationPort: 443 });
    });
    it('reports a line with too few fields', function () {
      parser({ format: 'panos-csv' })
        .parseLine('1,2018/11/30 16:09:07,0,TRAFFIC')
        .reason.should.match(/4 fields/);
    });
  });

  describe('Zeek', function () {
    it('remembers #fields, reads exact ts digits, reports rows before a header or of the wrong width', function () {
      const p = parser();
      p.parseLine('1.5\tx').kind.should.equal('error');
      p.parseLine('#fields\tts\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\torig_bytes\tresp_bytes').kind.should.equal('header');
      p.parseLine('1517336047.123456\t10.0.0.1\t5000\t8.8.8.8\t53\t-\t80').record.should.eql({
        LocalIP: '10.0.0.1',
        LocalPortNumber: 5000,
        RemoteIP: '8.8.8.8',
        RemotePortNumber: 53,
        ReceivedBytes: 80,
        TimeGenerated: '2018-01-30T18:14:07.1234560Z',
      });
      p.parseLine('1517336047.1\t10.0.0.1').reason.should.match(/2 fields, the #fields header 7/);
    });
    it('reads Zeek JSON lines', function () {
      parser()
        .parseLine('{"ts":1517336047.5,"id.orig_h":"10.0.0.2","id.orig_p":1,"id.resp_h":"2001:db8::1","id.resp_p":443}')
        .record.should.containDeep({ LocalIP: '10.0.0.2', RemoteIP: '2001:db8::1', TimeGenerated: '2018-01-30T18:14:07.5000000Z' });
    });
  });

  it('parses every generated line of every format to exactly the record the line means', function () {
    for (const format of ['panos-cef', 'panos-csv', 'zeek-tsv', 'zeek-json']) {
      for (const seed of [1, 2, 3]) {
        const p = parser();
        let n = 0;
        for (const { line, record } of lines.generateLines({ ...gen.randomScenario(seed, 'csl'), quirks: true }, format)) {
          const r = p.parseLine(line);
          if (!record) {
            r.kind.should.equal('header');
            continue;
          }
          r.kind.should.equal('record', `${format}: ${line.slice(0, 120)} → ${r.reason}`);
          r.record.should.containDeep(record);
          n++;
        }
        n.should.be.above(50);
      }
    }
  });

  describe('bad input (fuzz)', function () {
    const p = parser();
    const check = (line) => {
      const r = p.parseLine(line);
      ['record', 'error', 'skip', 'header'].should.containEql(r.kind);
      if (r.kind === 'record') r.record.TimeGenerated.should.be.a.String();
    };
    it('never throws on random strings, unicode, truncations and mutations of real lines (30,000 cases)', function () {
      const seeds = [REAL_CEF, REAL_CSV, '#fields\tts\tid.orig_h', '1517336047.1\t10.0.0.1', '{"ts":1,"id.orig_h":"x"}'];
      fc.assert(fc.property(fc.string({ maxLength: 300 }), check), { numRuns: 10000, seed: 1 });
      fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), check), { numRuns: 10000, seed: 2 });
      fc.assert(
        fc.property(fc.constantFrom(...seeds), fc.nat(), fc.nat(), fc.string({ maxLength: 20 }), (line, a, b, insert) => {
          const i = a % (line.length + 1);
          check(line.slice(0, i) + insert + line.slice(i + (b % 30)));
          check(line.slice(0, i));
        }),
        { numRuns: 10000, seed: 3 },
      );
    });
    it('rejects a 1 MB line without scanning it, and handles adversarial near-misses in linear time', function () {
      parser()
        .parseLine('x'.repeat(1024 * 1024))
        .reason.should.match(/longer than/);
      // patterns that make backtracking regular expressions explode: long runs of almost-matching text
      check('<14>1 ' + '['.repeat(100000));
      check('<14>1 2024-01-01T00:00:00Z h a p m ' + '[x k="'.repeat(20000));
      check('CEF:0|a|b|c|d|e|f|' + 'k='.repeat(50000));
      check('CEF:0|a|b|c|d|e|f|' + 'a'.repeat(100000) + '=');
      check('Jan  1 00:00:00 ' + ' '.repeat(100000));
      check('1,2018/11/30 16:09:07,' + '"'.repeat(100000));
      // once quadratic (a trailing-whitespace and a trailing-newline regex retried at every position)
      check('CEF:0|a|b|c|d|e|f|src=' + ' '.repeat(300000) + 'x');
      check('<14>1 - - - - - - ' + '\n'.repeat(300000) + 'x');
      const { trimLineEnd } = require('../../dist/core/parse/syslog');
      trimLineEnd('x\r\n\n').should.equal('x');
      trimLineEnd('\n'.repeat(300000) + 'x').length.should.equal(300001);
    });
    it('keeps injection attempts in user names as inert text', function () {
      const r = parser().parseLine(REAL_CEF.replace('suser= ', 'suser=<script>alert(1)</script> cs9=\\\\"; DROP TABLE x; -- '));
      r.record.SourceUserName.should.equal('<script>alert(1)</script>');
    });
  });
});
