// RouteList keeps routes by columns: what goes in comes back as the same RouteSpec; and the parser's fast
// path for `route PREFIX TAIL;` gives exactly what the general path gives, errors included.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../../src/config/parser';
import { parseRoute } from '../../../src/config/route';
import { RouteList } from '../../../src/config/route-list';
import { ConfigError } from '../../../src/config/tokenizer';

const ROUTES = [
  'route 10.0.0.0/24 next-hop 192.0.2.1',
  'route 10.0.1.0/24 next-hop 192.0.2.1',
  'route 10.0.2.0/24 next-hop 192.0.2.1 med 5 community [ 65000:1 no-export ]',
  'route 2001:db8::/32 next-hop 2001:db8::1 as-path [ 1 2 ( 3 4 ) ] local-preference 200',
  'route 224.1.0.0/16 next-hop self',
  'route 10.0.3.0/24 next-hop 192.0.2.1 path-information 7 origin egp',
  'route 10.0.4.0/24 next-hop 192.0.2.1 label [ 100 ] large-community [ 1:2:3 ]',
  'route 10.0.5.0/24 next-hop 192.0.2.1 rd 65000:1 label 5 extended-community [ target:65000:1 ]',
  'route 10.0.6.0/23 next-hop 192.0.2.1 split /24 watchdog w withdraw',
  'route 10.0.8.1 next-hop 192.0.2.1 aggregator ( 65000:1.2.3.4 ) atomic-aggregate',
  'route 0.0.0.0/0 next-hop 192.0.2.1 attribute [ 0x99 0xc0 0x0102 ] name n1',
];

const conf = (
  body: string,
  family = 'family { ipv4 unicast; ipv4 multicast; ipv4 nlri-mpls; ipv4 mpls-vpn; ipv6 unicast; }',
) =>
  `neighbor 192.0.2.2 {\n router-id 1.1.1.1; local-address 192.0.2.1; local-as 65000; peer-as 65001;\n ${family}\n static {\n${body}\n }\n}\n`;

test('the fast path (one line) and the general path (route P { ... }) give the same routes', () => {
  const fast = parseConfig(conf(ROUTES.map((r) => `  ${r};`).join('\n')), 'f').neighbors[0]!.routes;
  // A `{ }` block takes the general path; so does each of these statements written over several lines.
  const general = parseConfig(
    conf(
      ROUTES.map((r) => {
        const [, kw, p, ...rest] = /^(\S+) (\S+)(.*)$/.exec(r)!;
        void kw;
        return `  route ${p} {\n ${rest.join('')};\n }`;
      }).join('\n'),
    ),
    'f',
  ).neighbors[0]!.routes;
  assert.equal(fast.length, ROUTES.length);
  assert.equal(general.length, ROUTES.length);
  for (let i = 0; i < ROUTES.length; i++) {
    const a = fast.get(i);
    const b = general.get(i);
    delete a.pos;
    delete b.pos;
    assert.deepEqual(a, b, ROUTES[i]);
    // And both are what the API's route parser makes of the line.
    const api = parseRoute(ROUTES[i]!);
    delete api.pos;
    assert.deepEqual(a, api, ROUTES[i]);
  }
  // Positions: line and column of the prefix.
  assert.deepEqual(fast.get(2).pos, { file: 'f', line: 7, col: 9 });
});

test('routes written alike share one attributes object; comments and blank lines between routes are fine', () => {
  const body = [
    '  # comment',
    '  route 10.0.0.0/24 next-hop 192.0.2.1 med 1;',
    '',
    '  route 10.0.1.0/24  next-hop 192.0.2.1 med 1 ;',
    '  route 10.0.2.0/24 next-hop 192.0.2.1 med 2;',
    '  route 10.0.3.0/24 next-hop 192.0.2.1 med 1; route 10.0.4.0/24 next-hop 192.0.2.1\n   med 1;',
  ];
  const r = parseConfig(conf(body.join('\n')), 'f').neighbors[0]!.routes;
  assert.equal(r.length, 5);
  assert.equal(r.get(0).attributes, r.get(3).attributes);
  assert.notEqual(r.get(0).attributes, r.get(2).attributes);
  assert.equal(r.get(4).attributes.med, 1);
  assert.deepEqual(r.get(4).pos, { file: 'f', line: 10, col: 53 });
});

