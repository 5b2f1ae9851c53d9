// The route server (RFC 7947) from received UPDATEs to the clients' Adj-RIBs-Out, with the configuration parsed
// from text: per-client best paths (no path hiding), transparency, action communities, refusals with their
// reasons, max-prefix (refuse and teardown), RPKI revalidation on a VRP change, a client going down.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../../src/config/parser';
import { AdjRibOut } from '../../../src/rib/adj-rib-out';
import { AttrInterner } from '../../../src/rib/attr-intern';
import { RouteServer, type ServerNeighbor } from '../../../src/roles/route-server/server';
import { VrpTable } from '../../../src/rpki/vrp-table';
import { CeaseSubcode } from '../../../src/wire/notification';
import {
  type Attributes,
  IPV4_UNICAST,
  IPV6_UNICAST,
  type NlriBlock,
  SegmentType,
  type Update,
} from '../../../src/wire/types';

const RS = 64999;
const client = (ip: string, as: number | 'auto', filter = '') =>
  `neighbor ${ip} { router-id 192.0.2.1; local-address 192.0.2.1; local-as ${RS}; peer-as ${as}; route-server-client;\n` +
  ` filter { next-hop any; ${filter} } }\n`;

/** `before`: what happens to the neighbors before the route server is built (routes loaded from the configuration). */
function setup(extra = '', before?: (ns: ServerNeighbor[]) => void) {
  const config = parseConfig(
    client('192.0.2.11', 1001) +
      client('192.0.2.12', 1002) +
      client('192.0.2.13', 1003, 'max-prefix 2 refuse;') +
      client('192.0.2.14', 1004, 'max-prefix 1 teardown 3;') +
      extra,
    'rs.conf',
  );
  const interner = new AttrInterner();
  const stops: { data?: Uint8Array; subcode?: number }[] = [];
  const ns: ServerNeighbor[] = config.neighbors.map((cfg) => {
    const n: ServerNeighbor = {
      cfg,
      ribOut: new AdjRibOut(interner),
      localAs: RS,
      peer: {
        // As the daemon's Peer: the session is down (and the client's routes gone) before stop() returns.
        stop: async (data?: Uint8Array, subcode?: number) => {
          stops.push({ data, subcode });
          rs.down(n);
        },
        start: () => {},
      },
      log: { info: () => {}, warning: () => {} },
    };
    return n;
  });
  const vrps = new VrpTable();
  const rs = new RouteServer(interner, (v6, buf, off, len, origin) => vrps.validate(v6, buf, off, len, origin), {
    alwaysCompareMed: config.alwaysCompareMed,
  });
  before?.(ns);
  rs.sync(ns);
  for (const [i, n] of ns.entries()) rs.up(n, Uint8Array.of(10, 0, 0, 11 + i), 1001 + i);
  const send = (from: ServerNeighbor, attrs: Attributes | null, nlri: number[], withdrawn: number[] = []) => {
    const block = (data: number[]): NlriBlock => ({
      family: IPV4_UNICAST,
      addPath: false,
      data: Uint8Array.from(data),
      count: data.length ? 1 : 0,
    });
    const u: Update = { withdrawn: block(withdrawn), attributes: attrs ?? {}, nlri: block(nlri), issues: [] };
    rs.receive(from, u, attrs && nlri.length ? interner.intern(attrs) : null);
  };
  /** One IPv6 unicast NLRI entry announced in MP_REACH_NLRI with next hop 2001:db8::1. */
  const send6 = (from: ServerNeighbor, attrs: Attributes, entry: number[]) => {
    const nh = Uint8Array.of(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);
    const none: NlriBlock = { family: IPV4_UNICAST, addPath: false, data: new Uint8Array(0), count: 0 };
    const nlri: NlriBlock = { family: IPV6_UNICAST, addPath: false, data: Uint8Array.from(entry), count: 1 };
    const a: Attributes = { ...attrs, mpReach: { family: IPV6_UNICAST, nextHop: nh, nlri } };
    rs.receive(from, { withdrawn: none, attributes: a, nlri: none, issues: [] }, interner.intern(a, nh));
  };
  const held = (x: ServerNeighbor) =>
    Object.fromEntries(
      [...x.ribOut.routes()].map((r) => [
        Buffer.from(r.entry).toString('hex'),
        `${r.attributes.attributes.nextHop?.join('.')} ${r.attributes.attributes.asPath?.flatMap((s) => s.asns).join(' ')}`,
      ]),
    );
  return { rs, ns, send, send6, held, stops, vrps };
}

