// ADD-PATH export (RFC 7911) from the route reflector and the route server, read off the UPDATEs the members'
// and clients' real Adj-RIBs-Out build: a peer that negotiated ADD-PATH with us sending gets every path it may
// have, each under a path identifier that does not move when the best path changes, and loses one path by the
// withdrawal of that identifier; a peer without it still gets one path.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../../src/config/parser';
import type { AdjRibOut, ExportSession } from '../../../src/rib/adj-rib-out';
import { AttrInterner } from '../../../src/rib/attr-intern';
import { type ReflectorNeighbor, RouteReflector } from '../../../src/roles/route-reflector/reflector';
import { RouteServer, type ServerNeighbor } from '../../../src/roles/route-server/server';
import { forEachPrefix } from '../../../src/wire/nlri/prefix';
import {
  type Attributes,
  type FamilyKey,
  IPV4_UNICAST,
  IPV6_UNICAST,
  type NlriBlock,
  SegmentType,
  type Update,
} from '../../../src/wire/types';
import { decodeUpdate } from '../../../src/wire/update';
import { reflectorNeighbors, serverNeighbors } from '../../support/role-neighbors';

const AP: ReadonlySet<FamilyKey> = new Set([IPV4_UNICAST]);
const NONE: ReadonlySet<FamilyKey> = new Set();

function session(localAs: number, peerAs: number, addPath: ReadonlySet<FamilyKey>): ExportSession {
  return {
    localAs,
    peerAs,
    ibgp: localAs === peerAs,
    families: new Set([IPV4_UNICAST, IPV6_UNICAST]),
    addPathSend: addPath,
    sendCtx: { asn4: true, addPath: new Set(addPath), maxMessage: 4096 },
    localAddress: Uint8Array.of(192, 0, 2, 1),
  };
}

/**
 * What a session sends now, decoded: announcements as `prefix#pathId what` (`what`: the ORIGINATOR_ID for a
 * reflector, the AS path for a route server), withdrawals as `prefix#pathId`. Path ids are shown as letters
 * in order of first appearance in `ids` (shared across calls), so a test reads whether an id stayed the same.
 */
function wire(out: AdjRibOut, addPath: boolean, ids: Map<number, string>, what: (u: Update) => string) {
  const name = (id: number) => {
    if (!addPath) return '';
    if (!ids.has(id)) ids.set(id, String.fromCharCode(97 + ids.size));
    return `#${ids.get(id)}`;
  };
  const announced: string[] = [];
  const withdrawn: string[] = [];
  const ctx = { asn4: true, addPath: addPath ? new Set([IPV4_UNICAST]) : new Set<FamilyKey>(), maxMessage: 4096 };
  for (let m = out.pull(); m.length > 0; m = out.pull()) {
    for (const msg of m) {
      const u = decodeUpdate(msg.subarray(19), ctx);
      if (u.eorFamily !== undefined) continue;
      const p = (len: number, d: Uint8Array, off: number, id: number) =>
        `${d[off]}.${d[off + 1]}.${d[off + 2]}/${len}${name(id)}`;
      forEachPrefix(u.nlri, (len, d, off, id) => announced.push(`${p(len, d, off, id)} ${what(u)}`));
      forEachPrefix(u.withdrawn, (len, d, off, id) => withdrawn.push(p(len, d, off, id)));
    }
  }
  return { announced: announced.sort(), withdrawn: withdrawn.sort() };
}

function update(a: Attributes | null, nlri: number[], withdrawn: number[] = []): Update {
  const block = (data: number[]): NlriBlock => ({
    family: IPV4_UNICAST,
    addPath: false,
    data: Uint8Array.from(data),
    count: data.length ? 1 : 0,
  });
  return { withdrawn: block(withdrawn), attributes: a ?? {}, nlri: block(nlri), issues: [] };
}

const P = [24, 10, 0, 0];

// ---- route reflector ----

const member = (ip: string, extra: string) =>
  `neighbor ${ip} { router-id 10.0.0.1; local-address 192.0.2.1; local-as 65000; peer-as 65000; ${extra}\n family { ipv4 unicast; ipv6 unicast; } }\n`;

