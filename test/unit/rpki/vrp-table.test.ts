import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { INVALID, NOT_FOUND, ORIGIN_NONE, VALID, VrpTable } from '../../../src/rpki/vrp-table';
import { parsePrefix } from '../../../src/wire/ip';

function pfx(s: string): { v6: boolean; addr: Uint8Array; len: number } {
  const p = parsePrefix(s);
  if (!p) throw new Error(`bad prefix ${s}`);
  return { v6: p.addr.length === 16, addr: p.addr, len: p.len };
}
const add = (t: VrpTable, s: string, maxLen: number, asn: number) => {
  const p = pfx(s);
  return t.add(p.v6, p.addr, 0, p.len, maxLen, asn);
};
const del = (t: VrpTable, s: string, maxLen: number, asn: number) => {
  const p = pfx(s);
  return t.remove(p.v6, p.addr, 0, p.len, maxLen, asn);
};
const check = (t: VrpTable, s: string, origin: number) => {
  const p = pfx(s);
  return t.validate(p.v6, p.addr, 0, p.len, origin);
};

test('RFC 6811 §2: valid, invalid (wrong AS, too long), not found, AS 0 and AS_SET origins', () => {
  const t = new VrpTable();
  add(t, '198.51.100.0/22', 24, 65001);
  add(t, '2001:db8::/32', 48, 65002);
  add(t, '203.0.113.0/24', 24, 0); // RFC 6483 §4: AS 0 ROA, nothing is valid under it
  assert.equal(check(t, '198.51.100.0/22', 65001), VALID);
  assert.equal(check(t, '198.51.101.0/24', 65001), VALID);
  assert.equal(check(t, '198.51.101.0/25', 65001), INVALID, 'longer than maxLength');
  assert.equal(check(t, '198.51.101.0/24', 65009), INVALID, 'other origin');
  assert.equal(check(t, '198.51.100.0/21', 65001), NOT_FOUND, 'shorter than the VRP: not covered');
  assert.equal(check(t, '192.0.2.0/24', 65001), NOT_FOUND);
  assert.equal(check(t, '198.51.100.0/24', ORIGIN_NONE), INVALID);
  assert.equal(check(t, '203.0.113.0/24', 0), INVALID);
  assert.equal(check(t, '2001:db8:1::/48', 65002), VALID);
  assert.equal(check(t, '2001:db8:1::/49', 65002), INVALID);
  assert.equal(check(t, '2001:db9::/32', 65002), NOT_FOUND);
  // A second VRP for the same prefix with another AS makes that AS valid too.
  add(t, '198.51.100.0/22', 22, 65009);
  assert.equal(check(t, '198.51.100.0/22', 65009), VALID);
  assert.equal(check(t, '198.51.101.0/24', 65009), INVALID);
  assert.equal(t.size, 4);
});

test('duplicates and unknown withdrawals are refused; removal restores not-found', () => {
  const t = new VrpTable();
  assert.equal(add(t, '10.0.0.0/8', 24, 1), true);
  assert.equal(add(t, '10.0.0.0/8', 24, 1), false);
  assert.equal(del(t, '10.0.0.0/8', 16, 1), false);
  assert.equal(check(t, '10.1.0.0/16', 2), INVALID);
  assert.equal(del(t, '10.0.0.0/8', 24, 1), true);
  assert.equal(check(t, '10.1.0.0/16', 2), NOT_FOUND);
  assert.equal(t.size, 0);
});

test('a reset keeps what is announced again, drops the rest, and reports only the changed prefixes', () => {
  const t = new VrpTable();
  add(t, '10.0.0.0/8', 8, 1);
  add(t, '192.0.2.0/24', 24, 2);
  t.takeChanges();
  t.beginReset();
  add(t, '10.0.0.0/8', 8, 1);
  add(t, '198.51.100.0/24', 24, 3);
  t.endReset();
  assert.equal(t.size, 2);
  assert.equal(check(t, '192.0.2.0/24', 2), NOT_FOUND);
  assert.equal(check(t, '198.51.100.0/24', 3), VALID);
  const c = t.takeChanges()!;
  const covers = (s: string) => {
    const p = pfx(s);
    return c.covers(p.v6, p.addr, 0, p.len);
  };
  assert.equal(covers('192.0.2.128/25'), true);
  assert.equal(covers('198.51.100.0/24'), true);
  assert.equal(covers('10.1.0.0/16'), false, '10/8 did not change');
  assert.equal(t.takeChanges(), undefined);
  t.clear();
  assert.equal(t.size, 0);
  assert.equal(check(t, '10.0.0.0/8', 1), NOT_FOUND);
});

