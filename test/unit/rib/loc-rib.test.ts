import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AttrInterner } from '../../../src/rib/attr-intern';
import { type BestChange, LocRib } from '../../../src/rib/loc-rib';
import {
  AFI,
  type Attributes,
  familyKey,
  IPV4_UNICAST,
  IPV6_UNICAST,
  type NlriBlock,
  SAFI,
  SegmentType,
} from '../../../src/wire/types';

const IPV4_FLOW = familyKey(AFI.IPV4, SAFI.FLOW);

const seq = (...asns: number[]) => ({ type: SegmentType.AS_SEQUENCE, asns });
const v4 = (a: number, b: number, c: number, len = 24) => Uint8Array.of(len, a, b, c);

function setup() {
  const interner = new AttrInterner();
  const rib = new LocRib(interner);
  const events: { source: number; oldSource: number; entry: string; med?: number }[] = [];
  rib.onBest = (c: BestChange) =>
    events.push({
      source: c.source,
      oldSource: c.oldSource,
      entry: Buffer.from(c.entry).toString('hex'),
      med: c.set?.attributes.med,
    });
  const peer = (n: number) =>
    rib.addSource({ name: `192.0.2.${n}`, kind: 'ibgp', routerId: n, address: Uint8Array.of(192, 0, 2, n) });
  const set = (a: Attributes) => interner.intern({ origin: 0, asPath: [seq(65001)], ...a });
  return { interner, rib, events, peer, set };
}

test('first path is best at once; a better one takes over; its withdrawal hands back; the last one leaves', () => {
  const { rib, events, peer, set } = setup();
  const a = peer(1);
  const b = peer(2);
  const p = v4(10, 0, 0);
  rib.announce(IPV4_UNICAST, p, 0, p.length, b, 0, set({ localPref: 100 }));
  assert.deepEqual(events.splice(0), [{ source: b, oldSource: -1, entry: '180a0000', med: undefined }]);
  // A worse path changes nothing that onBest hears of.
  rib.announce(IPV4_UNICAST, p, 0, p.length, a, 0, set({ localPref: 50 }));
  assert.equal(events.length, 0);
  assert.equal(rib.paths(IPV4_UNICAST, p).length, 2);
  // Raised: it wins now.
  rib.announce(IPV4_UNICAST, p, 0, p.length, a, 0, set({ localPref: 200 }));
  assert.deepEqual(events.splice(0), [{ source: a, oldSource: b, entry: '180a0000', med: undefined }]);
  assert.equal(rib.best(IPV4_UNICAST, p)?.source, a);
  assert.deepEqual(
    rib.paths(IPV4_UNICAST, p).map((x) => [x.source, x.best]),
    [
      [a, true],
      [b, false],
    ],
  );
  // The same path again: nothing.
  rib.announce(IPV4_UNICAST, p, 0, p.length, a, 0, set({ localPref: 200 }));
  assert.equal(events.length, 0);
  // New attributes on the best path that keep it best: told (the peers must get them).
  rib.announce(IPV4_UNICAST, p, 0, p.length, a, 0, set({ localPref: 200, med: 7 }));
  assert.deepEqual(events.splice(0), [{ source: a, oldSource: a, entry: '180a0000', med: 7 }]);
  // Withdrawing the non-best path: nothing heard.
  assert.equal(rib.withdraw(IPV4_UNICAST, p, 0, p.length, b, 0), true);
  assert.equal(events.length, 0);
  assert.equal(rib.withdraw(IPV4_UNICAST, p, 0, p.length, b, 0), false);
  assert.equal(rib.withdraw(IPV4_UNICAST, p, 0, p.length, a, 0), true);
  assert.deepEqual(events.splice(0), [{ source: -1, oldSource: a, entry: '180a0000', med: undefined }]);
  assert.equal(rib.size(IPV4_UNICAST), 0);
  assert.equal(rib.pathCount, 0);
});

test('withdrawing the best hands over to the next best, chosen again', () => {
  const { rib, events, peer, set } = setup();
  const [a, b, c] = [peer(1), peer(2), peer(3)];
  const p = v4(10, 1, 0);
  rib.announce(IPV4_UNICAST, p, 0, p.length, a, 0, set({ localPref: 300 }));
  rib.announce(IPV4_UNICAST, p, 0, p.length, b, 0, set({ localPref: 100 }));
  rib.announce(IPV4_UNICAST, p, 0, p.length, c, 0, set({ localPref: 200 }));
  events.length = 0;
  rib.withdraw(IPV4_UNICAST, p, 0, p.length, a, 0);
  assert.deepEqual(events.splice(0), [{ source: c, oldSource: a, entry: '180a0100', med: undefined }]);
});

test('paths are told apart by source and ADD-PATH identifier; attribute sets are referenced and released', () => {
  const { rib, interner, peer, set } = setup();
  const a = peer(1);
  const p = v4(10, 2, 0);
  const s1 = set({ med: 1 });
  const s2 = set({ med: 2 });
  rib.announce(IPV4_UNICAST, p, 0, p.length, a, 1, s1);
  rib.announce(IPV4_UNICAST, p, 0, p.length, a, 2, s2);
  assert.equal(rib.paths(IPV4_UNICAST, p).length, 2);
  assert.equal(rib.best(IPV4_UNICAST, p)?.pathId, 1);
  assert.equal(s1.refs, 1);
  assert.equal(rib.heldFrom(a), 2);
  rib.withdraw(IPV4_UNICAST, p, 0, p.length, a, 1);
  assert.equal(s1.refs, 0);
  assert.equal(rib.best(IPV4_UNICAST, p)?.pathId, 2);
  assert.equal(interner.size, 1);
});

