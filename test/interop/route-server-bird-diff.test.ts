// Differential: the route server scenario (route-server-scenario.ts: two BIRD 2, FRR and GoBGP as clients, StayRTR)
// run twice, once with tsbgp as the route server and once with BIRD 2 (its route server configuration below, the
// usual IX one: `rs client`, import filters for next hop, first AS, prefix length, bogons, RFC 7999 blackholes in
// the client's own space and RPKI, an import limit, and export filters for the same action communities). Each
// client must end up with the same prefixes, next hops and AS_PATHs from both (GoBGP's max-prefix routes compared
// by count: which two of three pass depends on arrival order in either server). Run for IPv4 and for IPv6 (IPV6:
// IPv6 routes and next hops, IPv6 VRPs, bounds /16-/48, one client on an IPv6 session). Path hiding is not
// compared: BIRD hides paths in this lab (route-server-path-hiding.test.ts says why).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, type TestContext, test } from 'node:test';
import { allocEndpoint, ManagedProcess, makeTempDir, type Route, runCmd, skipReason, stopAll, waitFor } from './peers';
import type { StayRtr } from './peers/stayrtr';
import {
  announceAll,
  BLACKHOLE,
  type Clients,
  completeTable,
  IPV4,
  IPV6,
  RS_AS,
  type Scenario,
  startClients,
  startRtr,
  tsbgpConfig,
} from './route-server-scenario';
import { startTsbgp } from './tsbgp-launch';

after(stopAll);

const skip = skipReason('bird', 'frr', 'gobgp', 'stayrtr');

/** What a client holds, comparable: prefix -> "next hop | AS_PATH"; a max-prefix limited client's routes as a count. */
type View = Record<string, string>;

function view(s: Scenario, tb: Map<string, Route>): View {
  const v: View = {};
  let limited = 0;
  for (const [p, r] of tb) {
    if (s.limited && p.startsWith(s.limited.prefix)) limited++;
    else v[p] = `${r.nextHop} | ${r.asPath.join(' ')}`;
  }
  if (s.limited) v[`${s.limited.prefix}x routes`] = String(limited);
  return v;
}

async function collect(cl: Clients, what: string): Promise<Record<string, View>> {
  const s = cl.scenario;
  const out: Record<string, View> = {};
  for (const c of s.clients) {
    const tb = await completeTable(cl, c.name, `${c.name}'s table with ${what} as route server`);
    out[c.name] = view(s, tb);
  }
  return out;
}

async function stopClients(cl: Clients | undefined): Promise<void> {
  await Promise.all([...(cl?.daemons.values() ?? [])].map((d) => d.stop()));
}

const BOGONS4 = [
  '0.0.0.0/8+',
  '10.0.0.0/8+',
  '100.64.0.0/10+',
  '127.0.0.0/8+',
  '169.254.0.0/16+',
  '172.16.0.0/12+',
  '192.0.0.0/24+',
  '192.0.2.0/24+',
  '192.168.0.0/16+',
  '198.18.0.0/15+',
  '198.51.100.0/24+',
  '203.0.113.0/24+',
  '224.0.0.0/4+',
  '240.0.0.0/4+',
];

const BOGONS6 = [
  '::/8+',
  '100::/64+',
  '2001:2::/48+',
  '2001:10::/28+',
  '2001:db8::/32+',
  '3ffe::/16+',
  '5f00::/8+',
  'fc00::/7+',
  'fe80::/10+',
  'fec0::/10+',
  'ff00::/8+',
];

