// ADD-PATH export (RFC 7911) from tsbgp's route reflector and route server to a real peer: BIRD 2 with `add paths
// rx` negotiates ADD-PATH receive with tsbgp (`capability { add-path send; }`). Two other daemons, FRR and GoBGP,
// announce the same prefix; BIRD holds both paths through tsbgp (one per sender, with its next hop), where a peer
// without ADD-PATH would hold one. When one sender withdraws, BIRD keeps the other path alone: the withdrawal went
// out under that path's identifier only. For the route server, an action community keeps one path of a prefix from
// BIRD (0:1001) while the other path of that prefix still reaches it: the communities apply path by path. FRR,
// which offers ADD-PATH receive without being asked, holds BIRD's and GoBGP's paths of a third prefix.
// The set-ups are the reflection and route-server interop tests' (reflection-clients.ts, route-server-scenario.ts).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { allocEndpoint, Bird, Frr, GoBgp, makeTempDir, skipReason, stopAll, waitFor } from './peers';
import { clientBlock, type Clients as RrClients, startClients as startRrClients } from './reflection-clients';
import {
  announceAll,
  type Clients as RsClients,
  type Scenario,
  startClients as startRsClients,
  tsbgpConfig,
} from './route-server-scenario';
import { startTsbgp, type Tsbgp } from './tsbgp-launch';

after(stopAll);

const skip = skipReason('bird', 'frr', 'gobgp');
const ADD_PATH_SEND = 'capability { add-path send; }';

/** BIRD's paths for a prefix, as "next hop AS path", sorted. */
async function birdPaths(bird: Bird, prefix: string): Promise<string[]> {
  return (await bird.routes('ipv4'))
    .filter((r) => r.prefix === prefix)
    .map((r) => `${r.nextHop} ${r.asPath.join(' ')}`.trim())
    .sort();
}

/** Waits until BIRD holds exactly `want` for the prefix; the error says what it holds and tsbgp's log tail. */
async function birdHolds(bird: Bird, prefix: string, want: string[], t: Tsbgp): Promise<void> {
  await waitFor(
    async () => (await birdPaths(bird, prefix)).join(',') === want.join(','),
    20_000,
    `BIRD holding ${want.join(', ')} for ${prefix}`,
    200,
  ).catch(async (e) => {
    throw new Error(
      `${(e as Error).message}: holds ${(await birdPaths(bird, prefix)).join(', ')}\n${t.log().slice(-2000)}`,
    );
  });
}

/** What tsbgp's Adj-RIB-Out towards `peer` holds for the prefix: "path-id next-hop" per route (path id - when none). */
async function adjOut(t: Tsbgp, peer: string, prefix: string): Promise<string[]> {
  const r = await t.command(`show adj-rib out ${peer} ${prefix}`);
  return r.lines
    .map((l) => `${/path-information (\S+)/.exec(l)?.[1] ?? '-'} ${/next-hop (\S+)/.exec(l)?.[1]}`)
    .sort((a, b) => a.split(' ')[1]!.localeCompare(b.split(' ')[1]!));
}

describe("ADD-PATH from the route reflector: BIRD (add paths rx) holds FRR's and GoBGP's paths of one prefix", {
  skip,
}, () => {
  let rr: Tsbgp;
  let cl: RrClients;
  const P = '10.9.0.0/24';
  let held: string[] = [];

  before(async () => {
    const eT = await allocEndpoint();
    cl = await startRrClients(eT, ['ipv4'], true);
    await cl.frr.addRoute('ipv4', { prefix: P, nextHop: '192.0.2.2' });
    await cl.gobgp.addRoute('ipv4', { prefix: P, nextHop: '192.0.2.3' });
    await cl.frr.addRoute('ipv4', { prefix: '10.9.1.0/24', nextHop: '192.0.2.2' });
    const family = 'family { ipv4 unicast; }';
    rr = await startTsbgp(
      makeTempDir('addpath-rr'),
      [
        'cluster-id 10.255.0.1;',
        clientBlock(eT, cl.eB, [family, ADD_PATH_SEND]),
        clientBlock(eT, cl.eF, [family]),
        clientBlock(eT, cl.eG, [family]),
      ].join('\n') + '\n',
    );
    await waitFor(
      async () => (await Promise.all([cl.eB, cl.eF, cl.eG].map((e) => rr.established(e.address)))).every(Boolean),
      30_000,
      'the reflector Established with its three clients',
      200,
    );
  });

  after(async () => {
    await rr?.stop();
    await Promise.all([cl?.bird.stop(), cl?.frr.stop(), cl?.gobgp.stop()]);
  });

  it('BIRD holds both paths of the prefix, each with its own next hop; a one-path prefix once', async () => {
    await birdHolds(cl.bird, P, ['192.0.2.2', '192.0.2.3'], rr);
    await birdHolds(cl.bird, '10.9.1.0/24', ['192.0.2.2'], rr);
    // tsbgp sent BIRD two path ids of its own numbering (from 0x80000000). Without ADD-PATH, FRR and GoBGP get
    // the best path, whichever of theirs it is, and its own sender nothing: one route between them, no path id.
    held = await adjOut(rr, cl.eB.address, P);
    assert.equal(held.length, 2, held.join(', '));
    for (const h of held) assert.match(h, /^128\.0\.0\.\d+ 192\.0\.2\.[23]$/);
    const plain = [...(await adjOut(rr, cl.eF.address, P)), ...(await adjOut(rr, cl.eG.address, P))];
    assert.equal(plain.length, 1, plain.join(', '));
    assert.match(plain[0]!, /^- 192\.0\.2\.[23]$/);
  });

  it("GoBGP withdraws: BIRD keeps FRR's path alone", async () => {
    await cl.gobgp.withdrawRoute('ipv4', P);
    await birdHolds(cl.bird, P, ['192.0.2.2'], rr);
    // FRR's path kept the path id it was sent with.
    assert.deepEqual(await adjOut(rr, cl.eB.address, P), [held.find((h) => h.endsWith('192.0.2.2'))]);
  });
});

