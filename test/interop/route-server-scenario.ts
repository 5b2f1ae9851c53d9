// The route server scenarios shared by the tsbgp tests and the BIRD 2 differential: four clients (two BIRD 2, FRR,
// GoBGP) on loopback, each announcing routes that exercise one rule (RPKI valid / invalid / not found, bogon,
// foreign next hop, length bounds, action communities, RFC 7999 blackholes, max-prefix), StayRTR serving VRPs for
// them, and the client daemons started passive so that the route server (tsbgp or BIRD) connects to them. IPV4 runs
// every session over IPv4; IPV6 announces IPv6 routes with IPv6 next hops, one client over an IPv6 session (::1)
// and the others over IPv4 sessions (MP-BGP, RFC 4760).
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import {
  allocEndpoint,
  type BgpDaemon,
  Bird,
  type DaemonOpts,
  Frr,
  freePort,
  GoBgp,
  makeTempDir,
  type Route,
  type RouteSpec,
  waitFor,
} from './peers';
import { StayRtr, type VrpSpec } from './peers/stayrtr';
import { neighbor, startTsbgp, type Tsbgp } from './tsbgp-launch';

/** The route server's AS (16 bits, for the RFC 1997 action communities). */
export const RS_AS = 64999;

/** GoBGP's AS in the IPv4 scenario: 32 bits, so only the RFC 8092 (large community) actions can name it. */
export const AS32 = 204004;

/** RFC 7999 BLACKHOLE. */
export const BLACKHOLE = '65535:666';

export interface ClientSpec {
  name: string;
  as: number;
  /** The client's next hop (of the scenario's family): the only one its filter allows. */
  nh: string;
  make: () => BgpDaemon;
  routes: RouteSpec[];
  filter?: string[];
  /** The session runs over IPv6 (::1) instead of IPv4. */
  v6Session?: boolean;
  /** BIRD only: the client takes every path the route server sends it (ADD-PATH receive, RFC 7911). */
  addPathsRx?: boolean;
  /** Lines added to the client's neighbor block in tsbgp's configuration. */
  lines?: string[];
}

export interface Scenario {
  family: 'ipv4' | 'ipv6';
  clients: ClientSpec[];
  vrps: VrpSpec[];
  /** What each client must hold in the end (besides the limited client's routes): prefix -> AS_PATH. */
  want: Record<string, Record<string, number[]>>;
  /** A client over its max-prefix limit: its routes start with `prefix`; `passing` of them reach the others. */
  limited?: { client: string; prefix: string; passing: number };
  /**
   * Routes whose attributes checkTables() looks at where they arrive: one sent with MED 50, one with community
   * 3:3 (valid until vrpEditWithdraws() makes it invalid), the blackhole that must pass.
   */
  probes?: { med: string; community: string; blackhole: string };
}

