// NlriTable against a Map model: the same keys found, the same values, the queue in order and without
// duplicates, through deletions and the compactions they trigger.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { NlriTable } from '../../../src/rib/nlri-table';

const keyText = (pathId: number, b: Uint8Array): string => `${pathId}/${Buffer.from(b).toString('hex')}`;

test('insert, find, set and delete agree with a Map, across compactions', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          op: fc.constantFrom('set', 'set', 'delete', 'enqueue'),
          pathId: fc.constantFrom(0, 1, 0xffffffff),
          len: fc.integer({ min: 0, max: 24 }),
          v: fc.integer({ min: 0, max: 3000 }),
        }),
        { maxLength: 400 },
      ),
      (ops) => {
        const t = new NlriTable<number>();
        const model = new Map<string, number>();
        for (const o of ops) {
          // Keys from a small space so that the same key comes back often.
          const b = Uint8Array.of(o.len, o.v & 0xff, (o.v >> 8) & 0x0f);
          const k = keyText(o.pathId, b);
          if (o.op === 'set') {
            const e = t.insert(o.pathId, b, 0, b.length);
            t.set(e, o.v);
            model.set(k, o.v);
          } else if (o.op === 'delete') {
            const e = t.find(o.pathId, b, 0, b.length);
            assert.equal(e >= 0 && t.get(e) !== undefined, model.has(k));
            if (e >= 0) t.set(e, undefined);
            model.delete(k);
            t.compact();
          } else {
            const e = t.find(o.pathId, b, 0, b.length);
            if (e >= 0) t.enqueue(e);
          }
          assert.equal(t.size, model.size);
        }
        for (const [k, v] of model) {
          const [p, hex] = k.split('/');
          const b = Buffer.from(hex!, 'hex');
          const e = t.find(Number(p), b, 0, b.length);
          assert.ok(e >= 0, k);
          assert.equal(t.get(e), v);
          assert.equal(t.pathId(e), Number(p));
          assert.deepEqual(t.entry(e), Uint8Array.from(b));
        }
        const seen = new Set<string>();
        for (const e of t.entries()) seen.add(keyText(t.pathId(e), t.entry(e)));
        assert.deepEqual([...seen].sort(), [...model.keys()].sort());
        // Whatever is queued comes out once each.
        const out: number[] = [];
        for (let e = t.dequeue(); e >= 0; e = t.dequeue()) out.push(e);
        assert.equal(new Set(out).size, out.length);
        assert.equal(t.pending, 0);
      },
    ),
    { numRuns: 200 },
  );
});

test('a big table: every key found, insertion order kept, withdrawn keys forgotten, queue renumbered', () => {
  const t = new NlriTable<string>();
  const n = 50_000;
  const key = (i: number) => Uint8Array.of(24, 10 + (i >> 16), (i >> 8) & 255, i & 255);
  for (let i = 0; i < n; i++) t.set(t.insert(0, key(i), 0, 4), i % 2 ? 'odd' : 'even');
  assert.equal(t.size, n);
  for (let i = 0; i < n; i += 997) assert.equal(t.get(t.find(0, key(i), 0, 4)), i % 2 ? 'odd' : 'even');
  assert.equal(t.find(0, key(n), 0, 4), -1);
  assert.equal(t.find(7, key(1), 0, 4), -1, 'the path id is part of the key');
  // Delete all keys but i % 4 == 3 (the first 10 of them queued as withdrawals), compact, then queue the
  // remaining keys after the withdrawals.
  const withdrawn: number[] = [];
  for (let i = 0; i < n; i++) {
    if (i % 4 === 3) continue;
    const e = t.find(0, key(i), 0, 4);
    t.set(e, undefined);
    if (withdrawn.length < 10) {
      t.enqueue(e);
      withdrawn.push(i);
    }
  }
  t.compact();
  for (let i = 3; i < n; i += 4) t.enqueue(t.find(0, key(i), 0, 4));
  assert.equal(t.size, n / 4);
  assert.equal(t.find(0, key(100), 0, 4), -1, 'deleted and not queued: forgotten');
  assert.ok(t.find(0, key(2), 0, 4) >= 0, 'deleted but queued: kept for its withdrawal');
  const order: number[] = [];
  for (let e = t.dequeue(); e >= 0; e = t.dequeue()) {
    const b = t.entry(e);
    order.push(((b[1]! - 10) << 16) | (b[2]! << 8) | b[3]!);
  }
  const expected = [...withdrawn, ...Array.from({ length: n / 4 }, (_, k) => 4 * k + 3)];
  assert.deepEqual(order, expected);
  // Keys inserted again after a compaction are found, and the order of entries() is insertion order.
  t.set(t.insert(0, key(100), 0, 4), 'back');
  const all = [...t.entries()].map((e) => t.get(e));
  assert.equal(all[all.length - 1], 'back');
  assert.equal(t.size, n / 4 + 1);
});

test('findAll: every path id of a destination, none of another, before and after the table grows', () => {
  const t = new NlriTable<number>();
  const a = Uint8Array.of(24, 10, 0, 1);
  const b = Uint8Array.of(24, 10, 0, 2);
  for (const id of [0, 7, 0xffffffff]) t.set(t.insert(id, a, 0, a.length), id);
  t.set(t.insert(3, b, 0, b.length), 3);
  const ids = () => t.findAll(a, 0, a.length).map((e) => t.pathId(e));
  assert.deepEqual(
    ids().sort((x, y) => x - y),
    [0, 7, 0xffffffff],
  );
  // Thousands of other keys: the table rehashes; the three are still found, and find() still tells ids apart.
  for (let i = 0; i < 5000; i++) t.insert(i, Uint8Array.of(32, 10, 1, i >> 8, i & 255), 0, 5);
  assert.deepEqual(
    ids().sort((x, y) => x - y),
    [0, 7, 0xffffffff],
  );
  assert.equal(t.get(t.find(7, a, 0, a.length)), 7);
  assert.equal(t.find(8, a, 0, a.length), -1);
  assert.deepEqual(t.findAll(Uint8Array.of(24, 10, 0, 3), 0, 4), []);
});
