'use strict';
/**
 * A real nats-server for tests: JetStream with file storage in a temporary
 * folder, on 127.0.0.1 and a free port, started and stopped by the test.
 * Missing binary → the suite is skipped with the Debian package's name.
 */
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

function findNatsServer() {
  for (const dir of [...(process.env.PATH || '').split(path.delimiter), '/usr/sbin', '/usr/local/bin']) {
    const file = path.join(dir, 'nats-server');
    if (dir && fs.existsSync(file)) return file;
  }
  return null;
}

const { freePort } = require('../../../dist/run/ports');

/** Polls a condition (no fixed sleeps): resolves when it holds, rejects after `ms`. */
async function until(what, test, ms = 20000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await test();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 20));
  }
}

class NatsServer {
  constructor(dir, port) {
    this.dir = dir;
    this.port = port;
    this.url = `nats://127.0.0.1:${port}`;
    this.child = null;
    this.log = '';
  }

  static async start() {
    const bin = findNatsServer();
    if (!bin) throw new Error('nats-server not found (Debian package nats-server)');
    const server = new NatsServer(fs.mkdtempSync(path.join(os.tmpdir(), 'netbeacon-nats-')), await freePort());
    server.bin = bin;
    await server.restart();
    return server;
  }

  async restart() {
    const readies = (this.log.match(/Server is ready/g) || []).length;
    this.child = spawn(this.bin, ['-js', '-sd', path.join(this.dir, 'js'), '-a', '127.0.0.1', '-p', String(this.port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout.on('data', (d) => (this.log += d));
    this.child.stderr.on('data', (d) => (this.log += d));
    await until('nats-server to be ready', () => (this.log.match(/Server is ready/g) || []).length > readies || this.child.exitCode !== null);
    if (this.child.exitCode !== null) throw new Error(`nats-server exited:\n${this.log.slice(-2000)}`);
  }

  async stop(signal = 'SIGTERM') {
    if (!this.child || this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill(signal);
    await exited;
  }

  async destroy() {
    await this.stop('SIGKILL');
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * The hooks of a suite on one real nats-server (skipped without the binary,
 * failed on CI): the server and a client connection for the whole suite, a
 * fresh checkpoint folder for each test, and what a test pushed on `open`
 * (functions that close it) closed after it. Read the fields in the tests.
 */
function natsSuite() {
  const { connectStream } = require('../../../dist/stream/connection');
  const suite = { server: null, clients: null, dir: null, open: [] };
  before(async function () {
    if (!findNatsServer()) {
      if (process.env.CI) throw new Error('nats-server not installed (Debian package nats-server)');
      console.log('      skipped: nats-server is not installed (Debian package nats-server)');
      this.skip();
    }
    suite.server = await NatsServer.start();
    suite.clients = await connectStream({ servers: suite.server.url });
  });
  after(async function () {
    if (suite.clients) await suite.clients.nc.close();
    if (suite.server) await suite.server.destroy();
  });
  beforeEach(function () {
    suite.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netbeacon-ckpt-'));
  });
  afterEach(async function () {
    while (suite.open.length) await suite.open.pop()();
    fs.rmSync(suite.dir, { recursive: true, force: true });
  });
  return suite;
}

module.exports = { NatsServer, findNatsServer, freePort, natsSuite, until };