const path = (...asns: number[]) => [{ type: SegmentType.AS_SEQUENCE, asns }];
const attrs = (as: number[], extra: Partial<Attributes> = {}): Attributes => ({
  origin: 0,
  asPath: path(...as),
  nextHop: Uint8Array.of(192, 0, 2, as[0]! - 990),
  ...extra,
});
const P1 = [24, 11, 0, 1];
const P2 = [24, 11, 0, 2];
const P3 = [24, 11, 0, 3];

test('transparent: the path goes to every other client as received, never back', () => {
  const { ns, send, held } = setup();
  const [a, b, c, d] = ns as [ServerNeighbor, ServerNeighbor, ServerNeighbor, ServerNeighbor];
  send(a, attrs([1001, 3356], { med: 7, communities: [0x00030003] }), P1);
  assert.deepEqual(held(a), {});
  for (const x of [b, c, d]) assert.deepEqual(held(x), { '180b0001': '192.0.2.11 1001 3356' });
  const out = [...b.ribOut.routes()][0]!.attributes.attributes;
  assert.equal(out.med, 7);
  assert.deepEqual(out.communities, [0x00030003]);
});

test('RFC 4271 §5, §9.1.3: an unknown optional non-transitive attribute is not passed on, a transitive one gets Partial', () => {
  const { ns, send } = setup();
  const [a, b, c] = ns as [ServerNeighbor, ServerNeighbor, ServerNeighbor];
  const other = [
    { flags: 0x80, code: 0xf1, value: Uint8Array.of(1) },
    { flags: 0xc0, code: 0xf2, value: Uint8Array.of(2) },
  ];
  send(a, attrs([1001], { other }), P1);
  for (const x of [b, c]) {
    const out = [...x.ribOut.routes()][0]!.attributes.attributes.other;
    assert.deepEqual(out, [{ flags: 0xe0, code: 0xf2, value: Uint8Array.of(2) }]);
  }
  // Only unknown non-transitive ones: the set goes on without `other`.
  send(a, attrs([1001], { other: other.slice(0, 1) }), P2);
  assert.equal([...b.ribOut.routes()].find((r) => r.entry[3] === 2)!.attributes.attributes.other, undefined);
});

test('no path hiding: a client the best path may not reach gets the next best (RFC 7947 §2.3.2.1)', () => {
  const { ns, send, held } = setup();
  const [a, b, c] = ns as [ServerNeighbor, ServerNeighbor, ServerNeighbor];
  // a's path is shorter (the overall best) but says "not to 1003"; b's longer path is what c must get.
  send(a, attrs([1001], { communities: [(0 << 16) | 1003] }), P1);
  send(b, attrs([1002, 7018]), P1);
  assert.deepEqual(held(c), { '180b0001': '192.0.2.12 1002 7018' });
  assert.deepEqual(held(b), { '180b0001': '192.0.2.11 1001' });
  assert.deepEqual(held(a), { '180b0001': '192.0.2.12 1002 7018' });
  // The best leaves: c keeps b's path, b has nothing left, a still has b's.
  send(a, null, [], P1);
  assert.deepEqual(held(b), {});
  assert.deepEqual(held(c), { '180b0001': '192.0.2.12 1002 7018' });
});

test('peer-as auto: the AS learned from the OPEN stays the first-as check through a reload', () => {
  const { rs, ns, send, held } = setup(client('192.0.2.15', 'auto'));
  const [a, , , , e] = ns as [ServerNeighbor, ServerNeighbor, ServerNeighbor, ServerNeighbor, ServerNeighbor];
  send(e, attrs([1005]), P1); // setup brought e up as AS 1005
  assert.deepEqual(held(a), { '180b0001': '192.0.2.15 1005' });
  rs.sync(ns); // a reload that changed nothing: every route is judged again
  assert.deepEqual(held(a), { '180b0001': '192.0.2.15 1005' });
  assert.equal(rs.client(e)!.filtered, 0);
});

