import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { AdjRibIn } from '../../../src/rib/adj-rib-in';
import { type PrefixKey, PrefixMap, prefixKeyEntry, prefixKeyFrom } from '../../../src/rib/prefix-map';
import { IPV4_UNICAST, IPV6_UNICAST, type NlriBlock, type Update } from '../../../src/wire/types';

/** A prefix as the wire has it: length octet then its octets. */
const entryOf = (len: number, addr: number[]): Uint8Array => Uint8Array.from([len, ...addr.slice(0, (len + 7) >> 3)]);
const refKey = (e: Uint8Array): string => Buffer.from(e).toString('hex');

function keyOf(m: PrefixMap<number>, e: Uint8Array): PrefixKey {
  const k = m.newKey();
  prefixKeyFrom(k, m.words, e[0]!, e, 1);
  return k;
}

/** Operations on a small key space, so that sets, replaces and deletes hit the same keys often. */
const op = (words: 1 | 4) =>
  fc.record({
    kind: fc.constantFrom('set', 'set', 'set', 'delete', 'get'),
    len: words === 1 ? fc.constantFrom(0, 7, 8, 16, 23, 24, 32) : fc.constantFrom(0, 32, 47, 48, 64, 127, 128),
    addr: fc.array(fc.constantFrom(0, 1, 2, 0x80, 0xff), { minLength: words * 4, maxLength: words * 4 }),
    value: fc.integer(),
  });

for (const words of [1, 4] as const) {
  test(`PrefixMap (${words === 1 ? 'IPv4' : 'IPv6'}) behaves like a Map keyed by the NLRI bytes, in insertion order`, () => {
    fc.assert(
      fc.property(fc.array(op(words), { maxLength: 400 }), (ops) => {
        const m = new PrefixMap<number>(words);
        const ref = new Map<string, [Uint8Array, number]>();
        for (const o of ops) {
          const e = entryOf(o.len, o.addr);
          const k = keyOf(m, e);
          const rk = refKey(e);
          if (o.kind === 'set') {
            const prev = ref.get(rk)?.[1];
            assert.equal(m.swap(k, o.value), prev);
            if (prev === undefined) ref.set(rk, [e, o.value]);
            else ref.get(rk)![1] = o.value;
          } else if (o.kind === 'delete') {
            assert.equal(m.delete(k), ref.delete(rk));
          } else {
            assert.equal(m.get(k), ref.get(rk)?.[1]);
            assert.equal(m.has(k), ref.has(rk));
          }
          assert.equal(m.size, ref.size);
        }
        const got = [...m].map(([k, v]) => [refKey(prefixKeyEntry(k)), v]);
        const want = [...ref].map(([k, [, v]]) => [k, v]);
        assert.deepEqual(got, want);
        assert.deepEqual(
          [...m.values()],
          want.map((x) => x[1]),
        );
      }),
      { numRuns: 300 },
    );
  });
}

test('PrefixMap grows, squeezes holes and shrinks without losing entries', () => {
  const m = new PrefixMap<number>(4);
  const ref = new Map<string, number>();
  const e = (i: number): Uint8Array => entryOf(48, [0x20, 0x01, 0x0d, 0xb8, (i >> 8) & 0xff, i & 0xff]);
  for (let i = 0; i < 50_000; i++) {
    m.set(keyOf(m, e(i)), i);
    ref.set(refKey(e(i)), i);
  }
  // Delete most, with churn, so both the same-size squeeze and the halving paths run.
  for (let i = 0; i < 50_000; i++) {
    if (i % 10 !== 0) {
      assert.equal(m.delete(keyOf(m, e(i))), true);
      ref.delete(refKey(e(i)));
    }
    if (i % 7 === 0) {
      m.set(keyOf(m, e(i)), -i);
      ref.set(refKey(e(i)), -i);
    }
  }
  assert.equal(m.size, ref.size);
  for (const [k, v] of m) assert.equal(ref.get(refKey(prefixKeyEntry(k))), v);
  for (const [k] of ref) assert.ok(m.has(keyOf(m, Buffer.from(k, 'hex'))));
  m.clear();
  assert.equal(m.size, 0);
  assert.deepEqual([...m], []);
});

test('prefix keys stand for the NLRI bytes exactly (octets past the prefix are zero)', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 128 }), fc.uint8Array({ minLength: 16, maxLength: 16 }), (len, addr) => {
      const e = entryOf(len, [...addr]);
      const k = new Uint32Array(5);
      // Garbage after the prefix in the buffer must not reach the key.
      const buf = Uint8Array.from([...e, 0xaa, 0xbb, 0xcc, 0xdd]);
      prefixKeyFrom(k, 4, len, buf, 1);
      assert.deepEqual(prefixKeyEntry(k), e);
    }),
  );
});

test('Adj-RIB-In: IPv6 routes from MP_REACH, looked up, listed and withdrawn', () => {
  const rib = new AdjRibIn();
  const block = (data: Uint8Array, count: number): NlriBlock => ({ family: IPV6_UNICAST, addPath: false, data, count });
  const nlri = Uint8Array.from([
    ...entryOf(48, [0x20, 0x01, 0x0d, 0xb8, 0, 1]),
    ...entryOf(32, [0x20, 0x01, 0x0d, 0xb8]),
    ...entryOf(0, []),
  ]);
  const nextHop = new Uint8Array(16);
  nextHop[15] = 1;
  const u: Update = {
    withdrawn: { family: IPV4_UNICAST, addPath: false, data: new Uint8Array(0), count: 0 },
    attributes: { origin: 0, asPath: [], mpReach: { family: IPV6_UNICAST, nextHop, nlri: block(nlri, 3) } },
    nlri: { family: IPV4_UNICAST, addPath: false, data: new Uint8Array(0), count: 0 },
    issues: [],
  };
  assert.deepEqual(rib.apply(u), { announced: 3, withdrawn: 0 });
  assert.equal(rib.sizeOf(IPV6_UNICAST), 3);
  assert.ok(rib.getIpv6(Uint8Array.of(0x20, 0x01, 0x0d, 0xb8, 0, 1), 48));
  assert.ok(rib.getIpv6(new Uint8Array(0), 0));
  assert.equal(rib.getIpv6(Uint8Array.of(0x20, 0x01, 0x0d, 0xb8, 0, 2), 48), undefined);
  assert.deepEqual(
    [...rib.routes(IPV6_UNICAST)].map((r) => refKey(r.entry)),
    ['3020010db80001', '2020010db8', '00'],
  );
  const w: Update = {
    withdrawn: u.withdrawn,
    attributes: { mpUnreach: { family: IPV6_UNICAST, nlri: block(entryOf(32, [0x20, 0x01, 0x0d, 0xb8]), 1) } },
    nlri: u.nlri,
    issues: [],
  };
  assert.deepEqual(rib.apply(w), { announced: 0, withdrawn: 1 });
  assert.equal(rib.size, 2);
  rib.clear();
  assert.equal(rib.size, 0);
  assert.equal(rib.interner.size, 0);
});
