// tsbgp as an IX route server (RFC 7947) for four real clients on loopback, two BIRD 2, FRR and GoBGP, with RPKI
// from StayRTR serving a VRP file written here. Proves: valid and not-found routes reach every other client with
// the announcing client's next hop and AS_PATH (no route server AS: transparent), RPKI-invalid and bogon routes
// reach none, each action community (do not announce to X, announce only to X, prepend N times to X), max-prefix
// refusing the routes over the limit, and a VRP file edit withdrawing the newly invalid route from every client
// within a second of tsbgp applying it. The looking glass (`show rib filtered`, `show route-server`) names the
// reasons and counts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  allocEndpoint,
  type BgpDaemon,
  Bird,
  type Family,
  Frr,
  GoBgp,
  makeTempDir,
  type Route,
  type RouteSpec,
  skipReason,
  stopAll,
  waitFor,
} from './peers';
import { StayRtr } from './peers/stayrtr';
import { neighbor, startTsbgp, type Tsbgp } from './tsbgp-launch';

after(stopAll);

const RS_AS = 64999;
const skip = skipReason('bird', 'frr', 'gobgp', 'stayrtr');

interface ClientSpec {
  name: string;
  as: number;
  nh: string;
  make: () => BgpDaemon;
  routes: RouteSpec[];
  filter?: string[];
}

const CLIENTS: ClientSpec[] = [
  {
    name: 'bird-a',
    as: 1001,
    nh: '192.0.2.1',
    make: () => new Bird(),
    routes: [
      { prefix: '1.1.1.0/24', nextHop: '192.0.2.1' }, // RPKI valid
      { prefix: '1.1.2.0/24', nextHop: '192.0.2.1', communities: ['0:1002'] }, // not to bird-b
      { prefix: '1.1.3.0/24', nextHop: '192.0.2.1', communities: [`${RS_AS}:1003`] }, // only to frr
      { prefix: '1.1.4.0/24', nextHop: '192.0.2.1', largeCommunities: [`${RS_AS}:102:1004`] }, // 2 prepends to gobgp
      { prefix: '1.1.5.0/24', nextHop: '192.0.2.1', largeCommunities: [`${RS_AS}:0:1003`] }, // not to frr
      { prefix: '1.1.6.0/24', nextHop: '192.0.2.1', communities: ['65501:1002'] }, // 1 prepend to bird-b
    ],
  },
  {
    name: 'bird-b',
    as: 1002,
    nh: '192.0.2.2',
    make: () => new Bird(),
    routes: [
      { prefix: '1.2.2.0/24', nextHop: '192.0.2.2' }, // RPKI invalid (VRP for AS 9999)
      { prefix: '2.2.0.0/16', nextHop: '192.0.2.2', med: 50 }, // not found: accepted
      { prefix: '10.2.0.0/16', nextHop: '192.0.2.2' }, // bogon
      { prefix: '2.3.0.0/16', nextHop: '192.0.2.99' }, // someone else's next hop
    ],
  },
  {
    name: 'frr',
    as: 1003,
    nh: '192.0.2.3',
    make: () => new Frr(),
    routes: [
      { prefix: '1.3.3.0/24', nextHop: '192.0.2.3', communities: ['3:3'] }, // valid, then made invalid
      { prefix: '3.3.0.0/25', nextHop: '192.0.2.3' }, // too long
    ],
  },
  {
    name: 'gobgp',
    as: 1004,
    nh: '192.0.2.4',
    make: () => new GoBgp(),
    routes: [
      { prefix: '4.4.1.0/24', nextHop: '192.0.2.4' },
      { prefix: '4.4.2.0/24', nextHop: '192.0.2.4' },
      { prefix: '4.4.3.0/24', nextHop: '192.0.2.4' },
    ],
    filter: ['max-prefix 2 refuse;'],
  },
];

const VRPS = [
  { prefix: '1.1.0.0/16', maxLength: 24, asn: 1001 },
  { prefix: '1.2.0.0/16', maxLength: 24, asn: 9999 },
  { prefix: '1.3.0.0/16', maxLength: 24, asn: 1003 },
];

