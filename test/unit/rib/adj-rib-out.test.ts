import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FlowRule } from '../../../src/flowspec/rule';
import { AdjRibIn } from '../../../src/rib/adj-rib-in';
import { AdjRibOut, type ExportSession } from '../../../src/rib/adj-rib-out';
import { encodeFlowRule, IPV4_FLOW, IPV4_FLOW_VPN } from '../../../src/wire/nlri/flowspec';
import { decodeRouteRefresh } from '../../../src/wire/refresh';
import {
  type AsPathSegment,
  type Attributes,
  IPV4_UNICAST,
  IPV6_UNICAST,
  MessageType,
  SegmentType,
  type Update,
} from '../../../src/wire/types';
import { decodeUpdate } from '../../../src/wire/update';

const session = (over: Partial<ExportSession> = {}): ExportSession => ({
  localAs: 65001,
  peerAs: 65002,
  ibgp: false,
  families: new Set([IPV4_UNICAST, IPV6_UNICAST]),
  addPathSend: new Set(),
  sendCtx: { asn4: true, addPath: new Set(), maxMessage: 4096 },
  localAddress: Uint8Array.of(192, 0, 2, 1),
  ...over,
});

/** Split messages into decoded UPDATEs and ROUTE-REFRESH subtypes, in order. */
function decode(
  msgs: Uint8Array[],
  s: ExportSession,
): ({ kind: 'update'; u: Update } | { kind: 'refresh'; subtype: number })[] {
  return msgs.map((m) => {
    const body = m.subarray(19);
    if (m[18] === MessageType.ROUTE_REFRESH) return { kind: 'refresh', subtype: decodeRouteRefresh(body).subtype };
    assert.equal(m[18], MessageType.UPDATE);
    return {
      kind: 'update',
      u: decodeUpdate(body, { asn4: s.sendCtx.asn4, addPath: s.addPathSend, maxMessage: s.sendCtx.maxMessage }),
    };
  });
}

const entry = (i: number) => Uint8Array.of(24, 10, (i >> 8) & 255, i & 255);

test('full table on attach, packed by attribute set, then End-of-RIB per family; resent on re-attach', () => {
  const out = new AdjRibOut();
  for (let i = 0; i < 3000; i++)
    out.announce(IPV4_UNICAST, entry(i), {
      origin: 0,
      asPath: [{ type: 2, asns: [65100] }],
      med: i % 3,
      nextHop: Uint8Array.of(192, 0, 2, 9),
    });
  assert.equal(out.pull().length, 0, 'nothing before a session');
  const s = session();
  for (let round = 0; round < 2; round++) {
    out.attach(s);
    const msgs: Uint8Array[] = [];
    for (let m = out.pull(8); m.length > 0; m = out.pull(8)) msgs.push(...m);
    const d = decode(msgs, s);
    const rib = new AdjRibIn();
    const eors: number[] = [];
    for (const x of d) if (x.kind === 'update') rib.apply(x.u).endOfRib !== undefined && eors.push(x.u.eorFamily!);
    assert.equal(rib.size, 3000);
    assert.equal(rib.interner.size, 3);
    assert.deepEqual(eors.sort(), [IPV4_UNICAST, IPV6_UNICAST].sort());
    // Packed: 3 attribute sets, about 1000 /24s of 4 bytes each per set => a few messages each, not 3000.
    assert.ok(d.length < 20, `${d.length} messages`);
    // EoR comes after the table.
    assert.ok(d.slice(-2).every((x) => x.kind === 'update' && x.u.eorFamily !== undefined));
    out.detach();
  }
});

test('manual-eor: the table without End-of-RIB (ExaBGP 4.2: the API sends it)', () => {
  const out = new AdjRibOut();
  out.announce(IPV4_UNICAST, entry(1), { origin: 0, nextHop: Uint8Array.of(192, 0, 2, 9) });
  const s = session({ manualEor: true });
  out.attach(s);
  const d = decode(out.pull(), s);
  assert.equal(d.length, 1);
  assert.equal(d[0]!.kind === 'update' && d[0]!.u.eorFamily, undefined);
  assert.equal(out.pull().length, 0);
});

