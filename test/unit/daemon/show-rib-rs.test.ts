// `show rib` over a route server: every path of a prefix with its RPKI state, the routes the import filters
// refused with their reason, the export view of one client (sent, its own, kept away by an action community,
// beaten), ADD-PATH path ids, and a daemon that is route reflector and route server at once (both tables named);
// the HTTP API's Loc-RIB answers (http/loc-rib.ts) against the same JSON.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCommand } from '../../../src/api/commands';
import { parseConfig } from '../../../src/config/parser';
import type { Daemon } from '../../../src/daemon/daemon';
import { showRib } from '../../../src/daemon/show-rib';
import { locRibs, ribLookup, ribRoutes, ribSummary } from '../../../src/http/loc-rib';
import { AttrInterner } from '../../../src/rib/attr-intern';
import { RouteReflector } from '../../../src/roles/route-reflector/reflector';
import { RouteServer, type ServerNeighbor } from '../../../src/roles/route-server/server';
import { VrpTable } from '../../../src/rpki/vrp-table';
import { type Attributes, IPV4_UNICAST, type NlriBlock, SegmentType } from '../../../src/wire/types';
import { serverNeighbors } from '../../support/role-neighbors';

const RS = 64999;
const client = (ip: string, as: number, extra = '') =>
  `neighbor ${ip} { router-id 192.0.2.1; local-address 192.0.2.1; local-as ${RS}; peer-as ${as}; route-server-client;\n` +
  ` ${extra} filter { next-hop any; } }\n`;

const attrs = (asns: number[], communities?: number[]): Attributes => ({
  origin: 0,
  asPath: [{ type: SegmentType.AS_SEQUENCE, asns }],
  nextHop: Uint8Array.of(192, 0, 2, asns[0]! - 990),
  ...(communities ? { communities } : {}),
});

/** Five clients, AS 1001-1005 at 192.0.2.11-15 (the fifth sends ADD-PATH), VRPs for 11.0.1.0/24 and 11.0.3.0/24. */
function setup() {
  const config = parseConfig(
    [11, 12, 13, 14].map((i) => client(`192.0.2.${i}`, 990 + i)).join('') +
      client('192.0.2.15', 1005, 'capability { add-path receive; }'),
    'rs.conf',
  );
  const interner = new AttrInterner();
  const ns: ServerNeighbor[] = serverNeighbors(config.neighbors, interner, RS);
  const vrps = new VrpTable();
  vrps.add(false, Uint8Array.of(11, 0, 1, 0), 0, 24, 24, 1001);
  vrps.add(false, Uint8Array.of(11, 0, 3, 0), 0, 24, 24, 1005);
  const rs = new RouteServer(interner, (v6, buf, off, len, origin) => vrps.validate(v6, buf, off, len, origin));
  rs.sync(ns);
  for (const [i, n] of ns.entries()) rs.up(n, Uint8Array.of(10, 0, 0, 11 + i), 1001 + i);
  const send = (from: number, a: Attributes, entries: number[][], addPath = false) => {
    const data = Uint8Array.from(entries.flat());
    const block = (d: Uint8Array): NlriBlock => ({ family: IPV4_UNICAST, addPath, data: d, count: entries.length });
    rs.receive(
      ns[from]!,
      { withdrawn: block(new Uint8Array(0)), attributes: a, nlri: block(data), issues: [] },
      interner.intern(a),
    );
  };
  // 11.0.1.0/24: A's path is best (shortest); it must not go to C (0:1003) and goes to D prepended once
  // (65501:1004). B's is longer. C's has an origin the VRP does not allow: refused.
  send(0, attrs([1001], [(0 << 16) | 1003, (65501 << 16) | 1004]), [[24, 11, 0, 1]]);
  send(1, attrs([1002, 1001]), [[24, 11, 0, 1]]);
  send(2, attrs([1003, 666]), [[24, 11, 0, 1]]);
  // A bogon prefix: refused, nothing of it in the Loc-RIB.
  send(0, attrs([1001]), [[8, 10]]);
  // ADD-PATH: path id 1 accepted (valid), path id 2 refused (bogon AS in the path).
  send(4, attrs([1005]), [[0, 0, 0, 1, 24, 11, 0, 3]], true);
  send(4, attrs([1005, 64512]), [[0, 0, 0, 2, 24, 11, 0, 3]], true);
  return { rs, ns, interner };
}

