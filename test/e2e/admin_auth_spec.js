'use strict';
/**
 * The Beacons sidebar's admin routes with adminAuth on, in a real Node-RED
 * process: no token is refused (401), a user whose permissions do not include
 * beacon-scorer.read (or .write to clear) is refused, a permitted one is
 * answered, as RED.auth.needsPermission decides; the editor's own routes are
 * checked the same way so the test shows adminAuth is in force.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const should = require('should');
const { NodeRedProcess, freePort } = require('./support/node-red-process');
const { resolveInNodeRed } = require('../support/node-red');

const PASSWORD = 'netbeacon-e2e';
const USERS = {
  admin: '*', // everything
  reader: 'read', // every *.read
  flowsOnly: ['flows.read'], // logged in, but not allowed to see the board
};

describe('the Beacons sidebar routes behind adminAuth (real Node-RED)', function () {
  this.timeout(120000);
  let red;
  let userDir;

  before(async function () {
    const bcrypt = require(resolveInNodeRed('bcryptjs'));
    const hash = bcrypt.hashSync(PASSWORD, 8);
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'netbeacon-auth-'));
    red = new NodeRedProcess(userDir, await freePort(), {
      adminAuth: { type: 'credentials', users: Object.entries(USERS).map(([username, permissions]) => ({ username, password: hash, permissions })) },
    });
    await red.start();
  });
  after(async function () {
    if (red) {
      try {
        await red.stop();
      } finally {
        red.kill();
      }
    }
    if (userDir) fs.rmSync(userDir, { recursive: true, force: true });
  });

  /** A bearer token for a user, as the editor's login gets one. */
  async function token(username) {
    const res = await fetch(`${red.base}/auth/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: 'node-red-editor', grant_type: 'password', scope: '', username, password: PASSWORD }),
    });
    res.status.should.equal(200, `login of ${username}`);
    return (await res.json()).access_token;
  }
  const call = async (method, route, user) => {
    const headers = user ? { Authorization: `Bearer ${await token(user)}` } : {};
    const res = await fetch(`${red.base}${route}`, { method, headers });
    return { status: res.status, body: res.status === 200 ? await res.text() : '' };
  };

  it('GET netbeacon/beacons: 401 without a token or without beacon-scorer.read, the board with it', async function () {
    (await call('GET', '/flows')).status.should.equal(401); // adminAuth is in force
    (await call('GET', '/netbeacon/beacons')).status.should.equal(401);
    (await call('GET', '/netbeacon/beacons', 'flowsOnly')).status.should.equal(401);
    (await call('GET', '/flows', 'flowsOnly')).status.should.equal(200); // a valid login, refused only for the board
    for (const user of ['reader', 'admin']) {
      const res = await call('GET', '/netbeacon/beacons', user);
      res.status.should.equal(200, user);
      should(JSON.parse(res.body)).eql({ groups: [] });
    }
  });

  it('POST netbeacon/beacons/clear: 401 without a token or for a read-only user, done with beacon-scorer.write', async function () {
    (await call('POST', '/netbeacon/beacons/clear')).status.should.equal(401);
    (await call('POST', '/netbeacon/beacons/clear', 'reader')).status.should.equal(401);
    (await call('POST', '/netbeacon/beacons/clear', 'admin')).status.should.equal(200);
    red.warnings().should.eql([]);
  });
});
