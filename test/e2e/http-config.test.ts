// The HTTP server configured by the configuration's `http { }` section, in a real daemon with a real session: the
// section's address and port serve /metrics, the looking glass page and its lookups (community names from the
// section's file), and win over tsbgp.http.port in the environment, while the environment's token, which the
// section does not replace, still turns the write API on. A reload through `tsbgp cli` moves the server to a new
// port with a new token; one to a port another program holds leaves the server where it was; a reload with a bad
// section is refused at its file:line:col and changes nothing; SIGUSR1 with `port 0` stops the server. Each step is
// said in the log.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { allocAddress, allocEndpoint, freePort, stopAll, waitFor } from '../interop/peers/common';
import { e2eDir, neighborBlock, passiveIpv4Neighbor, startTsbgp, type TsbgpDaemon, tsbgpCli } from './launch';

after(stopAll);

/** A write API request (POST /api/v1/announce or withdraw) with a bearer token; resolves to the status. */
async function write(base: string, what: 'announce' | 'withdraw', token: string, route: string): Promise<number> {
  const r = await fetch(`${base}/api/v1/${what}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: JSON.stringify({ route }),
  });
  return r.status;
}

/** Whether anything answers HTTP at the address. */
async function answers(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(5000) });
    return true;
  } catch {
    return false;
  }
}

describe('http section: metrics and looking glass from the configuration, reloaded', () => {
  let a: TsbgpDaemon;
  let dir: string;
  let addrA: string;
  let addrB: string;
  let envPort: number;
  let port1: number;
  let confA: (httpLines: string[]) => string;

  before(async () => {
    dir = e2eDir('http-config');
    const eb = await allocEndpoint();
    addrB = eb.address;
    addrA = allocAddress();
    [envPort, port1] = [await freePort(addrA), await freePort(addrA)];
    fs.writeFileSync(path.join(dir, 'names.json'), JSON.stringify({ '65000:666': 'blackholed at the edge' }));
    fs.writeFileSync(path.join(dir, 'http.token'), 'from-the-file\n');
    const confB = passiveIpv4Neighbor(
      addrA,
      eb,
      ['static {', '  route 10.91.0.0/24 next-hop 192.0.2.1 community [ 65000:666 ];', '}'],
      30,
    );
    confA = (httpLines) =>
      [
        'http {',
        ...httpLines.map((l) => `  ${l}`),
        '}',
        neighborBlock({
          peer: addrB,
          local: addrA,
          localAs: 65001,
          peerAs: 65002,
          connect: eb.port,
          holdTime: 30,
          extra: ['family {', '  ipv4 unicast;', '}'],
        }),
        '',
      ].join('\n');
    await startTsbgp({ name: 'b', config: confB, dir });
    a = await startTsbgp({
      name: 'a',
      config: confA([`bind ${addrA};`, `port ${port1};`, 'names names.json;']),
      dir,
      // The section's port wins over this one; its token is not replaced by the section, so it still holds.
      env: { 'tsbgp.http.port': String(envPort), 'tsbgp.http.token': 'from-the-env' },
    });
    await waitFor(() => a.established(addrB), 20_000, 'session A-B up');
  });

  it('serves /metrics and the looking glass where the section says, not where the environment says', async () => {
    const base = `http://${addrA}:${port1}`;
    await waitFor(
      async () => (await (await fetch(`${base}/metrics`)).text()).includes(`tsbgp_neighbor_up{neighbor="${addrB}"`),
      10_000,
      'tsbgp_neighbor_up in /metrics',
    );
    const metrics = await (await fetch(`${base}/metrics`)).text();
    assert.match(metrics, new RegExp(`tsbgp_neighbor_up\\{neighbor="${addrB}"[^}]*\\} 1`));
    const page = await fetch(`${base}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await page.text(), /static\/lg\.js/);
    assert.equal((await fetch(`${base}/static/lg.js`)).status, 200);
    // The looking glass's lookup: the route B sent, its community named from the section's names file.
    await waitFor(
      async () => {
        const r = (await (await fetch(`${base}/api/v1/lookup?prefix=10.91.0.0/24`)).json()) as {
          routes: { communities: { value: string; name?: string }[] }[];
        };
        return r.routes[0]?.communities[0]?.name === 'blackholed at the edge';
      },
      10_000,
      'the route with its named community in the lookup',
    );
    assert.equal(await answers(`http://${addrA}:${envPort}/healthz`), false, 'tsbgp.http.port is not listened on');
    assert.equal(await write(base, 'announce', 'from-the-env', '10.92.0.0/24 next-hop 192.0.2.9'), 200);
    assert.match(a.log(), /http: the configuration's http section replaces tsbgp\.http\.port of the environment/);
    assert.match(a.log(), new RegExp(`http: listening on ${addrA.replaceAll('.', '\\.')} port ${port1}, write API on`));
  });

  it('a reload moves the server to the new port with the new token; a taken port or a bad section changes nothing', async () => {
    const port2 = await freePort(addrA);
    fs.writeFileSync(a.confFile, confA([`bind ${addrA};`, `port ${port2};`, 'token-file http.token;']));
    const r = await tsbgpCli(a.socket, 'reload');
    assert.equal(r.code, 0, r.stderr);
    const base = `http://${addrA}:${port2}`;
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    assert.equal(await answers(`http://${addrA}:${port1}/healthz`), false, 'the old port is closed');
    assert.equal(await write(base, 'withdraw', 'from-the-env', '10.92.0.0/24'), 401);
    assert.equal(await write(base, 'withdraw', 'from-the-file', '10.92.0.0/24'), 200);
    assert.match(a.log(), new RegExp(`http: now listening on ${addrA.replaceAll('.', '\\.')} port ${port2} \\(was`));
    assert.match(a.log(), /http: bearer token replaced/);
    // The session was not touched by any of it.
    assert.equal(await a.established(addrB), true);

    // A port another program holds: the reload goes through, the server stays where it was and the log says why.
    const holder = net.createServer();
    const taken = await freePort(addrA);
    await new Promise<void>((r) => holder.listen(taken, addrA, r));
    fs.writeFileSync(a.confFile, confA([`bind ${addrA};`, `port ${taken};`, 'token-file http.token;']));
    assert.equal((await tsbgpCli(a.socket, 'reload')).code, 0);
    assert.match(
      a.log(),
      new RegExp(
        `http: reload not applied to the HTTP server: .*${taken}.*EADDRINUSE.*; it stays on \\S+ port ${port2}`,
      ),
    );
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    holder.close();

    fs.writeFileSync(a.confFile, confA([`bind ${addrA};`, 'port 70000;']));
    const bad = await tsbgpCli(a.socket, 'reload');
    assert.match(bad.stdout, new RegExp(`reload refused, configuration kept: ${a.confFile}:3:8: found '70000'`));
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
  });

  it('SIGUSR1 with port 0 stops the server, and says so', async () => {
    fs.writeFileSync(a.confFile, confA(['port 0;']));
    process.kill(a.pid, 'SIGUSR1');
    await waitFor(() => /http: stopped: the configuration turns the server off/.test(a.log()), 10_000, 'stop logged');
    const port2 = Number(/now listening on \S+ port (\d+)/.exec(a.log())![1]);
    assert.equal(await answers(`http://${addrA}:${port2}/healthz`), false);
    assert.equal(await a.established(addrB), true);
  });
});
