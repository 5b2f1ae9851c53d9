// VPLS routes in the configuration (ExaBGP 4.2's `l2vpn { vpls ... }`, `vpls NAME { }` and `announce { l2vpn { } }`)
// and in API/encode text: what each keyword sets, the order ExaBGP sends them in, and the errors for what
// ExaBGP refuses, at file:line:col.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../../src/config/parser';
import { parseVpls } from '../../../src/config/vpls';
import { vplsEntry } from '../../../src/daemon/routes';
import { bytesToHex } from '../../../src/wire/bytes';

const ATTRS =
  'origin igp as-path [ 30740 30740 ] med 2000 community [ 54591:123 ] ' +
  'extended-community [ target:54591:6 l2info:19:0:1500:111 ] originator-id 192.168.22.1 cluster-list [ 3.3.3.3 ]';

const conf = (family: string, body: string): string =>
  `neighbor 127.0.0.1 {\n  router-id 127.0.0.1;\n  local-address 127.0.0.1;\n  local-as 54591;\n  peer-as 54591;\n` +
  `  family {\n    ${family};\n  }\n${body}}\n`;

const BODY =
  `  l2vpn {\n    vpls rd 192.168.201.1:123 endpoint 5 base 10702 offset 1 size 8 next-hop 192.168.201.1 local-preference 100 ${ATTRS};\n` +
  `    vpls site5 {\n      endpoint 6;\n      base 10732;\n      offset 1;\n      size 8;\n      next-hop 192.168.201.1;\n` +
  `      rd 192.168.201.1:124;\n      extended-community [ l2info:19:0:1500:111 ];\n    }\n  }\n` +
  `  announce {\n    l2vpn {\n      vpls endpoint 5 base 10702 offset 1 size 8 next-hop 192.168.201.1 local-preference 1 rd 192.168.201.1:123;\n    }\n  }\n`;

test('vpls: l2vpn statements, named blocks and announce l2vpn, announce ones first as ExaBGP 4.2 sends them', () => {
  const n = parseConfig(conf('l2vpn vpls', BODY)).neighbors[0]!;
  assert.deepEqual(
    n.vpls.map((v) => [v.vpls.endpoint, v.vpls.base, v.vpls.offset, v.vpls.size, v.attributes.localPref]),
    [
      [5, 10702, 1, 8, 1],
      [5, 10702, 1, 8, 100],
      [6, 10732, 1, 8, undefined],
    ],
  );
  const first = n.vpls[1]!;
  assert.deepEqual(first.nextHop, Uint8Array.of(192, 168, 201, 1));
  assert.equal(first.attributes.med, 2000);
  assert.equal(first.attributes.extendedCommunities?.length, 2);
  assert.equal(bytesToHex(vplsEntry(first).entry).toUpperCase(), '00110001C0A8C901007B000500010008029CE1');
  assert.equal(vplsEntry(n.vpls[2]!).text, 'vpls rd 192.168.201.1:124 endpoint 6 base 10732 offset 1 size 8');
});

test('vpls: a route without the l2vpn vpls family is refused at its line', () => {
  assert.throws(
    () => parseConfig(conf('ipv4 unicast', BODY), 'f.conf'),
    /f\.conf:\d+:\d+: .*vpls route but l2vpn vpls is not in the neighbor's family block/,
  );
});

test("vpls: what ExaBGP's feedback refuses, with its words", () => {
  const ok = 'rd 1:1 endpoint 1 base 100 offset 0 size 8 next-hop 192.0.2.1';
  assert.equal(parseVpls(`vpls ${ok}`, {}, 1).vpls.base, 100);
  const cases: [string, RegExp][] = [
    ['rd 1:1 endpoint 1 base 100 offset 0 size 8', /next-hop missing/],
    ['endpoint 1 base 100 offset 0 size 8 next-hop 192.0.2.1', /route-distinguisher missing/],
    ['rd 1:1 base 100 offset 0 size 8 next-hop 192.0.2.1', /endpoint missing/],
    ['rd 1:1 endpoint 1 offset 0 size 8 next-hop 192.0.2.1', /base missing/],
    ['rd 1:1 endpoint 1 base 100 size 8 next-hop 192.0.2.1', /offset missing/],
    ['rd 1:1 endpoint 1 base 100 offset 0 next-hop 192.0.2.1', /size missing/],
    ['rd 1:1 endpoint 1 base 1048570 offset 0 size 8 next-hop 192.0.2.1', /size inconsistency/],
    ['rd 1:1 endpoint 65536 base 100 offset 0 size 8 next-hop 192.0.2.1', /expected a VE ID/],
    [`${ok} label 100`, /'label' is not a VPLS keyword/],
    [`${ok} path-information 1`, /'path-information' is not a VPLS keyword/],
    [`${ok} bogus 1`, /expected a route keyword/],
  ];
  for (const [text, re] of cases) assert.throws(() => parseVpls(`vpls ${text}`, { file: 'api' }, 1), re, text);
  // A withdrawal from the API needs no next hop.
  assert.equal(
    parseVpls(`vpls ${ok.replace(' next-hop 192.0.2.1', '')}`, { requireNextHop: false }, 1).nextHop,
    undefined,
  );
});