/** Clients a, b, c and non-clients n, m; `c` and `m` negotiate ADD-PATH unless told otherwise. */
function reflector() {
  const config = parseConfig(
    'cluster-id 1.1.1.1;\n' +
      member('192.0.2.11', 'route-reflector-client;') +
      member('192.0.2.12', 'route-reflector-client;') +
      member('192.0.2.13', 'route-reflector-client;') +
      member('192.0.2.14', '') +
      member('192.0.2.15', ''),
    'rr.conf',
  );
  const interner = new AttrInterner();
  const ns: ReflectorNeighbor[] = reflectorNeighbors(config.neighbors, interner, 65000);
  const rr = new RouteReflector(interner);
  rr.sync(ns, config.clusterId);
  const [a, b, c, n, m] = ns as [
    ReflectorNeighbor,
    ReflectorNeighbor,
    ReflectorNeighbor,
    ReflectorNeighbor,
    ReflectorNeighbor,
  ];
  const addPath = new Map<ReflectorNeighbor, boolean>();
  const up = (x: ReflectorNeighbor, ap: boolean) => {
    const i = ns.indexOf(x);
    addPath.set(x, ap);
    rr.up(x, Uint8Array.of(10, 9, 9, 11 + i), ap ? AP : NONE);
    x.ribOut.attach(session(65000, 65000, ap ? AP : NONE));
  };
  const down = (x: ReflectorNeighbor) => {
    x.ribOut.detach();
    rr.down(x);
  };
  const send = (from: ReflectorNeighbor, localPref: number | null, nlri = P) => {
    const a: Attributes = {
      origin: 0,
      asPath: [],
      nextHop: Uint8Array.of(192, 0, 2, 100),
      localPref: localPref ?? 100,
    };
    const u = localPref === null ? update(null, [], nlri) : update(a, nlri);
    rr.receive(from, u, localPref === null ? null : interner.intern(a));
  };
  const ids = new Map<number, string>();
  const sent = (x: ReflectorNeighbor) =>
    wire(
      x.ribOut,
      addPath.get(x) === true,
      ids,
      (u) => `${u.attributes.originatorId?.join('.')} ${u.attributes.localPref}`,
    );
  return { rr, a, b, c, n, m, up, down, send, sent };
}

test('reflector, ADD-PATH client: every path, ids stable across best changes, one path withdrawn by its id', () => {
  const { a, b, c, n, m, up, send, sent } = reflector();
  for (const x of [a, b, n]) up(x, false);
  up(c, true);
  up(m, true);
  sent(c);
  send(a, 100);
  send(b, 200);
  assert.deepEqual(sent(c), { announced: ['10.0.0/24#a 10.9.9.11 100', '10.0.0/24#b 10.9.9.12 200'], withdrawn: [] });
  assert.deepEqual(sent(n).announced, ['10.0.0/24 10.9.9.12 200'], 'without ADD-PATH: the best path only');
  // a's path becomes the best: c is sent a's new version under a's id, b's path is left as it is.
  send(a, 300);
  assert.deepEqual(sent(c), { announced: ['10.0.0/24#a 10.9.9.11 300'], withdrawn: [] });
  assert.deepEqual(sent(m), { announced: ['10.0.0/24#a 10.9.9.11 300', '10.0.0/24#b 10.9.9.12 200'], withdrawn: [] });
  assert.deepEqual(sent(n).announced, ['10.0.0/24 10.9.9.11 300']);
  // b's path leaves: only its id is withdrawn.
  send(b, null);
  assert.deepEqual(sent(c), { announced: [], withdrawn: ['10.0.0/24#b'] });
  assert.deepEqual(sent(n), { announced: [], withdrawn: [] }, 'the non-client keeps a best path that did not change');
  // The last path leaves: its id is withdrawn.
  send(a, null);
  assert.deepEqual(sent(c), { announced: [], withdrawn: ['10.0.0/24#a'] });
});

test('reflector, ADD-PATH: RFC 4456 §6 per path (none of its own, a non-client path only to clients)', () => {
  const { a, c, n, m, up, send, sent } = reflector();
  up(a, false);
  up(n, false);
  up(c, true);
  up(m, true);
  send(a, 100);
  send(c, 150);
  send(n, 200);
  send(m, 250);
  // c (client): a's and the non-clients' paths, not its own.
  assert.deepEqual(sent(c).announced, [
    '10.0.0/24#a 10.9.9.11 100',
    '10.0.0/24#b 10.9.9.14 200',
    '10.0.0/24#c 10.9.9.15 250',
  ]);
  // m (non-client): the clients' paths, not n's (a non-client) nor its own.
  assert.deepEqual(sent(m).announced, ['10.0.0/24#a 10.9.9.11 100', '10.0.0/24#d 10.9.9.13 150']);
});

