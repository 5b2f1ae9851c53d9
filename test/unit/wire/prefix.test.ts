import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { bytesToHex, hexToBytes } from '../../../src/wire/bytes';
import { DecodeError } from '../../../src/wire/errors';
import { ipToString, ipv4ToString, ipv6ToString, parseIp, parsePrefix } from '../../../src/wire/ip';
import {
  forEachPrefix,
  ipv4Multicast,
  ipv4Unicast,
  ipv6Unicast,
  prefixToString,
  scanPrefixes,
} from '../../../src/wire/nlri/prefix';
import { emptyBlock, familyCodec, familyName, makeBlock, parseFamily } from '../../../src/wire/nlri/registry';
import { familyKey, IPV4_UNICAST, IPV6_UNICAST, type Prefix } from '../../../src/wire/types';

test('ipv4 and ipv6 text', () => {
  assert.equal(ipv4ToString(Uint8Array.of(192, 0, 2, 1)), '192.0.2.1');
  const cases: [string, string][] = [
    ['20010db8000000000000000000000001', '2001:db8::1'],
    ['00000000000000000000000000000000', '::'],
    ['00000000000000000000000000000001', '::1'],
    ['20010db8000000010000000000000000', '2001:db8:0:1::'],
    // RFC 5952 §4.2.2: one zero group stays; §4.2.3: the first of two equal runs is compressed.
    ['20010db8000000010001000100010001', '2001:db8:0:1:1:1:1:1'],
    ['20010000000000010000000000010001', '2001::1:0:0:1:1'],
    ['20010000000000010000000000000001', '2001:0:0:1::1'],
    ['00000000000000000000ffffc0000201', '::ffff:192.0.2.1'],
    ['fe800000000000000000000000000abc', 'fe80::abc'],
  ];
  for (const [hex, text] of cases) {
    assert.equal(ipv6ToString(hexToBytes(hex)), text);
    assert.equal(bytesToHex(parseIp(text)!), hex.toUpperCase());
  }
  assert.equal(ipToString(Uint8Array.of(10, 0, 0, 1)), '10.0.0.1');
  // A 32-byte next hop (global + link-local, RFC 2545 §3): its global address, not four bytes of it as IPv4.
  assert.equal(
    ipToString(hexToBytes('20010db8000000000000000000000001fe800000000000000000000000000001')),
    '2001:db8::1',
  );
  for (const bad of ['1.2.3', '1.2.3.256', '1::2::3', '12345::', 'x', '1.2.3.4.5', '1:2:3:4:5:6:7:8:9', '']) {
    assert.equal(parseIp(bad), null, bad);
  }
  assert.deepEqual(parsePrefix('10.0.0.0/24'), { addr: Uint8Array.of(10, 0, 0, 0), len: 24 });
  assert.deepEqual(parsePrefix('10.0.0.1'), { addr: Uint8Array.of(10, 0, 0, 1), len: 32 });
  assert.equal(parsePrefix('10.0.0.0/33'), null);
  assert.equal(parsePrefix('2001:db8::/129'), null);
  assert.equal(parsePrefix('2001:db8::/32')!.len, 32);
});

test('ipv6 text round trip', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (b) => {
      assert.deepEqual(parseIp(ipv6ToString(b)), b);
    }),
    { numRuns: 500 },
  );
});

test('prefix codec: encode, scan, items, forEachPrefix', () => {
  const p: Prefix = { family: IPV4_UNICAST, len: 22, addr: Uint8Array.of(10, 1, 7, 255) };
  // Host bits past the length go out as zero.
  assert.equal(bytesToHex(ipv4Unicast.encode(p, false)), '160A0104');
  assert.equal(bytesToHex(ipv4Unicast.encode({ ...p, pathId: 7 }, true)), '00000007160A0104');
  const block = makeBlock(IPV4_UNICAST, [p, { family: IPV4_UNICAST, len: 0, addr: new Uint8Array(4) }], false);
  assert.equal(block.count, 2);
  assert.equal(ipv4Unicast.scan(block.data, false), 2);
  const items = ipv4Unicast.items(block);
  assert.deepEqual(items.map(prefixToString), ['10.1.4.0/22', '0.0.0.0/0']);
  const seen: [number, number, number][] = [];
  forEachPrefix(block, (len, data, off, pathId) => seen.push([len, data[off] ?? -1, pathId]));
  assert.deepEqual(seen, [
    [22, 10, 0],
    [0, -1, 0],
  ]);

  const v6 = makeBlock(
    IPV6_UNICAST,
    [{ family: IPV6_UNICAST, len: 48, addr: parseIp('2001:db8:1::')!, pathId: 9 }],
    true,
  );
  assert.equal(bytesToHex(v6.data), '00000009' + '3020010DB80001');
  const back = ipv6Unicast.items(v6);
  assert.equal(prefixToString(back[0]!), '2001:db8:1::/48');
  assert.equal(back[0]!.pathId, 9);
});