test('validate() agrees with a linear scan over random VRPs and routes', () => {
  const vrp = fc.record({
    a: fc.integer({ min: 0, max: 0xffffffff }),
    len: fc.integer({ min: 0, max: 32 }),
    extra: fc.integer({ min: 0, max: 8 }),
    asn: fc.integer({ min: 0, max: 4 }),
  });
  const route = fc.record({
    a: fc.integer({ min: 0, max: 0xffffffff }),
    len: fc.integer({ min: 0, max: 32 }),
    asn: fc.integer({ min: -1, max: 4 }),
  });
  const bytes = (a: number) => Uint8Array.of(a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255);
  // `x >>> 32` is `x >>> 0` in JavaScript (shift counts are taken mod 32): /32 needs its own case.
  const mask = (a: number, l: number) => (l === 0 ? 0 : l === 32 ? a >>> 0 : (a & ~(0xffffffff >>> l)) >>> 0);
  fc.assert(
    fc.property(fc.array(vrp, { maxLength: 60 }), fc.array(route, { maxLength: 60 }), (vrps, routes) => {
      const t = new VrpTable();
      // Few distinct high bits so that VRPs cover routes often.
      const norm = vrps.map((v) => ({ ...v, a: v.a & 0xc0f00000, maxLen: Math.min(32, v.len + v.extra) }));
      for (const v of norm) t.add(false, bytes(v.a), 0, v.len, v.maxLen, v.asn);
      for (const r0 of routes) {
        const r = { ...r0, a: r0.a & 0xc0ff0000 };
        const cov = norm.filter((v) => v.len <= r.len && mask(r.a, v.len) === mask(v.a, v.len));
        const want =
          cov.length === 0
            ? NOT_FOUND
            : cov.some((v) => r.asn >= 0 && v.asn !== 0 && v.asn === r.asn && r.len <= v.maxLen)
              ? VALID
              : INVALID;
        assert.equal(t.validate(false, bytes(r.a), 0, r.len, r.asn), want);
      }
    }),
  );
});

test('a /32 VRP covers only its own address (fast-check seed -559741416 counterexample)', () => {
  const t = new VrpTable();
  add(t, '0.0.0.0/32', 32, 0);
  assert.equal(check(t, '0.1.0.0/32', 0), NOT_FOUND);
  assert.equal(check(t, '0.0.0.0/32', 0), INVALID, 'AS 0 VRP: covered, never valid');
});

test('500,000 VRPs fit in typed arrays and all validate', () => {
  const t = new VrpTable(false);
  const b = new Uint8Array(4);
  for (let i = 0; i < 500_000; i++) {
    const a = (0x0b000000 + i * 256) >>> 0;
    b[0] = a >>> 24;
    b[1] = (a >>> 16) & 255;
    b[2] = (a >>> 8) & 255;
    t.add(false, b, 0, 24, 24, 64512 + (i % 1000));
  }
  assert.equal(t.size, 500_000);
  assert.ok(t.bytes < 40 * 1024 * 1024, `${t.bytes} bytes`);
  let valid = 0;
  for (let i = 0; i < 500_000; i += 7) {
    const a = (0x0b000000 + i * 256) >>> 0;
    b[0] = a >>> 24;
    b[1] = (a >>> 16) & 255;
    b[2] = (a >>> 8) & 255;
    if (t.validate(false, b, 0, 24, 64512 + (i % 1000)) === VALID) valid++;
  }
  assert.equal(valid, Math.ceil(500_000 / 7));
});