describe('tsbgp as route server for BIRD, BIRD, FRR and GoBGP, with StayRTR', { skip, timeout: 180_000 }, () => {
  let t: Tsbgp;
  let rtr: StayRtr;
  const daemons = new Map<string, BgpDaemon>();

  before(async () => {
    const dir = makeTempDir('rs');
    rtr = new StayRtr();
    await rtr.start(VRPS, { protocol: 1, refresh: 1 });
    const eT = await allocEndpoint();
    const ends = await Promise.all(CLIENTS.map(() => allocEndpoint()));
    const fams: Family[] = ['ipv4'];
    await Promise.all(
      CLIENTS.map((c, i) => {
        const d = c.make();
        daemons.set(c.name, d);
        return d.start({
          ...ends[i]!,
          as: c.as,
          holdTime: 30,
          neighbors: [
            { address: eT.address, port: eT.port, as: RS_AS, passive: true, families: fams, routeServer: true },
          ],
        });
      }),
    );
    const conf = [
      'rpki {',
      `  cache ${rtr.address} port ${rtr.port};`,
      '}',
      ...CLIENTS.map((c, i) =>
        neighbor({
          peer: ends[i]!.address,
          port: ends[i]!.port,
          local: eT.address,
          localAs: RS_AS,
          peerAs: c.as,
          body: [
            'family { ipv4 unicast; }',
            'route-server-client;',
            'filter {',
            `  next-hop [ ${c.nh} ];`,
            ...(c.filter ?? []).map((l) => `  ${l}`),
            '}',
          ],
        }),
      ),
    ];
    t = await startTsbgp(dir, conf.join('\n') + '\n');
    await waitFor(
      async () => (await Promise.all(ends.map((e) => t.established(e.address)))).every(Boolean),
      30_000,
      'route server sessions Established',
      200,
    );
    await waitFor(async () => /rpki: .* 3 VRPs/.test(t.log()), 10_000, 'VRPs loaded');
    await Promise.all(CLIENTS.map((c) => (daemons.get(c.name) as BgpDaemon & { addRoutes?: unknown }) && addAll(c)));
  });

  async function addAll(c: ClientSpec): Promise<void> {
    const d = daemons.get(c.name)!;
    if (d instanceof Bird) await d.addRoutes('ipv4', c.routes);
    else for (const r of c.routes) await d.addRoute('ipv4', r);
  }

  after(async () => {
    await t?.stop();
    await Promise.all([...daemons.values()].map((d) => d.stop()));
    await rtr?.stop();
  });

  const table = async (name: string): Promise<Map<string, Route>> =>
    new Map((await daemons.get(name)!.routes('ipv4')).map((r) => [r.prefix, r]));

  /** What each client must hold in the end: prefix -> AS_PATH. */
  const WANT: Record<string, Record<string, number[]>> = {
    'bird-a': { '2.2.0.0/16': [1002], '1.3.3.0/24': [1003] },
    'bird-b': {
      '1.1.1.0/24': [1001],
      '1.1.4.0/24': [1001],
      '1.1.5.0/24': [1001],
      '1.1.6.0/24': [1001, 1001],
      '1.3.3.0/24': [1003],
    },
    frr: {
      '1.1.1.0/24': [1001],
      '1.1.2.0/24': [1001],
      '1.1.3.0/24': [1001],
      '1.1.4.0/24': [1001],
      '1.1.6.0/24': [1001],
      '2.2.0.0/16': [1002],
    },
    gobgp: {
      '1.1.1.0/24': [1001],
      '1.1.2.0/24': [1001],
      '1.1.4.0/24': [1001, 1001, 1001],
      '1.1.5.0/24': [1001],
      '1.1.6.0/24': [1001],
      '2.2.0.0/16': [1002],
      '1.3.3.0/24': [1003],
    },
  };
  const NH: Record<string, string> = { '1': '192.0.2.1', '2': '192.0.2.2', '3': '192.0.2.3', '4': '192.0.2.4' };

  it('every client holds exactly what it should: next hop and AS_PATH as announced, no route server AS', async () => {
    for (const c of CLIENTS) {
      const want = WANT[c.name]!;
      const got = await waitFor(
        async () => {
          const tb = await table(c.name);
          // Two of GoBGP's three routes pass max-prefix: which two depends on arrival order.
          const gob = [...tb.keys()].filter((p) => p.startsWith('4.4.'));
          const rest = [...tb.keys()].filter((p) => !p.startsWith('4.4.') && !c.routes.some((r) => r.prefix === p));
          const ok =
            rest.length === Object.keys(want).length &&
            Object.keys(want).every((p) => tb.get(p)?.asPath.join(' ') === want[p]!.join(' ')) &&
            (c.name === 'gobgp' || gob.length === 2);
          return ok ? tb : undefined;
        },
        20_000,
        `${c.name}'s table`,
        300,
      ).catch(async (e) => {
        throw new Error(
          `${(e as Error).message}: ${JSON.stringify([...(await table(c.name)).values()])}\n${t.log().slice(-3000)}`,
        );
      });
      for (const [p, r] of got) {
        if (c.routes.some((x) => x.prefix === p)) continue; // its own, as its daemon shows them
        assert.ok(!r.asPath.includes(RS_AS), `${c.name} ${p}: no route server AS in ${r.asPath}`);
        assert.equal(r.nextHop, NH[String(r.asPath[r.asPath.length - 1]! - 1000)], `${c.name} ${p}: next hop`);
      }
      if (c.name !== 'bird-b' && got.has('2.2.0.0/16'))
        assert.equal(got.get('2.2.0.0/16')!.med, 50, `${c.name}: MED kept`);
      if (c.name !== 'frr' && got.has('1.3.3.0/24'))
        assert.ok(got.get('1.3.3.0/24')!.communities.includes('3:3'), `${c.name}: communities kept`);
    }
  });

  it('the looking glass names each refused route with its reason and RPKI state, and counts per client', async () => {
    const r = await t.command('show rib filtered');
    const text = r.lines.join('\n');
    assert.match(text, /1\.2\.2\.0\/24 .*rpki-invalid/);
    assert.match(text, /10\.2\.0\.0\/16 .*bogon-prefix/);
    assert.match(text, /2\.3\.0\.0\/16 .*next-hop/);
    assert.match(text, /3\.3\.0\.0\/25 .*prefix-length/);
    assert.match(text, /4\.4\.\d\.0\/24 .*max-prefix/);
    const j = await t.command('show rib filtered json');
    const rows = JSON.parse(j.lines.join('\n')) as { prefix: string; reason: string; rpki: string; neighbor: string }[];
    assert.deepEqual(
      rows.find((x) => x.prefix === '1.2.2.0/24'),
      {
        neighbor: rows.find((x) => x.prefix === '1.2.2.0/24')!.neighbor,
        family: 'ipv4 unicast',
        prefix: '1.2.2.0/24',
        reason: 'rpki-invalid',
        rpki: 'invalid',
        'as-path': [1002],
        'next-hop': '192.0.2.2',
      },
    );
    const s = await t.command('show route-server json');
    const counters = JSON.parse(s.lines.join('\n')) as {
      'peer-as': number;
      received: number;
      accepted: number;
      filtered: number;
    }[];
    const gob = counters.find((c) => c['peer-as'] === 1004)!;
    assert.deepEqual([gob.received, gob.accepted, gob.filtered], [3, 2, 1]);
    const b = counters.find((c) => c['peer-as'] === 1002)!;
    assert.deepEqual([b.accepted, b.filtered], [1, 3]);
  });

  it('a VRP file edit withdraws the newly invalid route from every client within a second', async (tc) => {
    const holders = ['bird-a', 'bird-b', 'gobgp'];
    for (const h of holders) assert.ok((await table(h)).has('1.3.3.0/24'), `${h} has 1.3.3.0/24 first`);
    rtr.writeVrps([VRPS[0]!, VRPS[1]!, { prefix: '1.3.0.0/16', maxLength: 24, asn: 9999 }]);
    // The time from tsbgp applying the new serial to every client dropping the route.
    await waitFor(() => t.log().includes('serial 1: 3 VRPs'), 10_000, 'the new serial at tsbgp', 20);
    const applied = Date.now();
    await Promise.all(
      holders.map((h) =>
        waitFor(async () => !(await table(h)).has('1.3.3.0/24'), 5000, `1.3.3.0/24 gone from ${h}`, 50),
      ),
    );
    const took = Date.now() - applied;
    tc.diagnostic(`withdrawn from bird-a, bird-b and gobgp ${took} ms after tsbgp applied the new serial`);
    assert.ok(took < 1000, `withdrawn everywhere ${took} ms after the VRP change reached tsbgp`);
    const text = (await t.command('show rib filtered')).lines.join('\n');
    assert.match(text, /1\.3\.3\.0\/24 .*rpki-invalid/);
  });
});