test('scan rejects bad lengths and overruns without throwing anything but DecodeError', () => {
  const bad: [string, boolean, number][] = [
    ['21000000', false, 32], // /33 in IPv4
    ['810000', false, 128], // /129 in IPv6
    ['180A00', false, 32], // /24 with two bytes
    ['00000001', false, 32], // a path id read as prefix lengths: /1 without its byte
    ['000000', true, 32], // truncated path id
    ['00000001', true, 32], // path id without a length byte
    ['0000000118', true, 32], // /24 with no bytes
  ];
  for (const [hex, ap, bits] of bad) {
    assert.throws(
      () => scanPrefixes(hexToBytes(hex), ap, bits, IPV4_UNICAST),
      (e: unknown) => e instanceof DecodeError && e.code === 3 && e.subcode === 10 && e.action === 'afisafi-disable',
      hex,
    );
  }
  assert.equal(scanPrefixes(hexToBytes('00'), false, 32, IPV4_UNICAST), 1);
  assert.equal(scanPrefixes(hexToBytes('2001020304'), false, 32, IPV4_UNICAST), 1);
  assert.equal(scanPrefixes(new Uint8Array(0), true, 32, IPV4_UNICAST), 0);
});

test('prefix codec round trip', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          len: fc.integer({ min: 0, max: 32 }),
          a: fc.uint8Array({ minLength: 4, maxLength: 4 }),
          id: fc.nat(),
        }),
        {
          maxLength: 20,
        },
      ),
      fc.boolean(),
      (ps, ap) => {
        const items = ps.map(
          (x) => ({ family: IPV4_UNICAST, len: x.len, addr: x.a, pathId: ap ? x.id : undefined }) as Prefix,
        );
        const block = makeBlock(IPV4_UNICAST, items, ap);
        assert.equal(ipv4Unicast.scan(block.data, ap), items.length);
        const back = ipv4Unicast.items(block);
        assert.equal(back.length, items.length);
        back.forEach((b, i) => {
          assert.equal(b.len, items[i]!.len);
          assert.equal(b.pathId, ap ? items[i]!.pathId : undefined);
          // Same prefix once host bits are masked.
          assert.equal(
            prefixToString(b),
            prefixToString({
              ...items[i]!,
              addr: ipv4Unicast.items({ ...block, data: ipv4Unicast.encode(items[i]!, false), addPath: false })[0]!
                .addr,
            }),
          );
        });
      },
    ),
    { numRuns: 300 },
  );
});

test('registry names and lookups', () => {
  assert.equal(familyName(IPV4_UNICAST), 'ipv4 unicast');
  assert.equal(familyName(familyKey(2, 2)), 'ipv6 multicast');
  assert.equal(familyName(familyKey(2, 133)), 'ipv6 flow');
  assert.equal(familyName(familyKey(25, 70)), 'l2vpn evpn');
  assert.equal(familyName(familyKey(1, 128)), 'ipv4 mpls-vpn');
  assert.equal(familyName(familyKey(99, 7)), 'afi 99 safi 7');
  assert.equal(parseFamily('ipv4', 'flow-vpn'), familyKey(1, 134));
  assert.equal(parseFamily('ipv6', 'nlri-mpls'), familyKey(2, 4));
  assert.equal(parseFamily('l2vpn', 'vpls'), familyKey(25, 65));
  assert.equal(parseFamily('ipv4', 'nonsense'), undefined);
  assert.equal(familyCodec(familyKey(1, 2)), ipv4Multicast);
  assert.deepEqual(emptyBlock(IPV6_UNICAST), {
    family: IPV6_UNICAST,
    addPath: false,
    data: new Uint8Array(0),
    count: 0,
  });
  assert.throws(() => makeBlock(familyKey(99, 7), [], false));
});

test('parseIp: IPv4 is four groups of one to three digits, each at most 255, nothing else', () => {
  const ok: [string, number[]][] = [
    ['1.2.3.4', [1, 2, 3, 4]],
    ['255.255.255.255', [255, 255, 255, 255]],
    ['01.002.3.4', [1, 2, 3, 4]],
    ['0.0.0.0', [0, 0, 0, 0]],
  ];
  for (const [s, b] of ok) assert.deepEqual(parseIp(s), Uint8Array.from(b), s);
  for (const s of [
    '256.1.1.1',
    '1.2.3',
    '1.2.3.4.',
    '1..2.3',
    '0001.2.3.4',
    'a.b.c.d',
    '1.2.3.4 ',
    ' 1.2.3.4',
    '1.2.3.-4',
    '',
    '.1.2.3',
    '1.2.3.4/24',
    '１.2.3.4',
  ]) {
    assert.equal(parseIp(s), null, JSON.stringify(s));
  }
});
