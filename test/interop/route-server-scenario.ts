// The route server scenario shared by the tsbgp test and the BIRD 2 differential: four clients (two BIRD 2, FRR,
// GoBGP) on loopback, each announcing routes that exercise one rule (RPKI valid / invalid / not found, bogon,
// foreign next hop, too long, action communities, max-prefix), StayRTR serving VRPs for them, and the client
// daemons started passive so that the route server (tsbgp or BIRD) connects to them.
import { allocEndpoint, type BgpDaemon, Bird, type Family, Frr, GoBgp, type Route, type RouteSpec } from './peers';
import { StayRtr } from './peers/stayrtr';
import { neighbor } from './tsbgp-launch';

/** The route server's AS (16 bits, for the RFC 1997 action communities). */
export const RS_AS = 64999;

export interface ClientSpec {
  name: string;
  as: number;
  nh: string;
  make: () => BgpDaemon;
  routes: RouteSpec[];
  filter?: string[];
}

export const CLIENTS: ClientSpec[] = [
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

export const VRPS = [
  { prefix: '1.1.0.0/16', maxLength: 24, asn: 1001 },
  { prefix: '1.2.0.0/16', maxLength: 24, asn: 9999 },
  { prefix: '1.3.0.0/16', maxLength: 24, asn: 1003 },
];

/** The clients started (passive, one neighbor: the route server at `rs`), with their endpoints. */
export interface Clients {
  daemons: Map<string, BgpDaemon>;
  ends: { address: string; port: number }[];
}

export async function startClients(rs: { address: string; port: number }): Promise<Clients> {
  const ends = await Promise.all(CLIENTS.map(() => allocEndpoint()));
  const fams: Family[] = ['ipv4'];
  const daemons = new Map<string, BgpDaemon>();
  await Promise.all(
    CLIENTS.map((c, i) => {
      const d = c.make();
      daemons.set(c.name, d);
      return d.start({
        ...ends[i]!,
        as: c.as,
        holdTime: 30,
        neighbors: [
          { address: rs.address, port: rs.port, as: RS_AS, passive: true, families: fams, routeServer: true },
        ],
      });
    }),
  );
  return { daemons, ends };
}

/** Each client originates its routes. */
export async function announceAll(cl: Clients): Promise<void> {
  await Promise.all(
    CLIENTS.map(async (c) => {
      const d = cl.daemons.get(c.name)!;
      if (d instanceof Bird) await d.addRoutes('ipv4', c.routes);
      else for (const r of c.routes) await d.addRoute('ipv4', r);
    }),
  );
}

export async function startRtr(): Promise<StayRtr> {
  const rtr = new StayRtr();
  await rtr.start(VRPS, { protocol: 1, refresh: 1 });
  return rtr;
}

/** A client's table: prefix -> route, without its own routes. */
export async function received(cl: Clients, name: string): Promise<Map<string, Route>> {
  const own = new Set(CLIENTS.find((c) => c.name === name)!.routes.map((r) => r.prefix));
  const rs = await cl.daemons.get(name)!.routes('ipv4');
  return new Map(rs.filter((r) => !own.has(r.prefix)).map((r) => [r.prefix, r]));
}

/** What each client must hold in the end (besides two of GoBGP's three 4.4.x routes): prefix -> AS_PATH. */
export const WANT: Record<string, Record<string, number[]>> = {
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

/** True when the client's table is WANT plus two 4.4.x routes (none for GoBGP itself). */
export function complete(name: string, tb: Map<string, Route>): boolean {
  const want = WANT[name]!;
  const gob = [...tb.keys()].filter((p) => p.startsWith('4.4.'));
  const rest = [...tb.keys()].filter((p) => !p.startsWith('4.4.'));
  return (
    rest.length === Object.keys(want).length &&
    Object.keys(want).every((p) => tb.get(p)?.asPath.join(' ') === want[p]!.join(' ')) &&
    gob.length === (name === 'gobgp' ? 0 : 2)
  );
}

/** tsbgp's configuration as route server of the clients, with the RPKI cache. */
export function tsbgpConfig(rs: { address: string }, cl: Clients, rtr: StayRtr): string {
  const conf = CLIENTS.map((c, i) =>
    neighbor({
      peer: cl.ends[i]!.address,
      port: cl.ends[i]!.port,
      local: rs.address,
      localAs: RS_AS,
      peerAs: c.as,
      body: [
        'family { ipv4 unicast; }',
        'route-server-client;',
        'filter {',
        `  next-hop [ ${c.nh} ];`,
        ...(c.filter ?? []).map((f) => `  ${f}`),
        '}',
      ],
    }),
  );
  return `rpki {\n  cache ${rtr.address} port ${rtr.port};\n}\n${conf.join('\n')}\n`;
}
