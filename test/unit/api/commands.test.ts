import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type ApiCommand,
  matchSelector,
  type NeighborSelector,
  normaliseLine,
  parseCommand,
  parseRoutes,
  selectorText,
} from '../../../src/api/commands';
import { familyKey } from '../../../src/wire/types';

const good: [string, ApiCommand][] = [
  [
    'announce route 10.0.0.0/24 next-hop 192.0.2.1 med 10',
    { kind: 'announce-route', neighbors: [], text: '10.0.0.0/24 next-hop 192.0.2.1 med 10' },
  ],
  [
    '  announce\troute 10.0.0.0/24   next-hop 192.0.2.1  ',
    { kind: 'announce-route', neighbors: [], text: '10.0.0.0/24 next-hop 192.0.2.1' },
  ],
  [
    'announce route 10.0.0.0/24 next-hop 192.0.2.1 community [65000:1 65000:2]\r',
    { kind: 'announce-route', neighbors: [], text: '10.0.0.0/24 next-hop 192.0.2.1 community [ 65000:1 65000:2 ]' },
  ],
  ['withdraw route 10.0.0.0/24', { kind: 'withdraw-route', neighbors: [], text: '10.0.0.0/24' }],
  [
    'neighbor 192.0.2.1 announce route 10.0.0.0/24 next-hop self',
    { kind: 'announce-route', neighbors: [{ ip: '192.0.2.1' }], text: '10.0.0.0/24 next-hop self' },
  ],
  [
    'neighbor 192.0.2.1 local-ip 192.0.2.2 local-as 65001 peer-as 65002 router-id 1.1.1.1 family-allowed in-open, neighbor 2001:DB8:0::1 withdraw route 10.0.0.0/24',
    {
      kind: 'withdraw-route',
      neighbors: [
        {
          ip: '192.0.2.1',
          localIp: '192.0.2.2',
          localAs: 65001,
          peerAs: 65002,
          routerId: '1.1.1.1',
          familyAllowed: 'in-open',
        },
        { ip: '2001:db8::1' },
      ],
      text: '10.0.0.0/24',
    },
  ],
  [
    'neighbor 192.0.2.1,neighbor 192.0.2.9 peer-as 1.10 teardown 2',
    { kind: 'teardown', neighbors: [{ ip: '192.0.2.1' }, { ip: '192.0.2.9', peerAs: 65546 }], code: 2 },
  ],
  ['neighbor 192.0.2.1 teardown 6', { kind: 'teardown', neighbors: [{ ip: '192.0.2.1' }], code: 6 }],
  [
    'announce attributes next-hop 192.0.2.1 med 5 nlri 10.0.0.0/24 10.0.1.0/24',
    {
      kind: 'announce-attributes',
      neighbors: [],
      attributes: 'next-hop 192.0.2.1 med 5',
      nlri: ['10.0.0.0/24', '10.0.1.0/24'],
    },
  ],
  [
    'withdraw attributes nlri 10.0.0.0/24',
    { kind: 'withdraw-attributes', neighbors: [], attributes: '', nlri: ['10.0.0.0/24'] },
  ],
  [
    'announce flow route { match { destination 10.0.0.0/24; } then { discard; } }',
    { kind: 'announce-flow', neighbors: [], text: '{ match { destination 10.0.0.0/24; } then { discard; } }' },
  ],
  [
    'withdraw flow route destination 10.0.0.0/24 discard',
    { kind: 'withdraw-flow', neighbors: [], text: 'destination 10.0.0.0/24 discard' },
  ],
  [
    'announce ipv6 flow route destination 2001:db8::/32 discard',
    { kind: 'announce-flow', neighbors: [], family: 'ipv6 flow', text: 'destination 2001:db8::/32 discard' },
  ],
  [
    'announce ipv4 unicast 10.0.0.0/24 next-hop 192.0.2.1',
    { kind: 'announce-route', neighbors: [], family: 'ipv4 unicast', text: '10.0.0.0/24 next-hop 192.0.2.1' },
  ],
  [
    'withdraw ipv6 unicast 2001:db8::/32',
    { kind: 'withdraw-route', neighbors: [], family: 'ipv6 unicast', text: '2001:db8::/32' },
  ],
  [
    'announce vpls endpoint 5 base 10702 offset 1 size 8 rd 192.168.201.1:123 route-distinguisher 1:1 next-hop 192.0.2.1',
    {
      kind: 'announce-vpls',
      neighbors: [],
      text: 'endpoint 5 base 10702 offset 1 size 8 rd 192.168.201.1:123 route-distinguisher 1:1 next-hop 192.0.2.1',
    },
  ],
  ['announce watchdog dog1', { kind: 'announce-watchdog', name: 'dog1' }],
  ['withdraw watchdog', { kind: 'withdraw-watchdog' }],
  ['announce eor', { kind: 'announce-eor', neighbors: [], afi: 'ipv4', safi: 'unicast', family: familyKey(1, 1) }],
  [
    'neighbor 192.0.2.1 announce eor ipv6 flow',
    { kind: 'announce-eor', neighbors: [{ ip: '192.0.2.1' }], afi: 'ipv6', safi: 'flow', family: familyKey(2, 133) },
  ],
  [
    'announce route-refresh ipv4 mpls-vpn',
    { kind: 'announce-route-refresh', neighbors: [], afi: 'ipv4', safi: 'mpls-vpn', family: familyKey(1, 128) },
  ],
  [
    'announce operational adm afi ipv4 safi unicast advisory "hello"',
    { kind: 'announce-operational', neighbors: [], what: 'adm', text: 'afi ipv4 safi unicast advisory "hello"' },
  ],
  ['show neighbor', { kind: 'show-neighbor', json: false }],
  ['show neighbor summary', { kind: 'show-neighbor', mode: 'summary', json: false }],
  ['show neighbor 192.0.2.1 extensive', { kind: 'show-neighbor', mode: 'extensive', ip: '192.0.2.1', json: false }],
  ['show neighbor configuration json', { kind: 'show-neighbor', mode: 'configuration', json: true }],
  ['show adj-rib out', { kind: 'show-adj-rib', direction: 'out', extensive: false, json: false }],
  [
    'show adj-rib in extensive flow 192.0.2.1',
    { kind: 'show-adj-rib', direction: 'in', extensive: true, filter: 'flow', ip: '192.0.2.1', json: false },
  ],
  ['show adj-rib-in', { kind: 'show-adj-rib', direction: 'in', extensive: false, json: false }],
  ['flush adj-rib out', { kind: 'flush-adj-rib-out', neighbors: [] }],
  ['neighbor 192.0.2.1 flush adj-rib out', { kind: 'flush-adj-rib-out', neighbors: [{ ip: '192.0.2.1' }] }],
  ['clear adj-rib in', { kind: 'clear-adj-rib', direction: 'in', neighbors: [] }],
  [
    'neighbor 192.0.2.1 clear adj-rib-out',
    { kind: 'clear-adj-rib', direction: 'out', neighbors: [{ ip: '192.0.2.1' }] },
  ],
  ['shutdown', { kind: 'shutdown' }],
  ['restart', { kind: 'restart' }],
  ['reload', { kind: 'reload' }],
  ['reset', { kind: 'reset' }],
  ['version', { kind: 'version' }],
  ['help', { kind: 'help' }],
  ['enable-ack', { kind: 'enable-ack' }],
  ['disable-ack', { kind: 'disable-ack' }],
  ['silence-ack', { kind: 'silence-ack' }],
  ['# just a note', { kind: 'comment', text: 'just a note' }],
  [
    'neighbor * announce route 10.0.0.0/24 next-hop self',
    { kind: 'announce-route', neighbors: [{ ip: '*' }], text: '10.0.0.0/24 next-hop self' },
  ],
];