test('MED decides between clients of different ASes only with always-compare-med (RFC 4271 §9.1.2.2 c)', () => {
  for (const [extra, winner] of [
    ['', '192.0.2.11 1001'],
    ['always-compare-med;\n', '192.0.2.12 1002'],
  ] as const) {
    const { ns, send, held } = setup(extra);
    const [a, b, c] = ns as [ServerNeighbor, ServerNeighbor, ServerNeighbor];
    // Same length; a has the higher MED but the lower BGP identifier (10.0.0.11).
    send(a, attrs([1001], { med: 50 }), P1);
    send(b, attrs([1002], { med: 10 }), P1);
    assert.deepEqual(held(c), { '180b0001': winner }, extra || 'MED not compared');
  }
});

test('action communities: only to X, prepend N to X', () => {
  const { ns, send, held } = setup();
  const [a, b, c, d] = ns as [ServerNeighbor, ServerNeighbor, ServerNeighbor, ServerNeighbor];
  send(a, attrs([1001], { communities: [(RS << 16) | 1003] }), P1);
  send(a, attrs([1001], { largeCommunities: [[RS, 103, 1002]] }), P2);
  assert.deepEqual(held(b), { '180b0002': '192.0.2.11 1001 1001 1001 1001' });
  assert.deepEqual(held(c), { '180b0001': '192.0.2.11 1001', '180b0002': '192.0.2.11 1001' });
  assert.deepEqual(held(d), { '180b0002': '192.0.2.11 1001' });
});

test('refused routes keep their reason; max-prefix refuses over the limit, teardown closes with Cease 1', async () => {
  const { rs, ns, send, held, stops } = setup();
  const [a, b, c, d] = ns as [ServerNeighbor, ServerNeighbor, ServerNeighbor, ServerNeighbor];
  send(a, attrs([1002]), P1); // first AS is not a's
  send(a, attrs([1001]), [16, 10, 1]); // bogon
  assert.deepEqual(
    rs
      .client(a)!
      .routes.all()
      .map((r) => r.reason),
    ['first-as', 'bogon-prefix'],
  );
  assert.deepEqual(held(b), {});
  send(c, attrs([1003]), P1);
  send(c, attrs([1003]), P2);
  send(c, attrs([1003]), P3);
  const cc = rs.client(c)!;
  assert.deepEqual([cc.received, cc.accepted, cc.filtered], [3, 2, 1]);
  assert.equal(Object.keys(held(a)).length, 2);
  send(d, attrs([1004]), P1);
  assert.equal(stops.length, 0);
  send(d, attrs([1004]), P2);
  await new Promise(setImmediate);
  assert.equal(stops.length, 1);
  assert.equal(stops[0]!.subcode, CeaseSubcode.MAX_PREFIXES);
  assert.deepEqual([...stops[0]!.data!], [0, 1, 1, 0, 0, 0, 1], 'RFC 4486: AFI 1, SAFI 1, limit 1');
  assert.equal(Object.keys(held(a)).length, 2, "d's route left with its session");
  clearTimeout(rs.client(d)!.restartTimer);
});

test('max-prefix counts per family (RFC 4486 names one AFI/SAFI): IPv6 routes do not use up the IPv4 limit', () => {
  const { rs, ns, send, send6 } = setup();
  const c = ns[2]!; // max-prefix 2 refuse
  send(c, attrs([1003]), P1);
  send6(c, attrs([1003]), [32, 0x2a, 0x01, 0x00, 0x13]);
  send6(c, attrs([1003]), [32, 0x2a, 0x01, 0x00, 0x14]);
  send(c, attrs([1003]), P2);
  send6(c, attrs([1003]), [32, 0x2a, 0x01, 0x00, 0x15]);
  send(c, attrs([1003]), P3);
  const reasons = rs
    .client(c)!
    .routes.all()
    .map((r) => `${r.family === IPV6_UNICAST ? 6 : 4} ${r.reason ?? 'accepted'}`)
    .sort();
  assert.deepEqual(reasons, ['4 accepted', '4 accepted', '4 max-prefix', '6 accepted', '6 accepted', '6 max-prefix']);
});