test('reflector, ADD-PATH: a late-joining client gets every path; a session without it gets the best path only', () => {
  const { a, b, c, up, down, send, sent } = reflector();
  up(a, false);
  up(b, false);
  send(a, 100);
  send(b, 200);
  up(c, true);
  // The letters name the ids in the order they were first sent (b's path, the best, came first).
  assert.deepEqual(sent(c).announced, ['10.0.0/24#a 10.9.9.12 200', '10.0.0/24#b 10.9.9.11 100']);
  down(c);
  up(c, false);
  assert.deepEqual(sent(c), { announced: ['10.0.0/24 10.9.9.12 200'], withdrawn: [] });
  down(c);
  up(c, true);
  assert.deepEqual(sent(c), { announced: ['10.0.0/24#a 10.9.9.12 200', '10.0.0/24#b 10.9.9.11 100'], withdrawn: [] });
});

test('reflector, ADD-PATH: routes written for the member go out beside the learned paths, under their own ids', () => {
  const { a, c, up, send, sent } = reflector();
  up(a, false);
  up(c, true);
  sent(c);
  send(a, 100);
  c.ribOut.announce(
    IPV4_UNICAST,
    Uint8Array.from(P),
    { origin: 0, asPath: [], localPref: 50 },
    {
      nextHop: Uint8Array.of(192, 0, 2, 7),
      pathId: 7,
    },
  );
  const out = sent(c).announced;
  assert.equal(out.length, 2);
  assert.ok(out.includes('10.0.0/24#a 10.9.9.11 100'));
  assert.equal(
    c.ribOut.paths(IPV4_UNICAST, Uint8Array.from(P)).find((p) => p.pathId === 7)?.attributes.attributes.localPref,
    50,
  );
  c.ribOut.withdraw(IPV4_UNICAST, Uint8Array.from(P), 7);
  assert.equal(sent(c).withdrawn.length, 1);
  assert.deepEqual(c.ribOut.paths(IPV4_UNICAST, Uint8Array.from(P)).length, 1);
});

// ---- route server ----

const RS = 64999;
/** Not a bogon (10/8 is refused by the import filters). */
const Q = [24, 11, 0, 1];

/** Clients a, b, c, d of AS 1001-1004. */
function routeServer() {
  const text = [11, 12, 13, 14]
    .map(
      (i) =>
        `neighbor 192.0.2.${i} { router-id 192.0.2.1; local-address 192.0.2.1; local-as ${RS}; peer-as ${990 + i}; route-server-client;\n filter { next-hop any; } }\n`,
    )
    .join('');
  const config = parseConfig(text, 'rs.conf');
  const interner = new AttrInterner();
  const ns: ServerNeighbor[] = serverNeighbors(config.neighbors, interner, RS);
  const rs = new RouteServer(interner, () => 0);
  rs.sync(ns);
  const [a, b, c, d] = ns as [ServerNeighbor, ServerNeighbor, ServerNeighbor, ServerNeighbor];
  const addPath = new Map<ServerNeighbor, boolean>();
  const as = (x: ServerNeighbor) => 1001 + ns.indexOf(x);
  const up = (x: ServerNeighbor, ap: boolean) => {
    addPath.set(x, ap);
    rs.up(x, Uint8Array.of(10, 0, 0, as(x) - 990), as(x), ap ? AP : NONE);
    x.ribOut.attach(session(RS, as(x), ap ? AP : NONE));
  };
  const send = (from: ServerNeighbor, extra: Attributes | null, med = 0) => {
    const a: Attributes = {
      origin: 0,
      asPath: [{ type: SegmentType.AS_SEQUENCE, asns: [as(from)] }],
      nextHop: Uint8Array.of(192, 0, 2, as(from) - 990),
      med,
      ...extra,
    };
    rs.receive(from, extra === null ? update(null, [], Q) : update(a, Q), extra === null ? null : interner.intern(a));
  };
  const ids = new Map<number, string>();
  const sent = (x: ServerNeighbor) =>
    wire(x.ribOut, addPath.get(x) === true, ids, (u) => u.attributes.asPath!.map((s) => s.asns.join(' ')).join(' '));
  return { rs, a, b, c, d, up, send, sent };
}

