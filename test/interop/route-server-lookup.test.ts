// The looking glass of a real route server run: tsbgp as route server for the four clients (two BIRD 2, FRR,
// GoBGP) of the IPv4 scenario, then of the IPv6 one, with StayRTR, its HTTP server on. Proves, for each: `show rib PREFIX` lists every route each client
// announced, from that client, with the next hop, AS path and communities it was given, its RPKI state, and for
// each one the import filters refused the same reason as `show rib filtered`; `show rib PREFIX client IP` says of
// every prefix and client exactly what the client's own table holds (the path's AS path with the prepends and its
// next hop, or nothing); the HTTP API gives the same answers. For IPv4 also: RPKI states and the text of a
// refused route, and the looking glass page in chromium shows them, searches by community, origin AS and AS in
// the path, and shows what one client is sent.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO } from '../support/tsbgp';
import { launchChromium } from './http-lab';
import { freePort, skipReason, stopAll, waitFor } from './peers';
import {
  announceAll,
  type Clients,
  complete,
  IPV4,
  IPV6,
  type RsLab,
  received,
  startLab,
  stopLab,
} from './route-server-scenario';
import type { Tsbgp } from './tsbgp-launch';

after(stopAll);

const ARTIFACTS = path.join(REPO, 'test-artifacts', 'looking-glass');
const skip = skipReason('bird', 'frr', 'gobgp', 'stayrtr');

