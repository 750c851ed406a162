'use strict';
/**
 * The e-mail HTML of beacon-format rendered in a real Chromium (Debian's,
 * driven by playwright-core) as a mail client would show it: the histogram
 * bars are drawn to scale with the pattern in red, a hostile user name stays
 * text, nothing runs, and it fits a narrow reading pane. The sample's
 * jittered beacon as the hunt's hourly scorer mails it (the e-mail the README
 * shows) is read as a person reads it: subject, what, who, how regular, why,
 * and its histogram with one bar per interval. Screenshots are kept in
 * test-artifacts/browser/ (alert-email.png, alert-email-sample.png).
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

  it("the sample beacon's e-mail as a person sees it: subject, what, who, how regular, why, and one bar per interval", async function () {
    const captured = FIXTURE.find(
      (r) => r.example === 'hunt' && r.scorer === 'Beacon hunt (hourly burst)' && r.kind === 'alert' && r.row.LocalIP === '10.0.0.7',
    );
    const row = { ...captured.row, AlertId: 'nb-sample-burst' }; // the captured rows predate AlertId
    const mail = emailMessage([row], { title: 'Beacon hunt (hourly burst)', thresholds: ['TotalEvents > 30', 'BeaconPercent > 80'] });
    const sample = await page.context().newPage();
    await sample.setContent(mail.html, { waitUntil: 'load' });
    await sample.screenshot({ path: path.join(ARTIFACTS, 'alert-email-sample.png'), fullPage: true });
    // what is on the screen, not what is in the markup
    const seen = await sample.locator('body').innerText();
    const heading = await sample.locator('h1').innerText();
    heading.should.equal(mail.subject);
    heading.length.should.be.within(1, 120);
    heading.should.match(/^Beacon hunt \(hourly burst\): beacon 10\.0\.0\.7 → 185\.225\.17\.0\/24:8443 every ~40 s/);
    seen.should.match(/What\s+a beacon: one host connecting to one destination at regular intervals/);
    seen.should.match(/Who\s+10\.0\.0\.7 → 185\.225\.17\.0\/24 \(network\), port 8443/);
    seen.should.match(/How regular\s+every ~40 s \(a ±10 % band\): \d+ of \d+ intervals in the band/);
    seen.should.match(/Why\s+method: .*thresholds: TotalEvents > 30, BeaconPercent > 80/);
    seen.should.containEql(row.AlertId);
    // one visible bar per interval of the row's histogram, each labelled with its interval, the band's in red
    const bars = sample.locator('td[bgcolor]');
    const intervals = Object.keys(row.histogram);
    (await bars.count()).should.equal(intervals.length);
    for (let i = 0; i < intervals.length; i++) {
      const box = await bars.nth(i).boundingBox();
      should.exist(box, `bar ${i} is drawn`);
      box.width.should.be.above(0);
      box.height.should.be.above(0);
    }
    for (const d of intervals) seen.should.match(new RegExp(`\\b${d} s\\b`));
    // the red bars are the band the text counts: their counts add up to "85 of 89 intervals in the band"
    const [inBand, total] = /(\d+) of (\d+) intervals in the band/.exec(seen).slice(1).map(Number);
    const redCounts = await sample.evaluate(() =>
      [...document.querySelectorAll('td[bgcolor="#c0392b"]')].map((td) => Number(td.closest('table').closest('tr').lastElementChild.textContent)),
    );
    redCounts.length.should.be.above(0);
    redCounts.reduce((a, b) => a + b, 0).should.equal(inBand);
    Object.values(row.histogram)
      .reduce((a, b) => a + b, 0)
      .should.equal(total);
    fs.statSync(path.join(ARTIFACTS, 'alert-email-sample.png')).size.should.be.above(10000);
    await sample.close();
  });
});
