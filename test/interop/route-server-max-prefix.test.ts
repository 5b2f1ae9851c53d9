// Max-prefix (RFC 7948 §4.6) through tsbgp as route server, with real clients. `teardown`: FRR and BIRD 2 each
// announce routes over their limit of 2 (BIRD two in one UPDATE) and get a NOTIFICATION Cease "Maximum Number of
// Prefixes Reached" (RFC 4486 §4) with AFI 1, SAFI 1 and the limit as data, which FRR and BIRD report as received;
// their routes leave every other client; tsbgp connects again after the configured restart time (0.05 minutes
// here) and, the extra routes withdrawn meanwhile, the two routes reach the others again. The same for IPv6 routes
// from FRR (AFI 2 in the data). `warn`: GoBGP, over its limit of 1, has both its routes passed on and tsbgp logs
// the warning once. (`refuse` is in route-server.test.ts.)
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type BgpDaemon, Bird, Frr, GoBgp, type RouteSpec, skipReason, stopAll, waitFor } from './peers';
import {
  type ClientSpec,
  type Clients,
  holdsExactly,
  type RsLab,
  type Scenario,
  startLab,
  stopLab,
} from './route-server-scenario';
import type { Tsbgp } from './tsbgp-launch';

after(stopAll);

const skip = skipReason('bird', 'frr', 'gobgp', 'stayrtr');

/** Seconds tsbgp waits before it starts a torn-down session again: `teardown 0.05` (minutes). */
const RESTART_S = 3;

const routes = (n: number, count: number): RouteSpec[] =>
  Array.from({ length: count }, (_, i) => ({ prefix: `${n}.${n}.${i + 1}.0/24`, nextHop: `192.0.2.${n}` }));
const FRR_ROUTES = routes(7, 3);
// BIRD sends its third and fourth routes in one UPDATE (same attributes): the teardown comes in its middle.
const BIRD_ROUTES = routes(8, 4);
const GOBGP_ROUTES = routes(9, 2);

/** A client of AS 100N with next hop 192.0.2.N, limited to 2 routes, torn down over that. */
const teardownClient = (name: string, n: number, make: () => BgpDaemon, routes: RouteSpec[]): ClientSpec => ({
  name,
  as: 1000 + n,
  nh: `192.0.2.${n}`,
  make,
  routes,
  filter: [`max-prefix 2 teardown ${RESTART_S / 60};`],
});

const S: Scenario = {
  family: 'ipv4',
  clients: [
    teardownClient('frr', 7, () => new Frr(), FRR_ROUTES),
    teardownClient('bird', 8, () => new Bird(), BIRD_ROUTES),
    {
      name: 'gobgp',
      as: 1009,
      nh: '192.0.2.9',
      make: () => new GoBgp(),
      routes: GOBGP_ROUTES,
      filter: ['max-prefix 1 warn;'],
    },
  ],
  vrps: [],
  want: {},
};

/**
 * Client `name` (FRR or BIRD) announces two routes, then the rest of `own`: tsbgp tears the session down, the
 * client's routes leave the others (`others`: each other client and what it holds besides), the client tells
 * `reported()` what it got, and once the extra routes are withdrawn at the client and tsbgp has started the
 * session again after the restart time, the two routes are back. Returns the seconds from teardown to
 * Established again.
 */
async function tripAndReturn(
  lab: RsLab,
  name: string,
  own: RouteSpec[],
  others: Record<string, string[]>,
  reported: () => Promise<void>,
): Promise<number> {
  const { cl, t } = lab;
  const fam = cl.scenario.family;
  const address = cl.ends[cl.scenario.clients.findIndex((c) => c.name === name)]!.address;
  const holds = (o: string, prefixes: string[], what: string) =>
    holdsExactly(cl, o, prefixes, what, () => t.log().slice(-3000));
  const announce = async (rs: RouteSpec[]) => {
    const d = cl.daemons.get(name)!;
    if (d instanceof Bird) await d.addRoutes(fam, rs);
    else for (const r of rs) await d.addRoute(fam, r);
  };
  const two = own.slice(0, 2).map((r) => r.prefix);
  await announce(own.slice(0, 2));
  for (const [o, rest] of Object.entries(others)) await holds(o, [...rest, ...two], `${name}'s two routes`);
  const downs = (): number => t.log().match(new RegExp(`peer=${address} session down`, 'g'))?.length ?? 0;
  const before = downs();
  await announce(own.slice(2));
  await waitFor(() => downs() > before, 10_000, `${name} torn down`, 20);
  const downAt = Date.now();
  for (const [o, rest] of Object.entries(others)) await holds(o, rest, `${name}'s routes gone`);
  await reported();
  for (const r of own.slice(2)) await cl.daemons.get(name)!.withdrawRoute(fam, r.prefix);
  await waitFor(() => t.established(address), 20_000, `${name} Established again`, 100);
  const back = (Date.now() - downAt) / 1000;
  for (const [o, rest] of Object.entries(others)) await holds(o, [...rest, ...two], `${name}'s two routes again`);
  return back;
}

/** FRR logged and reports the NOTIFICATION from the route server at `rs`: Cease 1, `data` (hex, spaced). */
async function frrReported(frr: Frr, rs: string, data: string): Promise<void> {
  assert.match(
    frr.logText(),
    new RegExp(
      `%NOTIFICATION: received from neighbor ${rs.replace(/\./g, '\\.')} 6/1 ` +
        `\\(Cease/Maximum Number of Prefixes Reached\\) 7 bytes ${data}`,
    ),
    `FRR logs the NOTIFICATION with ${data}`,
  );
  const n = JSON.parse(await frr.vtysh([`show bgp neighbor ${rs} json`]))[rs];
  assert.equal(n.lastErrorCodeSubcode, '0601');
  assert.equal(n.lastNotificationReason, 'Cease/Maximum Number of Prefixes Reached');
  assert.equal(n.lastResetDueTo, 'BGP Notification received');
}