export const IPV4: Scenario = {
  family: 'ipv4',
  clients: [
    {
      name: 'bird-a',
      as: 1001,
      nh: '192.0.2.1',
      make: () => new Bird(),
      routes: [
        { prefix: '1.1.1.0/24', nextHop: '192.0.2.1' }, // RPKI valid
        { prefix: '1.1.2.0/24', nextHop: '192.0.2.1', communities: ['0:1002'] }, // not to bird-b
        { prefix: '1.1.3.0/24', nextHop: '192.0.2.1', communities: [`${RS_AS}:1003`] }, // only to frr
        { prefix: '1.1.4.0/24', nextHop: '192.0.2.1', largeCommunities: [`${RS_AS}:102:${AS32}`] }, // 2 to gobgp
        { prefix: '1.1.5.0/24', nextHop: '192.0.2.1', largeCommunities: [`${RS_AS}:0:1003`] }, // not to frr
        { prefix: '1.1.6.0/24', nextHop: '192.0.2.1', communities: ['65501:1002'] }, // 1 prepend to bird-b
        // To no one but frr and gobgp (0:RS with RS:X, and RS:1:X for gobgp's 32-bit AS).
        {
          prefix: '1.1.7.0/24',
          nextHop: '192.0.2.1',
          communities: [`0:${RS_AS}`, `${RS_AS}:1003`],
          largeCommunities: [`${RS_AS}:1:${AS32}`],
        },
        { prefix: '1.1.8.0/24', nextHop: '192.0.2.1', largeCommunities: [`${RS_AS}:1:1002`] }, // only to bird-b
        { prefix: '1.1.9.0/24', nextHop: '192.0.2.1', communities: ['65503:1003'] }, // 3 prepends to frr
        { prefix: '1.1.10.0/24', nextHop: '192.0.2.1', largeCommunities: [`${RS_AS}:101:1002`] }, // 1 to bird-b
        { prefix: '1.1.11.0/24', nextHop: '192.0.2.1', communities: [`0:${RS_AS}`] }, // to no one
        // RFC 7999 blackhole in its own 1.1.1.0/24 (RPKI-invalid by max length): reaches everyone.
        { prefix: '1.1.1.66/32', nextHop: '192.0.2.1', communities: [BLACKHOLE] },
        // Blackhole for someone else's space (bird-b's 2.2.0.0/16): refused.
        { prefix: '2.2.0.66/32', nextHop: '192.0.2.1', communities: [BLACKHOLE] },
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
      as: AS32,
      nh: '192.0.2.4',
      make: () => new GoBgp(),
      routes: [
        { prefix: '4.4.1.0/24', nextHop: '192.0.2.4' },
        { prefix: '4.4.2.0/24', nextHop: '192.0.2.4' },
        { prefix: '4.4.3.0/24', nextHop: '192.0.2.4' },
      ],
      filter: ['max-prefix 2 refuse;'],
    },
  ],
  vrps: [
    { prefix: '1.1.0.0/16', maxLength: 24, asn: 1001 },
    { prefix: '1.2.0.0/16', maxLength: 24, asn: 9999 },
    { prefix: '1.3.0.0/16', maxLength: 24, asn: 1003 },
  ],
  want: {
    'bird-a': { '2.2.0.0/16': [1002], '1.3.3.0/24': [1003] },
    'bird-b': {
      '1.1.1.0/24': [1001],
      '1.1.4.0/24': [1001],
      '1.1.5.0/24': [1001],
      '1.1.6.0/24': [1001, 1001],
      '1.1.8.0/24': [1001],
      '1.1.9.0/24': [1001],
      '1.1.10.0/24': [1001, 1001],
      '1.1.1.66/32': [1001],
      '1.3.3.0/24': [1003],
    },
    frr: {
      '1.1.1.0/24': [1001],
      '1.1.2.0/24': [1001],
      '1.1.3.0/24': [1001],
      '1.1.4.0/24': [1001],
      '1.1.6.0/24': [1001],
      '1.1.7.0/24': [1001],
      '1.1.9.0/24': [1001, 1001, 1001, 1001],
      '1.1.10.0/24': [1001],
      '1.1.1.66/32': [1001],
      '2.2.0.0/16': [1002],
    },
    gobgp: {
      '1.1.1.0/24': [1001],
      '1.1.2.0/24': [1001],
      '1.1.4.0/24': [1001, 1001, 1001],
      '1.1.5.0/24': [1001],
      '1.1.6.0/24': [1001],
      '1.1.7.0/24': [1001],
      '1.1.9.0/24': [1001],
      '1.1.10.0/24': [1001],
      '1.1.1.66/32': [1001],
      '2.2.0.0/16': [1002],
      '1.3.3.0/24': [1003],
    },
  },
  limited: { client: 'gobgp', prefix: '4.4.', passing: 2 },
  probes: { med: '2.2.0.0/16', community: '1.3.3.0/24', blackhole: '1.1.1.66/32' },
};

/** The same four clients with IPv6 routes: bird-b over an IPv6 session, the others over IPv4 (MP-BGP). */
export const IPV6: Scenario = {
  family: 'ipv6',
  clients: [
    {
      name: 'bird-a',
      as: 1001,
      nh: '2001:db8::1',
      make: () => new Bird(),
      routes: [
        { prefix: '2a01:1001::/32', nextHop: '2001:db8::1' }, // RPKI valid
        { prefix: '2a01:1001:1::/48', nextHop: '2001:db8::1', communities: ['0:1002'] }, // not to bird-b
        { prefix: '2a01:1001:2::/48', nextHop: '2001:db8::1', largeCommunities: [`${RS_AS}:102:1004`] }, // 2 to gobgp
        // RFC 7999 blackhole /128 in its own /32 (RPKI-invalid by max length): reaches everyone.
        { prefix: '2a01:1001::66/128', nextHop: '2001:db8::1', communities: [BLACKHOLE] },
        // Blackhole for bird-b's 2a01:2002::/32: refused.
        { prefix: '2a01:2002::66/128', nextHop: '2001:db8::1', communities: [BLACKHOLE] },
      ],
    },
    {
      name: 'bird-b',
      as: 1002,
      nh: '2001:db8::2',
      make: () => new Bird(),
      v6Session: true,
      routes: [
        { prefix: '2a01:1002::/32', nextHop: '2001:db8::2' }, // RPKI invalid (VRP for AS 9999)
        { prefix: '2a01:2002::/32', nextHop: '2001:db8::2', med: 50 }, // not found: accepted
        { prefix: 'fc00:2::/32', nextHop: '2001:db8::2' }, // bogon (unique local)
        { prefix: '2a01:2003::/32', nextHop: '2001:db8::99' }, // someone else's next hop
      ],
    },
    {
      name: 'frr',
      as: 1003,
      nh: '2001:db8::3',
      make: () => new Frr(),
      routes: [
        { prefix: '2a01:1003::/32', nextHop: '2001:db8::3', communities: ['3:3'] }, // valid, then made invalid
        { prefix: '2a01:1003:0:1::/64', nextHop: '2001:db8::3' }, // longer than /48
        { prefix: '2a03::/16', nextHop: '2001:db8::3' }, // the shortest allowed
        { prefix: '2c00::/15', nextHop: '2001:db8::3' }, // shorter than /16
      ],
    },
    {
      name: 'gobgp',
      as: 1004,
      nh: '2001:db8::4',
      make: () => new GoBgp(),
      routes: [
        { prefix: '2a01:1004::/32', nextHop: '2001:db8::4' },
        { prefix: '2a01:1004:1::/48', nextHop: '2001:db8::4', largeCommunities: [`${RS_AS}:0:1001`] }, // not to bird-a
        { prefix: '2a01:1004:2::/48', nextHop: '2001:db8::4', communities: ['65501:1003'] }, // 1 prepend to frr
      ],
    },
  ],
  vrps: [
    { prefix: '2a01:1001::/32', maxLength: 48, asn: 1001 },
    { prefix: '2a01:1002::/32', maxLength: 48, asn: 9999 },
    { prefix: '2a01:1003::/32', maxLength: 48, asn: 1003 },
  ],
  want: {
    'bird-a': {
      '2a01:2002::/32': [1002],
      '2a01:1003::/32': [1003],
      '2a03::/16': [1003],
      '2a01:1004::/32': [1004],
      '2a01:1004:2::/48': [1004],
    },
    'bird-b': {
      '2a01:1001::/32': [1001],
      '2a01:1001:2::/48': [1001],
      '2a01:1001::66/128': [1001],
      '2a01:1003::/32': [1003],
      '2a03::/16': [1003],
      '2a01:1004::/32': [1004],
      '2a01:1004:1::/48': [1004],
      '2a01:1004:2::/48': [1004],
    },
    frr: {
      '2a01:1001::/32': [1001],
      '2a01:1001:1::/48': [1001],
      '2a01:1001:2::/48': [1001],
      '2a01:1001::66/128': [1001],
      '2a01:2002::/32': [1002],
      '2a01:1004::/32': [1004],
      '2a01:1004:1::/48': [1004],
      '2a01:1004:2::/48': [1004, 1004],
    },
    gobgp: {
      '2a01:1001::/32': [1001],
      '2a01:1001:1::/48': [1001],
      '2a01:1001:2::/48': [1001, 1001, 1001],
      '2a01:1001::66/128': [1001],
      '2a01:2002::/32': [1002],
      '2a01:1003::/32': [1003],
      '2a03::/16': [1003],
    },
  },
  probes: { med: '2a01:2002::/32', community: '2a01:1003::/32', blackhole: '2a01:1001::66/128' },
};

/** The clients started (passive, one neighbor: the route server), with their endpoints. */
export interface Clients {
  scenario: Scenario;
  daemons: Map<string, BgpDaemon>;
  ends: { address: string; port: number }[];
  /** Where the route server speaks to the clients on IPv6 sessions: ::1 and a port free there. */
  rs6: { address: string; port: number };
}

/** The route server's own address towards client `i` (::1 for an IPv6 session). */
export function rsAddress(cl: Clients, rs: { address: string }, i: number): string {
  return cl.scenario.clients[i]!.v6Session ? cl.rs6.address : rs.address;
}

export async function startClients(rs: { address: string; port: number }, s: Scenario = IPV4): Promise<Clients> {
  const ends = await Promise.all(
    s.clients.map(async (c) => (c.v6Session ? { address: '::1', port: await freePort('::1') } : allocEndpoint())),
  );
  const rs6 = { address: '::1', port: await freePort('::1') };
  const daemons = new Map<string, BgpDaemon>();
  await Promise.all(
    s.clients.map((c, i) => {
      const d = c.make();
      daemons.set(c.name, d);
      const to = c.v6Session ? rs6 : rs;
      const opts: DaemonOpts = {
        ...ends[i]!,
        // An IPv6 session still needs an IPv4 BGP identifier.
        ...(c.v6Session ? { routerId: `10.255.${i}.1` } : {}),
        as: c.as,
        holdTime: 30,
        neighbors: [
          { ...to, as: RS_AS, passive: true, families: [s.family], routeServer: true, addPathsRx: c.addPathsRx },
        ],
      };
      return d.start(opts);
    }),
  );
  return { scenario: s, daemons, ends, rs6 };
}

/** Each client originates its routes. */
export async function announceAll(cl: Clients): Promise<void> {
  const s = cl.scenario;
  await Promise.all(
    s.clients.map(async (c) => {
      const d = cl.daemons.get(c.name)!;
      if (d instanceof Bird) await d.addRoutes(s.family, c.routes);
      else for (const r of c.routes) await d.addRoute(s.family, r);
    }),
  );
}

export async function startRtr(s: Scenario = IPV4): Promise<StayRtr> {
  const rtr = new StayRtr();
  await rtr.start(s.vrps, { protocol: 1, refresh: 1 });
  return rtr;
}

/** A client's table: prefix -> route, without its own routes. */
export async function received(cl: Clients, name: string): Promise<Map<string, Route>> {
  const s = cl.scenario;
  const own = new Set(s.clients.find((c) => c.name === name)!.routes.map((r) => r.prefix));
  const rs = await cl.daemons.get(name)!.routes(s.family);
  return new Map(rs.filter((r) => !own.has(r.prefix)).map((r) => [r.prefix, r]));
}

/**
 * Waits until client `name` holds exactly `prefixes` from the other clients and resolves with its table; on a
 * timeout the error has what it holds and `context()` (tsbgp's log, say).
 */
export async function holdsExactly(
  cl: Clients,
  name: string,
  prefixes: string[],
  what: string,
  context: () => string | Promise<string>,
): Promise<Map<string, Route>> {
  const want = [...prefixes].sort().join(' ');
  return waitFor(
    async () => {
      const tb = await received(cl, name);
      return [...tb.keys()].sort().join(' ') === want ? tb : undefined;
    },
    15_000,
    `${what} at ${name}`,
    200,
  ).catch(async (e) => {
    throw new Error(`${(e as Error).message}: ${[...(await received(cl, name)).keys()]}\n${await context()}`);
  });
}

/**
 * Waits until client `name`'s table is complete() and resolves with it; on a timeout the error has every route it
 * holds and `context()`.
 */
export async function completeTable(
  cl: Clients,
  name: string,
  what: string,
  context: () => string = () => '',
): Promise<Map<string, Route>> {
  return waitFor(
    async () => {
      const tb = await received(cl, name);
      return complete(cl.scenario, name, tb) ? tb : undefined;
    },
    30_000,
    what,
    300,
  ).catch(async (e) => {
    const has = JSON.stringify([...(await received(cl, name)).values()]);
    throw new Error(`${(e as Error).message}: ${has}\n${context()}`);
  });
}

/** True when the client's table is the scenario's `want` plus the limited client's passing routes. */
export function complete(s: Scenario, name: string, tb: Map<string, Route>): boolean {
  const want = s.want[name]!;
  const lim = s.limited;
  const limited = [...tb.keys()].filter((p) => lim !== undefined && p.startsWith(lim.prefix));
  const rest = [...tb.keys()].filter((p) => lim === undefined || !p.startsWith(lim.prefix));
  return (
    rest.length === Object.keys(want).length &&
    Object.keys(want).every((p) => tb.get(p)?.asPath.join(' ') === want[p]!.join(' ')) &&
    limited.length === (lim === undefined || name === lim.client ? 0 : lim.passing)
  );
}

/** tsbgp's configuration as route server of the clients, with the RPKI cache when one is given. */
export function tsbgpConfig(rs: { address: string }, cl: Clients, rtr?: StayRtr): string {
  const s = cl.scenario;
  const conf = s.clients.map((c, i) => {
    const local = rsAddress(cl, rs, i);
    const block = neighbor({
      peer: cl.ends[i]!.address,
      port: cl.ends[i]!.port,
      local,
      localAs: RS_AS,
      peerAs: c.as,
      body: [
        `family { ${s.family} unicast; }`,
        'route-server-client;',
        'filter {',
        `  next-hop [ ${c.nh} ];`,
        ...(c.filter ?? []).map((f) => `  ${f}`),
        '}',
        ...(c.lines ?? []),
      ],
    });
    // The BGP identifier must be an IPv4 address, whatever the session runs over.
    return local.includes(':') ? block.replace(`router-id ${local};`, `router-id 10.255.${i}.2;`) : block;
  });
  const rpki = rtr ? `rpki {\n  cache ${rtr.address} port ${rtr.port};\n}\n` : '';
  return `${rpki}${conf.join('\n')}\n`;
}

/** tsbgp as route server of a scenario's clients, with StayRTR: everything a test starts and stops. */
export interface RsLab {
  t: Tsbgp;
  rtr: StayRtr;
  cl: Clients;
  /** tsbgp's address and port towards the clients on IPv4 sessions. */
  rs: { address: string; port: number };
}

/**
 * Starts StayRTR, the clients and tsbgp; resolves once every session is Established and the VRPs are loaded.
 * `extra` adds to tsbgp's configuration (an `http` section, say), given the route server's address.
 */
export async function startLab(
  s: Scenario,
  name: string,
  extra?: (rs: { address: string }) => Promise<string>,
): Promise<RsLab> {
  const rtr = await startRtr(s);
  const rs = await allocEndpoint();
  const cl = await startClients(rs, s);
  const t = await startTsbgp(makeTempDir(name), tsbgpConfig(rs, cl, rtr) + (extra ? await extra(rs) : ''));
  await waitFor(
    async () => (await Promise.all(cl.ends.map((e) => t.established(e.address)))).every(Boolean),
    30_000,
    'route server sessions Established',
    200,
  );
  const vrps = new RegExp(`rpki: .* ${s.vrps.length} VRPs`);
  await waitFor(() => vrps.test(t.log()), 10_000, 'VRPs loaded');
  return { t, rtr, cl, rs };
}

export async function stopLab(lab: RsLab | undefined): Promise<void> {
  await lab?.t.stop();
  await Promise.all([...(lab?.cl.daemons.values() ?? [])].map((d) => d.stop()));
  await lab?.rtr.stop();
}

/**
 * Every client ends up with exactly what the scenario wants, each route with the announcing client's next hop and
 * AS_PATH (no route server AS: transparent), MED and communities as sent, and the blackhole with BLACKHOLE as sent.
 */
export async function checkTables(lab: RsLab): Promise<void> {
  const { cl, t } = lab;
  const s = cl.scenario;
  const nhOf = new Map(s.clients.map((c) => [c.as, c.nh]));
  const owner = (prefix: string): string | undefined =>
    s.clients.find((c) => c.routes.some((r) => r.prefix === prefix))?.name;
  for (const c of s.clients) {
    const got = await completeTable(cl, c.name, `${c.name}'s table`, () => t.log().slice(-3000));
    for (const [p, r] of got) {
      assert.ok(!r.asPath.includes(RS_AS), `${c.name} ${p}: no route server AS in ${r.asPath}`);
      assert.equal(r.nextHop, nhOf.get(r.asPath[r.asPath.length - 1]!), `${c.name} ${p}: next hop`);
    }
    const { med, community, blackhole } = s.probes!;
    if (owner(med) !== c.name && got.has(med)) assert.equal(got.get(med)!.med, 50, `${c.name}: MED kept`);
    if (owner(community) !== c.name && got.has(community))
      assert.ok(got.get(community)!.communities.includes('3:3'), `${c.name}: communities kept`);
    // RFC 7999 BLACKHOLE passed on unchanged (FRR prints it by name and adds NO_EXPORT itself on receipt, as
    // RFC 7999 §3.2 suggests: BIRD and GoBGP show what went on the wire).
    const bh = got.get(blackhole)?.communities;
    if (c.name === 'frr') assert.ok(bh?.includes('blackhole'), `frr: the blackhole with BLACKHOLE: ${bh}`);
    else if (owner(blackhole) !== c.name) assert.deepEqual(bh, [BLACKHOLE], `${c.name}: the blackhole as sent`);
  }
}

/**
 * The VRP covering the community probe (the scenario's third) is given to AS 9999: the route, now RPKI-invalid,
 * must leave every client holding it within a second of tsbgp applying the new serial, and be listed as
 * rpki-invalid by `show rib filtered`.
 */
export async function vrpEditWithdraws(lab: RsLab, tc: TestContext): Promise<void> {
  const { cl, t, rtr } = lab;
  const s = cl.scenario;
  const p = s.probes!.community;
  const holders = s.clients.map((c) => c.name).filter((n) => s.want[n]![p] !== undefined);
  for (const h of holders) assert.ok((await received(cl, h)).has(p), `${h} has ${p} first`);
  rtr.writeVrps([s.vrps[0]!, s.vrps[1]!, { ...s.vrps[2]!, asn: 9999 }]);
  // The time from tsbgp applying the new serial to every client dropping the route.
  await waitFor(() => t.log().includes(`serial 1: ${s.vrps.length} VRPs`), 10_000, 'the new serial at tsbgp', 20);
  const applied = Date.now();
  await Promise.all(
    holders.map((h) => waitFor(async () => !(await received(cl, h)).has(p), 5000, `${p} gone from ${h}`, 50)),
  );
  const took = Date.now() - applied;
  tc.diagnostic(`${p} withdrawn from ${holders.join(', ')} ${took} ms after tsbgp applied the new serial`);
  assert.ok(took < 1000, `withdrawn everywhere ${took} ms after the VRP change reached tsbgp`);
  const text = (await t.command('show rib filtered')).lines.join('\n');
  assert.ok(text.includes(`${p} `) && new RegExp(`${p.replace(/\./g, '\\.')} .*rpki-invalid`).test(text), text);
}
