// The route server's compact export (src/rib/dest-table.ts) through the clients' real Adj-RIBs-Out
// and their sessions' UPDATEs: what goes on the wire when a destination changes in a way that does not alter a
// client's route (nothing), when the last path a client may get leaves (a withdrawal), when a client joins late
// (the full table), on ROUTE-REFRESH, on a session flap, and on `clear adj-rib out`.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../../src/config/parser';
import type { ExportSession } from '../../../src/rib/adj-rib-out';
import { AttrInterner } from '../../../src/rib/attr-intern';
import { RouteServer, type ServerNeighbor } from '../../../src/roles/route-server/server';
import {
  type Attributes,
  IPV4_UNICAST,
  IPV6_UNICAST,
  type NlriBlock,
  SegmentType,
  type Update,
} from '../../../src/wire/types';
import { pulled, serverNeighbors } from '../../support/role-neighbors';

const RS = 64999;
const client = (ip: string, as: number) =>
  `neighbor ${ip} { router-id 192.0.2.1; local-address 192.0.2.1; local-as ${RS}; peer-as ${as}; route-server-client;\n` +
  ' filter { next-hop any; } }\n';

const session: ExportSession = {
  localAs: RS,
  peerAs: 1,
  ibgp: false,
  families: new Set([IPV4_UNICAST, IPV6_UNICAST]),
  addPathSend: new Set(),
  sendCtx: { asn4: true, addPath: new Set(), maxMessage: 4096 },
  localAddress: Uint8Array.of(192, 0, 2, 1),
};

function setup(count = 3) {
  const text = Array.from({ length: count }, (_, i) => client(`192.0.2.${11 + i}`, 1001 + i)).join('');
  const config = parseConfig(text, 'rs.conf');
  const interner = new AttrInterner();
  const ns: ServerNeighbor[] = serverNeighbors(config.neighbors, interner, RS);
  const rs = new RouteServer(interner, () => 0);
  return { rs, ns, interner };
}

const attrs = (...asns: number[]): Attributes => ({
  origin: 0,
  asPath: [{ type: SegmentType.AS_SEQUENCE, asns }],
  nextHop: Uint8Array.of(192, 0, 2, asns[0]! - 990),
});

function send(
  rs: RouteServer,
  interner: AttrInterner,
  from: ServerNeighbor,
  a: Attributes | null,
  nlri: number[],
  withdrawn: number[] = [],
) {
  const block = (data: number[]): NlriBlock => ({
    family: IPV4_UNICAST,
    addPath: false,
    data: Uint8Array.from(data),
    count: data.length ? 1 : 0,
  });
  const u: Update = { withdrawn: block(withdrawn), attributes: a ?? {}, nlri: block(nlri), issues: [] };
  rs.receive(from, u, a && nlri.length ? interner.intern(a) : null);
}

/** Everything the session would send now: announced prefixes with their first AS, withdrawn ones, End-of-RIBs. */
const wire = (n: ServerNeighbor) => pulled(n.ribOut, (a) => `${a.asPath?.[0]?.asns.join(' ')}`);

const P1 = [24, 11, 0, 1];
const P2 = [24, 11, 0, 2];

test('a change that leaves a client with the same route sends it nothing; one that alters it is sent', () => {
  const { rs, ns, interner } = setup();
  const [a, b, c] = ns as [ServerNeighbor, ServerNeighbor, ServerNeighbor];
  rs.sync(ns);
  for (const [i, n] of ns.entries()) {
    rs.up(n, Uint8Array.of(10, 0, 0, 11 + i), 1001 + i);
    n.ribOut.attach(session);
  }
  for (const n of ns) assert.equal(wire(n).eor, 2);
  send(rs, interner, a, attrs(1001), P1);
  assert.deepEqual(wire(c).announced, ['11.0.1/24 1001']);
  assert.deepEqual(wire(b).announced, ['11.0.1/24 1001']);
  // b announces the same prefix with a longer path: a gets it (its only choice); b and c keep a's path: nothing.
  send(rs, interner, b, attrs(1002, 7), P1);
  assert.deepEqual(wire(a), { announced: ['11.0.1/24 1002 7'], withdrawn: [], eor: 0 });
  assert.deepEqual(wire(b), { announced: [], withdrawn: [], eor: 0 });
  assert.deepEqual(wire(c), { announced: [], withdrawn: [], eor: 0 });
  // a's path changes: everyone holding it hears the new one; a itself does not.
  send(rs, interner, a, attrs(1001, 5), P1);
  assert.deepEqual(wire(c).announced, ['11.0.1/24 1001 5']);
  assert.deepEqual(wire(b).announced, ['11.0.1/24 1001 5']);
  assert.deepEqual(wire(a).announced, []);
  // The same UPDATE again changes nothing at all.
  send(rs, interner, a, attrs(1001, 5), P1);
  for (const n of ns) assert.deepEqual(wire(n), { announced: [], withdrawn: [], eor: 0 });
});

test('the last path a client may get leaves: withdrawn there, the others switch to what is left', () => {
  const { rs, ns, interner } = setup();
  const [a, b, c] = ns as [ServerNeighbor, ServerNeighbor, ServerNeighbor];
  rs.sync(ns);
  for (const n of ns) n.ribOut.attach(session);
  for (const n of ns) wire(n);
  send(rs, interner, a, attrs(1001), P1);
  send(rs, interner, b, attrs(1002, 7), P1);
  for (const n of ns) wire(n);
  send(rs, interner, a, null, [], P1);
  assert.deepEqual(wire(b), { announced: [], withdrawn: ['11.0.1/24'], eor: 0 });
  assert.deepEqual(wire(c), { announced: ['11.0.1/24 1002 7'], withdrawn: [], eor: 0 });
  assert.deepEqual(wire(a), { announced: [], withdrawn: [], eor: 0 }, 'a keeps b path');
  send(rs, interner, b, null, [], P1);
  assert.deepEqual(wire(a).withdrawn, ['11.0.1/24']);
  assert.deepEqual(wire(c).withdrawn, ['11.0.1/24']);
  for (const n of ns) assert.equal(n.ribOut.size, 0);
  // The destination is free again and comes back as new.
  send(rs, interner, c, attrs(1003), P1);
  assert.deepEqual(wire(a).announced, ['11.0.1/24 1003']);
});

