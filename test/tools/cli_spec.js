'use strict';
/**
 * The shipped command-line tools: --help answers with the usage (exit 0), a
 * bad argument with one line on stderr (exit 2, no stack trace); the replay
 * tool delivers every line, in order, at the rate asked or says what it reached.
 */
const { spawnSync } = require('child_process');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');
const should = require('should');
const { replay } = require('../../dist/tools/replay-cli');

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
});
