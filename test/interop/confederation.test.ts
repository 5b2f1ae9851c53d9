// tsbgp as a route reflector inside member AS 65001 of confederation 65000 (RFC 5065 with RFC 4456), on loopback:
//   - two BIRD 2 clients in AS 65001 (iBGP, configured as members of the confederation);
//   - FRR in member AS 65002 (`bgp confederation identifier 65000`, `bgp confederation peers 65001 65003`);
//   - BIRD 2 in member AS 65003 (`confederation 65000; confederation member yes;`);
//   - GoBGP in AS 64500 outside the confederation, peered with tsbgp and with FRR, both known to it as AS 65000.
// Proven, from each daemon's own view:
//  1. every session comes up: FRR accepted our member AS in the OPEN, GoBGP the identifier;
//  2. a client's route is reflected to the other client (ORIGINATOR_ID, CLUSTER_LIST, next hop kept) and goes to
//     FRR as "(65001)" with LOCAL_PREF and without ORIGINATOR_ID; FRR then hands it to GoBGP as "65000", which
//     shows the confederation segment we sent was the right one;
//  3. FRR's route reaches both clients as "(65002)" with FRR's LOCAL_PREF, MED and next hop; GoBGP's as "64500",
//     the path tsbgp learned from GoBGP itself (eBGP over confederation eBGP, RFC 5065 §5.3; RFC 4456 §6 c),
//     rather than "(65002) 64500" through FRR; no ORIGINATOR_ID is added across the member AS boundary;
//  4. a configured route goes to FRR as "(65001)" and to GoBGP as "65000"; GoBGP gets nothing reflected from us;
//  5. between the two other member ASes through ours: FRR's route reaches BIRD in 65003 as "(65001 65002)" with
//     its LOCAL_PREF and MED, BIRD's reaches FRR as "(65001 65003)" and the clients as "(65003)";
//  6. show rib names FRR's path and the member-AS neighbor's role; a withdrawal at FRR leaves both clients.
// Everything skips when a daemon is missing.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { allocEndpoint, Bird, Frr, GoBgp, makeTempDir, runCmd, skipReason, stopAll, waitFor } from './peers';
import { neighbor, startTsbgp, type Tsbgp } from './tsbgp-launch';

after(stopAll);

const CONFED = { identifier: 65000, members: [65001, 65002, 65003] };
const CLUSTER = '10.255.0.1';
const skip = skipReason('bird', 'frr', 'gobgp');

/** What a daemon shows of one path: its AS_PATH as text ("(65002) 64500"), and the attributes that matter here. */
interface Seen {
  path: string;
  nextHop?: string;
  localPref?: number;
  med?: number;
  originator?: string;
  clusters?: string[];
}

async function birdView(b: Bird, prefix: string): Promise<Seen | undefined> {
  const out = (await runCmd('birdc', ['-s', b.ctl, 'show', 'route', prefix, 'table', 'master4', 'all'])).stdout;
  if (!out.includes(prefix)) return undefined;
  const field = (name: string) => new RegExp(`BGP\\.${name}: ?(.*)`).exec(out)?.[1]?.trim();
  const num = (name: string) => (field(name) === undefined ? undefined : Number(field(name)));
  const clusters = field('cluster_list');
  return {
    path: field('as_path') ?? '',
    nextHop: field('next_hop'),
    localPref: num('local_pref'),
    med: num('med'),
    originator: field('originator_id'),
    clusters: clusters === undefined ? undefined : clusters.split(/\s+/),
  };
}

async function frrView(f: Frr, prefix: string): Promise<Seen | undefined> {
  const j = JSON.parse(await f.vtysh([`show bgp ipv4 unicast ${prefix} json`])) as {
    paths?: {
      aspath?: { string?: string };
      nexthops?: { ip: string }[];
      locPrf?: number;
      metric?: number;
      originatorId?: string;
    }[];
  };
  const p = j.paths?.[0];
  if (!p) return undefined;
  return {
    path: p.aspath?.string ?? '',
    nextHop: p.nexthops?.[0]?.ip,
    localPref: p.locPrf,
    med: p.metric,
    originator: p.originatorId,
  };
}

/** The path GoBGP holds for `prefix` from one neighbor (its Adj-RIB-In): AS numbers only, it is outside. */
async function gobgpPath(g: GoBgp, from: string, prefix: string): Promise<string | undefined> {
  const r = (await g.adjIn(from, 'ipv4')).find((x) => x.prefix === prefix);
  return r?.asPath.join(' ');
}

