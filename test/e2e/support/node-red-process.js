'use strict';
/**
 * A real Node-RED process for end-to-end tests: this package linked into a
 * fresh user directory, everything on 127.0.0.1, flows deployed and changed
 * through the Admin HTTP API, stopped with SIGTERM like a service manager.
 */
const { spawn } = require('child_process');
const fs = require('fs');
const path = require('path');

const ROOT = path.join(__dirname, '..', '..', '..');

const { freePort } = require(path.join(ROOT, 'dist', 'run', 'ports.js'));

class NodeRedProcess {
  constructor(userDir, port, settings = {}) {
    this.userDir = userDir;
    this.port = port;
    this.base = `http://127.0.0.1:${port}`;
    this.log = '';
    this.child = null;
    require(path.join(ROOT, 'dist', 'run', 'user-dir.js')).linkPackage(userDir);
    fs.writeFileSync(
      path.join(userDir, 'settings.js'),
      `module.exports = ${JSON.stringify({
        uiHost: '127.0.0.1',
        uiPort: port,
        flowFile: 'flows.json',
        credentialSecret: false,
        fileWorkingDirectory: userDir,
        editorTheme: { tours: false, projects: { enabled: false } },
        telemetry: { enabled: false },
        logging: { console: { level: 'info' } },
        // as npm start's settings.js: the examples' scorers keep their notified cells in 'file'
        contextStorage: { default: { module: 'memory' }, file: { module: 'localfilesystem' } },
        ...settings,
      })};\n`,
    );
  }

  /** Starts Node-RED and resolves once it serves and has started its flows. */
  async start() {
    const starts = (this.log.match(/Started flows/g) || []).length;
    this.child = spawn(
      process.execPath,
      [require('../../support/node-red').redScript, '--userDir', this.userDir, '--settings', path.join(this.userDir, 'settings.js')],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      },
    );
    this.child.stdout.on('data', (d) => (this.log += d));
    this.child.stderr.on('data', (d) => (this.log += d));
    await this.until('Node-RED to start', () => (this.log.match(/Started flows/g) || []).length > starts || !this.running);
    if (!this.running) throw new Error(`Node-RED exited:\n${this.log.slice(-2000)}`);
  }

  get running() {
    return Boolean(this.child) && this.child.exitCode === null && this.child.signalCode === null;
  }

  /**
   * SIGTERM, as systemd or docker stop would send; resolves when the process has exited. One that
   * has not within `seconds` is killed (its process group) and the call rejects: a hung Node-RED
   * fails its test instead of outliving it.
   */
  async stop(seconds = 60) {
    if (!this.running) return;
    let timer;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    const hung = new Promise((_, reject) => {
      timer = setTimeout(() => {
        this.kill();
        reject(new Error(`Node-RED did not exit within ${seconds} s of SIGTERM (killed)\n${this.log.slice(-2000)}`));
      }, seconds * 1000);
    });
    this.child.kill('SIGTERM');
    try {
      await Promise.race([exited, hung]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Last resort for a failed test: ends the process group. */
  kill() {
    if (this.running) process.kill(-this.child.pid, 'SIGKILL');
  }

  /** Deploys flows through the Admin API ('full' or 'nodes') and waits until they run. */
  async deploy(flows, type = 'full') {
    const starts = (this.log.match(/Started (modified )?(flows|nodes)/g) || []).length;
    const res = await fetch(`${this.base}/flows`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Node-RED-API-Version': 'v2', 'Node-RED-Deployment-Type': type },
      body: JSON.stringify({ flows }),
    });
    if (res.status !== 200) throw new Error(`deploy answered ${res.status}: ${await res.text()}`);
    await this.until('the deployed flows to start', () => (this.log.match(/Started (modified )?(flows|nodes)/g) || []).length > starts);
  }

  async post(route, body) {
    const res = await fetch(`${this.base}${route}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`POST ${route} answered ${res.status}: ${text}`);
    return text;
  }

  /** Polls for a condition (completion, bounded by a deadline; never a timing assertion). */
  async until(what, test, seconds = 60) {
    const deadline = Date.now() + seconds * 1000;
    while (!test()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${this.log.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Log lines at warn or error level, less the ones every fresh user directory prints. */
  warnings() {
    return this.log.split('\n').filter((l) => /\[(warn|error)\]/.test(l) && !/Projects disabled|unencrypted credentials|Using default credential/.test(l));
  }
}

module.exports = { NodeRedProcess, freePort, ROOT };