const bad: [string, RegExp][] = [
  ['', /empty/],
  ['   ', /empty/],
  ['frobnicate', /not understood/],
  ['announce', /needs what/],
  ['announce route', /missing prefix/],
  ['announce bogus 1', /unknown "bogus"/],
  ['announce attributes next-hop 1.2.3.4', /missing "nlri"/],
  ['announce attributes next-hop 1.2.3.4 nlri', /no prefix/],
  ['announce flow', /missing flow/],
  ['announce eor ipv4', /expected AFI SAFI/],
  ['announce eor ipv5 unicast', /unknown family/],
  ['announce route-refresh', /expected AFI SAFI/],
  ['withdraw eor', /does not exist/],
  ['announce operational xyz', /unknown message/],
  ['announce watchdog a b', /one name/],
  ['teardown 2', /neighbor selector/],
  ['neighbor 192.0.2.1 teardown', /one number/],
  ['neighbor 192.0.2.1 teardown abc', /one number/],
  ['neighbor 192.0.2.1 teardown 4 going away', /one number/],
  ['neighbor 192.0.2.1 teardown 300', /out of range/],
  ['neighbor 300.1.1.1 announce route 10.0.0.0/24 next-hop self', /invalid neighbor address/],
  ['neighbor 192.0.2.1 peer-as x announce route 10.0.0.0/24', /invalid peer-as/],
  ['neighbor 192.0.2.1 router-id ::1 announce eor', /invalid router-id/],
  ['neighbor 192.0.2.1 , announce eor', /ends with ","|empty neighbor/],
  ['neighbor 192.0.2.1', /without a command/],
  ['neighbor 192.0.2.1 local-as', /missing value/],
  ['neighbor 192.0.2.1 shutdown', /does not take a neighbor/],
  ['shutdown now', /takes no argument/],
  ['show', /unknown/],
  ['show neighbor summary extensive', /exclusive/],
  ['show neighbor bogus', /unexpected "bogus"/],
  ['show adj-rib', /"in" or "out"/],
  ['flush adj-rib in', /usage: flush/],
  ['clear adj-rib', /usage: clear/],
  ['announce ipv4 unicast 2001:db8::/32 next-hop ::1', /not an ipv4 prefix/],
  ['announce ipv4 bogus 10.0.0.0/8', /unsupported family/],
  ['announce ipv4', /missing SAFI/],
];