test('max-prefix teardown in the middle of an UPDATE: the rest is refused, nothing of the client stays', async () => {
  const { rs, ns, send, held, stops } = setup();
  const [a, , , d] = ns as [ServerNeighbor, ServerNeighbor, ServerNeighbor, ServerNeighbor];
  // One UPDATE with three prefixes for a limit of 1: the session is stopped at the second (it was stopped from
  // inside the UPDATE, and the third then met the routes already cleared: TypeError, the daemon died).
  send(d, attrs([1004]), [...P1, ...P2, ...P3]);
  await new Promise(setImmediate);
  assert.equal(stops.length, 1);
  assert.deepEqual(held(a), {});
  assert.deepEqual(rs.client(d)!.routes.all(), []);
  clearTimeout(rs.client(d)!.restartTimer);
});

test('RFC 7999: a blackhole sent before its covering prefix is taken once that is accepted, dropped when it goes', () => {
  const { ns, send, held } = setup();
  const [a, b] = ns as [ServerNeighbor, ServerNeighbor];
  const hole = attrs([1001], { communities: [0xffff029a] });
  const H = [32, 11, 0, 1, 66];
  send(a, hole, H);
  assert.deepEqual(held(b), {}, 'not (yet) in the client’s space');
  send(a, attrs([1001]), P1);
  assert.deepEqual(Object.keys(held(b)).sort(), ['180b0001', '200b000142']);
  send(a, null, [], P1);
  assert.deepEqual(held(b), {}, 'its space withdrawn, the blackhole goes too');
  send(a, attrs([1001]), P1);
  assert.deepEqual(Object.keys(held(b)).sort(), ['180b0001', '200b000142']);
  // Another blackhole covering it is not the client's space.
  send(a, hole, [30, 11, 0, 1, 64]);
  assert.equal(Object.keys(held(b)).length, 3);
  send(a, null, [], P1);
  assert.deepEqual(held(b), {});
});

test('a VRP change judges the covered routes again: newly invalid ones are withdrawn, valid again ones return', () => {
  const { rs, ns, send, held, vrps } = setup();
  const [a, b] = ns as [ServerNeighbor, ServerNeighbor];
  send(a, attrs([1001]), P1);
  send(a, attrs([1001]), P2);
  assert.equal(Object.keys(held(b)).length, 2);
  vrps.add(false, Uint8Array.of(11, 0, 0, 0), 0, 24, 24, 9999); // 11.0.0.0/24 only: P1 and P2 are not covered
  vrps.add(false, Uint8Array.of(11, 0, 1, 0), 0, 24, 24, 9999);
  assert.equal(rs.revalidate(vrps.takeChanges()!), 1, 'only the covered route is judged again');
  assert.deepEqual(held(b), { '180b0002': '192.0.2.11 1001' });
  assert.equal(
    rs
      .client(a)!
      .routes.all()
      .find((r) => r.entry[3] === 1)!.reason,
    'rpki-invalid',
  );
  vrps.add(false, Uint8Array.of(11, 0, 1, 0), 0, 24, 24, 1001);
  rs.revalidate(vrps.takeChanges()!);
  assert.equal(Object.keys(held(b)).length, 2);
});

test('a client that goes down takes its paths out of every other client', () => {
  const { rs, ns, send, held } = setup();
  const [a, b, c] = ns as [ServerNeighbor, ServerNeighbor, ServerNeighbor];
  send(a, attrs([1001]), P1);
  send(b, attrs([1002, 1]), P1);
  assert.deepEqual(held(c), { '180b0001': '192.0.2.11 1001' });
  rs.down(a);
  assert.deepEqual(held(c), { '180b0001': '192.0.2.12 1002 1' });
  assert.deepEqual(held(b), {});
  assert.deepEqual([rs.client(a)!.accepted, rs.client(a)!.filtered], [0, 0]);
});