for (const S of [IPV4, IPV6])
  describe(`looking glass of tsbgp as route server for BIRD, BIRD, FRR and GoBGP (${S.family})`, {
    skip,
    timeout: 180_000,
  }, () => {
    let lab: RsLab;
    let t: Tsbgp;
    let cl: Clients;
    let base: string;
    /** Client name -> its address (the route server's neighbor). */
    const addr = new Map<string, string>();

    before(async () => {
      const http = async (rs: { address: string }) => {
        const port = await freePort(rs.address);
        base = `http://${rs.address}:${port}`;
        return `http {\n  port ${port};\n  bind ${rs.address};\n}\n`;
      };
      lab = await startLab(S, `rs-lookup-${S.family}`, http);
      ({ t, cl } = lab);
      for (const [i, c] of S.clients.entries()) addr.set(c.name, cl.ends[i]!.address);
      await announceAll(cl);
      for (const c of S.clients)
        await waitFor(async () => complete(S, c.name, await received(cl, c.name)), 20_000, `${c.name}'s table`, 300);
    });

    after(() => stopLab(lab));

    const json = async (line: string): Promise<any> => {
      const r = await t.command(line);
      assert.equal(r.answer, 'done', `${line}: ${JSON.stringify(r)}`);
      return JSON.parse(r.lines.join(''));
    };
    const getJson = async (p: string): Promise<any> => {
      const r = await fetch(base + p);
      assert.equal(r.status, 200, `${p}: ${r.status} ${await r.clone().text()}`);
      return r.json();
    };
    /** Every prefix some client announced. */
    const prefixes = (): string[] => S.clients.flatMap((c) => c.routes.map((r) => r.prefix));

    it('show rib PREFIX: every route each client announced, as announced, with RPKI state and refusal reason', async () => {
      const refused = new Map<string, string>();
      for (const row of await json('show rib filtered json')) refused.set(`${row.neighbor} ${row.prefix}`, row.reason);
      assert.ok(refused.size >= 6, `refused routes: ${[...refused.keys()]}`);
      for (const c of S.clients) {
        const from = addr.get(c.name)!;
        for (const r of c.routes) {
          const a = await json(`show rib ${r.prefix} json`);
          assert.equal(a.table, 'route-server');
          const p = a.paths.find((x: any) => x.from === from);
          assert.ok(p, `${r.prefix}: no path from ${c.name} in ${JSON.stringify(a)}`);
          assert.equal(p.nextHop, r.nextHop, `${r.prefix} next hop`);
          assert.equal(p.asPath, String(c.as), `${r.prefix} AS path`);
          for (const x of r.communities ?? []) assert.ok(p.communities.includes(x), `${r.prefix} community ${x}`);
          for (const x of r.largeCommunities ?? []) assert.ok(p.largeCommunities.includes(x), `${r.prefix} ${x}`);
          assert.equal(p.reason, refused.get(`${from} ${r.prefix}`), `${r.prefix}: reason`);
          assert.equal(p.best, p.reason === undefined, `${r.prefix}: the one accepted path is best`);
          assert.ok(['valid', 'invalid', 'not-found'].includes(p.rpki), `${r.prefix}: rpki ${p.rpki}`);
        }
      }
    });

    it('show rib PREFIX client IP: what each client holds, prefix by prefix', async (tc) => {
      let sent = 0;
      for (const c of S.clients) {
        const table = await received(cl, c.name);
        for (const prefix of prefixes()) {
          if (c.routes.some((r) => r.prefix === prefix)) continue;
          const v = await json(`show rib ${prefix} client ${addr.get(c.name)} json`);
          const held = table.get(prefix);
          if (v.sent === null) {
            assert.equal(held, undefined, `${c.name} holds ${prefix} though nothing is said to be sent`);
            continue;
          }
          sent++;
          assert.ok(held, `${c.name} lacks ${prefix}, said to be sent: ${JSON.stringify(v.sent)}`);
          assert.equal(held.asPath.join(' '), v.sent.asPath, `${c.name} ${prefix}: AS path`);
          assert.equal(held.nextHop, v.sent.nextHop, `${c.name} ${prefix}: next hop`);
          assert.equal(v.paths.filter((p: any) => p.export === 'sent').length, 1);
        }
      }
      tc.diagnostic(`${sent} routes sent to clients checked against their tables, the rest checked absent`);
      assert.ok(sent >= 10, `${sent} routes checked`);
    });

    it('the HTTP API gives the same answers', async () => {
      for (const prefix of prefixes()) {
        const cli = await json(`show rib ${prefix} json`);
        const web = await getJson(`/api/v1/rib/lookup?prefix=${encodeURIComponent(prefix)}`);
        assert.equal(web.routes.length, 1, prefix);
        assert.deepEqual(web.routes[0], cli, prefix);
      }
      // Every client's view of every prefix (a refused one: the Loc-RIB has no path, and both say so).
      for (const c of S.clients)
        for (const prefix of prefixes()) {
          const ip = addr.get(c.name)!;
          const cli = await json(`show rib ${prefix} client ${ip} json`);
          const q = `prefix=${encodeURIComponent(prefix)}&client=${encodeURIComponent(ip)}`;
          const web = await getJson(`/api/v1/rib/lookup?${q}`);
          assert.deepEqual(web.routes, cli.paths.length === 0 ? [] : [{ ...cli, table: 'route-server' }], q);
        }
      const [a, b] = S.clients;
      for (const [kind, value] of [
        ['community', '0:1002'],
        ['origin-as', String(a!.as)],
        ['as-path', String(b!.as)],
      ]) {
        const c = await json(`show rib ${kind} ${value} json`);
        const w = await getJson(`/api/v1/rib/routes?${kind}=${value}&limit=1000`);
        assert.deepEqual(
          w.routes.map((r: any) => ({ ...r, table: undefined })),
          c.routes.map((r: any) => ({ ...r, table: undefined })),
          `${kind} ${value}`,
        );
        if (kind !== 'community') assert.ok(c.routes.length > 0, `${kind} ${value}`);
      }
      const s = await getJson('/api/v1/rib');
      assert.deepEqual(s.clients.sort(), [...addr.values()].sort());
    });

    it('IPv4: RPKI states, the text of a refused route, why two clients are not sent what the others are', {
      skip: S !== IPV4,
    }, async () => {
      const state = async (prefix: string) => (await json(`show rib ${prefix} json`)).paths[0].rpki;
      assert.equal(await state('1.1.1.0/24'), 'valid');
      assert.equal(await state('1.2.2.0/24'), 'invalid');
      assert.equal(await state('2.2.0.0/16'), 'not-found');
      const text = (await t.command('show rib 1.2.2.0/24')).lines.join('\n');
      assert.match(text, /x from \S+ next-hop 192\.0\.2\.2 .*rpki invalid filtered: rpki-invalid/);
      // bird-b's view of 1.1.2.0/24 (0:1002); gobgp's of 1.1.4.0/24 (two prepends, for gobgp only).
      const b = await json(`show rib 1.1.2.0/24 client ${addr.get('bird-b')} json`);
      assert.deepEqual([b.sent, b.paths[0].export], [null, 'action-community']);
      const g = await json(`show rib 1.1.4.0/24 client ${addr.get('gobgp')} json`);
      assert.deepEqual([g.sent.asPath, g.paths[0].prepend], ['1001 1001 1001', 2]);
    });

    it('the page in chromium: refused paths, searches by community and AS, what a client is sent', {
      skip: S !== IPV4 || skipReason('chromium'),
    }, async () => {
      const browser = await launchChromium();
      try {
        const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
        await page.goto(`${base}/#q=1.2.2.0/24&rib=loc`);
        const refused = page.locator('article.route[data-prefix="1.2.2.0/24"][data-reason="rpki-invalid"]');
        await refused.waitFor();
        assert.match((await refused.textContent()) ?? '', /filtered: RPKI origin validation: invalid/);
        assert.match((await refused.textContent()) ?? '', /RPKI invalid/);
        // By community, in the Loc-RIB.
        await page.selectOption('#kind', 'community');
        await page.selectOption('#rib', 'loc');
        await page.fill('#q', '0:1002');
        await page.click('button[type=submit]');
        await page.locator('article.route[data-prefix="1.1.2.0/24"]').waitFor();
        assert.match((await page.locator('#lookup-note').textContent()) ?? '', /1 route with community 0:1002/);
        // By AS in the path, in the Loc-RIB: every accepted route of AS 1001.
        await page.selectOption('#kind', 'as-path');
        await page.fill('#q', '1001');
        await page.click('button[type=submit]');
        await page.locator('article.route[data-prefix="1.1.9.0/24"]').waitFor();
        const bird = await page
          .locator('article.route')
          .evaluateAll((xs) => xs.map((x) => x.getAttribute('data-prefix')));
        assert.ok(bird.length >= 10 && bird.every((p) => p?.startsWith('1.1.')), JSON.stringify(bird));
        // By origin AS in what tsbgp received (Adj-RIB-In): bird-b's routes, refused ones included.
        await page.selectOption('#kind', 'origin-as');
        await page.selectOption('#rib', 'in');
        await page.fill('#q', '1002');
        await page.click('button[type=submit]');
        await page.locator('article.route[data-prefix="10.2.0.0/16"]').waitFor();
        const fromB = await page
          .locator('article.route')
          .evaluateAll((xs) => xs.map((x) => `${x.getAttribute('data-neighbor')} ${x.getAttribute('data-prefix')}`));
        // (A client that passes a route it learned back to the route server shows here too: its origin is 1002.)
        for (const p of ['1.2.2.0/24', '10.2.0.0/16', '2.2.0.0/16', '2.3.0.0/16'])
          assert.ok(fromB.includes(`${addr.get('bird-b')} ${p}`), `${p} from bird-b in ${fromB}`);
        const origins = await page.locator('article.route').allTextContents();
        assert.ok(
          origins.every((x) => /Origin AS\s*AS1002/.test(x)),
          JSON.stringify(origins),
        );
        // What gobgp is sent for 1.1.4.0/24: bird-a's path with two prepends, from a shared link.
        await page.goto(`${base}/#q=1.1.4.0/24&rib=loc&client=${addr.get('gobgp')}`);
        const sentCard = page.locator(`article.route[data-sent="${addr.get('gobgp')}"]`);
        await sentCard.waitFor();
        assert.deepEqual(await sentCard.locator('[data-field="as-path"] .chip').allTextContents(), [
          '1001',
          '1001',
          '1001',
        ]);
        assert.match((await page.locator('#lookup-note').textContent()) ?? '', /sent to/);
        assert.match(
          (await page.locator('article.route[data-export="sent"]').textContent()) ?? '',
          /AS put in front 2 more times/,
        );
        fs.mkdirSync(ARTIFACTS, { recursive: true });
        await page.screenshot({ path: path.join(ARTIFACTS, 'route-server-client.png'), fullPage: true });
      } finally {
        await browser.close();
      }
    });
  });
