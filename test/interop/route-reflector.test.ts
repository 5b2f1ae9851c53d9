// tsbgp as a route reflector (RFC 4456) for three clients, BIRD 2, FRR and GoBGP, and one non-client, a second
// tsbgp, all in AS 65000 on loopback. Each client originates one prefix with a documentation next hop; the
// non-client originates one more, plus two that went round a loop (our cluster id in CLUSTER_LIST, our
// router-id as ORIGINATOR_ID). Proven, from each daemon's own view:
//  1. every client holds the other clients' and the non-client's prefixes, each with ORIGINATOR_ID = the BGP
//     identifier of the router that originated it, CLUSTER_LIST = [ our cluster id ] and the original next hop;
//     IPv6 unicast the same way (FRR's and GoBGP's prefixes at the other clients, global next hop kept);
//  2. the non-client holds the clients' prefixes the same way (client -> non-client), and not its own back;
//  3. the looped paths reach nobody;
//  4. a FlowSpec rule BIRD originates is reflected to FRR and GoBGP;
//  5. a withdrawal at a client (GoBGP) leaves every other peer;
//  6. `show rib` answers for a reflected prefix and the counters per neighbor.
// The peers are passive; the reflector connects to each. Everything skips when a daemon is missing.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  allocEndpoint,
  type Bird,
  type Frr,
  type GoBgp,
  makeTempDir,
  skipReason,
  sleep,
  stopAll,
  waitFor,
} from './peers';
import { AS, clientBlock, type GoAttr, type Seen, startClients } from './reflection-clients';
import { jsonLines, neighbor, RECORDER_JS, startTsbgp, type Tsbgp } from './tsbgp-launch';

after(stopAll);

const CLUSTER = '10.255.0.1';
const skip = skipReason('bird', 'frr', 'gobgp');

/** The non-client tsbgp's view: the last JSON update event for the prefix (undefined if withdrawn or never seen). */
function tsbgpView(events: string, prefix: string): Seen | undefined {
  let seen: Seen | undefined;
  for (const e of jsonLines(events)) {
    const u = e.neighbor?.message?.update;
    if (!u) continue;
    const ann = u.announce?.['ipv4 unicast'] as Record<string, { nlri: string }[]> | undefined;
    for (const [nh, list] of Object.entries(ann ?? {}))
      if (list.some((x) => x.nlri === prefix))
        seen = {
          originator: u.attribute?.['originator-id'],
          clusters: u.attribute?.['cluster-list'] ?? [],
          nextHop: nh,
        };
    const wd = u.withdraw?.['ipv4 unicast'] as { nlri: string }[] | undefined;
    if (wd?.some((x) => x.nlri === prefix)) seen = undefined;
  }
  return seen;
}