const ADD_PATH_RS: Scenario = {
  family: 'ipv4',
  clients: [
    {
      name: 'bird',
      as: 1001,
      nh: '192.0.2.1',
      make: () => new Bird(),
      routes: [{ prefix: '5.5.7.0/24', nextHop: '192.0.2.1' }],
      addPathsRx: true,
      lines: [ADD_PATH_SEND],
    },
    {
      name: 'frr',
      as: 1003,
      nh: '192.0.2.3',
      make: () => new Frr(),
      // FRR offers ADD-PATH receive on its own.
      lines: [ADD_PATH_SEND],
      routes: [
        { prefix: '5.5.5.0/24', nextHop: '192.0.2.3' },
        { prefix: '5.5.6.0/24', nextHop: '192.0.2.3' },
      ],
    },
    {
      name: 'gobgp',
      as: 1004,
      nh: '192.0.2.4',
      make: () => new GoBgp(),
      routes: [
        { prefix: '5.5.5.0/24', nextHop: '192.0.2.4' },
        // Not to AS 1001 (BIRD).
        { prefix: '5.5.6.0/24', nextHop: '192.0.2.4', communities: ['0:1001'] },
        { prefix: '5.5.7.0/24', nextHop: '192.0.2.4' },
      ],
    },
  ],
  vrps: [],
  want: {},
};

describe("ADD-PATH from the route server: BIRD (add paths rx) holds FRR's and GoBGP's paths of one prefix", {
  skip,
}, () => {
  let t: Tsbgp;
  let cl: RsClients;
  let held: string[] = [];

  before(async () => {
    const rs = await allocEndpoint();
    cl = await startRsClients(rs, ADD_PATH_RS);
    await announceAll(cl);
    t = await startTsbgp(makeTempDir('addpath-rs'), tsbgpConfig(rs, cl));
    await waitFor(
      async () => (await Promise.all(cl.ends.map((e) => t.established(e.address)))).every(Boolean),
      30_000,
      'route server sessions Established',
      200,
    );
  });

  after(async () => {
    await t?.stop();
    await Promise.all([...(cl?.daemons.values() ?? [])].map((d) => d.stop()));
  });

  const bird = () => cl.daemons.get('bird') as Bird;

  it("BIRD holds both paths, transparent (the sender's AS and next hop); an action community keeps one path away", async () => {
    await birdHolds(bird(), '5.5.5.0/24', ['192.0.2.3 1003', '192.0.2.4 1004'], t);
    await birdHolds(bird(), '5.5.6.0/24', ['192.0.2.3 1003'], t);
    // Two path ids of tsbgp's numbering towards BIRD; GoBGP, without ADD-PATH, is sent one path (FRR's).
    held = await adjOut(t, cl.ends[0]!.address, '5.5.5.0/24');
    assert.equal(held.length, 2, held.join(', '));
    for (const h of held) assert.match(h, /^128\.0\.0\.\d+ 192\.0\.2\.[34]$/);
    assert.deepEqual(await adjOut(t, cl.ends[2]!.address, '5.5.5.0/24'), ['- 192.0.2.3']);
  });

  it("FRR (ADD-PATH receive by default) holds BIRD's and GoBGP's paths of one prefix", async () => {
    const frr = cl.daemons.get('frr') as Frr;
    const paths = async () => {
      const j = JSON.parse(await frr.vtysh(['show bgp ipv4 unicast 5.5.7.0/24 json'])) as {
        paths?: { aspath?: { string?: string }; nexthops?: { ip: string }[] }[];
      };
      return (j.paths ?? []).map((p) => `${p.nexthops?.[0]?.ip} ${p.aspath?.string}`).sort();
    };
    await waitFor(async () => (await paths()).length === 2, 20_000, 'two paths at FRR', 200).catch(async (e) => {
      throw new Error(`${(e as Error).message}: ${(await paths()).join(', ')}`);
    });
    assert.deepEqual(await paths(), ['192.0.2.1 1001', '192.0.2.4 1004']);
  });

  it("FRR withdraws: BIRD keeps GoBGP's path alone", async () => {
    await (cl.daemons.get('frr') as Frr).withdrawRoute('ipv4', '5.5.5.0/24');
    await birdHolds(bird(), '5.5.5.0/24', ['192.0.2.4 1004'], t);
    assert.deepEqual(await adjOut(t, cl.ends[0]!.address, '5.5.5.0/24'), [held.find((h) => h.endsWith('192.0.2.4'))]);
  });
});