/** Starts a lab whose FRR client logs the NOTIFICATIONs it receives (only with log-neighbor-changes). */
async function startLabLoggingFrr(s: Scenario, name: string): Promise<RsLab> {
  const lab = await startLab(s, name);
  const frr = s.clients.find((c) => c.name === 'frr')!;
  await (lab.cl.daemons.get('frr') as Frr).vtysh([
    'configure terminal',
    `router bgp ${frr.as}`,
    'bgp log-neighbor-changes',
  ]);
  return lab;
}

describe('max-prefix through tsbgp as route server: FRR and BIRD torn down and restarted, GoBGP warned', {
  skip,
  timeout: 180_000,
}, () => {
  let lab: RsLab;
  let t: Tsbgp;
  let cl: Clients;
  let rsAddr: string;

  before(async () => {
    lab = await startLabLoggingFrr(S, 'rs-mp');
    ({ t, cl } = lab);
    rsAddr = lab.rs.address;
  });

  after(() => stopLab(lab));

  const address = (name: string): string => cl.ends[S.clients.findIndex((c) => c.name === name)]!.address;
  /** Waits until client `name` holds exactly these prefixes from the others. */
  const holds = (name: string, prefixes: string[], what: string) =>
    holdsExactly(cl, name, prefixes, what, () => t.log().slice(-3000));
  const gobgpPrefixes = GOBGP_ROUTES.map((r) => r.prefix);

  it('warn: GoBGP over its limit of 1 has both routes passed on, with one warning', async () => {
    for (const r of GOBGP_ROUTES) await cl.daemons.get('gobgp')!.addRoute('ipv4', r);
    await holds('frr', gobgpPrefixes, "GoBGP's two routes");
    await holds('bird', gobgpPrefixes, "GoBGP's two routes");
    const warned = t.log().match(/is over its max-prefix 1 \(warn\)/g) ?? [];
    assert.equal(warned.length, 1, t.log());
    assert.equal(await t.established(address('gobgp')), true);
  });

  it('teardown: FRR over its limit gets Cease 1 with AFI 1 SAFI 1 limit 2, its routes leave, it comes back', async (tc) => {
    const frr = cl.daemons.get('frr') as Frr;
    const back = await tripAndReturn(lab, 'frr', FRR_ROUTES, { gobgp: [], bird: gobgpPrefixes }, () =>
      frrReported(frr, rsAddr, '00 01 01 00 00 00 02'),
    );
    tc.diagnostic(`FRR Established again ${back.toFixed(1)} s after the teardown (restart time ${RESTART_S} s)`);
    assert.ok(back >= RESTART_S - 0.5 && back < RESTART_S + 10, `restarted after ${back} s`);
    assert.match(t.log(), /session down: maximum number of prefixes reached/);
  });

  it('teardown: BIRD over its limit reports Cease 1 as received, its routes leave, it comes back', async (tc) => {
    const bird = cl.daemons.get('bird') as Bird;
    const frrTwo = FRR_ROUTES.slice(0, 2).map((r) => r.prefix);
    const back = await tripAndReturn(lab, 'bird', BIRD_ROUTES, { gobgp: frrTwo, frr: gobgpPrefixes }, async () => {
      const proto = bird.protoName(rsAddr);
      const out = await bird.birdc('show', 'protocols', 'all', proto);
      assert.match(out, /Last error:\s+Received: Maximum number of prefixes reached/);
      assert.match(
        bird.logText(),
        new RegExp(`${proto}: Received: Maximum number of prefixes reached: 00010100000002`),
        'BIRD logs the NOTIFICATION data: AFI 1, SAFI 1, limit 2',
      );
    });
    tc.diagnostic(`BIRD Established again ${back.toFixed(1)} s after the teardown (restart time ${RESTART_S} s)`);
    assert.ok(back >= RESTART_S - 0.5 && back < RESTART_S + 10, `restarted after ${back} s`);
  });
});

const FRR6_ROUTES: RouteSpec[] = [1, 2, 3].map((i) => ({ prefix: `2a01:17:${i}::/48`, nextHop: '2001:db8::17' }));

const S6: Scenario = {
  family: 'ipv6',
  clients: [
    {
      name: 'frr',
      as: 1017,
      nh: '2001:db8::17',
      make: () => new Frr(),
      routes: FRR6_ROUTES,
      filter: [`max-prefix 2 teardown ${RESTART_S / 60};`],
    },
    { name: 'bird', as: 1018, nh: '2001:db8::18', make: () => new Bird(), routes: [], v6Session: true },
  ],
  vrps: [],
  want: {},
};

describe('max-prefix teardown for IPv6: FRR gets AFI 2 in the Cease data', { skip, timeout: 120_000 }, () => {
  let lab: RsLab;

  before(async () => {
    lab = await startLabLoggingFrr(S6, 'rs-mp6');
  });

  after(() => stopLab(lab));

  it('FRR over 2 IPv6 routes gets Cease 1 with AFI 2 SAFI 1 limit 2, its routes leave BIRD, it comes back', async (tc) => {
    const frr = lab.cl.daemons.get('frr') as Frr;
    const back = await tripAndReturn(lab, 'frr', FRR6_ROUTES, { bird: [] }, () =>
      frrReported(frr, lab.rs.address, '00 02 01 00 00 00 02'),
    );
    tc.diagnostic(`FRR Established again ${back.toFixed(1)} s after the teardown (restart time ${RESTART_S} s)`);
    assert.ok(back >= RESTART_S - 0.5 && back < RESTART_S + 10, `restarted after ${back} s`);
  });
});