describe('route reflection: tsbgp reflecting for BIRD, FRR, GoBGP (clients) and a tsbgp (non-client)', { skip }, () => {
  let dir: string;
  let rr: Tsbgp;
  let nc: Tsbgp;
  let bird: Bird;
  let frr: Frr;
  let gobgp: GoBgp;
  let eT: { address: string; port: number };
  let eB: { address: string; port: number };
  let eF: { address: string; port: number };
  let eG: { address: string; port: number };
  let eN: { address: string; port: number };
  let ncEvents: string;
  let clientView: (name: 'bird' | 'frr' | 'gobgp', prefix: string) => Promise<Seen | undefined>;
  const views = () => ({
    bird: (p: string) => clientView('bird', p),
    frr: (p: string) => clientView('frr', p),
    gobgp: (p: string) => clientView('gobgp', p),
    nonclient: async (p: string) => tsbgpView(ncEvents, p),
  });

  before(async () => {
    dir = makeTempDir('route-reflector');
    [eT, eN] = await Promise.all([allocEndpoint(), allocEndpoint()]);
    const c = await startClients(eT, ['ipv4', 'ipv6', 'ipv4-flowspec']);
    ({ bird, frr, gobgp, eB, eF, eG } = c);
    clientView = c.view;
    await bird.addRoute('ipv4', { prefix: '10.1.0.0/24', nextHop: '192.0.2.1' });
    await frr.addRoute('ipv4', { prefix: '10.2.0.0/24', nextHop: '192.0.2.2' });
    await gobgp.addRoute('ipv4', { prefix: '10.3.0.0/24', nextHop: '192.0.2.3' });
    await frr.addRoute('ipv6', { prefix: '2001:db8:2::/48', nextHop: '2001:db8::2' });
    await gobgp.addRoute('ipv6', { prefix: '2001:db8:3::/48', nextHop: '2001:db8::3' });

    // The non-client: a second tsbgp, passive, with a recorder and the looped paths.
    ncEvents = path.join(dir, 'nonclient-events.jsonl');
    const ncDir = path.join(dir, 'nonclient');
    fs.mkdirSync(ncDir);
    fs.writeFileSync(path.join(ncDir, 'recorder.js'), RECORDER_JS);
    nc = await startTsbgp(
      ncDir,
      [
        'process recorder {',
        `  run ${process.execPath} ${path.join(ncDir, 'recorder.js')} ${ncEvents};`,
        '  encoder json;',
        '}',
        `neighbor ${eT.address} {`,
        `  router-id ${eN.address};`,
        `  local-address ${eN.address};`,
        `  local-as ${AS};`,
        `  peer-as ${AS};`,
        '  passive;',
        `  listen ${eN.port};`,
        '  hold-time 30;',
        '  family { ipv4 unicast; ipv4 flow; }',
        '  api { processes [ recorder ]; receive { parsed; update; } }',
        '  static {',
        '    route 10.4.0.0/24 next-hop 192.0.2.4 local-preference 100;',
        `    route 10.5.0.0/24 next-hop 192.0.2.5 local-preference 100 cluster-list [ ${CLUSTER} ];`,
        `    route 10.6.0.0/24 next-hop 192.0.2.6 local-preference 100 originator-id ${eT.address};`,
        '  }',
        '}',
      ].join('\n') + '\n',
    );

    const client = (e: { address: string; port: number }) =>
      clientBlock(eT, e, ['family { ipv4 unicast; ipv6 unicast; ipv4 flow; }']);
    rr = await startTsbgp(
      dir,
      [
        `cluster-id ${CLUSTER};`,
        client(eB),
        client(eF),
        client(eG),
        neighbor({
          peer: eN.address,
          port: eN.port,
          local: eT.address,
          localAs: AS,
          peerAs: AS,
          body: ['family { ipv4 unicast; ipv4 flow; }'],
        }),
      ].join('\n') + '\n',
    );
    const peers = [eB.address, eF.address, eG.address, eN.address];
    try {
      await waitFor(
        async () => (await Promise.all(peers.map((p) => rr.established(p)))).every(Boolean),
        30_000,
        'the reflector Established with all four',
        200,
      );
    } catch (e) {
      throw new Error(`${(e as Error).message}\n--- tsbgp ---\n${rr.log().slice(-3000)}`);
    }
  });

  after(async () => {
    await Promise.all([rr?.stop(), nc?.stop()]);
    await Promise.all([bird?.stop(), frr?.stop(), gobgp?.stop()]);
  });

  const ORIGIN: Record<string, { from: string; nextHop: string }> = {};
  const origin = () => {
    ORIGIN['10.1.0.0/24'] = { from: eB.address, nextHop: '192.0.2.1' };
    ORIGIN['10.2.0.0/24'] = { from: eF.address, nextHop: '192.0.2.2' };
    ORIGIN['10.3.0.0/24'] = { from: eG.address, nextHop: '192.0.2.3' };
    ORIGIN['10.4.0.0/24'] = { from: eN.address, nextHop: '192.0.2.4' };
    return ORIGIN;
  };

  it("every client holds the others' prefixes with ORIGINATOR_ID, CLUSTER_LIST and the original next hop", async () => {
    const o = origin();
    const v = views();
    const own: Record<string, string> = { bird: '10.1.0.0/24', frr: '10.2.0.0/24', gobgp: '10.3.0.0/24' };
    for (const name of ['bird', 'frr', 'gobgp'] as const) {
      for (const prefix of Object.keys(o)) {
        if (prefix === own[name]) continue;
        let last: Seen | undefined;
        try {
          last = await waitFor(() => v[name](prefix), 20_000, `${prefix} at ${name}`, 250);
        } catch (e) {
          throw new Error(`${(e as Error).message}\n--- tsbgp ---\n${rr.log().slice(-2000)}`);
        }
        assert.deepEqual(
          last,
          { originator: o[prefix]!.from, clusters: [CLUSTER], nextHop: o[prefix]!.nextHop },
          `${prefix} as ${name} holds it`,
        );
      }
    }
  });

  it('IPv6 unicast is reflected the same way, with the global next hop', async () => {
    const v = views();
    const want = (from: string, nextHop: string) => ({ originator: from, clusters: [CLUSTER], nextHop });
    const checks: [string, 'bird' | 'frr' | 'gobgp', ReturnType<typeof want>][] = [
      ['2001:db8:2::/48', 'bird', want(eF.address, '2001:db8::2')],
      ['2001:db8:3::/48', 'bird', want(eG.address, '2001:db8::3')],
      ['2001:db8:3::/48', 'frr', want(eG.address, '2001:db8::3')],
      ['2001:db8:2::/48', 'gobgp', want(eF.address, '2001:db8::2')],
    ];
    for (const [prefix, name, expect] of checks) {
      const seen = await waitFor(() => v[name](prefix), 20_000, `${prefix} at ${name}`, 250);
      assert.deepEqual(seen, expect, `${prefix} at ${name}`);
    }
  });

  it("the non-client holds the clients' prefixes (client -> non-client), never its own back", async () => {
    const o = origin();
    for (const prefix of ['10.1.0.0/24', '10.2.0.0/24', '10.3.0.0/24']) {
      const seen = await waitFor(async () => tsbgpView(ncEvents, prefix), 20_000, `${prefix} at the non-client`, 250);
      assert.deepEqual(seen, { originator: o[prefix]!.from, clusters: [CLUSTER], nextHop: o[prefix]!.nextHop });
    }
    assert.equal(tsbgpView(ncEvents, '10.4.0.0/24'), undefined);
  });

  it('the paths that went round a loop reach nobody, and are counted', async () => {
    // The other routes arrived (previous tests): give the looped ones the same time again.
    await sleep(1000);
    const v = views();
    for (const name of ['bird', 'frr', 'gobgp', 'nonclient'] as const)
      for (const prefix of ['10.5.0.0/24', '10.6.0.0/24'])
        assert.equal(await v[name](prefix), undefined, `${prefix} must not be at ${name}`);
    const j = JSON.parse((await rr.command('show rib neighbors json')).lines.join('')) as {
      peer: string;
      loops: number;
      received: number;
    }[];
    const n = j.find((x) => x.peer === eN.address)!;
    assert.equal(n.loops, 2);
    assert.equal(n.received, 3);
  });

  it('show rib PREFIX gives the reflected path, its source and why it is best', async () => {
    const r = JSON.parse((await rr.command('show rib 10.1.0.0/24 json')).lines.join('')) as {
      paths: { from: string; best: boolean; 'next-hop': string }[];
    };
    assert.equal(r.paths.length, 1);
    assert.equal(r.paths[0]!.from, eB.address);
    assert.equal(r.paths[0]!.best, true);
    const text = (await rr.cli('show rib 10.1.0.0/24')).stdout;
    assert.match(text, /10\.1\.0\.0\/24/);
    assert.match(text, new RegExp(`from ${eB.address.replace(/\./g, '\\.')}.*best`));
  });

  it('a FlowSpec rule from BIRD is reflected to FRR and GoBGP', async () => {
    await bird.addFlow('ipv4-flowspec', { destination: '203.0.113.0/24', protocol: [6], action: 'discard' });
    await waitFor(
      async () => (await frr.flowRoutes('ipv4-flowspec')).find((f) => f.match.includes('203.0.113.0/24')),
      20_000,
      'flow rule at FRR',
      250,
    );
    const rule = await waitFor(
      async () => (await gobgp.flowRoutes('ipv4-flowspec')).find((f) => f.match.includes('203.0.113.0/24')),
      20_000,
      'flow rule at GoBGP',
      250,
    );
    const attrs = (rule.raw as { attrs: GoAttr[] }).attrs;
    assert.equal(attrs.find((a) => a.type === 9)?.value, eB.address);
    assert.deepEqual(attrs.find((a) => a.type === 10)?.value, [CLUSTER]);
  });

  it('a withdrawal at a client leaves every other peer', async () => {
    await gobgp.withdrawRoute('ipv4', '10.3.0.0/24');
    const v = views();
    for (const name of ['bird', 'frr', 'nonclient'] as const)
      await waitFor(
        async () => ((await v[name]('10.3.0.0/24')) === undefined ? true : undefined),
        20_000,
        `10.3.0.0/24 gone from ${name}`,
        250,
      );
  });
});