test('export rules: eBGP adds our AS to a route without AS_PATH, keeps a given one, strips LOCAL_PREF; iBGP defaults LOCAL_PREF 100; next-hop self', () => {
  const out = new AdjRibOut();
  out.announce(
    IPV4_UNICAST,
    entry(1),
    { origin: 0, asPath: [{ type: 2, asns: [65100] }], localPref: 200, med: 5 },
    { nextHop: 'self' },
  );
  out.announce(IPV6_UNICAST, Uint8Array.of(32, 0x20, 0x01, 0x0d, 0xb8), { origin: 0 }, { nextHop: 'self' });
  const e = session();
  out.attach(e);
  const d = decode(out.pull(), e).filter((x) => x.kind === 'update' && x.u.eorFamily === undefined) as { u: Update }[];
  const v4 = d.find((x) => x.u.nlri.count > 0)!.u.attributes;
  // A given AS_PATH is sent as written (ExaBGP semantics: the program owns the path) ...
  assert.deepEqual(v4.asPath, [{ type: 2, asns: [65100] }]);
  assert.equal(v4.localPref, undefined);
  assert.equal(v4.med, 5);
  assert.deepEqual(Uint8Array.from(v4.nextHop!), Uint8Array.of(192, 0, 2, 1));
  const v6 = d.find((x) => x.u.attributes.mpReach)!.u.attributes;
  // ... and a route without one gets [local AS].
  assert.deepEqual(v6.asPath, [{ type: 2, asns: [65001] }]);
  // IPv6 route over an IPv4 session: IPv4-mapped next hop.
  assert.deepEqual(
    Uint8Array.from(v6.mpReach!.nextHop),
    Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 192, 0, 2, 1),
  );
  out.detach();
  const i = session({ ibgp: true, peerAs: 65001 });
  out.announce(IPV4_UNICAST, entry(2), { origin: 0 }, { nextHop: 'self' });
  out.attach(i);
  const di = decode(out.pull(), i).filter((x) => x.kind === 'update' && x.u.nlri.count > 0) as { u: Update }[];
  const byLp = di.map((x) => x.u.attributes.localPref).sort();
  assert.deepEqual(byLp, [100, 200]);
  assert.ok(
    di.every((x) => x.u.attributes.asPath!.every((seg) => !seg.asns.includes(65001))),
    'no prepend inside the AS',
  );
});

test('changes while established: announce, replace, withdraw go out once each', () => {
  const out = new AdjRibOut();
  const s = session();
  let woke = 0;
  out.onWork = () => woke++;
  out.attach(s);
  out.pull();
  out.announce(IPV4_UNICAST, entry(1), { origin: 0, nextHop: Uint8Array.of(192, 0, 2, 9) });
  out.announce(IPV4_UNICAST, entry(1), { origin: 1, nextHop: Uint8Array.of(192, 0, 2, 9) });
  out.announce(IPV4_UNICAST, entry(2), { origin: 0, nextHop: Uint8Array.of(192, 0, 2, 9) });
  assert.ok(out.withdraw(IPV4_UNICAST, entry(2)));
  assert.equal(out.withdraw(IPV4_UNICAST, entry(3)), false);
  assert.ok(woke >= 3);
  const d = decode(out.pull(), s) as { u: Update }[];
  const rib = new AdjRibIn();
  rib.apply({
    withdrawn: { family: IPV4_UNICAST, addPath: false, data: entry(2), count: 1 },
    attributes: {},
    nlri: { family: IPV4_UNICAST, addPath: false, data: new Uint8Array(0), count: 0 },
    issues: [],
  });
  let announced = 0;
  let withdrawn = 0;
  for (const x of d) {
    announced += x.u.nlri.count;
    withdrawn += x.u.withdrawn.count;
    rib.apply(x.u);
  }
  assert.equal(announced, 1, 'only the latest version of 10.0.1.0/24');
  assert.equal(withdrawn, 1);
  assert.equal(rib.getIpv4(Uint8Array.of(10, 0, 1, 0), 24)!.attributes.attributes.origin, 1);
  assert.equal(out.size, 1);
  assert.equal(out.hasPending, false);
});

