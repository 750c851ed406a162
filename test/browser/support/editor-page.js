'use strict';
/**
 * The Node-RED editor in a real Chromium (Debian's, driven by playwright-core)
 * against a real Node-RED process on 127.0.0.1: what a user does, through the
 * editor's own menus and dialogs, with every console error and page error
 * recorded. Screenshots go to test-artifacts/browser/ (git-ignored).
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const { NodeRedProcess, freePort, ROOT } = require('../../e2e/support/node-red-process');
const { VERSION: NODE_RED_VERSION } = require('../../support/node-red');

const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'browser');
const CHROMIUM = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** Debian's chromium (or CHROMIUM_PATH); null when none is installed. */
function chromiumPath() {
  return CHROMIUM.find((p) => p && fs.existsSync(p)) || null;
}

/** Skips the suite with a printed reason where no Chromium can be found. */
function requireChromium(suite) {
  if (chromiumPath()) return true;
  console.log('      skipped: no Chromium found (/usr/bin/chromium; set CHROMIUM_PATH), the browser tests need one');
  suite.skip();
  return false;
}

class EditorPage {
  /** Starts Node-RED (settings merged into the test defaults) and opens its editor. */
  static async open(settings = {}, flows = null) {
    const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'netbeacon-editor-'));
    // no palette catalogue from the internet: installs are off in the tests
    const red = new NodeRedProcess(userDir, await freePort(), { externalModules: { palette: { allowInstall: false } }, ...settings });
    await red.start();
    if (flows) await red.deploy(flows);
    const { chromium } = require('playwright-core');
    const browser = await chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox', '--disable-gpu'] });
    const page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
    const editor = new EditorPage(red, browser, page, userDir);
    page.on('pageerror', (e) => editor.errors.push(`page error: ${e.message}`));
    page.on('console', (m) => m.type() === 'error' && editor.errors.push(`console: ${m.text()}`));
    page.on('dialog', (d) => {
      editor.errors.push(`a dialog opened: ${d.message()}`);
      d.dismiss();
    });
    // nothing leaves 127.0.0.1: a request elsewhere is refused and reported
    await page.route(
      (url) => url.hostname !== '127.0.0.1',
      (route) => {
        editor.errors.push(`request outside 127.0.0.1: ${route.request().url()}`);
        return route.abort();
      },
    );
    await page.goto(red.base);
    await page.waitForFunction(
      () =>
        window.RED && RED.nodes && RED.nodes.getType('beacon-scorer') && RED.nodes.version() !== undefined && $('#red-ui-header-button-deploy').is(':visible'),
      null,
      { timeout: 60000 },
    );
    // the editor is the Node-RED the tests were pointed at (NODE_RED_DIR: the Node-RED 5 matrix step)
    const version = await page.evaluate(() => RED.settings.version);
    if (!version.startsWith(NODE_RED_VERSION)) throw new Error(`the editor is Node-RED ${version}, the tests expected ${NODE_RED_VERSION}`);
    return editor;
  }

  constructor(red, browser, page, userDir) {
    Object.assign(this, { red, browser, page, userDir, errors: [] });
    this.version = null;
  }

  async nodeRedVersion() {
    return (this.version ||= await this.page.evaluate(() => RED.settings.version));
  }

  /** Import ▸ Examples ▸ <module> ▸ <file>, into a new flow; resolves with the ids imported. */
  async importExample(label) {
    const page = this.page;
    const before = await page.evaluate(() => {
      const ids = [];
      RED.nodes.eachNode((n) => {
        ids.push(n.id);
      });
      return ids;
    });
    await page.click('#red-ui-header-button-sidemenu');
    await page.click('#menu-item-import');
    await page.click('a[href="#red-ui-clipboard-dialog-import-tab-examples"]');
    const tree = page.locator('#red-ui-clipboard-dialog-import-tab-examples');
    await tree.locator('.red-ui-treeList-label', { hasText: '@netbeacon/node-red-beaconing' }).first().click();
    // the module's files slide down (jQuery, 200 ms): a click during the slide can land beside the file
    const file = tree.locator('.red-ui-treeList-label', { hasText: label }).first();
    await file.waitFor({ state: 'visible' });
    await page.waitForFunction(() => $('#red-ui-clipboard-dialog-import-tab-examples :animated').length === 0);
    await file.click();
    // Import is enabled once a file (not a folder) is selected
    await page.waitForFunction(() => !$('#red-ui-clipboard-dialog-ok').prop('disabled'));
    const newFlow = page.locator('#red-ui-clipboard-dialog-import-opt-new');
    if (await newFlow.isVisible()) await newFlow.click();
    await page.click('#red-ui-clipboard-dialog-ok');
    await page.waitForFunction((n) => {
      let c = 0;
      RED.nodes.eachNode(() => {
        c++;
      });
      return c > n;
    }, before.length);
    // show the imported flow's tab, so the editor draws (and sizes) its nodes
    return page.evaluate((old) => {
      const ids = [];
      RED.nodes.eachNode((n) => {
        if (!old.includes(n.id)) ids.push(n.id);
      });
      RED.workspaces.show(RED.nodes.node(ids[0]).z);
      RED.view.redraw(true);
      return ids;
    }, before);
  }

  /**
   * Opens a node's edit dialog and waits until the tray has settled: the tray focuses its first box
   * about 150 ms after it opens, and keys typed before that land in whichever box had focus then.
   */
  async editDialog(id) {
    const page = this.page;
    await page.evaluate((nodeId) => RED.editor.edit(RED.nodes.node(nodeId)), id);
    await page.waitForSelector('#node-dialog-ok', { state: 'visible' });
    await page.waitForFunction(() => {
      const body = $('.red-ui-tray:last .red-ui-tray-body');
      return body.length > 0 && body.find(document.activeElement).length > 0;
    });
  }

  /** The editor's verdict on every node: those shown invalid (red triangle), with the settings at fault. */
  async invalidNodes() {
    return this.page.evaluate(() => {
      const bad = [];
      RED.nodes.eachNode((n) => {
        RED.editor.validateNode(n);
        if (!n.valid) bad.push(`${n.type} ${n.id}: ${JSON.stringify(n.validationErrors || [])}`);
      });
      return bad;
    });
  }

  /** Clicks Deploy and waits until the runtime has the flows (nothing left to deploy). */
  async deploy() {
    const page = this.page;
    await page.click('#red-ui-header-button-deploy');
    const confirm = page.locator('#red-ui-deploy-dialog-confirm-deploy-deploy');
    await page.waitForFunction(() => !RED.nodes.dirty() || $('#red-ui-deploy-dialog-confirm-deploy-deploy').is(':visible'));
    if (await confirm.isVisible()) throw new Error(`Deploy asked for confirmation: ${await page.locator('.red-ui-editor-dialog').innerText()}`);
  }

  /** A screenshot of the canvas (or of `locator`; null: the window), into test-artifacts/. */
  async screenshot(name, locator = '#red-ui-workspace') {
    const dir = path.join(ARTIFACTS, `node-red-${await this.nodeRedVersion()}`);
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${name.replace(/[^\w.-]+/g, '_')}.png`);
    if (locator) await this.page.locator(locator).screenshot({ path: file });
    else {
      // the whole window (e.g. with a popover menu open), without the import/deploy toasts over it
      await this.page.evaluate(() => $('.red-ui-notification').hide());
      await this.page.screenshot({ path: file });
    }
    return file;
  }

  async close() {
    try {
      await this.browser.close();
    } finally {
      await this.red.stop();
      fs.rmSync(this.userDir, { recursive: true, force: true });
    }
  }
}

module.exports = { EditorPage, requireChromium, chromiumPath, freePort, ARTIFACTS };
