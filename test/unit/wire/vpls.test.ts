// VPLS NLRI (RFC 4761 §3.2.2): encode/scan/items round trips, ExaBGP 4.2's bytes for conf-l2vpn.conf's route,
// JSON and text as ExaBGP prints them, malformed lengths.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { vplsJson } from '../../../src/api/json';
import { bytesToHex, hexToBytes } from '../../../src/wire/bytes';
import { DecodeError } from '../../../src/wire/errors';
import { familyCodec, familyName, parseFamily } from '../../../src/wire/nlri/registry';
import { L2VPN_VPLS, l2vpnVpls, type Vpls } from '../../../src/wire/nlri/vpls';

const block = (hex: string, addPath = false) => {
  const data = hexToBytes(hex);
  return { family: L2VPN_VPLS, addPath, data, count: l2vpnVpls.scan(data, addPath) };
};

// The NLRI of conf-l2vpn.conf's first route as `exabgp -d -t` prints it (ExaBGP 4.2.21).
const EXABGP_NLRI = '00110001C0A8C901007B000500010008029CE1';
const ROUTE: Vpls = {
  rd: hexToBytes('0001C0A8C901007B'),
  endpoint: 5,
  offset: 1,
  size: 8,
  base: 10702,
};

test("vpls: the family is registered under ExaBGP's name", () => {
  assert.equal(familyCodec(L2VPN_VPLS), l2vpnVpls);
  assert.equal(familyName(L2VPN_VPLS), 'l2vpn vpls');
  assert.equal(parseFamily('l2vpn', 'vpls'), L2VPN_VPLS);
});

test('vpls: encodes as ExaBGP 4.2 does (length 17, label base with bottom-of-stack) and decodes back', () => {
  assert.equal(bytesToHex(l2vpnVpls.encode(ROUTE, false)).toUpperCase(), EXABGP_NLRI);
  assert.deepEqual(l2vpnVpls.items(block(EXABGP_NLRI)), [ROUTE]);
});

test('vpls: JSON and text as ExaBGP 4.2 prints them', () => {
  assert.deepEqual(vplsJson(ROUTE), {
    json: '{ "rd": "192.168.201.1:123", "endpoint": 5, "base": 10702, "offset": 1, "size": 8 }',
    text: 'vpls rd 192.168.201.1:123 endpoint 5 base 10702 offset 1 size 8',
  });
});

test('vpls: round trips, several per block, with and without path ids', () => {
  const arb = fc.record({
    rd: fc.uint8Array({ minLength: 8, maxLength: 8 }),
    endpoint: fc.integer({ min: 0, max: 0xffff }),
    offset: fc.integer({ min: 0, max: 0xffff }),
    size: fc.integer({ min: 0, max: 0xffff }),
    base: fc.integer({ min: 0, max: 0xfffff }),
    pathId: fc.integer({ min: 0, max: 0xffffffff }),
  });
  fc.assert(
    fc.property(fc.array(arb, { minLength: 1, maxLength: 4 }), fc.boolean(), (vs, addPath) => {
      const items = vs.map((v) => (addPath ? v : { ...v, pathId: undefined }));
      const hex = items.map((v) => bytesToHex(l2vpnVpls.encode(v, addPath))).join('');
      const got = l2vpnVpls.items(block(hex, addPath));
      assert.equal(got.length, items.length);
      got.forEach((g, i) => {
        const want: Vpls = { ...items[i]! };
        if (!addPath) delete want.pathId;
        assert.deepEqual(g, want);
      });
    }),
  );
});

test('vpls: a length other than 17 or a truncated entry is malformed', () => {
  for (const hex of ['0012' + EXABGP_NLRI.slice(4) + '00', EXABGP_NLRI.slice(0, -2), '00']) {
    assert.throws(() => l2vpnVpls.scan(hexToBytes(hex), false), DecodeError);
  }
});

test('vpls: out-of-range fields are refused when encoding', () => {
  assert.throws(() => l2vpnVpls.encode({ ...ROUTE, base: 0x100000 }, false), RangeError);
  assert.throws(() => l2vpnVpls.encode({ ...ROUTE, endpoint: 0x10000 }, false), RangeError);
  assert.throws(() => l2vpnVpls.encode({ ...ROUTE, rd: new Uint8Array(4) }, false), RangeError);
});
