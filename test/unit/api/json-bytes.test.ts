import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { familyRenderer, JsonEncoder } from '../../../src/api/json';
import { familyKey, IPV4_UNICAST, IPV6_UNICAST, type NlriBlock, type Update } from '../../../src/wire/types';

const IPV4_MULTICAST = familyKey(1, 2);

const N = { localAddress: '127.0.0.1', peerAddress: '127.0.0.2', localAs: 65000, peerAs: 65001 };
const empty = (f: number): NlriBlock => ({ family: f, addPath: false, data: new Uint8Array(0), count: 0 });

/** Random unicast NLRI (with path ids under ADD-PATH), including the dotted IPv6 forms glibc prints. */
const block = (family: number, v6: boolean, addPath: boolean) =>
  fc
    .array(
      fc.tuple(
        fc.integer({ min: 0, max: v6 ? 128 : 32 }),
        fc.oneof(
          fc.uint8Array({ minLength: 16, maxLength: 16 }),
          fc.constantFrom(
            Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1),
            Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 192, 0, 2, 1),
            new Uint8Array(16),
          ),
        ),
        fc.uint8Array({ minLength: 4, maxLength: 4 }),
      ),
      { maxLength: 30 },
    )
    .map((xs): NlriBlock => {
      const bytes: number[] = [];
      for (const [len, a, p] of xs) bytes.push(...(addPath ? p : []), len, ...a.subarray(0, (len + 7) >> 3));
      return { family, addPath, data: Uint8Array.from(bytes), count: xs.length };
    });

test('update lines written as bytes are the lines the prefix renderers describe, and update() is their text', () => {
  fc.assert(
    fc.property(
      fc.boolean(),
      fc.boolean(),
      fc.constantFrom(IPV6_UNICAST, IPV4_MULTICAST),
      fc.constantFrom(0, 4, 16, 32),
      fc.gen(),
      (addPath, compact, family, nhLen, gen) => {
        const v6 = family === IPV6_UNICAST;
        const body = gen(block, IPV4_UNICAST, false, addPath);
        const mp = gen(block, family, v6, addPath);
        const nextHop = new Uint8Array(nhLen).map((_, i) => i + 1);
        const u: Update = {
          withdrawn: gen(block, IPV4_UNICAST, false, addPath),
          nlri: body,
          issues: [],
          attributes: {
            origin: 0,
            nextHop: Uint8Array.of(10, 0, 0, 1),
            mpReach: { family, nextHop, nlri: mp },
            mpUnreach: { family, nlri: empty(family) },
          },
        };
        const opts = { host: 'hôte', pid: 1, ppid: 2, now: () => 1.5, compact };
        const text = new JsonEncoder(opts).update(N, 'receive', u);
        const bytes = new JsonEncoder(opts).updateBytes(N, 'receive', u);
        assert.equal(Buffer.from(bytes).toString('utf8'), text);
        const e = JSON.parse(text);
        // Every list is what the family's renderer gives, item by item.
        const items = (b: NlriBlock): unknown[] => {
          const out: unknown[] = [];
          familyRenderer(b.family).forEach(b, compact, (j) => out.push(JSON.parse(j)));
          return out;
        };
        const msg = e.neighbor.message.update;
        if (body.count > 0) assert.deepEqual(msg.announce['ipv4 unicast']['10.0.0.1'], items(body));
        if (u.withdrawn.count > 0) assert.deepEqual(msg.withdraw['ipv4 unicast'], items(u.withdrawn));
        if (mp.count > 0) {
          const lists = Object.values(
            msg.announce[v6 ? 'ipv6 unicast' : 'ipv4 multicast'] as Record<string, unknown[]>,
          );
          for (const l of lists) assert.deepEqual(l, items(mp));
        }
      },
    ),
    { numRuns: 300 },
  );
});

test('lines handed out as bytes stay unchanged while later lines are written', () => {
  const e = new JsonEncoder({ host: 'h', pid: 1, ppid: 2, now: () => 1 });
  const mk = (i: number): Update => ({
    withdrawn: empty(IPV4_UNICAST),
    nlri: { family: IPV4_UNICAST, addPath: false, data: Uint8Array.of(24, 10, i >> 8, i & 255), count: 1 },
    issues: [],
    attributes: { origin: 0, nextHop: Uint8Array.of(10, 0, 0, 1) },
  });
  const kept: [Uint8Array, string][] = [];
  // Enough lines to fill several slabs, with string lines (which reuse the slab) in between.
  for (let i = 0; i < 20_000; i++) {
    const b = e.updateBytes(N, 'receive', mk(i % 65536));
    if (i % 1000 === 0) kept.push([b, Buffer.from(b).toString('utf8')]);
    e.update(N, 'receive', mk(i));
  }
  for (const [b, s] of kept) assert.equal(Buffer.from(b).toString('utf8'), s);
});
