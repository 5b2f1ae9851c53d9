// The looking glass over a Loc-RIB: typed answers (rib-query.ts), the `show rib` words, and their text/JSON.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCommand } from '../../../src/api/commands';
import { showRib } from '../../../src/daemon/show-rib';
import { AttrInterner } from '../../../src/rib/attr-intern';
import { parseRouteFilter, queryLongest, queryPrefix, queryRoutes, querySummary } from '../../../src/rib/rib-query';
import { RouteReflector } from '../../../src/roles/route-reflector/reflector';
import { type Attributes, familyKey, IPV4_UNICAST, IPV6_UNICAST, SegmentType } from '../../../src/wire/types';

function setup() {
  const interner = new AttrInterner();
  const rr = new RouteReflector(interner);
  const rib = rr.rib;
  const src = (n: number) =>
    rib.addSource({ name: `192.0.2.${n}`, kind: 'ibgp', routerId: n, address: Uint8Array.of(192, 0, 2, n) });
  const a = src(11);
  const b = src(12);
  const put = (f: number, entry: number[], s: number, attrs: Attributes) => {
    const e = Uint8Array.from(entry);
    rib.announce(f, e, 0, e.length, s, 0, interner.intern({ origin: 0, ...attrs }));
  };
  const seq = (...asns: number[]) => [{ type: SegmentType.AS_SEQUENCE, asns }];
  put(IPV4_UNICAST, [24, 10, 1, 0], a, {
    asPath: seq(65001, 65010),
    localPref: 200,
    nextHop: Uint8Array.of(192, 0, 2, 1),
    communities: [(65000 << 16) | 7],
  });
  put(IPV4_UNICAST, [24, 10, 1, 0], b, { asPath: seq(65002), localPref: 100, nextHop: Uint8Array.of(192, 0, 2, 2) });
  put(IPV4_UNICAST, [16, 10, 1], b, {
    asPath: seq(65002, 65020),
    nextHop: Uint8Array.of(192, 0, 2, 2),
    largeCommunities: [[65000, 1, 2]],
  });
  put(IPV6_UNICAST, [32, 0x20, 0x01, 0x0d, 0xb8], a, { asPath: seq(65001), nextHop: undefined });
  put(familyKey(1, 2), [8, 10], a, { asPath: seq(65003) });
  return { rr, rib };
}

test('queryPrefix: every path, best first, the others with the step they lost on', () => {
  const { rib } = setup();
  const r = queryPrefix(rib, '10.1.0.0/24');
  assert.ok(r && !(r instanceof Error));
  assert.equal(r.family, 'ipv4 unicast');
  assert.equal(r.prefix, '10.1.0.0/24');
  assert.deepEqual(
    r.paths.map((p) => [p.from, p.best, p.beatenOn, p.nextHop, p.asPath, p.communities]),
    [
      ['192.0.2.11', true, undefined, '192.0.2.1', '65001 65010', ['65000:7']],
      ['192.0.2.12', false, 'local-pref', '192.0.2.2', '65002', []],
    ],
  );
  assert.equal(queryPrefix(rib, '10.9.0.0/24'), undefined);
  assert.ok(queryPrefix(rib, '10.1.0.0') instanceof Error, 'an address is not a prefix');
  assert.ok(queryPrefix(rib, 'nonsense') instanceof Error);
  assert.equal((queryPrefix(rib, '10.0.0.0/8') as { family: string }).family, 'ipv4 multicast');
  assert.equal((queryPrefix(rib, '2001:db8::/32') as { paths: unknown[] }).paths.length, 1);
});

test('queryLongest: the most specific covering prefix', () => {
  const { rib } = setup();
  assert.equal((queryLongest(rib, '10.1.0.9') as { prefix: string }).prefix, '10.1.0.0/24');
  assert.equal((queryLongest(rib, '10.1.200.1') as { prefix: string }).prefix, '10.1.0.0/16');
  assert.equal((queryLongest(rib, '10.2.0.1') as { family: string }).family, 'ipv4 multicast');
  assert.equal(queryLongest(rib, '11.0.0.1'), undefined);
  assert.equal((queryLongest(rib, '2001:db8::1') as { prefix: string }).prefix, '2001:db8::/32');
  assert.ok(queryLongest(rib, '10.1.0.0/24') instanceof Error);
});