test('valid API lines parse to the expected command', () => {
  for (const [line, want] of good) {
    const r = parseCommand(line);
    assert.ok(r.ok, `${line}: ${r.ok ? '' : r.error}`);
    assert.deepEqual(r.command, want, line);
  }
});

test('invalid API lines fail with a reason', () => {
  for (const [line, re] of bad) {
    const r = parseCommand(line);
    assert.ok(!r.ok, `${JSON.stringify(line)} should fail`);
    assert.match(r.error, re, line);
  }
});

test('normaliseLine pads brackets and commas like ExaBGP', () => {
  assert.equal(normaliseLine('a [b,c](d)'), 'a [ b , c ]( d )');
  assert.equal(normaliseLine('plain line'), 'plain line');
});

test('matchSelector', () => {
  const peer = {
    peerAddress: '192.0.2.1',
    localAddress: '192.0.2.2',
    localAs: 65001,
    peerAs: 65002,
    routerId: '1.1.1.1',
  };
  const sel = (line: string) => {
    const r = parseCommand(line + ' announce eor');
    assert.ok(r.ok && 'neighbors' in r.command);
    return (r.command as { neighbors: NeighborSelector }).neighbors;
  };
  assert.ok(matchSelector([], peer));
  assert.ok(matchSelector(sel('neighbor 192.0.2.1'), peer));
  assert.ok(!matchSelector(sel('neighbor 192.0.2.3'), peer));
  assert.ok(matchSelector(sel('neighbor 192.0.2.3, neighbor 192.0.2.1 peer-as 65002'), peer));
  assert.ok(!matchSelector(sel('neighbor 192.0.2.1 peer-as 65003'), peer));
  assert.ok(matchSelector(sel('neighbor 192.0.2.1 local-ip 192.0.2.2 local-as 65001 router-id 1.1.1.1'), peer));
  assert.ok(matchSelector(sel('neighbor 192.0.2.1 family-allowed in-open'), peer));
  assert.ok(!matchSelector(sel('neighbor 192.0.2.1 family-allowed ipv4-unicast'), peer));
  assert.ok(matchSelector(sel('neighbor *'), peer));
  assert.ok(matchSelector(sel('neighbor 2001:db8::1'), { peerAddress: '2001:DB8:0:0::1' }));
  assert.equal(
    selectorText(sel('neighbor 192.0.2.1 peer-as 65002, neighbor ::1')),
    'neighbor 192.0.2.1 peer-as 65002, neighbor ::1',
  );
});