test('route server, ADD-PATH client: every other client path, ids stable across best changes, one withdrawn', () => {
  const { a, b, c, d, up, send, sent } = routeServer();
  up(a, false);
  up(b, false);
  up(c, true);
  up(d, false);
  sent(c);
  send(a, {}, 10);
  send(b, {}, 20);
  send(d, { asPath: [{ type: SegmentType.AS_SEQUENCE, asns: [1004, 7] }] });
  assert.deepEqual(sent(c), {
    announced: ['11.0.1/24#a 1001', '11.0.1/24#b 1002', '11.0.1/24#c 1004 7'],
    withdrawn: [],
  });
  // a's path gets longer: the best moves to b (lower router id breaks the tie otherwise); c gets a's new
  // version under the same id, nothing else.
  send(a, { asPath: [{ type: SegmentType.AS_SEQUENCE, asns: [1001, 1001, 1001] }] });
  assert.deepEqual(sent(c), { announced: ['11.0.1/24#a 1001 1001 1001'], withdrawn: [] });
  assert.deepEqual(sent(d).announced, ['11.0.1/24 1002'], 'without ADD-PATH: the best path only');
  send(b, null);
  assert.deepEqual(sent(c), { announced: [], withdrawn: ['11.0.1/24#b'] });
  // c's own path is never sent back to it.
  send(c, {});
  assert.deepEqual(sent(c), { announced: [], withdrawn: [] });
});

test('route server, ADD-PATH: action communities apply per path (not to the client, prepend)', () => {
  const { a, b, c, d, up, send, sent } = routeServer();
  for (const x of [a, b, d]) up(x, false);
  up(c, true);
  sent(c);
  send(a, { communities: [1003] }); // 0:1003, do not announce to AS 1003
  send(b, { largeCommunities: [[RS, 102, 1003]] }); // prepend twice to AS 1003
  send(d, {});
  assert.deepEqual(sent(c).announced, ['11.0.1/24#a 1002 1002 1002', '11.0.1/24#b 1004']);
});

test('route server, ADD-PATH: a late-joining client gets every path; without ADD-PATH it gets its best again', () => {
  const { rs, a, b, c, d, up, send, sent } = routeServer();
  for (const x of [a, b, d]) up(x, false);
  send(a, {}, 10);
  send(b, {}, 20);
  up(c, true);
  assert.deepEqual(sent(c).announced, ['11.0.1/24#a 1001', '11.0.1/24#b 1002']);
  assert.deepEqual(
    rs.exportFor('192.0.2.13', IPV4_UNICAST, Uint8Array.from(Q))!.paths.map((p) => p.fate),
    ['sent', 'sent'],
  );
  c.ribOut.detach();
  rs.down(c);
  up(c, false);
  assert.deepEqual(sent(c), { announced: ['11.0.1/24 1001'], withdrawn: [] });
  send(b, null);
  assert.deepEqual(sent(c), { announced: [], withdrawn: [] });
  c.ribOut.detach();
  rs.down(c);
  up(c, true);
  assert.deepEqual(sent(c), { announced: ['11.0.1/24#a 1001'], withdrawn: [] });
});

test('route server, ADD-PATH: a route written for the client goes to it under its own id beside the others, to no one else', () => {
  const { a, b, c, d, up, send, sent } = routeServer();
  for (const x of [a, b, d]) up(x, false);
  up(c, true);
  sent(c);
  send(a, {});
  sent(b);
  const written = { origin: 0, asPath: [{ type: SegmentType.AS_SEQUENCE, asns: [64999, 9] }] };
  c.ribOut.announce(IPV4_UNICAST, Uint8Array.from(Q), written, { nextHop: Uint8Array.of(192, 0, 2, 99), pathId: 7 });
  assert.deepEqual(sent(c).announced, ['11.0.1/24#a 1001', '11.0.1/24#b 64999 9']);
  assert.deepEqual(
    c.ribOut
      .paths(IPV4_UNICAST, Uint8Array.from(Q))
      .map((p) => p.pathId)
      .sort((x, y) => x - y),
    [7, 0x80000000],
  );
  assert.deepEqual(sent(b).announced, [], "b keeps a's path");
  c.ribOut.withdraw(IPV4_UNICAST, Uint8Array.from(Q), 7);
  assert.deepEqual(sent(c), { announced: [], withdrawn: ['11.0.1/24#b'] });
});
