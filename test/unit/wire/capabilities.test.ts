import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { capabilityName, decodeCapabilities, decodeCapability, encodeCapability } from '../../../src/wire/capabilities';
import type { Capability } from '../../../src/wire/types';
import { capabilityArb, hex, throwsDecode, toHex } from './helpers-msg';

const cases: [string, Capability, string][] = [
  ['multiprotocol ipv6 unicast', { code: 1, afi: 2, safi: 1 }, '0104 0002 00 01'],
  ['multiprotocol ipv4 flow', { code: 1, afi: 1, safi: 133 }, '0104 0001 00 85'],
  ['route refresh', { code: 2 }, '0200'],
  ['route refresh (Cisco)', { code: 128 }, '8000'],
  ['extended message', { code: 6 }, '0600'],
  ['enhanced route refresh', { code: 70 }, '4600'],
  [
    'extended next hop',
    {
      code: 5,
      entries: [
        { afi: 1, safi: 1, nextHopAfi: 2 },
        { afi: 1, safi: 128, nextHopAfi: 2 },
      ],
    },
    '050c 0001 0001 0002 0001 0080 0002',
  ],
  [
    'graceful restart R+N, 120 s, ipv4 unicast forwarding',
    { code: 64, restartFlags: 0xc, restartTime: 120, families: [{ afi: 1, safi: 1, flags: 0x80 }] },
    '4006 c078 0001 01 80',
  ],
  [
    'graceful restart, no families, max time',
    { code: 64, restartFlags: 0, restartTime: 4095, families: [] },
    '4002 0fff',
  ],
  ['4-octet AS', { code: 65, asn: 4200000000 }, '4104 fa56ea00'],
  [
    'add-path',
    {
      code: 69,
      families: [
        { afi: 1, safi: 1, mode: 3 },
        { afi: 2, safi: 1, mode: 1 },
      ],
    },
    '4508 0001 01 03 0002 01 01',
  ],
  ['hostname', { code: 73, hostname: 'r1', domain: 'example.net' }, '490f 02 7231 0b 6578616d706c652e6e6574'],
  ['hostname, empty domain', { code: 73, hostname: 'r1', domain: '' }, '4904 02 7231 00'],
  ['software version', { code: 75, version: 'tsbgp/0.1' }, '4b0a 09 74736267702f302e31'],
  ['unknown', { code: 71, unknown: true, value: Uint8Array.of(0, 1, 1, 0x80, 0, 0, 0x0e) }, '4707 0001018000000e'],
];

for (const [name, cap, bytes] of cases) {
  test(`capability ${name}: exact bytes both ways`, () => {
    const b = hex(bytes);
    assert.equal(toHex(encodeCapability(cap)), toHex(b));
    assert.deepEqual(decodeCapabilities(b), [cap]);
  });
}

test('capabilities: several in one parameter value decode in order, appending to a list', () => {
  const list: Capability[] = [{ code: 2 }];
  decodeCapabilities(hex('0104000100010200 4104 0000fde8'), list);
  assert.deepEqual(list, [{ code: 2 }, { code: 1, afi: 1, safi: 1 }, { code: 2 }, { code: 65, asn: 65000 }]);
  assert.deepEqual(decodeCapabilities(new Uint8Array(0)), []);
});

test('capabilities: unknown values are copies, not views of the message', () => {
  const b = hex('99 03 010203');
  const [c] = decodeCapabilities(b) as [{ code: number; unknown: true; value: Uint8Array }];
  b[2] = 0xee;
  assert.deepEqual(c.value, Uint8Array.of(1, 2, 3));
});

test('capabilities: valueless ones with a value, and malformed informational ones, are kept as unknown', () => {
  assert.deepEqual(decodeCapability(2, Uint8Array.of(1)), { code: 2, unknown: true, value: Uint8Array.of(1) });
  assert.deepEqual(decodeCapability(73, Uint8Array.of(5, 0x61)), {
    code: 73,
    unknown: true,
    value: Uint8Array.of(5, 0x61),
  });
  assert.deepEqual(decodeCapability(73, Uint8Array.of(1, 0x61, 3, 0x62)), {
    code: 73,
    unknown: true,
    value: Uint8Array.of(1, 0x61, 3, 0x62),
  });
  assert.deepEqual(decodeCapability(73, new Uint8Array(0)), { code: 73, unknown: true, value: new Uint8Array(0) });
  assert.deepEqual(decodeCapability(75, Uint8Array.of(9, 0x61)), {
    code: 75,
    unknown: true,
    value: Uint8Array.of(9, 0x61),
  });
  // A hostname without any domain part at all: the domain is empty.
  assert.deepEqual(decodeCapability(73, Uint8Array.of(1, 0x61)), { code: 73, hostname: 'a', domain: '' });
});

test('capabilities: malformed known capabilities → OPEN error 2/0', () => {
  throwsDecode(() => decodeCapability(1, Uint8Array.of(0, 1, 0)), 2, 0);
  throwsDecode(() => decodeCapability(65, Uint8Array.of(0, 0, 1)), 2, 0);
  throwsDecode(() => decodeCapability(5, new Uint8Array(5)), 2, 0);
  throwsDecode(() => decodeCapability(64, Uint8Array.of(0)), 2, 0);
  throwsDecode(() => decodeCapability(64, new Uint8Array(5)), 2, 0);
  throwsDecode(() => decodeCapability(69, new Uint8Array(3)), 2, 0);
  // A capability whose length overruns the parameter, or a lone code byte.
  throwsDecode(() => decodeCapabilities(hex('0104 000100')), 2, 0);
  throwsDecode(() => decodeCapabilities(hex('0200 41')), 2, 0);
});

test('capabilities: UTF-8 text survives, a leading BOM included', () => {
  const c: Capability = { code: 73, hostname: '\ufeffrouteur-é', domain: 'exemple.fr' };
  assert.deepEqual(decodeCapabilities(encodeCapability(c)), [c]);
});

test('capabilities: encoding refuses values too large for the 1-byte length', () => {
  assert.throws(() => encodeCapability({ code: 73, hostname: 'a'.repeat(200), domain: 'b'.repeat(60) }), RangeError);
  assert.throws(() => encodeCapability({ code: 75, version: 'v'.repeat(255) }), RangeError);
  assert.throws(
    () => encodeCapability({ code: 69, families: Array.from({ length: 64 }, () => ({ afi: 1, safi: 1, mode: 3 })) }),
    RangeError,
  );
});

test('capabilities: random capability lists round-trip', () => {
  fc.assert(
    fc.property(fc.array(capabilityArb, { maxLength: 12 }), (caps) => {
      const parts = caps.map(encodeCapability);
      const all = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
      let o = 0;
      for (const p of parts) {
        all.set(p, o);
        o += p.length;
      }
      assert.deepEqual(decodeCapabilities(all), caps);
    }),
    { numRuns: 500 },
  );
});

test('capabilities: decoding arbitrary bytes throws DecodeError or returns a list', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 80 }), (b) => {
      try {
        assert.ok(Array.isArray(decodeCapabilities(b)));
      } catch (e) {
        assert.equal((e as Error).name, 'DecodeError');
      }
    }),
    { numRuns: 2000 },
  );
});

test('capability names', () => {
  assert.equal(capabilityName(65), '4-octet AS number');
  assert.equal(capabilityName(200), 'capability 200');
});
