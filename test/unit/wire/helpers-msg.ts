// Shared by the wire message tests: DecodeError assertions and fast-check arbitraries for capabilities.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DecodeError } from '../../../src/wire/errors';
import type { Capability, Open } from '../../../src/wire/types';

export function throwsDecode(fn: () => unknown, code: number, subcode: number, data?: Uint8Array): DecodeError {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof DecodeError, `expected DecodeError ${code}/${subcode}, got ${String(err)}`);
  assert.equal(err.code, code, `code of: ${err.message}`);
  assert.equal(err.subcode, subcode, `subcode of: ${err.message}`);
  if (data) assert.deepEqual(err.data, data);
  return err;
}

export const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
export const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

const u16 = fc.integer({ min: 0, max: 0xffff });
const u8 = fc.integer({ min: 0, max: 0xff });
/** Any code points (BOM and controls included), at most maxBytes of UTF-8. */
export const shortText = (maxBytes: number): fc.Arbitrary<string> =>
  fc.string({ unit: 'binary', maxLength: Math.floor(maxBytes / 4) });

export const capabilityArb: fc.Arbitrary<Capability> = fc.oneof(
  fc.record({ code: fc.constant(1 as const), afi: u16, safi: u8 }),
  fc.constantFrom(2 as const, 6 as const, 70 as const, 128 as const).map((code) => ({ code })),
  fc.record({
    code: fc.constant(5 as const),
    entries: fc.array(fc.record({ afi: u16, safi: u16, nextHopAfi: u16 }), { maxLength: 10 }),
  }),
  fc.record({
    code: fc.constant(64 as const),
    restartFlags: fc.integer({ min: 0, max: 15 }),
    restartTime: fc.integer({ min: 0, max: 4095 }),
    families: fc.array(fc.record({ afi: u16, safi: u8, flags: u8 }), { maxLength: 10 }),
  }),
  fc.record({
    code: fc.constant(8 as const),
    families: fc.array(fc.record({ afi: u16, safi: u8, count: u8 }), { maxLength: 10 }),
  }),
  fc.record({ code: fc.constant(65 as const), asn: fc.integer({ min: 1, max: 0xffffffff }) }),
  fc.record({
    code: fc.constant(69 as const),
    families: fc.array(fc.record({ afi: u16, safi: u8, mode: fc.integer({ min: 1, max: 3 }) }), { maxLength: 10 }),
  }),
  fc.record({ code: fc.constant(73 as const), hostname: shortText(60), domain: shortText(60) }),
  fc.record({ code: fc.constant(75 as const), version: shortText(64) }),
  fc
    .record({
      code: u8.filter((c) => ![1, 2, 5, 6, 8, 64, 65, 69, 70, 73, 75, 128].includes(c)),
      value: fc.uint8Array({ maxLength: 40 }),
    })
    .map(({ code, value }) => ({ code, unknown: true as const, value })),
);

export const openArb: fc.Arbitrary<Open> = fc.record({
  version: fc.constant(4),
  myAs: fc.integer({ min: 1, max: 0xffff }),
  holdTime: fc.oneof(fc.constant(0), fc.integer({ min: 3, max: 0xffff })),
  routerId: fc.uint8Array({ minLength: 4, maxLength: 4 }).filter((b) => b.some((x) => x !== 0)),
  // Up to ~30 capabilities: enough to cross 255 bytes (RFC 9072) and stay under 4096.
  capabilities: fc.array(capabilityArb, { maxLength: 30 }),
});
