import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { decodeOpen, encodeOpen } from '../../../src/wire/open';
import type { Capability, Open } from '../../../src/wire/types';
import { hex, openArb, throwsDecode, toHex } from './helpers-msg';

const base: Open = {
  version: 4,
  myAs: 65001,
  holdTime: 90,
  routerId: Uint8Array.of(192, 0, 2, 1),
  capabilities: [{ code: 1, afi: 1, safi: 1 }, { code: 2 }, { code: 65, asn: 4200000000 }],
};
// Checked by hand against RFC 4271 §4.2 / RFC 5492 §4, and decoded by tshark as the same fields.
const BASE_HEX =
  'ffffffffffffffffffffffffffffffff 002d 01' + '04 fde9 005a c0000201 10' + '02 0e 01040001 0001 0200 4104 fa56ea00';

const body = (m: Uint8Array): Uint8Array => m.subarray(19);

test('OPEN: exact bytes of a typical OPEN, all capabilities in one parameter', () => {
  assert.equal(toHex(encodeOpen(base)), toHex(hex(BASE_HEX)));
  assert.deepEqual(decodeOpen(body(hex(BASE_HEX))), base);
});

test('OPEN: no capabilities → optional parameters length 0', () => {
  const o = { ...base, capabilities: [] };
  const m = encodeOpen(o);
  assert.equal(m.length, 29);
  assert.equal(m[28], 0);
  assert.deepEqual(decodeOpen(body(m)), o);
});

test('OPEN: capabilities one per parameter decode like one parameter', () => {
  const b = hex('04 fde9 005a c0000201 14' + '02 06 01040001 0001' + '02 02 0200' + '02 06 4104 fa56ea00');
  assert.deepEqual(decodeOpen(b), base);
  // Mixed, with an empty Capabilities parameter too.
  const c = hex('04 fde9 005a c0000201 14' + '02 08 01040001 0001 0200' + '02 00' + '02 06 4104 fa56ea00');
  assert.deepEqual(decodeOpen(c), base);
});

test('OPEN: more than 255 bytes of capabilities in several parameters when they fit, else RFC 9072', () => {
  // ~200 bytes: one parameter of 255 at most, classic encoding.
  const mid: Capability[] = Array.from({ length: 33 }, (_, i) => ({ code: 1, afi: 1, safi: i + 1 }));
  const m1 = encodeOpen({ ...base, capabilities: mid });
  assert.notEqual(m1[29], 255);
  assert.deepEqual(decodeOpen(body(m1)).capabilities, mid);

  const many: Capability[] = Array.from({ length: 60 }, (_, i) => ({ code: 1, afi: 2, safi: i + 1 }));
  const m2 = encodeOpen({ ...base, capabilities: many });
  const b = body(m2);
  // RFC 9072 §2: Non-Ext OP Len 255, Non-Ext OP Type 255, Extended Opt. Parm. Length, 2-byte parameter lengths.
  assert.equal(b[9], 255);
  assert.equal(b[10], 255);
  const extLen = (b[11]! << 8) | b[12]!;
  assert.equal(extLen, 3 + 60 * 6);
  assert.equal(b.length, 13 + extLen);
  assert.equal(b[13], 2);
  assert.equal((b[14]! << 8) | b[15]!, 60 * 6);
  assert.deepEqual(decodeOpen(b).capabilities, many);
});

test('OPEN: RFC 9072 encoding with a short total and several parameters decodes', () => {
  const b = hex('04 fde9 005a c0000201 ff ff 0010' + '02 0008 01040001 0001 0200' + '02 0002 0600');
  assert.deepEqual(decodeOpen(b).capabilities, [{ code: 1, afi: 1, safi: 1 }, { code: 2 }, { code: 6 }]);
});

test('OPEN: random OPENs round-trip (capability sets of every kind and size)', () => {
  fc.assert(
    fc.property(openArb, (o) => {
      const m = encodeOpen(o);
      assert.equal((m[16]! << 8) | m[17]!, m.length);
      assert.equal(m[18], 1);
      assert.deepEqual(decodeOpen(body(m)), o);
    }),
    { numRuns: 500 },
  );
});

const fixed = (version: number, as: number, hold: number, id: string, opt = '00'): Uint8Array =>
  hex(
    version.toString(16).padStart(2, '0') +
      as.toString(16).padStart(4, '0') +
      hold.toString(16).padStart(4, '0') +
      id +
      opt,
  );

test('OPEN errors: unsupported version → 2/1, data = 4 as two octets', () => {
  throwsDecode(() => decodeOpen(fixed(3, 65001, 90, 'c0000201')), 2, 1, Uint8Array.of(0, 4));
  throwsDecode(() => decodeOpen(fixed(5, 65001, 90, 'c0000201')), 2, 1, Uint8Array.of(0, 4));
});

test('OPEN errors: AS 0 → 2/2 (RFC 7607), in the header field or the AS4 capability', () => {
  throwsDecode(() => decodeOpen(fixed(4, 0, 90, 'c0000201')), 2, 2);
  throwsDecode(() => decodeOpen(fixed(4, 23456, 90, 'c0000201', '08 0206 410400000000')), 2, 2);
});