const run = (rr: RouteReflector | null, rs: RouteServer | null, line: string): string[] | Error => {
  const p = parseCommand(line);
  assert.ok(p.ok, `${line}: ${p.ok ? '' : p.error}`);
  assert.equal(p.command.kind, 'show-rib');
  return showRib(rr, rs, p.command as Parameters<typeof showRib>[2], true);
};
const json = (rr: RouteReflector | null, rs: RouteServer | null, line: string): any => {
  const r = run(rr, rs, line);
  assert.ok(Array.isArray(r), String(r));
  return JSON.parse(r.join(''));
};

test('show rib PREFIX on a route server: best, alternatives, RPKI states, the refused route with its reason', () => {
  const { rs } = setup();
  assert.deepEqual(run(null, rs, 'show rib 11.0.1.0/24'), [
    '11.0.1.0/24 ipv4 unicast, 3 paths (1 filtered)',
    '  * from 192.0.2.11 next-hop 192.0.2.11 origin igp as-path [ 1001 ] community [ 0:1003 65501:1004 ] rpki valid best',
    '    from 192.0.2.12 next-hop 192.0.2.12 origin igp as-path [ 1002 1001 ] rpki valid (beaten on as-path)',
    '  x from 192.0.2.13 next-hop 192.0.2.13 origin igp as-path [ 1003 666 ] rpki invalid filtered: rpki-invalid (RPKI origin validation: invalid)',
  ]);
  const j = json(null, rs, 'show rib 11.0.1.0/24 json');
  assert.equal(j.table, 'route-server');
  assert.equal(j.prefix, '11.0.1.0/24');
  assert.deepEqual(
    j.paths.map((p: any) => [p.from, p.best, p.beatenOn, p.rpki, p.reason, p.reasonText]),
    [
      ['192.0.2.11', true, undefined, 'valid', undefined, undefined],
      ['192.0.2.12', false, 'as-path', 'valid', undefined, undefined],
      ['192.0.2.13', false, undefined, 'invalid', 'rpki-invalid', 'RPKI origin validation: invalid'],
    ],
  );
  // Refused only: the route is shown with its reason although the Loc-RIB has no path for it.
  assert.deepEqual(run(null, rs, 'show rib 10.0.0.0/8'), [
    '10.0.0.0/8 ipv4 unicast, 1 path (1 filtered)',
    '  x from 192.0.2.11 next-hop 192.0.2.11 origin igp as-path [ 1001 ] rpki not-found filtered: bogon-prefix (bogon prefix)',
  ]);
  // The longest match is the longest prefix in the Loc-RIB: a refused /8 does not cover an address.
  assert.deepEqual(run(null, rs, 'show rib longest 10.1.2.3'), ['10.1.2.3: not in the Loc-RIB']);
  assert.equal(json(null, rs, 'show rib longest 11.0.1.9 json').paths.length, 3);
  // Scans read best paths, with their RPKI state.
  assert.deepEqual(run(null, rs, 'show rib origin-as 1001'), [
    '11.0.1.0/24 from 192.0.2.11 next-hop 192.0.2.11 origin igp as-path [ 1001 ] community [ 0:1003 65501:1004 ] rpki valid best',
  ]);
  assert.deepEqual(
    json(null, rs, 'show rib community 0:1003 json').routes.map((r: any) => [r.prefix, r.paths[0].rpki]),
    [['11.0.1.0/24', 'valid']],
  );
});

test('ADD-PATH clients: every path id of the prefix, accepted and refused', () => {
  // The bogon AS refuses the second path before RPKI is asked: its state stays not-found (as show rib filtered).
  const { rs } = setup();
  assert.deepEqual(run(null, rs, 'show rib 11.0.3.0/24'), [
    '11.0.3.0/24 ipv4 unicast, 2 paths (1 filtered)',
    '  * from 192.0.2.15 path-information 1 next-hop 192.0.2.15 origin igp as-path [ 1005 ] rpki valid best',
    '  x from 192.0.2.15 path-information 2 next-hop 192.0.2.15 origin igp as-path [ 1005 64512 ] rpki not-found filtered: bogon-asn (bogon AS number in AS_PATH)',
  ]);
});