test('queryRoutes: by origin AS, AS anywhere in the path, community, large community; with a limit', () => {
  const { rib } = setup();
  const prefixes = (kind: string, v: string) => {
    const f = parseRouteFilter(kind, v);
    assert.ok(!(f instanceof Error));
    return queryRoutes(rib, f).routes.map((r) => r.prefix);
  };
  assert.deepEqual(prefixes('origin-as', '65010'), ['10.1.0.0/24']);
  assert.deepEqual(prefixes('origin-as', 'AS65020'), ['10.1.0.0/16']);
  // 65002 is in the path of the /24's second path only, which is not best: scans read best paths.
  assert.deepEqual(prefixes('as-path', '65002'), ['10.1.0.0/16']);
  assert.deepEqual(prefixes('as-path', '65001').sort(), ['10.1.0.0/24', '2001:db8::/32']);
  assert.deepEqual(prefixes('community', '65000:7'), ['10.1.0.0/24']);
  assert.deepEqual(prefixes('community', '65000:1:2'), ['10.1.0.0/16']);
  const f = parseRouteFilter('as-path', '65001');
  assert.ok(!(f instanceof Error));
  assert.deepEqual(
    { n: queryRoutes(rib, f, 1).routes.length, more: queryRoutes(rib, f, 1).more },
    { n: 1, more: true },
  );
  assert.ok(parseRouteFilter('community', '70000:1') instanceof Error);
  assert.ok(parseRouteFilter('origin-as', 'x') instanceof Error);
  assert.deepEqual(querySummary(rib), [
    { family: 'ipv4 unicast', prefixes: 2 },
    { family: 'ipv6 unicast', prefixes: 1 },
    { family: 'ipv4 multicast', prefixes: 1 },
  ]);
});

test('show rib words, text and JSON answers, errors', () => {
  const { rr } = setup();
  const run = (line: string) => {
    const p = parseCommand(line);
    assert.ok(p.ok, line);
    assert.equal(p.command.kind, 'show-rib');
    return showRib(rr, null, p.command as Parameters<typeof showRib>[2]);
  };
  assert.deepEqual(run('show rib 10.1.0.0/24'), [
    '10.1.0.0/24 ipv4 unicast, 2 paths',
    '  * from 192.0.2.11 next-hop 192.0.2.1 origin igp as-path [ 65001 65010 ] local-preference 200 community [ 65000:7 ] best',
    '    from 192.0.2.12 next-hop 192.0.2.2 origin igp as-path [ 65002 ] local-preference 100 (beaten on local-pref)',
  ]);
  const j = JSON.parse((run('show rib 10.1.0.0/24 json') as string[]).join(''));
  assert.equal(j.paths[1].beatenOn, 'local-pref');
  assert.deepEqual(run('show rib 10.7.0.0/24'), ['10.7.0.0/24: not in the Loc-RIB']);
  assert.deepEqual(run('show rib longest 10.1.3.4'), [
    '10.1.0.0/16 ipv4 unicast, 1 path',
    '  * from 192.0.2.12 next-hop 192.0.2.2 origin igp as-path [ 65002 65020 ] large-community [ 65000:1:2 ] best',
  ]);
  assert.deepEqual(run('show rib origin-as 65010'), [
    '10.1.0.0/24 from 192.0.2.11 next-hop 192.0.2.1 origin igp as-path [ 65001 65010 ] local-preference 200 community [ 65000:7 ] best',
  ]);
  assert.deepEqual(run('show rib'), [
    'ipv4 unicast: 2 prefixes',
    'ipv6 unicast: 1 prefixes',
    'ipv4 multicast: 1 prefixes',
    '5 paths',
  ]);
  assert.deepEqual(run('show rib neighbors json'), ['[]']);
  assert.ok(run('show rib 10.1.0.0') instanceof Error);
  assert.ok(run('show rib community 1:2:3:4') instanceof Error);
  for (const bad of ['show rib longest', 'show rib neighbors x', 'show rib 10.0.0.0/8 x', 'show rib as-path 1 2'])
    assert.equal(parseCommand(bad).ok, false, bad);
  const none = showRib(null, null, { kind: 'show-rib', query: 'summary', json: false });
  assert.ok(none instanceof Error && /no Loc-RIB/.test(none.message));
});