test('OPEN errors: BGP identifier 0 → 2/3; any other value is fine (RFC 6286)', () => {
  throwsDecode(() => decodeOpen(fixed(4, 65001, 90, '00000000')), 2, 3);
  assert.deepEqual(decodeOpen(fixed(4, 65001, 90, 'ffffffff')).routerId, Uint8Array.of(255, 255, 255, 255));
  assert.deepEqual(decodeOpen(fixed(4, 65001, 90, 'e0000001')).routerId, Uint8Array.of(224, 0, 0, 1));
});

test('OPEN errors: optional parameter other than capabilities → 2/4', () => {
  throwsDecode(() => decodeOpen(fixed(4, 65001, 90, 'c0000201', '03 01 01 00')), 2, 4);
  throwsDecode(() => decodeOpen(fixed(4, 65001, 90, 'c0000201', '06 0200 03 02 abcd')), 2, 4);
});

test('OPEN errors: hold time 1 or 2 → 2/6; 0 and 3 are acceptable', () => {
  throwsDecode(() => decodeOpen(fixed(4, 65001, 1, 'c0000201')), 2, 6);
  throwsDecode(() => decodeOpen(fixed(4, 65001, 2, 'c0000201')), 2, 6);
  assert.equal(decodeOpen(fixed(4, 65001, 0, 'c0000201')).holdTime, 0);
  assert.equal(decodeOpen(fixed(4, 65001, 3, 'c0000201')).holdTime, 3);
  assert.equal(decodeOpen(fixed(4, 65001, 65535, 'c0000201')).holdTime, 65535);
});

test('OPEN errors: malformed optional parameters → 2/0', () => {
  // Length says 4, 3 bytes follow; length says 2, 3 bytes follow.
  throwsDecode(() => decodeOpen(fixed(4, 65001, 90, 'c0000201', '04 02 02 00')), 2, 0);
  throwsDecode(() => decodeOpen(fixed(4, 65001, 90, 'c0000201', '02 02 02 00')), 2, 0);
  // Parameter length overruns the parameters; a lone parameter type byte.
  throwsDecode(() => decodeOpen(fixed(4, 65001, 90, 'c0000201', '03 02 05 00 00')), 2, 0);
  throwsDecode(() => decodeOpen(fixed(4, 65001, 90, 'c0000201', '01 02')), 2, 0);
  // Capability overrunning its parameter, malformed multiprotocol capability.
  throwsDecode(() => decodeOpen(fixed(4, 65001, 90, 'c0000201', '04 02 02 4104')), 2, 0);
  throwsDecode(() => decodeOpen(fixed(4, 65001, 90, 'c0000201', '05 02 03 0101 00')), 2, 0);
  // RFC 9072: extended length missing, or not matching.
  throwsDecode(() => decodeOpen(fixed(4, 65001, 90, 'c0000201', 'ff ff 00')), 2, 0);
  throwsDecode(() => decodeOpen(fixed(4, 65001, 90, 'c0000201', 'ff ff 0009 02 0002 0200')), 2, 0);
  throwsDecode(() => decodeOpen(fixed(4, 65001, 90, 'c0000201', 'ff ff 0004 02 0002 0200')), 2, 0);
});

test('OPEN errors: body shorter than the fixed fields → 1/2', () => {
  throwsDecode(() => decodeOpen(hex('04 fde9 005a c0000201')), 1, 2, Uint8Array.of(0, 28));
});

test('OPEN: unknown capabilities never fail the OPEN', () => {
  const o = decodeOpen(fixed(4, 65001, 90, 'c0000201', '09 02 07 47 05 0000000000'));
  assert.deepEqual(o.capabilities, [{ code: 71, unknown: true, value: new Uint8Array(5) }]);
});

test('OPEN: decoding random bodies throws only DecodeError', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 60 }), fc.uint8Array({ maxLength: 60 }), (a, tail) => {
      // A plausible head so that the parameter parser is reached most of the time.
      const b = new Uint8Array(10 + a.length + tail.length);
      b.set([4, 0xfd, 0xe9, 0, 90, 10, 0, 0, 1, a.length]);
      b.set(a, 10);
      b.set(tail, 10 + a.length);
      for (const x of [b, b.subarray(0, 10 + a.length), a]) {
        try {
          decodeOpen(x);
        } catch (e) {
          assert.equal((e as Error).name, 'DecodeError', String(e));
        }
      }
    }),
    { numRuns: 3000 },
  );
});

test('OPEN: encoding refuses a bad router id and an OPEN over 4096 bytes', () => {
  assert.throws(() => encodeOpen({ ...base, routerId: new Uint8Array(3) }), RangeError);
  const huge: Capability[] = Array.from({ length: 700 }, () => ({ code: 1, afi: 1, safi: 1 }));
  assert.throws(() => encodeOpen({ ...base, capabilities: huge }), RangeError);
});
