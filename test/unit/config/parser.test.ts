import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expandedRoutes, parseConfig } from '../../../src/config/parser';
import { ConfigError } from '../../../src/config/tokenizer';
import { familyKey } from '../../../src/wire/types';

test('a full neighbor: fields, defaults, blocks', () => {
  const c = parseConfig(
    `process p { run /bin/cat; encoder text; }
template { neighbor t { hold-time 30; capability { route-refresh; } static { route 9.0.0.0/8 next-hop 1.1.1.1; } } }
neighbor 192.0.2.2 {
  inherit t;
  router-id 1.1.1.1; local-address 192.0.2.1; local-as 65000; peer-as 65001.1;
  description "d e"; passive; listen 1790; connect 1791; group-updates false; manual-eor true; rate-limit 10;
  family { ipv4 unicast; ipv6 unicast; ipv4 flow; }
  capability { asn4 disable; graceful-restart 120; add-path send/receive; extended-message disable; }
  add-path { ipv4 unicast; }
  nexthop { ipv4 unicast ipv6; }
  api named { processes [ p ]; neighbor-changes; send { packets; } receive { parsed; update; } }
  static { route 10.0.0.0/24 next-hop 192.0.2.1 split /25; route 2001:db8::/32 { next-hop 2001:db8::1; med 3; } }
  announce { ipv4 { unicast 11.0.0.0/8 next-hop 192.0.2.1; } }
  flow { route r1 { match { destination 10.0.0.0/8; destination-port [ =80 ]; } then { discard; } } }
}`,
    'x.conf',
  );
  const p = c.processes.get('p')!;
  assert.deepEqual(p.run, ['/bin/cat']);
  assert.equal(p.encoder, 'text');
  const n = c.neighbors[0];
  assert.equal(n.peerAs, 65001 * 65536 + 1);
  assert.equal(n.holdTime, 30);
  assert.equal(n.passive, true);
  assert.equal(n.listen, 1790);
  assert.equal(n.groupUpdates, false);
  assert.equal(n.adjRibOut, true);
  assert.equal(n.rateLimit, 10);
  assert.deepEqual(n.families, [familyKey(1, 1), familyKey(2, 1), familyKey(1, 133)]);
  assert.deepEqual(n.addPathFamilies, [familyKey(1, 1)]);
  assert.deepEqual(n.nexthops, [{ family: familyKey(1, 1), nextHopAfi: 2 }]);
  assert.equal(n.capability.asn4, false);
  assert.equal(n.capability.routeRefresh, true);
  assert.equal(n.capability.gracefulRestart, 120);
  assert.equal(n.capability.addPath, 3);
  assert.equal(n.capability.extendedMessage, false);
  assert.equal(n.capability.nexthop, true);
  assert.equal(n.api[0].name, 'named');
  assert.equal(n.api[0].send.packets, true);
  assert.equal(n.api[0].receive.update, true);
  assert.equal(n.api[0].receive.open, false);
  assert.equal(n.routes.length, 4);
  assert.equal(expandedRoutes(n).length, 5);
  assert.equal(n.routes.get(1).attributes.med, 3);
  assert.equal(n.flows[0].name, 'r1');
  assert.deepEqual(n.flows[0].match[1], {
    keyword: 'destination-port',
    args: ['[', '=80', ']'],
    file: 'x.conf',
    line: 14,
    col: 53,
  });
  assert.equal(n.flows[0].then[0].keyword, 'discard');
});

test('errors carry file:line:col and say what was expected', () => {
  const bad: [string, RegExp][] = [
    ['neighbor 1.1.1.1 {\n  hold-time x;\n}', /^f:2:13: found 'x', expected a hold time/],
    ['neighbor 1.1.1.1 {\n  colour red;\n}', /^f:2:3: found 'colour', expected one of inherit/],
    [
      'neighbor 1.1.1.1 { local-as 1; peer-as 1; local-address 1.1.1.2; md5-password "a b"; md5-base64 true; }',
      /^f:1:66: neighbor 1\.1\.1\.1: md5-password is not valid base64/,
    ],
    ['neighbor 1.1.1.1 { local-as 1; peer-as 1; }', /^f:1:1: neighbor 1\.1\.1\.1 is incomplete: missing local-address/],
    [
      'neighbor 1.1.1.1 { local-as 1; peer-as 1; local-address 1.1.1.2; family { ipv4 unicorn; } }',
      /f:1:80: found 'unicorn', expected a SAFI/,
    ],
    [
      'neighbor 1.1.1.1 { local-as 1; peer-as 1; local-address 1.1.1.2; api { processes [ nope ]; } }',
      /uses process 'nope'/,
    ],
    [
      'process p { run /definitely/not/here; encoder json; }',
      /f:1:17: found '\/definitely\/not\/here', expected a program/,
    ],
    // ExaBGP 4.2 refuses it too ("unset process sections: encoder"): there is no default encoder.
    ['process p { run /bin/cat; }', /^f:1:1: process p has no 'encoder'.*required as in ExaBGP/],
    ['}', /^f:1:1: found '}'/],
    ['neighbor 1.1.1.1 { local-as 1 }', /f:1:31: found '}', expected ';'/],
  ];
  for (const [src, re] of bad)
    assert.throws(
      () => parseConfig(src, 'f'),
      (e: unknown) => e instanceof ConfigError && re.test(e.message),
      src,
    );
});

// Speed is measured by bench/ (the config scenario), not asserted here: a loaded runner would make it flaky.
test('100k static routes parse, sharing one attribute set', () => {
  const lines = [
    'neighbor 192.0.2.2 {',
    ' router-id 1.1.1.1; local-address 192.0.2.1; local-as 65000; peer-as 65000;',
    ' static {',
  ];
  for (let i = 0; i < 100000; i++)
    lines.push(`  route 10.${(i >> 8) & 255}.${i & 255}.0/24 next-hop 192.0.2.1 med 10 community [ 65000:1 ];`);
  lines.push(' }', '}');
  const src = lines.join('\n');
  const c = parseConfig(src, 'big.conf');
  assert.equal(c.neighbors[0].routes.length, 100000);
  assert.equal(c.neighbors[0].routes.get(0).attributes, c.neighbors[0].routes.get(99999).attributes);
});

test('flow { protect [ ... ]; } collects protected prefixes for the FlowSpec guard, with positions', () => {
  const c = parseConfig(
    `neighbor 192.0.2.2 {
  local-address 192.0.2.1; local-as 65000; peer-as 65001;
  family { ipv4 flow; }
  flow {
    protect [ 10.255.0.0/24 2001:db8::1 ];
    protect 198.51.100.0/30;
    route r1 { match { destination 203.0.113.7/32; } then { discard; } }
  }
}`,
    'x.conf',
  );
  assert.deepEqual(
    c.flowProtect.map((p) => `${p.len}@${p.pos?.line}:${p.pos?.col}`),
    ['24@5:15', '128@5:29', '30@6:13'],
  );
  assert.throws(
    () => parseConfig('neighbor 192.0.2.2 { local-as 1; peer-as 2; flow { protect [ 10.0.0.0/40 ]; } }', 'y.conf'),
    (e: unknown) => e instanceof ConfigError && /^y\.conf:1:62: .*an IP prefix/.test(e.message),
  );
});
