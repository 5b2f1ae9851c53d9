// The bulk load of static routes (announceStatic, staticErrors) puts into the Adj-RIB-Out exactly what one
// routeEntry() + announce() per route (the API's path) puts there, and refuses the same routes.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expandedRoutes, parseConfig } from '../../../src/config/parser';
import { expandSplit } from '../../../src/config/route';
import { announceStatic, routeEntry, staticErrors } from '../../../src/daemon/routes';
import { AdjRibOut } from '../../../src/rib/adj-rib-out';

const conf = (lines: string[]) =>
  `neighbor 192.0.2.2 {\n router-id 1.1.1.1; local-address 192.0.2.1; local-as 65000; peer-as 65001;\n family { ipv4 unicast; ipv4 multicast; ipv4 nlri-mpls; ipv4 mpls-vpn; ipv6 unicast; }\n static {\n${lines.map((l) => `  ${l};`).join('\n')}\n }\n}\n`;

const ROUTES = [
  'route 10.0.0.0/24 next-hop 192.0.2.1',
  'route 10.0.1.0/24 next-hop 192.0.2.1',
  'route 10.0.2.0/24 next-hop 192.0.2.1 med 5 community [ 65000:1 blackhole ]',
  'route 10.0.3.0/24 next-hop 192.0.2.1 community [ blackhole ]',
  'route 2001:db8::/32 next-hop 2001:db8::1 as-path [ 1 2 ] local-preference 200',
  'route 2001:db8:1::/48 next-hop self',
  'route 224.1.0.0/16 next-hop self',
  'route 10.0.4.0/24 next-hop 192.0.2.1 path-information 7',
  'route 10.0.4.0/24 next-hop 192.0.2.1 path-information 8',
  'route 10.0.6.0/23 next-hop 192.0.2.1 split /25',
  'route 10.0.8.0/24 next-hop 192.0.2.1 watchdog w',
  'route 10.0.9.0/24 next-hop 192.0.2.1 watchdog v withdraw',
  'route 10.0.10.0/24 next-hop 192.0.2.1 withdraw',
  'route 10.0.0.0/24 next-hop 192.0.2.9',
];

const table = (rib: AdjRibOut) =>
  [...rib.routes()].map(
    (r) =>
      `${r.family} ${r.pathId} ${Buffer.from(r.entry).toString('hex')} ${Buffer.from(r.attributes.key, 'latin1').toString('hex')}`,
  );

test('announceStatic = routeEntry + announce per route, in file order (a later duplicate wins)', () => {
  const n = parseConfig(conf(ROUTES), 'f').neighbors[0]!;
  const perRoute = new AdjRibOut();
  for (const r of expandedRoutes(n))
    if (!r.withdraw) {
      const e = routeEntry(r);
      perRoute.announce(e.family, e.entry, e.attributes, { pathId: e.pathId, nextHop: e.nextHop });
    }
  const bulk = new AdjRibOut();
  const handed: string[] = [];
  announceStatic(n.routes, bulk, (route) => {
    handed.push(`${route.prefix.len} ${route.watchdog ?? ''}`);
    for (const r of expandSplit(route))
      if (!r.withdraw) {
        const e = routeEntry(r);
        bulk.announce(e.family, e.entry, e.attributes, { pathId: e.pathId, nextHop: e.nextHop });
      }
  });
  assert.deepEqual(table(bulk), table(perRoute));
  assert.equal(bulk.size, 14);
  assert.deepEqual(handed, ['23 ', '24 w', '24 v'], 'split and watchdog routes go the general way');
  // One attribute set per distinct tail, not per route.
  assert.equal(bulk.interner.size, perRoute.interner.size);
});

test('staticErrors refuses what routeEntry refuses, once per configured route, with its position', () => {
  const lines = [
    'route 10.0.0.0/24 next-hop 192.0.2.1',
    'route 10.0.1.0/24 next-hop 192.0.2.1 label 5',
    'route 10.0.2.0/24 next-hop 192.0.2.1 label 5',
    'route 10.0.4.0/23 next-hop 192.0.2.1 rd 1:1 split /24',
  ];
  const n = parseConfig(conf(lines), 'f').neighbors[0]!;
  const old = new Set<string>();
  for (const r of expandedRoutes(n)) {
    try {
      routeEntry(r);
    } catch (e) {
      old.add(`${r.pos!.file}:${r.pos!.line}:${r.pos!.col}: ${(e as Error).message}`);
    }
  }
  // The labeled routes are sent; the one with an RD and no label is not (a VPN route needs a label).
  assert.equal(old.size, 1);
  assert.deepEqual(staticErrors(n.routes), [...old]);
  assert.throws(
    () => announceStatic(n.routes, new AdjRibOut(), () => undefined),
    /family ipv4 mpls-vpn: a route needs a label/,
  );
});

test('staticErrors counts a split instead of expanding it, and refuses one larger than tsbgp expands', () => {
  const n = parseConfig(
    conf(['route 10.0.0.0/7 next-hop 192.0.2.1 split /32', 'route 12.0.0.0/8 next-hop 192.0.2.1 split /32']),
    'f',
  ).neighbors[0]!;
  // 2^24 and 2^25 routes would take gigabytes if expanded: the answer comes from arithmetic.
  const errors = staticErrors(n.routes);
  assert.equal(errors.length, 1);
  assert.match(errors[0]!, /^f:\d+:\d+: split \/32 of \/7 makes 33554432 routes, more than tsbgp expands$/);
});
