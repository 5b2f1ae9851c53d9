// The HTTP API and the looking glass over a Loc-RIB: tsbgp as a route server for a BIRD 2 client. What BIRD sends
// passes the import filters; the accepted routes are best paths in the Loc-RIB (/api/v1/rib/lookup answers with
// the path and why it is best), the refused one is listed by /api/v1/filtered with its reason, and the page (in
// Debian's chromium) shows both: a best path looked up in the Loc-RIB and the filtered route with its reason.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO, type TsbgpChild } from '../support/tsbgp';
import { launchChromium, startHttpLab } from './http-lab';
import { skipReason, stopAll } from './peers';

after(stopAll);

/** A route server and its client with AS numbers outside the bogon ranges the filters refuse. */
const AS_RS = 64999;
const AS_C = 1005;
const ARTIFACTS = path.join(REPO, 'test-artifacts', 'looking-glass');

const skip = skipReason('bird', 'chromium');

describe('HTTP API and looking glass over a route server Loc-RIB, with a BIRD client', { skip }, () => {
  let t: TsbgpChild;
  let base: string;
  let client: string;

  before(async () => {
    const lab = await startHttpLab({
      name: 'http-rs',
      asT: AS_RS,
      asB: AS_C,
      routes: [
        { prefix: '1.5.1.0/24', nextHop: '192.0.2.15', communities: ['1005:1'] },
        { prefix: '1.5.2.0/24', nextHop: '192.0.2.15' },
        // RFC 1918 space: a bogon the filters refuse.
        { prefix: '10.5.0.0/16', nextHop: '192.0.2.15' },
      ],
      names: {},
      // Next hops are documentation addresses, not BIRD's: allowed here so that only the bogon is refused.
      neighborLines: ['route-server-client;', 'filter { next-hop any; }'],
    });
    ({ t, base } = lab);
    client = lab.birdAddress;
  });

  after(async () => {
    await t?.stop();
  });

  const getJson = async (p: string): Promise<any> => {
    const r = await fetch(base + p);
    assert.equal(r.status, 200, `${p}: ${r.status} ${await r.clone().text()}`);
    return r.json();
  };

  it('answers from the Loc-RIB: summary, best path of an address, scan by origin AS', async () => {
    const s = await getJson('/api/v1/rib');
    assert.equal(s.role, 'route-server');
    assert.deepEqual(s.families, [{ family: 'ipv4 unicast', prefixes: 2 }]);
    const l = await getJson('/api/v1/rib/lookup?prefix=1.5.1.200');
    assert.equal(l.match, 'longest');
    assert.equal(l.routes.length, 1);
    const a = l.routes[0];
    assert.equal(a.prefix, '1.5.1.0/24');
    assert.equal(a.paths.length, 1);
    assert.equal(a.paths[0].from, client);
    assert.equal(a.paths[0].best, true);
    assert.equal(a.paths[0].asPath, String(AS_C));
    assert.deepEqual(a.paths[0].communities, ['1005:1']);
    assert.equal(a.table, 'route-server');
    assert.equal(a.paths[0].rpki, null, 'no rpki section: no RPKI state');
    // The refused route is in no Loc-RIB, yet its lookup shows it with the reason.
    const refused = await getJson('/api/v1/rib/lookup?prefix=10.5.0.0/16');
    assert.equal(refused.routes.length, 1);
    assert.deepEqual(
      refused.routes[0].paths.map((p: any) => [p.from, p.best, p.reason, p.reasonText]),
      [[client, false, 'bogon-prefix', 'bogon prefix']],
    );
    assert.deepEqual((await getJson('/api/v1/rib/lookup?prefix=10.6.0.0/16')).routes, []);
    // The export view: the client's own route is not sent back to it.
    const own = await getJson(`/api/v1/rib/lookup?prefix=1.5.1.0/24&client=${client}`);
    assert.equal(own.client, client);
    assert.equal(own.routes[0].sent, null);
    assert.deepEqual(
      own.routes[0].paths.map((p: any) => p.export),
      ['own'],
    );
    assert.equal((await fetch(`${base}/api/v1/rib/lookup?prefix=1.5.1.0/24&client=x`)).status, 400);
    assert.equal((await fetch(`${base}/api/v1/rib/lookup?prefix=1.5.1.0/24&client=192.0.2.200`)).status, 400);
    const byAs = await getJson(`/api/v1/rib/routes?origin-as=${AS_C}`);
    assert.deepEqual(byAs.routes.map((x: any) => x.prefix).sort(), ['1.5.1.0/24', '1.5.2.0/24']);
    assert.equal((await fetch(`${base}/api/v1/rib/routes?origin-as=x`)).status, 400);
  });

  it('lists the refused route with its reason', async () => {
    const f = await getJson('/api/v1/filtered');
    assert.equal(f.total, 1);
    const r = f.routes[0];
    assert.equal(r.prefix, '10.5.0.0/16');
    assert.equal(r.neighbor, client);
    assert.equal(r.reason, 'bogon-prefix');
    assert.equal(r.reasonText, 'bogon prefix');
    assert.equal(r.rpki, 'not-found');
    const m = await (await fetch(`${base}/metrics`)).text();
    const esc = client.replace(/\./g, '\\.');
    assert.match(m, new RegExp(`tsbgp_neighbor_prefixes_received\\{neighbor="${esc}",family="ipv4-unicast"\\} 3`));
    assert.match(m, new RegExp(`tsbgp_neighbor_prefixes_accepted\\{neighbor="${esc}",family="ipv4-unicast"\\} 2`));
    assert.match(m, new RegExp(`tsbgp_neighbor_prefixes_filtered\\{neighbor="${esc}"\\} 1`));
  });

  it('shows a best path and the filtered route in chromium', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.goto(`${base}/#q=1.5.2.9&rib=loc`);
      const card = page.locator('article.route[data-prefix="1.5.2.0/24"][data-best="yes"]');
      await card.waitFor();
      assert.match(await card.innerText(), /best/);
      assert.match(await card.innerText(), new RegExp(`from ${client.replace(/\./g, '\\.')}`));
      const row = page.locator('#filtered tr[data-prefix="10.5.0.0/16"]');
      await row.waitFor();
      assert.equal(await row.locator('td[data-label="Reason"]').innerText(), 'bogon prefix');
      fs.mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: path.join(ARTIFACTS, 'route-server.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  });
});
