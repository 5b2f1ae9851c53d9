// EVPN NLRI (RFC 7432 §7, RFC 9136 §3.1): every route type round trips through encode/scan/items (property test
// too), ADD-PATH path identifiers, text as ExaBGP 4.2 prints it (the JSON is checked against exabgp --decode in
// test/diff/decode-exabgp.test.ts), and malformed lengths are refused with the family disabled.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { evpnJson } from '../../../src/api/evpn-json';
import { bytesToHex, hexToBytes } from '../../../src/wire/bytes';
import { DecodeError } from '../../../src/wire/errors';
import { type EvpnRoute, L2VPN_EVPN, l2vpnEvpn } from '../../../src/wire/nlri/evpn';
import { familyCodec, familyName, parseFamily } from '../../../src/wire/nlri/registry';

const block = (data: Uint8Array, addPath = false) => ({
  family: L2VPN_EVPN,
  addPath,
  data,
  count: l2vpnEvpn.scan(data, addPath),
});

const RD = hexToBytes('0000FDE800000001');
const ESI = hexToBytes('00112233445566778899');
const ZERO_ESI = new Uint8Array(10);
const MAC = hexToBytes('001122334455');
const V4 = hexToBytes('C0000201');
const V6 = hexToBytes('20010DB8000000000000000000000001');

const ROUTES: EvpnRoute[] = [
  { code: 1, rd: RD, esi: ESI, etag: 100, label: 0x641 },
  { code: 2, rd: RD, esi: ZERO_ESI, etag: 0, macLen: 48, mac: MAC, labels: [0x641] },
  { code: 2, rd: RD, esi: ESI, etag: 5, macLen: 48, mac: MAC, ip: V6, labels: [0x641, 10100] },
  { code: 3, rd: RD, etag: 0, ip: V4 },
  { code: 4, rd: RD, esi: ESI, ip: V6 },
  {
    code: 5,
    rd: RD,
    esi: ZERO_ESI,
    etag: 0,
    prefixLen: 24,
    prefix: hexToBytes('0A000000'),
    gateway: V4,
    label: 0x641,
  },
  { code: 'other', type: 9, data: hexToBytes('DEADBEEF') },
];

test("evpn: the family is registered under ExaBGP's name", () => {
  assert.equal(familyCodec(L2VPN_EVPN), l2vpnEvpn);
  assert.equal(familyName(L2VPN_EVPN), 'l2vpn evpn');
  assert.equal(parseFamily('l2vpn', 'evpn'), L2VPN_EVPN);
});

test('evpn: every route type encodes as RFC 7432 lays it out and decodes back, with and without ADD-PATH', () => {
  assert.equal(
    bytesToHex(l2vpnEvpn.encode(ROUTES[0]!, false)),
    '01190000FDE8000000010011223344556677889900000064000641',
  );
  assert.equal(bytesToHex(l2vpnEvpn.encode(ROUTES[3]!, false)), '03110000FDE8000000010000000020C0000201');
  const data = Uint8Array.from(ROUTES.flatMap((r) => [...l2vpnEvpn.encode(r, false)]));
  assert.equal(l2vpnEvpn.scan(data, false), ROUTES.length);
  assert.deepEqual(l2vpnEvpn.items(block(data)), ROUTES);
  const withIds = ROUTES.map((r, i) => ({ ...r, pathId: i + 1 }));
  const ap = Uint8Array.from(withIds.flatMap((r) => [...l2vpnEvpn.encode(r, true)]));
  assert.deepEqual(l2vpnEvpn.items(block(ap, true)), withIds);
});

test('evpn: text as ExaBGP 4.2 prints it, and the path identifier in JSON and text', () => {
  assert.deepEqual(
    ROUTES.map((r) => evpnJson(r).text),
    [
      'evpn:ethernetad::65000:1:00:11:22:33:44:55:66:77:88:99:100: label 100 (1601)',
      'evpn:macadv::65000:1:-:0:00:11:22:33:44:55/48:: label 100 (1601)',
      'evpn:macadv::65000:1:00:11:22:33:44:55:66:77:88:99:5:00:11:22:33:44:55/48:2001:db8::1: label 100 (1601)',
      'evpn:multicast::65000:1:0:192.0.2.1',
      'evpn:segment::65000:1:00:11:22:33:44:55:66:77:88:99:2001:db8::1',
      'evpn:prfxadv::65000:1:-:0:10.0.0.0/24:192.0.2.1: label 100 (1601)',
      'evpn:unknown:0xdeadbeef',
    ],
  );
  const r = evpnJson({ ...ROUTES[3]!, pathId: 7 });
  assert.ok(r.json.startsWith('{ "path-information": "0.0.0.7", "code": 3, '), r.json);
  assert.ok(r.text.endsWith(' path-information 0.0.0.7'), r.text);
});

