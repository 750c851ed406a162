'use strict';
/**
 * The shipped command-line tools: --help answers with the usage (exit 0), a
 * bad argument with one line on stderr (exit 2, no stack trace); the replay
 * tool delivers every line, in order, at the rate asked or says what it reached.
 */
const { spawnSync } = require('child_process');
const dgram = require('dgram');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');
const should = require('should');
const { fileLines, replay } = require('../../dist/tools/replay-cli');

const ROOT = path.join(__dirname, '..', '..');
const run = (tool, args) => spawnSync(process.execPath, [path.join(ROOT, 'dist', 'tools', `${tool}.js`), ...args], { encoding: 'utf8' });

describe('command-line tools', function () {
  for (const [tool, name] of [
    ['replay-cli', 'netbeacon-replay'],
    ['generate-cli', 'netbeacon-generate'],
  ]) {
    it(`${name} --help prints its usage and exits 0`, function () {
      const r = run(tool, ['--help']);
      r.status.should.equal(0);
      r.stdout.should.match(new RegExp(`^usage: ${name} `));
      r.stderr.should.equal('');
    });

    const bad =
      tool === 'replay-cli'
        ? [
            [],
            ['--file'],
            ['--file', 'x.log'],
            ['--file', 'x.log', '--port', 'abc'],
            ['--file', 'x.log', '--port', '5514', '--proto', 'sctp'],
            ['--port', '99999', '--file', 'x'],
            ['--bogus'],
            ['--file', '/nonexistent/x.log', '--port', '5514'],
            ['--file', 'x', '--port', '1', '--rate', '-5'],
          ]
        : [
            [],
            ['--out'],
            ['--out', 'x', '--schema', 'nope'],
            ['--out', 'x', '--hours', 'many'],
            ['--out', 'x', '--beacon', '1,2'],
            ['stray'],
            ['--out', 'x', '--seed', '1.5'],
          ];
    it(`${name}: each bad argument gives one line on stderr and exit 2`, function () {
      for (const args of bad) {
        const r = run(tool, args);
        should(r.status).equal(2, `${name} ${args.join(' ')}: ${r.stderr}`);
        r.stderr
          .trimEnd()
          .split('\n')
          .should.have.length(1, `${name} ${args.join(' ')}: ${r.stderr}`);
        r.stderr.should.startWith(`${name}: `);
        r.stderr.should.not.match(/\n\s+at /);
        r.stdout.should.equal('');
      }
    });
  }

  it('netbeacon-generate writes records when the arguments are right', function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netbeacon-cli-'));
    try {
      const r = run('generate-cli', ['--out', path.join(dir, 'x.jsonl'), '--hours', '1', '--beacon', '10.0.0.1,52.1.1.1,443,60']);
      r.status.should.equal(0, r.stderr);
      fs.readFileSync(path.join(dir, 'x.jsonl'), 'utf8').split('\n').filter(Boolean).length.should.be.above(50);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('replay paces in ticks yet delivers every line in order (TCP, octet-counted) and reports the rate it reached', async function () {
    const received = [];
    const server = net.createServer((s) => s.on('data', (d) => received.push(d)));
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    const lines = Array.from({ length: 5000 }, (_, i) => `<14>1 - h - - - - line ${i}`);
    try {
      const report = await replay({ lines, host: '127.0.0.1', port: server.address().port, proto: 'tcp', rate: 50000, octetCount: true });
      report.sent.should.equal(5000);
      report.rate.should.be.above(0);
      const wire = Buffer.concat(
        await new Promise((resolve) => {
          const check = () =>
            Buffer.concat(received).length >= lines.reduce((n, l) => n + Buffer.byteLength(`${Buffer.byteLength(l)} ${l}`), 0)
              ? resolve(received)
              : setTimeout(check, 5);
          check();
        }),
      ).toString();
      wire.should.equal(lines.map((l) => `${Buffer.byteLength(l)} ${l}`).join(''));
    } finally {
      server.close();
    }
  });

  it("replay's file lines are the text's non-empty lines, as bytes: multibyte characters, CRs and a missing last newline kept as they were", function () {
    // seeded texts of short lines from a small alphabet: empty lines, runs of newlines, CRs, 2-4 byte characters
    const alphabet = ['a', 'b', ' ', '\n', '\n', '\r', 'é', '€', '😀', '='];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let t = 0; t < 300; t++) {
      let text = '';
      const n = Math.floor(next() * 60);
      for (let i = 0; i < n; i++) text += alphabet[Math.floor(next() * alphabet.length)];
      const got = fileLines(Buffer.from(text)).map((b) => b.toString('utf8'));
      got.should.deepEqual(
        text.split('\n').filter((l) => l.length > 0),
        JSON.stringify(text),
      );
    }
  });

  it('replay sends each line of a file as one datagram with exactly its bytes (UDP, from the command line)', async function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netbeacon-cli-'));
    // room in the kernel for every datagram even if this process is not scheduled while they arrive
    const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 << 20 });
    const got = [];
    socket.on('message', (m) => got.push(m.toString('utf8')));
    await new Promise((r) => socket.bind(0, '127.0.0.1', r));
    const lines = Array.from({ length: 500 }, (_, i) => `<14>CEF:0|Vendor é|Prod €|1|x|y|${i % 10}|msg=line ${i} 😀${i % 7 === 0 ? '\r' : ''}`);
    try {
      const file = path.join(dir, 'lines.log');
      fs.writeFileSync(file, lines.join('\n') + '\n\n');
      const r = await new Promise((resolve) => {
        const child = require('child_process').execFile(
          process.execPath,
          [path.join(ROOT, 'dist', 'tools', 'replay-cli.js'), '--file', file, '--port', String(socket.address().port), '--rate', '5000'],
          (err, stdout, stderr) => resolve({ err, stdout, stderr }),
        );
        child.on('error', () => undefined);
      });
      should(r.err).equal(null, r.stderr);
      r.stdout.should.match(/^sent 500 lines over udp/);
      // the sender's own CPU while sending, per line: what it takes from a machine it shares with the input
      r.stdout.should.match(/; CPU while sending \d+\.\d µs per line\n$/);
      // a lost datagram fails the comparison below instead of hanging the test
      const until = Date.now() + 10000;
      await new Promise((resolve) => {
        const check = () => (got.length >= lines.length || Date.now() > until ? resolve() : setTimeout(check, 5));
        check();
      });
      got.should.deepEqual(lines);
    } finally {
      socket.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('replay frames lines given as bytes as it frames text (TCP, newline)', async function () {
    const received = [];
    const server = net.createServer((s) => s.on('data', (d) => received.push(d)));
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    const lines = Array.from({ length: 3000 }, (_, i) => `<14>1 - h - - - - line ${i} é`);
    try {
      const report = await replay({
        lines: lines.map((l, i) => (i % 2 ? Buffer.from(l) : l)),
        host: '127.0.0.1',
        port: server.address().port,
        proto: 'tcp',
        rate: 50000,
        octetCount: false,
      });
      report.sent.should.equal(3000);
      // in seconds, and no more than every core for the whole run
      report.cpuSeconds.should.be.above(0).and.belowOrEqual(report.seconds * os.cpus().length + 0.05);
      const want = lines.map((l) => `${l}\n`).join('');
      await new Promise((resolve) => {
        const check = () => (Buffer.concat(received).length >= Buffer.byteLength(want) ? resolve() : setTimeout(check, 5));
        check();
      });
      Buffer.concat(received).toString().should.equal(want);
    } finally {
      server.close();
    }
  });

  it('replay refuses a line longer than a UDP datagram can be, naming it, before sending it', async function () {
    const socket = dgram.createSocket('udp4');
    const got = [];
    socket.on('message', (m) => got.push(m.length));
    await new Promise((r) => socket.bind(0, '127.0.0.1', r));
    try {
      const lines = ['short one', Buffer.from('x'.repeat(65508)), 'never sent'];
      await replay({ lines, host: '127.0.0.1', port: socket.address().port, proto: 'udp', rate: 0, octetCount: false }).should.be.rejectedWith(
        /line 2 is 65508 bytes, longer than a UDP datagram can be \(65507\)/,
      );
      // the multibyte text's bytes count, not its characters
      await replay({
        lines: ['é'.repeat(40000)],
        host: '127.0.0.1',
        port: socket.address().port,
        proto: 'udp',
        rate: 0,
        octetCount: false,
      }).should.be.rejectedWith(/line 1 is 80000 bytes/);
      got.should.not.containEql(65508);
    } finally {
      socket.close();
    }
  });
});
