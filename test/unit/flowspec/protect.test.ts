// The guard's protected-prefix index gives the answer a plain bit-by-bit comparison with every prefix gives, for
// random IPv4 and IPv6 prefixes of every length, offsets included, and for the edge cases.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ProtectedPrefix, reachesProtected } from '../../../src/flowspec/protect';
import type { FlowPrefix } from '../../../src/flowspec/rule';
import { parsePrefix } from '../../../src/wire/ip';

const bit = (a: Uint8Array, i: number): number => (a[i >> 3]! >> (7 - (i & 7))) & 1;

/** The reference: some protected prefix of the family whose fixed bits agree with the component's. */
function slow(c: FlowPrefix, protect: ProtectedPrefix[], bytes: number): boolean {
  return protect.some((p) => {
    if (p.addr.length !== bytes) return false;
    for (let i = c.offset; i < Math.min(c.len, p.len); i++) if (bit(c.addr, i) !== bit(p.addr, i)) return false;
    return true;
  });
}

// A small deterministic generator (xorshift) so a failure can be replayed.
let seed = 0x2545f491;
const rnd = (n: number): number => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) % n;
};
/** Addresses from a few nearby blocks, so that overlaps happen often. */
const address = (bytes: number): Uint8Array => {
  const a = new Uint8Array(bytes);
  a[0] = 10 + rnd(2);
  a[1] = rnd(3);
  for (let i = 2; i < bytes; i++) a[i] = rnd(4) === 0 ? rnd(256) : rnd(2);
  return a;
};

test('the index agrees with a comparison against every prefix (IPv4 and IPv6, 4000 random cases)', () => {
  for (const bytes of [4, 16]) {
    const bits = bytes * 8;
    const protect: ProtectedPrefix[] = [];
    for (let i = 0; i < 300; i++) protect.push({ addr: address(bytes), len: rnd(4) === 0 ? rnd(bits + 1) : bits });
    protect.push({ addr: address(20 - bytes), len: 8 }); // the other family: never matches
    for (let i = 0; i < 2000; i++) {
      const len = rnd(bits + 1);
      const offset = bytes === 16 && rnd(5) === 0 ? rnd(len + 1) : 0;
      const c: FlowPrefix = { type: 1, len, offset, addr: address(bytes) };
      assert.equal(reachesProtected(c, protect, bytes), slow(c, protect, bytes), JSON.stringify({ ...c, bytes }));
    }
  }
});

test('edge cases: no component, no prefix of the family, no protected set, host and /0 prefixes', () => {
  const p = (s: string): ProtectedPrefix => parsePrefix(s)!;
  const c = (s: string): FlowPrefix => ({ type: 1, offset: 0, ...parsePrefix(s)! });
  const protect = [p('192.0.2.1'), p('10.255.0.0/24')];
  assert.equal(reachesProtected(undefined, protect, 4), true);
  assert.equal(reachesProtected(undefined, protect, 16), false);
  assert.equal(reachesProtected(c('2001:db8::/32'), protect, 16), false);
  assert.equal(reachesProtected(c('203.0.113.0/24'), undefined, 4), true);
  assert.equal(reachesProtected(c('0.0.0.0/0'), protect, 4), true);
  assert.equal(reachesProtected(c('192.0.2.1/32'), protect, 4), true);
  assert.equal(reachesProtected(c('192.0.2.2/32'), protect, 4), false);
  assert.equal(reachesProtected(c('192.0.2.0/30'), protect, 4), true);
  assert.equal(reachesProtected(c('10.255.0.77/32'), protect, 4), true);
  assert.equal(reachesProtected(c('10.255.1.0/24'), protect, 4), false);
  assert.equal(reachesProtected(c('10.0.0.0/8'), protect, 4), true);
});