describe('confederation: tsbgp reflecting inside member AS 65001, FRR in member AS 65002, GoBGP outside', {
  skip,
}, () => {
  let rr: Tsbgp;
  let b1: Bird;
  let b2: Bird;
  let b3: Bird;
  let frr: Frr;
  let gobgp: GoBgp;
  let eT: { address: string; port: number };
  let eB1: { address: string; port: number };
  let eB2: { address: string; port: number };
  let eB3: { address: string; port: number };
  let eF: { address: string; port: number };
  let eG: { address: string; port: number };

  before(async () => {
    const dir = makeTempDir('confederation');
    [eT, eB1, eB2, eB3, eF, eG] = await Promise.all([
      allocEndpoint(),
      allocEndpoint(),
      allocEndpoint(),
      allocEndpoint(),
      allocEndpoint(),
      allocEndpoint(),
    ]);
    b1 = new Bird();
    b2 = new Bird();
    b3 = new Bird();
    frr = new Frr();
    gobgp = new GoBgp();
    const fromRr = (as: number) => ({
      address: eT.address,
      port: eT.port,
      as,
      passive: true,
      families: ['ipv4' as const],
    });
    const client = (e: typeof eB1) => ({
      ...e,
      as: 65001,
      holdTime: 30,
      confederation: CONFED,
      neighbors: [fromRr(65001)],
    });
    await Promise.all([
      b1.start(client(eB1)),
      b2.start(client(eB2)),
      b3.start({ ...eB3, as: 65003, holdTime: 30, confederation: CONFED, neighbors: [fromRr(65001)] }),
      frr.start({
        ...eF,
        as: 65002,
        holdTime: 30,
        confederation: CONFED,
        neighbors: [fromRr(65001), { ...eG, as: 64500, families: ['ipv4'] }],
      }),
      gobgp.start({
        ...eG,
        as: 64500,
        holdTime: 30,
        neighbors: [fromRr(65000), { ...eF, as: 65000, passive: true, families: ['ipv4'] }],
      }),
    ]);
    await b1.addRoute('ipv4', { prefix: '10.1.0.0/24', nextHop: '192.0.2.1' });
    await b3.addRoute('ipv4', { prefix: '10.4.0.0/24', nextHop: '192.0.2.4' });
    await frr.addRoute('ipv4', { prefix: '10.2.0.0/24', nextHop: '192.0.2.2', localPref: 200, med: 7 });
    await gobgp.addRoute('ipv4', { prefix: '10.3.0.0/24', nextHop: '192.0.2.3' });

    const to = (e: typeof eB1, peerAs: number, body: string[]) =>
      neighbor({
        peer: e.address,
        port: e.port,
        local: eT.address,
        localAs: 65001,
        peerAs,
        body: ['family { ipv4 unicast; }', ...body],
      });
    rr = await startTsbgp(
      dir,
      [
        `cluster-id ${CLUSTER};`,
        'confederation {',
        '  identifier 65000;',
        '  members [ 65001 65002 65003 ];',
        '}',
        to(eB1, 65001, ['route-reflector-client;']),
        to(eB2, 65001, ['route-reflector-client;']),
        to(eF, 65002, ['static { route 10.9.0.0/24 next-hop 192.0.2.9 med 9; }']),
        to(eB3, 65003, []),
        to(eG, 64500, ['static { route 10.8.0.0/24 next-hop 192.0.2.8; }']),
      ].join('\n') + '\n',
    );
    const peers = [eB1.address, eB2.address, eB3.address, eF.address, eG.address];
    try {
      await waitFor(
        async () => (await Promise.all(peers.map((p) => rr.established(p)))).every(Boolean),
        30_000,
        'tsbgp Established with all five',
        200,
      );
    } catch (e) {
      throw new Error(`${(e as Error).message}\n--- tsbgp ---\n${rr.log().slice(-3000)}`);
    }
  });

  after(async () => {
    await rr?.stop();
    await Promise.all([b1?.stop(), b2?.stop(), b3?.stop(), frr?.stop(), gobgp?.stop()]);
  });

  const wait = <T>(what: string, f: () => Promise<T | undefined>) =>
    waitFor(f, 20_000, what, 250).catch((e: Error) => {
      throw new Error(`${e.message}\n--- tsbgp ---\n${rr.log().slice(-2000)}`);
    });

  it('every session is up: FRR took our member AS, GoBGP the confederation identifier (RFC 5065 §4)', async () => {
    assert.equal(await frr.sessionState(eT.address), 'established');
    assert.equal(await gobgp.sessionState(eT.address), 'established');
  });

  it('a client route is reflected to the other client and passed to FRR as (65001), then by FRR to GoBGP as 65000', async () => {
    const reflected = await wait('10.1.0.0/24 at the second BIRD', () => birdView(b2, '10.1.0.0/24'));
    assert.deepEqual(reflected, {
      path: '',
      nextHop: '192.0.2.1',
      localPref: 100,
      med: undefined,
      originator: eB1.address,
      clusters: [CLUSTER],
    });
    const atFrr = await wait('10.1.0.0/24 at FRR', () => frrView(frr, '10.1.0.0/24'));
    assert.deepEqual(atFrr, {
      path: '(65001)',
      nextHop: '192.0.2.1',
      localPref: 100,
      med: undefined,
      originator: undefined,
    });
    assert.equal(
      await wait('10.1.0.0/24 at GoBGP from FRR', () => gobgpPath(gobgp, eF.address, '10.1.0.0/24')),
      '65000',
    );
  });

  it("FRR's route reaches both clients with the member AS in parentheses, attributes kept; GoBGP's as learned from it", async () => {
    for (const b of [b1, b2]) {
      const two = await wait('10.2.0.0/24 at a client', () => birdView(b, '10.2.0.0/24'));
      assert.deepEqual(two, {
        path: '(65002)',
        nextHop: '192.0.2.2',
        localPref: 200,
        med: 7,
        originator: undefined,
        clusters: undefined,
      });
      const three = await wait('10.3.0.0/24 at a client', () => birdView(b, '10.3.0.0/24'));
      // Learned from GoBGP directly and through FRR: the external path wins (RFC 5065 §5.3).
      assert.equal(three.path, '64500');
      assert.equal(three.nextHop, '192.0.2.3');
      assert.equal(three.localPref, 100);
    }
  });

  it('a configured route goes to FRR as (65001) and to GoBGP as 65000; nothing reflected goes outside', async () => {
    const nine = await wait('10.9.0.0/24 at FRR', () => frrView(frr, '10.9.0.0/24'));
    assert.equal(nine.path, '(65001)');
    assert.equal(nine.med, 9);
    assert.equal(nine.localPref, 100);
    assert.equal(await wait('10.8.0.0/24 at GoBGP', () => gobgpPath(gobgp, eT.address, '10.8.0.0/24')), '65000');
    assert.equal(
      await wait('10.9.0.0/24 at GoBGP via FRR', () => gobgpPath(gobgp, eF.address, '10.9.0.0/24')),
      '65000',
    );
    for (const p of ['10.1.0.0/24', '10.2.0.0/24']) assert.equal(await gobgpPath(gobgp, eT.address, p), undefined);
  });

  it('between two other member ASes through ours: our member AS joins the AS_CONFED_SEQUENCE', async () => {
    const two = await wait('10.2.0.0/24 at BIRD in 65003', () => birdView(b3, '10.2.0.0/24'));
    assert.deepEqual(two, {
      path: '(65001 65002)',
      nextHop: '192.0.2.2',
      localPref: 200,
      med: 7,
      originator: undefined,
      clusters: undefined,
    });
    assert.equal((await wait('10.1.0.0/24 at BIRD in 65003', () => birdView(b3, '10.1.0.0/24'))).path, '(65001)');
    const four = await wait('10.4.0.0/24 at FRR', () => frrView(frr, '10.4.0.0/24'));
    assert.equal(four.path, '(65001 65003)');
    assert.equal(four.nextHop, '192.0.2.4');
    for (const b of [b1, b2])
      assert.equal((await wait('10.4.0.0/24 at a client', () => birdView(b, '10.4.0.0/24'))).path, '(65003)');
    assert.equal(
      await wait('10.4.0.0/24 at GoBGP via FRR', () => gobgpPath(gobgp, eF.address, '10.4.0.0/24')),
      '65000',
    );
  });

  it("show rib: FRR's path is the best, from a neighbor with the confederation role", async () => {
    const r = JSON.parse((await rr.command('show rib 10.2.0.0/24 json')).lines.join('')) as {
      paths: { from: string; best: boolean }[];
    };
    assert.deepEqual(
      r.paths.map((p) => [p.from, p.best]),
      [[eF.address, true]],
    );
    const n = JSON.parse((await rr.command('show rib neighbors json')).lines.join('')) as {
      peer: string;
      role: string;
    }[];
    assert.equal(n.find((x) => x.peer === eF.address)?.role, 'confederation');
    assert.equal(n.find((x) => x.peer === eG.address)?.role, 'external', 'what GoBGP sends is passed on');
  });

  it('a withdrawal at FRR leaves both clients', async () => {
    await frr.withdrawRoute('ipv4', '10.2.0.0/24');
    for (const b of [b1, b2])
      await wait('10.2.0.0/24 gone from a client', async () =>
        (await birdView(b, '10.2.0.0/24')) === undefined ? true : undefined,
      );
  });
});