test('route refresh: the family again, inside BoRR/EoRR when enhanced', () => {
  const out = new AdjRibOut();
  for (let i = 0; i < 10; i++)
    out.announce(IPV4_UNICAST, entry(i), { origin: 0, nextHop: Uint8Array.of(192, 0, 2, 9) });
  const s = session({ enhancedRouteRefresh: true });
  out.attach(s);
  out.pull(1000);
  out.refresh(IPV4_UNICAST);
  const d = decode(out.pull(1000), s);
  assert.deepEqual(d[0], { kind: 'refresh', subtype: 1 });
  assert.deepEqual(d[d.length - 1], { kind: 'refresh', subtype: 2 });
  const n = d.reduce((a, x) => a + (x.kind === 'update' ? x.u.nlri.count : 0), 0);
  assert.equal(n, 10);
  // Plain route refresh: no markers.
  out.detach();
  const p = session();
  out.attach(p);
  out.pull(1000);
  out.refresh(IPV4_UNICAST);
  assert.ok(decode(out.pull(1000), p).every((x) => x.kind === 'update'));
});

test('add-path send: path ids on the wire only when negotiated', () => {
  const out = new AdjRibOut();
  out.announce(IPV4_UNICAST, entry(1), { origin: 0, nextHop: Uint8Array.of(192, 0, 2, 9) }, { pathId: 7 });
  out.announce(IPV4_UNICAST, entry(1), { origin: 0, nextHop: Uint8Array.of(192, 0, 2, 9) }, { pathId: 8 });
  const s = session({
    addPathSend: new Set([IPV4_UNICAST]),
    sendCtx: { asn4: true, addPath: new Set([IPV4_UNICAST]), maxMessage: 4096 },
  });
  out.attach(s);
  const d = decode(out.pull(), s) as { u: Update }[];
  const rib = new AdjRibIn();
  for (const x of d) rib.apply(x.u);
  assert.ok(rib.getIpv4(Uint8Array.of(10, 0, 1, 0), 24, 7));
  assert.ok(rib.getIpv4(Uint8Array.of(10, 0, 1, 0), 24, 8));
  // A lookup of the destination finds both path ids (not only path id 0).
  assert.deepEqual(
    out.paths(IPV4_UNICAST, entry(1)).map((r) => r.pathId),
    [7, 8],
  );
  out.withdraw(IPV4_UNICAST, entry(1), 7);
  assert.deepEqual(
    out.paths(IPV4_UNICAST, entry(1)).map((r) => r.pathId),
    [8],
  );
  assert.deepEqual(out.paths(IPV4_UNICAST, entry(2)), []);
});

test('FlowSpec and FlowSpec VPN rules without a next hop go out with an empty MP_REACH next hop (RFC 8955 §4, §8)', () => {
  // qa/ci/conf-flow of ExaBGP: "rd 65535:65536; match { source 10.0.0.1/32; } then { discard; }" has no next hop;
  // the VPN rule used to get the session's local address ("self") as its next hop.
  for (const family of [IPV4_FLOW, IPV4_FLOW_VPN]) {
    const rule: FlowRule = {
      family,
      components: [{ type: 2, len: 32, offset: 0, addr: Uint8Array.of(10, 0, 0, 1) }],
      ...(family === IPV4_FLOW_VPN ? { rd: Uint8Array.of(0, 2, 0xff, 0xff, 0, 1, 0, 0) } : {}),
    };
    const out = new AdjRibOut();
    out.announce(family, encodeFlowRule(rule), { origin: 0 }, { nextHop: 'self' });
    const s = session({ families: new Set([family]) });
    out.attach(s);
    const [first] = decode(out.pull(), s);
    assert.equal(first?.kind, 'update');
    const mp = (first as { u: Update }).u.attributes.mpReach!;
    assert.equal(mp.family, family);
    assert.equal(mp.nextHop.length, 0, `next hop of ${family}`);
  }
});