test('a client joining late gets the full table, then End-of-RIB; a session flap sends it all again', () => {
  const { rs, ns, interner } = setup(3);
  const [a, b, c] = ns as [ServerNeighbor, ServerNeighbor, ServerNeighbor];
  rs.sync([a, b]);
  for (const n of [a, b]) n.ribOut.attach(session);
  send(rs, interner, a, attrs(1001), P1);
  send(rs, interner, b, attrs(1002), P2);
  // c was not a client yet; a reload makes it one while its session is down: it holds the table already.
  rs.sync(ns);
  assert.equal(c.ribOut.size, 2);
  assert.deepEqual(wire(c), { announced: [], withdrawn: [], eor: 0 }, 'nothing before the session');
  c.ribOut.attach(session);
  assert.deepEqual(wire(c), { announced: ['11.0.1/24 1001', '11.0.2/24 1002'], withdrawn: [], eor: 2 });
  // Down (the Adj-RIB-Out detached, the client's paths gone): what changes meanwhile is not queued...
  c.ribOut.detach();
  rs.down(c);
  send(rs, interner, a, null, [], P1);
  assert.equal(c.ribOut.size, 1);
  // ... and up again it gets the table as it is now.
  c.ribOut.attach(session);
  assert.deepEqual(wire(c), { announced: ['11.0.2/24 1002'], withdrawn: [], eor: 2 });
});

test('ROUTE-REFRESH sends the family again; clear adj-rib out withdraws everything until it changes', () => {
  const { rs, ns, interner } = setup(2);
  const [a, b] = ns as [ServerNeighbor, ServerNeighbor];
  rs.sync(ns);
  for (const n of ns) n.ribOut.attach(session);
  for (const n of ns) wire(n);
  send(rs, interner, a, attrs(1001), P1);
  send(rs, interner, a, attrs(1001), P2);
  assert.equal(wire(b).announced.length, 2);
  b.ribOut.refresh(IPV4_UNICAST);
  assert.deepEqual(wire(b).announced, ['11.0.1/24 1001', '11.0.2/24 1001']);
  assert.equal(b.ribOut.withdrawAll(), 2);
  assert.deepEqual(wire(b).withdrawn, ['11.0.1/24', '11.0.2/24']);
  assert.equal(b.ribOut.size, 0);
  assert.equal(b.ribOut.get(IPV4_UNICAST, Uint8Array.from(P1)), undefined);
  send(rs, interner, a, attrs(1001, 1), P1);
  assert.deepEqual(wire(b).announced, ['11.0.1/24 1001 1']);
  assert.equal(b.ribOut.get(IPV4_UNICAST, Uint8Array.from(P1))?.attributes.asPath?.[0]?.asns.length, 2);
  assert.deepEqual(b.ribOut.sizes().get(IPV4_UNICAST), 1);
  // show adj-rib out PREFIX reads the same route.
  assert.deepEqual(
    b.ribOut.paths(IPV4_UNICAST, Uint8Array.from(P1)).map((p) => [p.pathId, p.attributes.attributes.asPath?.[0]?.asns]),
    [[0, [1001, 1]]],
  );
});

test('a client removed by a reload leaves no trace in the others; its slot serves the next one', () => {
  const { rs, ns, interner } = setup(3);
  const [a, b, c] = ns as [ServerNeighbor, ServerNeighbor, ServerNeighbor];
  rs.sync(ns);
  for (const n of ns) n.ribOut.attach(session);
  send(rs, interner, a, attrs(1001), P1);
  send(rs, interner, b, attrs(1002), P2);
  for (const n of ns) wire(n);
  rs.sync([a, c]);
  assert.deepEqual(wire(c).withdrawn, ['11.0.2/24']);
  assert.equal(b.ribOut.size, 0, "b's view is gone");
  // Its session is still up (the neighbor stays, as a plain one): what the view had sent it is withdrawn.
  assert.deepEqual(wire(b).withdrawn, ['11.0.1/24']);
  rs.sync(ns);
  assert.equal(b.ribOut.size, 1, 'b back: it holds what the others sent');
  assert.equal(rs.list().length, 3);
});

test('more destinations than a page of cells and more clients than a run holds: every client gets every route', () => {
  const { rs, ns, interner } = setup(7);
  const [a, ...late] = ns as [ServerNeighbor, ...ServerNeighbor[]];
  rs.sync(ns.slice(0, 2));
  const nlri: number[] = [];
  for (let i = 0; i < 5000; i++) nlri.push(24, 12, i >> 8, i & 255);
  send(rs, interner, a, attrs(1001), nlri);
  // Five clients join: the runs of cells widen (4 to 8) across two pages of destinations.
  rs.sync(ns);
  for (const n of late) {
    n.ribOut.attach(session);
    const w = wire(n);
    assert.equal(w.announced.length, 5000);
    assert.equal(n.ribOut.size, 5000);
  }
  send(rs, interner, a, null, [], nlri.slice(0, 4 * 4100));
  for (const n of late) assert.equal(wire(n).withdrawn.length, 4100);
});