// Speed is measured by bench/ (the API scenario), not asserted here: a loaded runner would make it flaky.
test('bulk API input: 200k distinct announce lines all parse', () => {
  for (let i = 0; i < 200_000; i++) {
    const r = parseCommand(
      `announce route 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32 next-hop 192.0.2.1 med 10`,
    );
    if (!r.ok) throw new Error(r.error);
  }
});

test('parseRoutes hands each route text to the route parser and reports its reason', () => {
  const r = parseCommand('announce attributes next-hop 192.0.2.1 nlri 10.0.0.0/24 10.0.1.0/24');
  assert.ok(r.ok && r.command.kind === 'announce-attributes');
  const seen: string[] = [];
  const out = parseRoutes(r.command, (t, w) => {
    seen.push(`${t}|${w}`);
    return t.length;
  });
  assert.deepEqual(out, { ok: true, routes: [30, 30] });
  assert.deepEqual(seen, ['10.0.0.0/24 next-hop 192.0.2.1|false', '10.0.1.0/24 next-hop 192.0.2.1|false']);
  const w = parseCommand('withdraw route 10.0.0.0/33');
  assert.ok(w.ok && w.command.kind === 'withdraw-route');
  const bad = parseRoutes(w.command, () => {
    throw new Error('prefix length 33 is too long');
  });
  assert.deepEqual(bad, { ok: false, error: 'could not parse route: prefix length 33 is too long' });
  const a = parseCommand('announce attributes next-hop 192.0.2.1 nlri 10.0.0.0/24 10.0.0.0/33');
  assert.ok(a.ok && a.command.kind === 'announce-attributes');
  const badList = parseRoutes(a.command, (text) => {
    if (text.includes('/33')) throw new Error('prefix length 33 is too long');
    return 1;
  });
  assert.deepEqual(badList, { ok: false, error: 'could not parse route 10.0.0.0/33: prefix length 33 is too long' });
});

test('announce/withdraw route|flow|vpls without a selector: the text cut from the line equals the words joined', () => {
  // parseCommand takes a shortcut for these; a selector in front sends the same line through the general path.
  const lines = [
    'announce route 10.0.0.0/24 next-hop 192.0.2.1 community [ 65000:1 ]',
    'withdraw route 10.0.0.0/24',
    'announce flow route { match { destination 10.0.0.0/24; } then { discard; } }',
    'announce flow { match { destination 10.0.0.0/24; } then { discard; } }',
    'withdraw flow route block-dns { match { destination-port =53; } }',
    'announce flow routefoo',
    'announce vpls endpoint 5 base 10 offset 1 size 8 route-distinguisher 1:1 next-hop 192.0.2.1',
  ];
  for (const l of lines) {
    const fast = parseCommand(l);
    const general = parseCommand(`neighbor 192.0.2.9 ${l}`);
    assert.ok(fast.ok && general.ok, l);
    assert.deepEqual({ ...fast.command, neighbors: [] }, { ...general.command, neighbors: [] }, l);
    assert.deepEqual((fast.command as { neighbors: unknown[] }).neighbors, [], l);
  }
  for (const l of ['announce route', 'announce flow', 'announce flow route', 'withdraw vpls']) {
    const r = parseCommand(l);
    assert.equal(r.ok, false, l);
  }
});