test('withdrawSource takes every path of a session, the others become best', () => {
  const { rib, events, peer, set } = setup();
  const a = peer(1);
  const b = peer(2);
  for (let i = 0; i < 1000; i++) {
    const p = v4(10, i >> 8, i & 255);
    rib.announce(IPV4_UNICAST, p, 0, p.length, a, 0, set({ localPref: 200 }));
    if (i % 2 === 0) rib.announce(IPV4_UNICAST, p, 0, p.length, b, 0, set({ localPref: 100 }));
  }
  const six = Uint8Array.of(48, 0x20, 0x01, 0x0d, 0xb8, 0, 1);
  rib.announce(IPV6_UNICAST, six, 0, six.length, a, 0, set({}));
  events.length = 0;
  assert.equal(rib.withdrawSource(a), 1001);
  assert.equal(rib.size(IPV4_UNICAST), 500);
  assert.equal(rib.size(IPV6_UNICAST), 0);
  assert.equal(events.length, 1001);
  assert.equal(events.filter((e) => e.source === b).length, 500);
  assert.equal(rib.heldFrom(a), 0);
  assert.equal(rib.pathCount, 500);
});

test('applyBlock walks received NLRI (ADD-PATH too); FlowSpec rules are kept by their bytes', () => {
  const { rib, peer, set } = setup();
  const a = peer(1);
  const block = (family: number, data: number[], addPath = false): NlriBlock => ({
    family,
    addPath,
    data: Uint8Array.from(data),
    count: 0,
  });
  assert.equal(rib.applyBlock(block(IPV4_UNICAST, [24, 10, 0, 0, 16, 10, 1, 32, 10, 2, 3, 4]), a, set({})), 3);
  assert.equal(rib.size(IPV4_UNICAST), 3);
  assert.equal(rib.applyBlock(block(IPV4_UNICAST, [0, 0, 0, 7, 24, 10, 0, 0], true), a, set({ med: 3 })), 1);
  assert.equal(rib.paths(IPV4_UNICAST, v4(10, 0, 0)).length, 2);
  assert.equal(rib.applyBlock(block(IPV4_UNICAST, [16, 10, 1]), a, null), 1);
  assert.equal(rib.size(IPV4_UNICAST), 2);
  // FlowSpec: destination 10.0.0.0/24 (RFC 8955 §4: length 5, type 1, /24, 3 octets).
  const flow = [5, 1, 24, 10, 0, 0];
  rib.applyBlock(block(IPV4_FLOW, flow), a, set({}));
  assert.equal(rib.size(IPV4_FLOW), 1);
  assert.equal(rib.best(IPV4_FLOW, Uint8Array.from(flow))?.source, a);
  const seen: string[] = [];
  rib.scan(IPV4_FLOW, (e) => seen.push(Buffer.from(e).toString('hex')));
  assert.deepEqual(seen, ['0501180a0000']);
  rib.applyBlock(block(IPV4_FLOW, flow), a, null);
  assert.equal(rib.size(IPV4_FLOW), 0);
});

test('scan gives every destination with its NLRI bytes', () => {
  const { rib, peer, set } = setup();
  const a = peer(1);
  for (const p of [v4(10, 0, 0), Uint8Array.of(8, 11), Uint8Array.of(32, 1, 2, 3, 4)])
    rib.announce(IPV4_UNICAST, p, 0, p.length, a, 0, set({}));
  const seen: string[] = [];
  rib.scan(IPV4_UNICAST, (e, h) => seen.push(`${Buffer.from(e).toString('hex')}:${rib.pathsAt(h).length}`));
  assert.deepEqual(seen.sort(), ['080b:1', '180a0000:1', '2001020304:1']);
});

test('graceful restart: markStale keeps the paths; withdrawSource(staleOnly) takes only those not announced again', () => {
  const { rib, events, peer, set } = setup();
  const a = peer(1);
  const b = peer(2);
  const p1 = v4(10, 0, 1);
  const p2 = v4(10, 0, 2);
  const p3 = v4(10, 0, 3);
  for (const p of [p1, p2, p3]) rib.announce(IPV4_UNICAST, p, 0, p.length, a, 0, set({ localPref: 200 }));
  rib.announce(IPV4_UNICAST, p2, 0, p2.length, b, 0, set({ localPref: 100 }));
  rib.markStale(a);
  assert.equal(rib.pathCount, 4, 'stale paths are still held and used');
  // Refreshed after the restart: p1 with the same attributes, p3 with new ones.
  rib.announce(IPV4_UNICAST, p1, 0, p1.length, a, 0, set({ localPref: 200 }));
  rib.announce(IPV4_UNICAST, p3, 0, p3.length, a, 0, set({ localPref: 300 }));
  events.length = 0;
  assert.equal(rib.withdrawSource(a, IPV4_UNICAST, true), 1);
  assert.deepEqual(events, [{ source: b, oldSource: a, entry: '180a0002', med: undefined }]);
  assert.equal(rib.best(IPV4_UNICAST, p1)?.source, a);
  assert.equal(rib.best(IPV4_UNICAST, p3)?.source, a);
});
