// The looking glass in a real browser: Debian's chromium, driven by playwright-core (no browser download), loads
// the page from a tsbgp daemon that holds routes from a BIRD 2 peer, looks a prefix up and an address, and reads
// what a person would read: the AS path, the communities with their names, the neighbor's state, searches by
// community and origin AS, and a FlowSpec rule's countdown going down. Screenshots (desktop and phone widths)
// are kept under test-artifacts/.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { REPO, type TsbgpChild } from '../support/tsbgp';
import { launchChromium, startHttpLab } from './http-lab';
import { skipReason, stopAll, waitFor } from './peers';

after(stopAll);

const AS_T = 65450;
const AS_B = 65451;
const ARTIFACTS = path.join(REPO, 'test-artifacts', 'looking-glass');

const skip = skipReason('bird', 'chromium');

describe('looking glass page in chromium against routes from BIRD', { skip }, () => {
  let t: TsbgpChild;
  let browser: Browser;
  let page: Page;
  let base: string;
  let eB: { address: string; port: number };

  before(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const routes = [];
    for (let i = 0; i < 20; i++)
      routes.push({
        prefix: `198.18.${i}.0/24`,
        nextHop: '192.0.2.45',
        asPath: [64700, 64701],
        communities: ['65535:666', '65451:300'],
        largeCommunities: ['65451:7:1'],
      });
    const lab = await startHttpLab({
      name: 'lg-browser',
      asT: AS_T,
      asB: AS_B,
      routes,
      names: { '65451:300': 'from a customer' },
    });
    ({ t, base } = lab);
    eB = { address: lab.birdAddress, port: 0 };
    const flow = await t.send(
      'announce flow route { match { destination 198.18.5.7/32; protocol udp; destination-port =53; } then { discard; expires 3600; } }',
    );
    assert.equal(flow.answer, 'done', flow.lines.join(' '));
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  });

  after(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('shows the neighbor established with what it sent', async () => {
    await page.goto(base + '/');
    const row = page.locator(`#neighbors tr[data-peer="${eB.address}"]`);
    await row.waitFor();
    assert.equal(await row.locator('td[data-label="State"]').innerText(), 'established');
    assert.equal(await row.locator('td[data-label="AS"]').innerText(), `AS${AS_B}`);
    assert.equal(await row.locator('td[data-label="Received"]').innerText(), '20');
    assert.match(await page.locator('#status').innerText(), /1 of 1 neighbor established/);
  });

  it('looks a prefix up: the AS path and the communities, named', async () => {
    await page.fill('#q', '198.18.7.0/24');
    await page.click('button[type=submit]');
    const card = page.locator('article.route[data-prefix="198.18.7.0/24"]');
    await card.waitFor();
    const asPath = await card.locator('[data-field="as-path"] .chip').allInnerTexts();
    assert.deepEqual(asPath, [String(AS_B), '64700', '64701']);
    const text = await card.innerText();
    assert.match(text, /Next hop\s+192\.0\.2\.45/);
    assert.match(text, /Origin AS\s+AS64701/);
    assert.match(text, /65535:666\s*blackhole/);
    assert.match(text, /65451:300\s*from a customer/);
    assert.match(text, /65451:7:1/);
    assert.match(await page.locator('#lookup-note').innerText(), /1 route for 198\.18\.7\.0\/24 \(exact prefix\)/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'lookup-prefix.png'), fullPage: true });
  });

  it('looks an address up by its longest match, from a shared link', async () => {
    await page.goto(`${base}/#q=198.18.12.200&rib=in`);
    const card = page.locator('article.route[data-prefix="198.18.12.0/24"]');
    await card.waitFor();
    assert.match(await page.locator('#lookup-note').innerText(), /longest match/);
    await page.fill('#q', '203.0.113.1');
    await page.click('button[type=submit]');
    await page.locator('#lookup-note', { hasText: 'No route for 203.0.113.1' }).waitFor();
  });

  it('searches by community (a well-known name) and by origin AS, in what BIRD sent', async () => {
    await page.goto(`${base}/`);
    await page.selectOption('#kind', 'community');
    assert.equal(await page.locator('#q-label').textContent(), 'Community');
    await page.fill('#q', 'blackhole');
    await page.click('button[type=submit]');
    await page.locator('#lookup-note', { hasText: '20 routes with community blackhole' }).waitFor();
    assert.equal(await page.locator('article.route').count(), 20);
    await page.selectOption('#kind', 'origin-as');
    await page.fill('#q', '64701');
    await page.click('button[type=submit]');
    await page.locator('#lookup-note', { hasText: '20 routes with origin AS 64701' }).waitFor();
    await page.fill('#q', '64700');
    await page.click('button[type=submit]');
    await page.locator('#lookup-note', { hasText: 'No route with origin AS 64700' }).waitFor();
    // AS anywhere in the path is a Loc-RIB question; here there is none, and the page says where to ask it.
    await page.selectOption('#kind', 'as-path');
    await page.click('button[type=submit]');
    await page.locator('#lookup-note', { hasText: 'reads the Loc-RIB' }).waitFor();
    await page.selectOption('#kind', 'prefix');
  });

  it("counts a FlowSpec rule's expiry down, live", async () => {
    const cd = page.locator('#flows .countdown');
    await cd.waitFor();
    const rule = await page.locator('#flows td[data-label="Rule"]').innerText();
    assert.match(rule, /198\.18\.5\.7\/32/);
    assert.match(await page.locator('#flows td[data-label="Actions"]').innerText(), /discard|rate-limit/);
    const seconds = (s: string): number => s.split(':').reduce((a, x) => a * 60 + Number(x), 0);
    const first = seconds(await cd.innerText());
    assert.ok(first > 3500 && first <= 3600, `countdown ${first}`);
    // The page counts down by itself, between two refreshes of the data.
    await waitFor(async () => seconds(await cd.innerText()) <= first - 2, 10_000, 'the countdown to go down');
    await page.screenshot({ path: path.join(ARTIFACTS, 'flows.png'), fullPage: true });
  });

  it('fits a phone screen', async () => {
    const phone = await browser.newPage({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
    });
    try {
      await phone.goto(`${base}/#q=198.18.7.1`);
      await phone.locator('article.route').first().waitFor();
      // Nothing wider than the screen: no sideways scrolling.
      const wide = (await phone.evaluate('document.documentElement.scrollWidth')) as number;
      assert.ok(wide <= 390, `page is ${wide} px wide on a 390 px screen`);
      await phone.screenshot({ path: path.join(ARTIFACTS, 'phone.png'), fullPage: true });
    } finally {
      await phone.close();
    }
  });
});
