// The daemon's table of flow rules in force (src/daemon/flow-table.ts) must list rules as the Map it replaced
// did (a refreshed rule keeps its place, a re-added one goes last), give back each rule's text exactly as
// flowToString() of the parsed rule, and withdraw by expiry in time order, across its rebuilds.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { FlowTable } from '../../../src/daemon/flow-table';
import { flowToString, textSurvivesWire } from '../../../src/flowspec/json';
import { parseFlowCommand } from '../../../src/flowspec/parse';
import { type FlowComponent, type FlowRule, isPrefixComponent } from '../../../src/flowspec/rule';
import {
  decodeFlowNlri,
  encodeFlowRule,
  IPV4_FLOW,
  IPV4_FLOW_VPN,
  IPV6_FLOW,
  IPV6_FLOW_VPN,
} from '../../../src/wire/nlri/flowspec';

const rule = (i: number): FlowRule =>
  parseFlowCommand(
    `route { match { destination 10.${(i >> 8) & 255}.${i & 255}.0/24; protocol tcp; destination-port =80; } then { discard; } }`,
  ).rule;

/** Adds rule i the way the daemon does. */
function add(t: FlowTable, i: number, source = 'cli', now = 1000, expiresAt?: number): void {
  const r = rule(i);
  t.set(r.family, encodeFlowRule(r), 0, source, now, expiresAt, textSurvivesWire(r) ? undefined : flowToString(r));
}

const texts = (t: FlowTable): string[] => t.list().map((e) => t.text(e));

test('listing order: as a Map (refresh keeps the place, delete then add goes last)', () => {
  const t = new FlowTable();
  for (let i = 0; i < 5; i++) add(t, i);
  add(t, 1, 'other', 2000);
  const r3 = rule(3);
  assert.equal(t.delete(r3.family, encodeFlowRule(r3)), true);
  assert.equal(t.delete(r3.family, encodeFlowRule(r3)), false);
  add(t, 3);
  assert.equal(t.size, 5);
  assert.deepEqual(
    texts(t),
    [0, 1, 2, 4, 3].map((i) => flowToString(rule(i))),
  );
  const e1 = t.list()[1]!;
  assert.equal(t.source(e1), 'other');
  assert.equal(t.announcedAt(e1), 2000);
  assert.equal(t.expiresAt(e1), undefined);
});

test('text: the parsed rule text, also for rules whose bytes do not give it back', () => {
  const t = new FlowTable();
  // Host bits past the prefix length are not sent; the table keeps this rule's text itself.
  const odd = parseFlowCommand('route { match { destination 10.0.0.1/24; } then { discard; } }').rule;
  assert.equal(textSurvivesWire(odd), false);
  t.set(odd.family, encodeFlowRule(odd), 0, 'cli', 0, undefined, flowToString(odd));
  add(t, 7);
  assert.deepEqual(texts(t), [flowToString(odd), flowToString(rule(7))]);
});

test('expiry: soonest first, refreshed and withdrawn rules are not expired by their old time', () => {
  const t = new FlowTable();
  add(t, 1, 'cli', 0, 5000);
  add(t, 2, 'cli', 0, 3000);
  add(t, 3, 'cli', 0, 4000);
  add(t, 4, 'cli', 0);
  assert.equal(t.nextExpiry(), 3000);
  add(t, 2, 'cli', 0, 9000); // refreshed with a later expiry
  const r3 = rule(3);
  t.delete(r3.family, encodeFlowRule(r3));
  assert.equal(t.nextExpiry(), 5000);
  assert.deepEqual(t.expire(4999), []);
  const gone = t.expire(6000);
  assert.deepEqual(
    gone.map((g) => g.text),
    [flowToString(rule(1))],
  );
  assert.deepEqual(gone[0]!.entry, encodeFlowRule(rule(1)));
  assert.equal(t.nextExpiry(), 9000);
  assert.deepEqual(
    t.expire(10_000).map((g) => g.text),
    [flowToString(rule(2))],
  );
  assert.equal(t.nextExpiry(), Infinity);
  assert.deepEqual(texts(t), [flowToString(rule(4))]);
});