test('rpki tag: an invalid route is accepted with RS:1000:3, a valid one with RS:1000:1, not-found with RS:1000:2', () => {
  const { ns, send, vrps } = setup(client('192.0.2.15', 1005, 'rpki tag;'));
  const [a, , , , e] = ns as [ServerNeighbor, ServerNeighbor, ServerNeighbor, ServerNeighbor, ServerNeighbor];
  vrps.add(false, Uint8Array.of(11, 0, 0, 0), 0, 16, 24, 1005);
  vrps.add(false, Uint8Array.of(12, 0, 0, 0), 0, 16, 24, 9999);
  send(e, attrs([1005]), P1);
  send(e, attrs([1005]), [24, 12, 0, 1]);
  send(e, attrs([1005]), [24, 13, 0, 1]);
  const tags = Object.fromEntries(
    [...a.ribOut.routes()].map((r) => [
      Buffer.from(r.entry).toString('hex'),
      r.attributes.attributes.largeCommunities?.map((l) => l.join(':')),
    ]),
  );
  assert.deepEqual(tags, {
    '180b0001': [`${RS}:1000:1`],
    '180c0001': [`${RS}:1000:3`],
    '180d0001': [`${RS}:1000:2`],
  });
});

test('a route written for a client is a local path: it goes to that client only, as written, and wins (local-origin)', () => {
  const { rs, ns, send, held } = setup();
  const [a, b, c] = ns as [ServerNeighbor, ServerNeighbor, ServerNeighbor];
  const written: Attributes = { origin: 0, asPath: path(64999), nextHop: Uint8Array.of(192, 0, 2, 77) };
  b.ribOut.announce(IPV4_UNICAST, Uint8Array.from(P1), written);
  send(a, attrs([1001]), P1);
  const paths = rs.rib.paths(IPV4_UNICAST, Uint8Array.from(P1));
  assert.deepEqual(
    paths.map((p) => [rs.rib.source(p.source).name, p.best]),
    [
      ['local (to 192.0.2.12)', true],
      ['192.0.2.11', false],
    ],
  );
  assert.deepEqual(held(b), { '180b0001': '192.0.2.77 64999' });
  assert.deepEqual(held(c), { '180b0001': '192.0.2.11 1001' }, 'the others get the best of the clients’ paths');
  assert.deepEqual(held(a), {}, 'nor is it sent to the client that announced the prefix');
  // Withdrawn (a program, a reload): b gets a's path.
  assert.equal(b.ribOut.withdraw(IPV4_UNICAST, Uint8Array.from(P1)), true);
  assert.deepEqual(held(b), { '180b0001': '192.0.2.11 1001' });
  assert.equal(rs.rib.paths(IPV4_UNICAST, Uint8Array.from(P1)).length, 1);
  // Written again then cleared (`clear adj-rib out`): the same.
  b.ribOut.announce(IPV4_UNICAST, Uint8Array.from(P1), written);
  assert.deepEqual(held(b), { '180b0001': '192.0.2.77 64999' });
  b.ribOut.withdrawAll();
  assert.equal(rs.rib.paths(IPV4_UNICAST, Uint8Array.from(P1)).length, 1);
});

test('routes written before the route server existed move into its Loc-RIB and are sent once', () => {
  const written: Attributes = { origin: 0, asPath: path(64999), nextHop: Uint8Array.of(192, 0, 2, 77) };
  const { rs, ns, send } = setup('', (ns) => ns[1]!.ribOut.announce(IPV4_UNICAST, Uint8Array.from(P1), written));
  const [a, b] = ns as [ServerNeighbor, ServerNeighbor];
  assert.equal(rs.rib.pathCount, 1);
  assert.equal(b.ribOut.size, 1);
  send(a, attrs([1001]), P1);
  b.ribOut.attach({
    localAs: RS,
    peerAs: 1002,
    ibgp: false,
    families: new Set([IPV4_UNICAST]),
    addPathSend: new Set(),
    sendCtx: { asn4: true, addPath: new Set(), maxMessage: 4096 },
    localAddress: Uint8Array.of(192, 0, 2, 1),
  });
  // One UPDATE for the prefix (the written route), then End-of-RIB: not the route server's path as well.
  const updates = b.ribOut.pull(100).filter((m) => m.length > 23);
  assert.equal(updates.length, 1);
  assert.ok(Buffer.from(updates[0]!).includes(Buffer.from([192, 0, 2, 77])));
  // A client gone from the configuration takes its written routes along.
  rs.sync([a]);
  assert.deepEqual(
    rs.rib.paths(IPV4_UNICAST, Uint8Array.from(P1)).map((p) => rs.rib.source(p.source).name),
    ['192.0.2.11'],
  );
});
