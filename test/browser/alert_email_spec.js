'use strict';
/**
 * The e-mail HTML of beacon-format rendered in a real Chromium (Debian's,
 * driven by playwright-core) as a mail client would show it: the histogram
 * bars are drawn to scale with the pattern in red, a hostile user name stays
 * text, nothing runs, and it fits a narrow reading pane. A screenshot is kept
 * in test-artifacts/browser/alert-email.png.
 */
const fs = require('fs');
const path = require('path');
const should = require('should');
const { requireChromium, chromiumPath, ARTIFACTS } = require('./support/editor-page');
const { emailMessage } = require('../../dist/core/alert/formats');
const FIXTURE = require('../fixtures/alert-rows.json');

const HOSTILE = '<img src=x onerror="window.__netbeaconPwned=1">';

describe('the alert e-mail in a real browser (Chromium)', function () {
  this.timeout(120000);
  let browser;
  let page;
  let rows;
  const dialogs = [];
  before(async function () {
    if (!requireChromium(this)) return;
    const find = (example, scorer) =>
      FIXTURE.find((r) => r.example === example && r.scorer === scorer && r.kind === 'alert' && r.row.LocalIP !== '10.0.0.4').row;
    rows = [
      { ...find('hunt', 'Beacon hunt'), AlertId: 'nb-c2-periodic' },
      find('hunt', 'Beacon hunt (hourly burst)'),
      { ...FIXTURE.find((r) => r.example === 'Palo Alto' && r.kind === 'alert').row, SourceUserID: HOSTILE },
    ];
    const mail = emailMessage(rows, { title: 'Beacon hunt', thresholds: ['TotalEvents > 10', 'PeriodPValue <= 0.001'] });
    const { chromium } = require('playwright-core');
    browser = await chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox', '--disable-gpu'] });
    // a mail client's reading pane: narrow, and scripts off as mail clients have them
    const context = await browser.newContext({ viewport: { width: 800, height: 900 }, javaScriptEnabled: false });
    page = await context.newPage();
    page.on('dialog', (d) => (dialogs.push(d.message()), d.dismiss()));
    await page.setContent(mail.html, { waitUntil: 'load' });
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'alert-email.png'), fullPage: true });
  });
  after(async function () {
    if (browser) await browser.close();
  });

  it('draws one bar per interval, to scale, the pattern the method found in red', async function () {
    const sections = page.locator('body > div');
    (await sections.count()).should.equal(rows.length);
    const c2 = rows[0];
    const bars = sections.nth(0).locator('td[bgcolor]');
    (await bars.count()).should.equal(Object.keys(c2.histogram).length);
    // the periodic band [36.5, 44.5): intervals 37…44 red, 36 and 45 not
    const red = Object.keys(c2.histogram).filter((d) => d >= c2.PeriodBand[0] && d < c2.PeriodBand[1]).length;
    (await sections.nth(0).locator('td[bgcolor="#c0392b"]').count()).should.equal(red);
    // bar widths follow the counts: the largest is the full width, the others in proportion
    const widths = [];
    for (let i = 0; i < (await bars.count()); i++) widths.push((await bars.nth(i).boundingBox()).width);
    const counts = Object.values(c2.histogram);
    const max = Math.max(...counts);
    widths[counts.indexOf(max)].should.be.approximately(260, 2);
    counts.forEach((c, i) => widths[i].should.be.approximately((c / max) * 260, 2));
  });

  it('shows the subject and the facts; a hostile user name is text and runs nothing', async function () {
    const text = await page.locator('body').innerText();
    text.should.match(/Beacon hunt: beacon 10\.0\.0\.7 → 185\.225\.17\.0\/24:8443 every ~40 s \(36\.5–44\.5 s\), 480\/535 .*\(\+2 more\)/);
    text.should.containEql('less than 1 in 10^300');
    text.should.containEql('nb-c2-periodic');
    text.should.containEql(HOSTILE);
    (await page.locator('img').count()).should.equal(0);
    (await page.locator('script').count()).should.equal(0);
    should(await page.evaluate(() => window.__netbeaconPwned)).be.undefined();
    dialogs.should.eql([]);
  });

  it('fits an 800-pixel reading pane (no sideways scrolling)', async function () {
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    width.should.be.belowOrEqual(800);
    fs.statSync(path.join(ARTIFACTS, 'alert-email.png')).size.should.be.above(10000);
  });
});