test('evpn: malformed routes are refused and disable the family (RFC 7606 §5.3)', () => {
  for (const hex of [
    '01', // no length
    '0105000000', // overruns
    '01180000FDE80000000100112233445566778899000000640006', // type 1 of 24 bytes
    '02210000FDE800000001000000000000000000000000000031001122334455000006', // MAC/IP with no room for a label
    '02210000FDE80000000100000000000000000000000000003100112233445518000641', // IP length 24
    '021E0000FDE8000000010000000000000000000000000000310011223344550000064100', // MAC length 49... and short
    '03110000FDE8000000010000000018C0000201', // multicast IP length 24
    '04170000FDE8000000010011223344556677889980C0000201', // segment says IPv6, has 4 bytes
    '05230000FDE8000000010000000000000000000000000000180A0000000000000000064100', // type 5 of 35 bytes
    '05220000FDE8000000010000000000000000000000000000210A00000000000000000641', // IPv4 prefix of 33 bits
  ]) {
    assert.throws(
      () => l2vpnEvpn.scan(hexToBytes(hex), false),
      (e: unknown) => e instanceof DecodeError && e.action === 'afisafi-disable',
      hex,
    );
  }
});

test('evpn: a route that cannot be sent is refused when encoding', () => {
  assert.throws(() => l2vpnEvpn.encode({ ...ROUTES[0]!, esi: new Uint8Array(9) } as EvpnRoute, false), RangeError);
  assert.throws(() => l2vpnEvpn.encode({ ...ROUTES[1]!, labels: [] } as EvpnRoute, false), RangeError);
  assert.throws(() => l2vpnEvpn.encode({ ...ROUTES[3]!, ip: new Uint8Array(5) } as EvpnRoute, false), RangeError);
  assert.throws(() => l2vpnEvpn.encode({ ...ROUTES[5]!, gateway: V6 } as EvpnRoute, false), RangeError);
  assert.throws(() => l2vpnEvpn.encode({ ...ROUTES[5]!, prefixLen: 33 } as EvpnRoute, false), RangeError);
  assert.throws(() => l2vpnEvpn.encode({ ...ROUTES[0]!, label: 1 << 24 } as EvpnRoute, false), RangeError);
});

test('evpn: any MAC/IP or IP Prefix route round trips (property)', () => {
  const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
  const label = fc.integer({ min: 0, max: 0xffffff });
  const macIp = fc.record({
    code: fc.constant(2 as const),
    rd: bytes(8),
    esi: bytes(10),
    etag: fc.integer({ min: 0, max: 0xffffffff }),
    macLen: fc.integer({ min: 0, max: 48 }),
    mac: bytes(6),
    ip: fc.option(fc.oneof(bytes(4), bytes(16)), { nil: undefined }),
    labels: fc.array(label, { minLength: 1, maxLength: 2 }),
  });
  const prefix = fc.boolean().chain((v6) =>
    fc.record({
      code: fc.constant(5 as const),
      rd: bytes(8),
      esi: bytes(10),
      etag: fc.integer({ min: 0, max: 0xffffffff }),
      prefixLen: fc.integer({ min: 0, max: v6 ? 128 : 32 }),
      prefix: bytes(v6 ? 16 : 4),
      gateway: bytes(v6 ? 16 : 4),
      label,
    }),
  );
  fc.assert(
    fc.property(fc.array(fc.oneof(macIp, prefix), { maxLength: 5 }), (routes) => {
      const norm = routes.map((r) => {
        const c = { ...r } as EvpnRoute & { ip?: Uint8Array };
        if (c.code === 2 && c.ip === undefined) delete c.ip;
        return c;
      });
      const data = Uint8Array.from(norm.flatMap((r) => [...l2vpnEvpn.encode(r, false)]));
      assert.deepEqual(l2vpnEvpn.items(block(data)), norm);
    }),
  );
});