// RFC 5065 §6.1 AS_PATH rules inside a confederation (identifier 65000, our member AS 65001): what a peer in
// another member AS and a peer outside the confederation receive, decoded from the UPDATEs built for them.
// IPv4 and IPv6 routes, since IPv4 ones may take the wire fast path.

const SEQ = SegmentType.AS_SEQUENCE;
const CSEQ = SegmentType.AS_CONFED_SEQUENCE;
const CSET = SegmentType.AS_CONFED_SET;
/** A peer in member AS 65002 of our confederation. */
const memberPeer = session({ confederation: 'member' });
/** A peer outside the confederation: our local AS towards it is the identifier. */
const outsidePeer = session({ localAs: 65000, peerAs: 64500, confederation: 'outside' });
/** A peer in our own member AS. */
const internalPeer = session({ ibgp: true, peerAs: 65001, confederation: 'internal' });

const NH = Uint8Array.of(192, 0, 2, 9);
const V6NH = Uint8Array.of(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9);

/** The attributes each route (by third octet of 10.0.N.0/24, or N of 2001:db8:N::/48) arrives with. */
function sent(s: ExportSession, routes: { n: number; attrs: Attributes; v6?: boolean }[]): Map<string, Attributes> {
  const out = new AdjRibOut();
  for (const r of routes) {
    if (r.v6) out.announce(IPV6_UNICAST, Uint8Array.of(48, 0x20, 0x01, 0x0d, 0xb8, 0, r.n), r.attrs, { nextHop: V6NH });
    else out.announce(IPV4_UNICAST, Uint8Array.of(24, 10, 0, r.n), { ...r.attrs, nextHop: NH });
  }
  out.attach(s);
  const got = new Map<string, Attributes>();
  for (const m of out.pull()) {
    const u = decodeUpdate(m.subarray(19), { asn4: true, addPath: new Set(), maxMessage: 4096 });
    if (u.nlri.count > 0) got.set(`v4 ${u.nlri.data[3]}`, u.attributes);
    const mp = u.attributes.mpReach;
    if (mp && mp.nlri.count > 0) got.set(`v6 ${mp.nlri.data[6]}`, u.attributes);
  }
  return got;
}

const path = (a: Attributes | undefined): AsPathSegment[] | undefined => a?.asPath;

test('to a peer in another member AS: our member AS leads in an AS_CONFED_SEQUENCE (RFC 5065 §6.1 c)', () => {
  const routes = [
    // Given without AS_PATH (the configuration's usual route).
    { n: 1, attrs: { origin: 0 } },
    // Learned from outside through the confederation: the member AS joins the leading confederation sequence.
    {
      n: 2,
      attrs: {
        origin: 0,
        asPath: [
          { type: CSEQ, asns: [65002] },
          { type: SEQ, asns: [64500] },
        ],
      },
    },
    // A path learned inside our member AS.
    { n: 3, attrs: { origin: 0, asPath: [{ type: SEQ, asns: [64501, 64502] }] } },
    // A leading AS_CONFED_SET stays a set: the sequence goes before it.
    { n: 4, attrs: { origin: 0, asPath: [{ type: CSET, asns: [65003, 65004] }] } },
    { n: 5, v6: true, attrs: { origin: 0, asPath: [{ type: SEQ, asns: [64501] }] } },
  ];
  const got = sent(memberPeer, routes);
  assert.deepEqual(path(got.get('v4 1')), [{ type: CSEQ, asns: [65001] }]);
  assert.deepEqual(path(got.get('v4 2')), [
    { type: CSEQ, asns: [65001, 65002] },
    { type: SEQ, asns: [64500] },
  ]);
  assert.deepEqual(path(got.get('v4 3')), [
    { type: CSEQ, asns: [65001] },
    { type: SEQ, asns: [64501, 64502] },
  ]);
  assert.deepEqual(path(got.get('v4 4')), [
    { type: CSEQ, asns: [65001] },
    { type: CSET, asns: [65003, 65004] },
  ]);
  assert.deepEqual(path(got.get('v6 5')), [
    { type: CSEQ, asns: [65001] },
    { type: SEQ, asns: [64501] },
  ]);
});