test('errors from one-line routes name file:line:col with found/expected, as the general path does', () => {
  const cases: [string, string][] = [
    ['  route 10.0.0.1/24 next-hop 192.0.2.1;', 'f:5:9: invalid network 10.0.0.1/24: host bits set for /24'],
    ['  route 10.0.0.0/33 next-hop 192.0.2.1;', "f:5:9: found '10.0.0.0/33', expected an IP prefix (length 0-32)"],
    ['  route 10.0.0.0/24 next-hop 192.0.2.x;', "f:5:30: found '192.0.2.x', expected an IP address or self"],
    [
      '  route 10.0.0.0/24 med 5;',
      "f:5:9: route 10.0.0.0/24 has no next-hop, expected 'next-hop IP' or 'next-hop self'",
    ],
    ['  route 10.0.0.0/24 next-hop 192.0.2.1 colour red;', "f:5:40: found 'colour', expected a route keyword"],
    ['  route 10.0.0.0/24 next-hop 192.0.2.1 med;', 'f:5:43: found end of input, expected a MED value'],
    [
      '  route 10.0.0.0/24 next-hop 192.0.2.1;\n  route 10.0.1.0/24 next-hop 192.0.2.1 community [ 1:x ];',
      "f:6:52: found 'x', expected a community (0-65535:0-65535)",
    ],
    ['  route 10.0.0.0/24 next-hop 192.0.2.1 split /33;', 'f:5:9: split /33 is longer than an IPv4 address'],
  ];
  for (const [body, msg] of cases) {
    assert.throws(
      () => parseConfig(conf(body), 'f'),
      (e: unknown) => e instanceof ConfigError && e.message.startsWith(msg),
      `${body}: ${(() => {
        try {
          parseConfig(conf(body), 'f');
          return 'no error';
        } catch (e) {
          return (e as Error).message;
        }
      })()}`,
    );
  }
});

test('RouteList: add/get round trip, push shares tails, append and trim', () => {
  const l = new RouteList('x');
  const tail = { attributes: { med: 1 }, nextHop: Uint8Array.of(1, 2, 3, 4) };
  l.add(257, 24, Uint8Array.of(10, 1, 2, 99), 0, tail, 3, 4);
  l.add(513, 33, Uint8Array.of(0x20, 1, 0xd, 0xb8, 0x80), 0, { attributes: {}, nextHop: 'self', pathId: 9 }, 4, 5);
  const a = l.get(0);
  assert.deepEqual(a, {
    family: 257,
    prefix: { family: 257, len: 24, addr: Uint8Array.of(10, 1, 2, 0) },
    attributes: tail.attributes,
    nextHop: tail.nextHop,
    pos: { file: 'x', line: 3, col: 4 },
  });
  const b = l.get(1);
  assert.equal(b.prefix.len, 33);
  assert.equal(b.prefix.pathId, 9);
  assert.deepEqual(b.prefix.addr, Uint8Array.of(0x20, 1, 0xd, 0xb8, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
  assert.deepEqual(l.nlriBytes.subarray(l.nlriStart(0), l.nlriEnd(0)), Uint8Array.of(24, 10, 1, 2));
  const m = new RouteList('x');
  m.push(a);
  m.push({ ...a, prefix: { ...a.prefix, addr: Uint8Array.of(10, 1, 3, 0) } });
  assert.equal(m.tail(0), m.tail(1));
  m.trim();
  for (let i = 0; i < 200; i++) m.append(l);
  assert.equal(m.length, 402);
  assert.deepEqual(m.get(401), b);
  assert.deepEqual([...m].length, 402);
});