/** BIRD 2 as an IX route server for the scenario's clients: the configuration this differential runs. */
function birdRsConfig(dir: string, rs: { address: string; port: number }, cl: Clients, rtr: StayRtr): string {
  const s = cl.scenario;
  const v6 = s.family === 'ipv6';
  const [lo, hi] = v6 ? [16, 48] : [8, 24];
  const l: string[] = [
    `router id ${rs.address};`,
    `log "${path.join(dir, 'bird.log')}" all;`,
    'protocol device { }',
    'roa4 table r4;',
    'roa6 table r6;',
    `protocol rpki rtr { roa4 { table r4; }; roa6 { table r6; }; remote ${rtr.address} port ${rtr.port}; retry keep 5; }`,
    `define BOGONS = [ ${(v6 ? BOGONS6 : BOGONS4).join(', ')} ];`,
  ];
  s.clients.forEach((c, i) => {
    const x = c.as;
    // RFC 7999 blackholes are accepted for the client's own space: here the prefixes it announces without one.
    const own = c.routes.filter((r) => !r.communities?.includes(BLACKHOLE)).map((r) => `${r.prefix}+`);
    const rsLocal = c.v6Session ? cl.rs6 : rs;
    // An action naming the client: the RFC 1997 or the RFC 8092 form, or only the latter for a 32-bit AS.
    const named = (std: string, large: string): string =>
      x <= 0xffff ? `(${std} ~ bgp_community || ${large} ~ bgp_large_community)` : `(${large} ~ bgp_large_community)`;
    l.push(
      `filter import_${i} {`,
      `  if bgp_next_hop != ${c.nh} then reject;`,
      `  if bgp_path.first != ${x} then reject;`,
      '  if net ~ BOGONS then reject;',
      `  if (65535, 666) ~ bgp_community then { ${own.length > 0 ? `if net ~ [ ${own.join(', ')} ] then accept; ` : ''}reject; }`,
      `  if net.len < ${lo} || net.len > ${hi} then reject;`,
      `  if roa_check(r${v6 ? 6 : 4}, net, bgp_path.last) = ROA_INVALID then reject;`,
      '  accept;',
      '}',
      `filter export_${i} {`,
      `  if ${named(`(0, ${x})`, `(${RS_AS}, 0, ${x})`)} then reject;`,
      `  if (bgp_community ~ [(${RS_AS}, *)] || bgp_large_community ~ [(${RS_AS}, 1, *)] || (0, ${RS_AS}) ~ bgp_community)`,
      `     && !${named(`(${RS_AS}, ${x})`, `(${RS_AS}, 1, ${x})`)} then reject;`,
      ...[1, 2, 3].flatMap((n) => [
        `  if ${named(`(6550${n}, ${x})`, `(${RS_AS}, 10${n}, ${x})`)} then {`,
        ...Array.from({ length: n }, () => '    bgp_path.prepend(bgp_path.first);'),
        '  }',
      ]),
      // BIRD leaves MED out on eBGP export unless a filter sets it.
      '  if defined(bgp_med) then bgp_med = bgp_med;',
      '  accept;',
      '}',
      `protocol bgp client${i} {`,
      `  local ${rsLocal.address} port ${rsLocal.port} as ${RS_AS};`,
      `  neighbor ${cl.ends[i]!.address} port ${cl.ends[i]!.port} as ${x};`,
      '  strict bind on; multihop 2; rs client;',
      '  connect retry time 1; connect delay time 1; error wait time 1, 5;',
      `  ${s.family} { import filter import_${i}; export filter export_${i}; next hop keep;` +
        `${s.limited?.client === c.name ? ` import limit ${s.limited.passing} action block;` : ''} };`,
      '}',
    );
  });
  return l.join('\n') + '\n';
}

/**
 * The scenario with tsbgp as route server, then with BIRD 2 (the same clients started afresh): each client's view
 * must be the same.
 */
async function differential(s: Scenario, tc: TestContext): Promise<void> {
  const rtr = await startRtr(s);
  const vrps = new RegExp(`rpki: .* ${s.vrps.length} VRPs`);
  let cl: Clients | undefined;
  try {
    // tsbgp
    const eT = await allocEndpoint();
    cl = await startClients(eT, s);
    const t = await startTsbgp(makeTempDir('rs-diff-t'), tsbgpConfig(eT, cl, rtr));
    await waitFor(async () => vrps.test(t.log()), 10_000, 'VRPs at tsbgp');
    await announceAll(cl);
    const withTsbgp = await collect(cl, 'tsbgp').catch((e) => {
      throw new Error(`${(e as Error).message}\n${t.log().slice(-3000)}`);
    });
    await t.stop();
    await stopClients(cl);

    // BIRD 2
    const eB = await allocEndpoint();
    cl = await startClients(eB, s);
    const dir = makeTempDir('rs-diff-b');
    const file = path.join(dir, 'bird-rs.conf');
    fs.writeFileSync(file, birdRsConfig(dir, eB, cl, rtr));
    const ctl = path.join(dir, 'bird.ctl');
    const bird = new ManagedProcess(
      'bird-rs',
      'bird',
      ['-f', '-c', file, '-s', ctl, '-P', path.join(dir, 'pid')],
      path.join(dir, 'out.log'),
    );
    const loaded = new RegExp(`\\b${s.vrps.length} imported`);
    try {
      await waitFor(
        async () => loaded.test((await runCmd('birdc', ['-s', ctl, 'show', 'protocols', 'all', 'rtr'])).stdout),
        15_000,
        'VRPs at BIRD',
        300,
      ).catch(async (e) => {
        throw new Error(
          `${(e as Error).message}\n${bird.log()}\n${fs.readFileSync(path.join(dir, 'bird.log'), 'utf8').slice(-2000)}`,
        );
      });
      await announceAll(cl);
      const withBird = await collect(cl, 'BIRD 2');
      tc.diagnostic(`each client's table, the same with both: ${JSON.stringify(withBird)}`);
      assert.deepEqual(withTsbgp, withBird);
    } finally {
      await bird.stop();
    }
  } finally {
    await stopClients(cl);
    await rtr.stop();
  }
}

test(
  'the four clients hold the same prefixes, next hops and AS_PATHs with tsbgp and with BIRD 2 as route server',
  {
    skip,
    timeout: 240_000,
  },
  (tc) => differential(IPV4, tc),
);

test(
  'IPv6 (one client on an IPv6 session): the same prefixes, next hops and AS_PATHs with tsbgp and with BIRD 2',
  {
    skip,
    timeout: 240_000,
  },
  (tc) => differential(IPV6, tc),
);