test('to a peer in another member AS: LOCAL_PREF, MED and NEXT_HOP as inside one AS; no reflection attributes (RFC 5065 §5)', () => {
  const routes = [
    { n: 1, attrs: { origin: 0, localPref: 300, med: 7 } },
    { n: 2, attrs: { origin: 0 } },
    {
      n: 3,
      attrs: { origin: 0, originatorId: Uint8Array.of(10, 9, 9, 9), clusterList: [Uint8Array.of(1, 1, 1, 1)] },
    },
  ];
  const got = sent(memberPeer, routes);
  assert.equal(got.get('v4 1')!.localPref, 300);
  assert.equal(got.get('v4 1')!.med, 7);
  assert.deepEqual(Uint8Array.from(got.get('v4 1')!.nextHop!), NH, 'the next hop is not ours: kept');
  assert.equal(got.get('v4 2')!.localPref, 100, 'the default LOCAL_PREF, as to an internal peer');
  assert.equal(got.get('v4 3')!.originatorId, undefined);
  assert.equal(got.get('v4 3')!.clusterList, undefined);
});

test('to a peer outside: confederation segments removed and the identifier prepended (RFC 5065 §6.1 d); no LOCAL_PREF', () => {
  const routes = [
    { n: 1, attrs: { origin: 0, localPref: 300 } },
    {
      n: 2,
      attrs: {
        origin: 0,
        asPath: [
          { type: CSEQ, asns: [65001, 65002] },
          { type: SEQ, asns: [64500] },
        ],
      },
    },
    // Only confederation segments: the path becomes [identifier].
    { n: 3, attrs: { origin: 0, asPath: [{ type: CSEQ, asns: [65002] }] } },
    // A path written without confederation segments is the program's, sent as written (as to any eBGP peer).
    { n: 4, attrs: { origin: 0, asPath: [{ type: SEQ, asns: [65000, 64501] }] } },
    {
      n: 5,
      v6: true,
      attrs: {
        origin: 0,
        asPath: [
          { type: CSEQ, asns: [65002] },
          { type: SEQ, asns: [64500] },
        ],
      },
    },
  ];
  const got = sent(outsidePeer, routes);
  assert.deepEqual(path(got.get('v4 1')), [{ type: SEQ, asns: [65000] }]);
  assert.equal(got.get('v4 1')!.localPref, undefined);
  assert.deepEqual(path(got.get('v4 2')), [{ type: SEQ, asns: [65000, 64500] }]);
  assert.deepEqual(path(got.get('v4 3')), [{ type: SEQ, asns: [65000] }]);
  assert.deepEqual(path(got.get('v4 4')), [{ type: SEQ, asns: [65000, 64501] }]);
  assert.deepEqual(path(got.get('v6 5')), [{ type: SEQ, asns: [65000, 64500] }]);
});

test('to a peer in our own member AS: unchanged, confederation segments kept (iBGP)', () => {
  const confed = [
    { type: CSEQ, asns: [65002] },
    { type: SEQ, asns: [64500] },
  ];
  const got = sent(internalPeer, [{ n: 1, attrs: { origin: 0, asPath: confed, med: 3 } }]);
  assert.deepEqual(path(got.get('v4 1')), confed);
  assert.equal(got.get('v4 1')!.localPref, 100);
  assert.equal(got.get('v4 1')!.med, 3);
});