test('show rib PREFIX client IP: what one client is sent, and why the other paths are not', () => {
  const { rs, ns } = setup();
  // D gets A's path, prepended once as A asked; B's lost to it.
  assert.deepEqual(run(null, rs, 'show rib 11.0.1.0/24 client 192.0.2.14'), [
    '11.0.1.0/24 ipv4 unicast to 192.0.2.14: sent from 192.0.2.11 next-hop 192.0.2.11 origin igp as-path [ 1001 1001 ] community [ 0:1003 65501:1004 ] rpki valid',
    '  > from 192.0.2.11 next-hop 192.0.2.11 origin igp as-path [ 1001 ] community [ 0:1003 65501:1004 ] rpki valid sent (its AS put in front 1 more times)',
    '    from 192.0.2.12 next-hop 192.0.2.12 origin igp as-path [ 1002 1001 ] rpki valid not sent: beaten on as-path',
  ]);
  // C may not have A's path (0:1003): B's goes instead, no path hiding.
  const c = json(null, rs, 'show rib 11.0.1.0/24 client 192.0.2.13 json');
  assert.equal(c.client, '192.0.2.13');
  assert.equal(c.sent.from, '192.0.2.12');
  assert.equal(c.sent.asPath, '1002 1001');
  assert.deepEqual(
    c.paths.map((p: any) => [p.from, p.best, p.export]),
    [
      ['192.0.2.11', true, 'action-community'],
      ['192.0.2.12', false, 'sent'],
    ],
  );
  // B's own path never goes back to it; A's does.
  assert.deepEqual(
    json(null, rs, 'show rib longest 11.0.1.200 client 192.0.2.12 json').paths.map((p: any) => p.export),
    ['sent', 'own'],
  );
  // What each client's Adj-RIB-Out holds is what its export view says was sent.
  for (const [i, n] of ns.entries()) {
    const view = json(null, rs, `show rib 11.0.1.0/24 client 192.0.2.${11 + i} json`).sent;
    const held = n.ribOut.get(IPV4_UNICAST, Uint8Array.of(24, 11, 0, 1))?.attributes;
    assert.equal(view?.asPath, held?.asPath?.flatMap((x) => x.asns).join(' '), n.cfg.peerAddress);
    assert.equal(view?.nextHop, held?.nextHop?.join('.'), n.cfg.peerAddress);
  }
  assert.deepEqual(run(null, rs, 'show rib 10.0.0.0/8 client 192.0.2.12'), [
    "10.0.0.0/8: not in the route server's Loc-RIB: nothing sent to 192.0.2.12",
  ]);
  for (const prefix of ['11.0.1.0/24', '10.9.0.0/16']) {
    const notClient = run(null, rs, `show rib ${prefix} client 192.0.2.99`);
    assert.ok(notClient instanceof Error && /not a route-server-client/.test(notClient.message), prefix);
  }
  for (const bad of [
    'show rib 11.0.1.0/24 client',
    'show rib 11.0.1.0/24 client x',
    'show rib origin-as 1 client 1.2.3.4',
  ])
    assert.equal(parseCommand(bad).ok, false, bad);
});

test('route reflector and route server in one daemon: both tables, each named; JSON keeps the reflector on top', () => {
  const { rs, interner } = setup();
  const rr = new RouteReflector(interner);
  const src = rr.rib.addSource({
    name: '192.0.2.50',
    kind: 'ibgp',
    routerId: 50,
    address: Uint8Array.of(192, 0, 2, 50),
  });
  const e = Uint8Array.of(24, 11, 0, 1);
  rr.rib.announce(IPV4_UNICAST, e, 0, e.length, src, 0, interner.intern(attrs([1050])));
  const text = run(rr, rs, 'show rib 11.0.1.0/24') as string[];
  assert.deepEqual(text.slice(0, 3), [
    'route reflector Loc-RIB:',
    '  11.0.1.0/24 ipv4 unicast, 1 path',
    '    * from 192.0.2.50 next-hop 192.0.2.60 origin igp as-path [ 1050 ] best',
  ]);
  assert.equal(text[3], 'route server Loc-RIB:');
  assert.equal(text[4], '  11.0.1.0/24 ipv4 unicast, 3 paths (1 filtered)');
  const j = json(rr, rs, 'show rib 11.0.1.0/24 json');
  assert.equal(j.table, 'route-reflector');
  assert.equal(j.paths.length, 1);
  assert.equal(j['route-server'].table, 'route-server');
  assert.equal(j['route-server'].paths.length, 3);
  const s = json(rr, rs, 'show rib json');
  assert.deepEqual([s.paths, s['route-server'].paths], [1, 3]);
  // The reflector's counters only.
  assert.deepEqual(json(rr, rs, 'show rib neighbors json'), []);
  const noRs = run(rr, null, 'show rib 11.0.1.0/24 client 192.0.2.12');
  assert.ok(noRs instanceof Error && /no route server/.test(noRs.message));
});

