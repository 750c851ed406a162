'use strict';
/**
 * The people and systems at the end of an alert, for real, on 127.0.0.1: an
 * SMTP server that keeps every mail it accepts (the `smtp-server` package,
 * mails parsed back with `mailparser`), a chat webhook that keeps every POST,
 * and Debian's rsyslog run as a user process with its own configuration,
 * writing each received syslog message to a file, as a SIEM's collector.
 */
const { spawn } = require('child_process');
const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');
const { freePort } = require('./node-red-process');

/** An SMTP server on a free loopback port; `mails` holds each accepted mail, parsed. */
async function startSmtp() {
  const { SMTPServer } = require('smtp-server');
  const { simpleParser } = require('mailparser');
  const mails = [];
  const pending = new Set();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      const parsed = simpleParser(stream).then(
        (mail) => {
          mails.push(mail);
          callback();
        },
        (err) => callback(err),
      );
      pending.add(parsed);
      parsed.finally(() => pending.delete(parsed));
    },
  });
  const port = await freePort();
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  // a client stopped mid-session (SIGTERM while a mail is being sent) resets its connection: a mail not received, not a test error
  const errors = [];
  server.on('error', (err) => errors.push(err));
  return {
    port,
    mails,
    errors,
    /** Resolves once every mail being received is parsed. */
    settled: () => Promise.all([...pending]),
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** An HTTP server on a free loopback port keeping each request's method, path and body (JSON parsed when it is JSON). */
async function startWebhook() {
  const posts = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON: kept as text
      }
      posts.push({ method: req.method, path: req.url, body, text });
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  const port = await freePort();
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return { port, url: `http://127.0.0.1:${port}/hook`, posts, close: () => new Promise((resolve) => server.close(resolve)) };
}

/** Where Debian puts rsyslogd, or null. */
function rsyslogd() {
  for (const p of ['/usr/sbin/rsyslogd', '/sbin/rsyslogd']) if (fs.existsSync(p)) return p;
  return null;
}

/**
 * rsyslog as a user process: TCP on a free loopback port (newline or octet
 * counted framing, as rsyslog's imtcp reads both), each message's raw text
 * written as one line to a file. `lines()` reads what it wrote so far.
 */
async function startRsyslog() {
  const binary = rsyslogd();
  if (!binary) throw new Error('rsyslogd not found: install the Debian package rsyslog (.ci/run does)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netbeacon-rsyslog-'));
  const port = await freePort();
  const out = path.join(dir, 'received.log');
  fs.writeFileSync(
    path.join(dir, 'rsyslog.conf'),
    [
      `global(workDirectory="${dir}" maxMessageSize="64k")`,
      'module(load="imtcp")',
      `input(type="imtcp" port="${port}" address="127.0.0.1")`,
      'template(name="raw" type="string" string="%rawmsg%\\n")',
      `*.* action(type="omfile" file="${out}" template="raw" flushOnTXEnd="on" asyncWriting="off")`,
      '',
    ].join('\n'),
  );
  const child = spawn(binary, ['-n', '-f', path.join(dir, 'rsyslog.conf'), '-i', path.join(dir, 'rsyslogd.pid')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  // ready once it accepts a connection
  const net = require('net');
  const deadline = Date.now() + 20000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`rsyslogd exited: ${log}`);
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.end();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`rsyslogd did not listen on ${port}: ${log}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    lines: () =>
      fs.existsSync(out)
        ? fs
            .readFileSync(out, 'utf8')
            .split('\n')
            .filter((l) => l !== '')
        : [],
    log: () => log,
    close: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts the SMTP server, the webhook and rsyslog into `receivers` (a test's
 * object, so its after hook closes what did start); skips the mocha context
 * `ctx` when rsyslogd is not installed.
 */
async function startReceivers(ctx, receivers) {
  if (!rsyslogd()) {
    console.log('      skipped: rsyslogd not found (Debian package rsyslog; .ci/run installs it)');
    ctx.skip();
  }
  receivers.smtp = await startSmtp();
  receivers.webhook = await startWebhook();
  receivers.rsyslog = await startRsyslog();
  return receivers;
}

/** Closes whichever receivers started. */
async function closeReceivers(receivers) {
  for (const r of Object.values(receivers)) await r.close();
}

/** Polls a condition until it holds (bounded; never a timing assertion). */
async function until(what, test, seconds = 60) {
  const deadline = Date.now() + seconds * 1000;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

module.exports = { startSmtp, startWebhook, startRsyslog, startReceivers, closeReceivers, rsyslogd, until };