test('rebuild after many withdrawals keeps order, sources, times and expiries', () => {
  const t = new FlowTable();
  for (let i = 0; i < 5000; i++) add(t, i, i % 2 ? 'a' : 'b', i, i % 3 === 0 ? 100_000 + i : undefined);
  for (let i = 0; i < 5000; i++) {
    if (i % 5 === 0) continue;
    const r = rule(i);
    assert.equal(t.delete(r.family, encodeFlowRule(r)), true);
  }
  add(t, 1, 'c', 7, 50_000); // re-added: last
  const kept = [];
  for (let i = 0; i < 5000; i += 5) kept.push(i);
  assert.equal(t.size, kept.length + 1);
  const list = t.list();
  assert.deepEqual(
    list.map((e) => t.text(e)),
    [...kept, 1].map((i) => flowToString(rule(i))),
  );
  assert.deepEqual(
    list.slice(0, 3).map((e) => [t.source(e), t.announcedAt(e), t.expiresAt(e)]),
    [
      ['b', 0, 100_000],
      ['a', 5, undefined],
      ['b', 10, undefined],
    ],
  );
  assert.equal(t.nextExpiry(), 50_000);
  const gone = t.expire(200_000);
  assert.deepEqual(
    gone.map((g) => g.text),
    [1, ...kept.filter((i) => i % 3 === 0)].map((i) => flowToString(rule(i))),
  );
  assert.equal(t.bySource('a').length, kept.filter((i) => i % 2 === 1 && i % 3 !== 0).length);
  assert.ok(t.has(rule(5).family, encodeFlowRule(rule(5))));
});

test('families are apart: the same bytes in two families are two rules', () => {
  const t = new FlowTable();
  const r = rule(1);
  const bytes = encodeFlowRule(r);
  t.set(IPV4_FLOW, bytes, 0, 'cli', 0, undefined, undefined);
  t.set(IPV6_FLOW, bytes, 0, 'cli', 0, undefined, 'ipv6 text');
  assert.equal(t.size, 2);
  assert.deepEqual(
    t.list().map((e) => t.family(e)),
    [IPV4_FLOW, IPV6_FLOW],
  );
});

// Property: whenever textSurvivesWire says so, the text made from the bytes is the parsed rule's text.
const valueArb = fc.oneof(
  fc.integer({ min: 0, max: 255 }),
  fc.integer({ min: 0, max: 0xffffffff }),
  fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
);
const opsArb = (type: number): fc.Arbitrary<FlowComponent> =>
  fc
    .array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 7 }), valueArb), { minLength: 0, maxLength: 3 })
    .map((terms) => ({
      type,
      ops: terms.map(([and, cmp], i) => (i > 0 && and ? 0x40 : 0) | (type === 9 || type === 12 ? cmp & 3 : cmp)),
      values: terms.map(([, , v]) => v),
    }));
const prefixArb = (type: 1 | 2, v6: boolean): fc.Arbitrary<FlowComponent> =>
  (v6
    ? fc
        .integer({ min: 0, max: 128 })
        .chain((len) =>
          fc.tuple(fc.constant(len), fc.integer({ min: 0, max: len }), fc.uint8Array({ minLength: 16, maxLength: 16 })),
        )
    : fc.tuple(fc.integer({ min: 0, max: 32 }), fc.constant(0), fc.uint8Array({ minLength: 4, maxLength: 4 }))
  ).map(([len, offset, addr]) => ({ type, len, offset, addr }));
/** Zero the address bits the wire does not carry, so that both answers of textSurvivesWire are exercised. */
function canonical(c: FlowComponent, v6: boolean): FlowComponent {
  if (!isPrefixComponent(c)) return c;
  const from = v6 ? c.offset : 0;
  const to = Math.min(c.addr.length * 8, from + 8 * ((c.len - from + 7) >> 3));
  const addr = c.addr.slice();
  for (let bit = 0; bit < addr.length * 8; bit++) if (bit < from || bit >= to) addr[bit >> 3]! &= ~(0x80 >> (bit & 7));
  return { ...c, addr };
}
const ruleArb = fc
  .tuple(
    fc.constantFrom(IPV4_FLOW, IPV6_FLOW, IPV4_FLOW_VPN, IPV6_FLOW_VPN),
    fc.subarray([1, 2, 3, 5, 9, 10, 12, 13], { minLength: 1 }),
    fc.boolean(),
    fc.uint8Array({ minLength: 8, maxLength: 8 }),
  )
  .chain(([family, types, canon, rd]) => {
    const v6 = family === IPV6_FLOW || family === IPV6_FLOW_VPN;
    const vpn = family === IPV4_FLOW_VPN || family === IPV6_FLOW_VPN;
    return fc
      .tuple(...types.map((t) => (t <= 2 ? prefixArb(t as 1 | 2, v6) : opsArb(t))))
      .map((components): FlowRule => {
        const cs = canon ? components.map((c) => canonical(c, v6)) : components;
        return vpn ? { family, rd, components: cs } : { family, components: cs };
      });
  });

test('property: textSurvivesWire implies flowToString(decode(encode(rule))) === flowToString(rule)', () => {
  let survived = 0;
  fc.assert(
    fc.property(ruleArb, (r) => {
      if (!textSurvivesWire(r)) return;
      survived++;
      assert.equal(flowToString(decodeFlowNlri(r.family, encodeFlowRule(r))), flowToString(r));
    }),
    { numRuns: 2000 },
  );
  assert.ok(survived > 200, `only ${survived} rules survived: the property says little`);
});