test('HTTP over both Loc-RIBs: one answer per table, the same as show rib JSON; the export view; scans; summary', () => {
  const { rs, interner } = setup();
  const rr = new RouteReflector(interner);
  const src = rr.rib.addSource({
    name: '192.0.2.50',
    kind: 'ibgp',
    routerId: 50,
    address: Uint8Array.of(192, 0, 2, 50),
  });
  const e = Uint8Array.of(24, 11, 0, 1);
  rr.rib.announce(IPV4_UNICAST, e, 0, e.length, src, 0, interner.intern(attrs([1050])));
  const d = { reflector: rr, routeServer: rs, rpki: { enabled: true, validate: () => 0 } } as unknown as Daemon;
  const tables = locRibs(d);
  assert.deepEqual(
    tables.map((t) => t.table),
    ['route-server', 'route-reflector'],
  );
  const cli = json(rr, rs, 'show rib 11.0.1.0/24 json');
  const web = ribLookup(d, tables, '11.0.1.0/24', 'exact') as any;
  assert.equal(web.routes.length, 2);
  assert.deepEqual(web.routes[0], cli['route-server']);
  const { 'route-server': _, ...reflector } = cli;
  // The reflector's paths get their RPKI state validated when asked (none kept on import).
  assert.deepEqual(web.routes[1], {
    ...reflector,
    paths: reflector.paths.map((p: any) => ({ ...p, rpki: 'not-found' })),
  });
  const exp = ribLookup(d, tables, '11.0.1.9', 'longest', '192.0.2.14') as any;
  assert.deepEqual(exp.routes[0], {
    ...json(rr, rs, 'show rib longest 11.0.1.9 client 192.0.2.14 json'),
    table: 'route-server',
  });
  assert.ok(ribLookup(d, tables, '11.0.1.0/24', 'exact', '192.0.2.50') instanceof Error, 'not a route server client');
  const scan = ribRoutes(d, tables, 'as-path', '1050', 10) as any;
  assert.deepEqual(
    scan.routes.map((r: any) => [r.table, r.prefix]),
    [['route-reflector', '11.0.1.0/24']],
  );
  // Only the route server's best path carries 0:1003.
  const cut = ribRoutes(d, tables, 'community', '0:1003', 1) as any;
  assert.deepEqual([cut.routes.length, cut.more], [1, false]);
  const s = ribSummary(d, tables) as any;
  assert.equal(s.role, 'route-server');
  assert.deepEqual(
    s.tables.map((t: any) => [t.role, t.paths]),
    [
      ['route-server', 3],
      ['route-reflector', 1],
    ],
  );
  assert.deepEqual(s.clients, ['192.0.2.11', '192.0.2.12', '192.0.2.13', '192.0.2.14', '192.0.2.15']);
});

test('a route written for one client: sent to it alone; the others are told it was written for another client', () => {
  const { rs, ns } = setup();
  // Written for D (192.0.2.14), as a program or the configuration would: through its Adj-RIB-Out.
  ns[3]!.ribOut.announce(IPV4_UNICAST, Uint8Array.of(24, 11, 0, 1), {
    origin: 0,
    asPath: [{ type: SegmentType.AS_SEQUENCE, asns: [65077] }],
    nextHop: Uint8Array.of(192, 0, 2, 77),
  });
  const d = json(null, rs, 'show rib 11.0.1.0/24 client 192.0.2.14 json');
  assert.deepEqual([d.sent.from, d.sent.asPath], ['local (to 192.0.2.14)', '65077']);
  const b = json(null, rs, 'show rib 11.0.1.0/24 client 192.0.2.12 json');
  // The written path wins the decision (local-origin) but only D may have it: B gets A's.
  assert.deepEqual(
    b.paths.map((p: any) => [p.from, p.best, p.export]),
    [
      ['local (to 192.0.2.14)', true, 'other-client'],
      ['192.0.2.11', false, 'sent'],
      ['192.0.2.12', false, 'own'],
    ],
  );
  assert.match(
    (run(null, rs, 'show rib 11.0.1.0/24 client 192.0.2.12') as string[]).join('\n'),
    /written for another client/,
  );
  // What each client's Adj-RIB-Out holds is still what its view says.
  for (const [i, n] of ns.entries()) {
    const view = json(null, rs, `show rib 11.0.1.0/24 client 192.0.2.${11 + i} json`).sent;
    const held = n.ribOut.get(IPV4_UNICAST, Uint8Array.of(24, 11, 0, 1))?.attributes;
    assert.equal(view?.asPath, held?.asPath?.flatMap((x) => x.asns).join(' '), n.cfg.peerAddress);
  }
});
