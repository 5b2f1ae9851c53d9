// Route reflection (RFC 4456) from received UPDATEs to the members' Adj-RIBs-Out, with the configuration
// parsed from text: who gets what, ORIGINATOR_ID and CLUSTER_LIST, attributes passed unchanged, loops
// dropped, withdrawals when the best path changes or a session goes down.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../../src/config/parser';
import { AdjRibOut } from '../../../src/rib/adj-rib-out';
import { AttrInterner } from '../../../src/rib/attr-intern';
import { whyBetter } from '../../../src/rib/decision';
import {
  type ReflectorNeighbor,
  RouteReflector,
  reflectionConfigured,
} from '../../../src/roles/route-reflector/reflector';
import {
  AFI,
  type Attributes,
  familyKey,
  IPV4_UNICAST,
  IPV6_UNICAST,
  type NlriBlock,
  SAFI,
  SegmentType,
  type Update,
} from '../../../src/wire/types';

const IPV4_FLOW = familyKey(AFI.IPV4, SAFI.FLOW);

const neighbor = (ip: string, extra: string, as = 65000) =>
  `neighbor ${ip} { router-id 10.0.0.1; local-address 192.0.2.1; local-as 65000; peer-as ${as}; ${extra}\n family { ipv4 unicast; ipv6 unicast; ipv4 flow; } }\n`;

const CONFIG =
  'cluster-id 1.1.1.1;\n' +
  neighbor('192.0.2.11', 'route-reflector-client;') +
  neighbor('192.0.2.12', 'route-reflector-client; cluster-id 2.2.2.2;') +
  neighbor('192.0.2.13', '') +
  neighbor('192.0.2.14', '') +
  neighbor('192.0.2.15', '', 65099);

/** The reflector over the five neighbors of `text`: a, b, n, m, e in file order, all but e up. */
function setup(text = CONFIG) {
  const config = parseConfig(text, 'rr.conf');
  assert.equal(reflectionConfigured(config.neighbors), true);
  const interner = new AttrInterner();
  const ns: ReflectorNeighbor[] = config.neighbors.map((cfg) => ({
    cfg,
    ribOut: new AdjRibOut(interner),
    localAs: cfg.localAs as number,
  }));
  const rr = new RouteReflector(interner);
  rr.sync(ns, config.clusterId);
  const [a, b, n, m, e] = ns as [
    ReflectorNeighbor,
    ReflectorNeighbor,
    ReflectorNeighbor,
    ReflectorNeighbor,
    ReflectorNeighbor,
  ];
  rr.up(a, Uint8Array.of(10, 9, 9, 11));
  rr.up(b, Uint8Array.of(10, 9, 9, 12));
  rr.up(n, Uint8Array.of(10, 9, 9, 13));
  rr.up(m, Uint8Array.of(10, 9, 9, 14));
  const send = (
    from: ReflectorNeighbor,
    attrs: Attributes,
    nlri: number[],
    withdrawn: number[] = [],
    family = IPV4_UNICAST,
  ) => {
    const block = (data: number[]): NlriBlock => ({
      family,
      addPath: false,
      data: Uint8Array.from(data),
      count: data.length ? 1 : 0,
    });
    const u: Update = {
      withdrawn: block(family === IPV4_UNICAST ? withdrawn : []),
      attributes:
        family === IPV4_UNICAST
          ? attrs
          : { ...attrs, mpReach: { family, nextHop: new Uint8Array(0), nlri: block(nlri) } },
      nlri: block(family === IPV4_UNICAST ? nlri : []),
      issues: [],
    };
    rr.receive(
      from,
      u,
      nlri.length ? interner.intern(attrs, family === IPV4_UNICAST ? undefined : new Uint8Array(0)) : null,
    );
  };
  const held = (x: ReflectorNeighbor) =>
    [...x.ribOut.routes()].map((r) => ({
      entry: Buffer.from(r.entry).toString('hex'),
      originator: r.attributes.attributes.originatorId?.join('.'),
      clusters: r.attributes.attributes.clusterList?.map((c) => c.join('.')),
      nextHop: r.attributes.attributes.nextHop?.join('.'),
      localPref: r.attributes.attributes.localPref,
      other: r.attributes.attributes.other?.map((o) => `${o.code}/${o.flags.toString(16)}`),
    }));
  return { rr, a, b, n, m, e, send, held, interner };
}

const P = [24, 10, 0, 0];
const base: Attributes = { origin: 0, asPath: [], nextHop: Uint8Array.of(192, 0, 2, 111), localPref: 100 };
/** What a member holds for P when a path is passed on without reflection (no ORIGINATOR_ID, no CLUSTER_LIST). */
const passedOn = (localPref: number) => ({
  entry: '180a0000',
  originator: undefined,
  clusters: undefined,
  nextHop: '192.0.2.111',
  localPref,
  other: undefined,
});

test('a client path goes to the other clients and the non-clients, with ORIGINATOR_ID, CLUSTER_LIST, unchanged rest', () => {
  const { a, b, n, m, e, send, held } = setup();
  const unknown = { flags: 0xe0, code: 99, value: Uint8Array.of(1, 2, 3) };
  send(a, { ...base, other: [unknown] }, P);
  assert.deepEqual(held(a), []);
  assert.deepEqual(held(e), [], 'nothing learned goes to an external neighbor');
  const want = (cluster: string) => [
    {
      entry: '180a0000',
      originator: '10.9.9.11',
      clusters: [cluster],
      nextHop: '192.0.2.111',
      localPref: 100,
      other: ['99/e0'],
    },
  ];
  assert.deepEqual(held(b), want('2.2.2.2'), 'its own cluster-id for b');
  assert.deepEqual(held(n), want('1.1.1.1'), 'the global cluster-id for the others');
  assert.deepEqual(held(m), want('1.1.1.1'));
});

test('RFC 4271 §5, §9.1.3: an unknown optional non-transitive attribute is not reflected, a transitive one gets Partial', () => {
  const { a, b, n, send, held } = setup();
  const other = [
    { flags: 0x80, code: 0xf1, value: Uint8Array.of(1) },
    { flags: 0xc0, code: 0xf2, value: Uint8Array.of(2) },
  ];
  send(a, { ...base, other }, P);
  for (const x of [b, n]) assert.deepEqual(held(x)[0]!.other, ['242/e0']);
});

test("RFC 4456 §6 c: an external peer's path goes to every client and non-client, LOCAL_PREF 100, not reflected", () => {
  const { rr, a, b, n, m, e, send, held } = setup();
  rr.up(e, Uint8Array.of(10, 9, 9, 15));
  // RFC 4271 §5.1.5: the LOCAL_PREF an external peer sends is not ours.
  send(e, { ...base, asPath: [{ type: SegmentType.AS_SEQUENCE, asns: [65099, 3356] }], localPref: 500, med: 5 }, P);
  const want = [passedOn(100)];
  for (const x of [a, b, n, m]) assert.deepEqual(held(x), want);
  assert.deepEqual(held(e), []);
  assert.equal([...n.ribOut.routes()][0]!.attributes.attributes.med, 5, 'MED passed on');
  // eBGP over iBGP (RFC 4271 §9.1.2.2 d): a client's path as long, LOCAL_PREF 100, does not win; e's goes to it.
  send(a, { ...base, asPath: [{ type: SegmentType.AS_SEQUENCE, asns: [65100, 3356] }] }, P);
  assert.deepEqual(held(a), want);
  assert.equal(rr.rib.paths(IPV4_UNICAST, Uint8Array.from(P))[0]!.source, rr.member(e)!.source);
  // A path carrying our own AS went round a loop (RFC 4271 §9.1.2).
  send(e, { ...base, asPath: [{ type: SegmentType.AS_SEQUENCE, asns: [65099, 65000, 3356] }] }, [24, 10, 0, 1]);
  assert.equal(rr.member(e)!.loops, 1);
  assert.equal(held(n).length, 1);
  assert.deepEqual(
    rr.counters().map((c) => c.role),
    ['client', 'client', 'non-client', 'non-client', 'external'],
  );
  // RFC 8955 §6: an external peer's FlowSpec rule is not validated here, so it is not passed on.
  send(e, { ...base, asPath: [{ type: SegmentType.AS_SEQUENCE, asns: [65099] }] }, [5, 1, 24, 10, 0, 0], [], IPV4_FLOW);
  assert.equal(rr.rib.size(IPV4_FLOW), 0);
  // Its session down: the path leaves every member, a's own path goes to the others again.
  rr.down(e);
  assert.equal(held(n)[0]!.originator, '10.9.9.11');
  assert.deepEqual(held(a), []);
});

test('a non-client path goes to the clients only; an ORIGINATOR_ID already there is kept, the CLUSTER_LIST grows', () => {
  const { a, b, n, m, send, held } = setup();
  send(n, { ...base, originatorId: Uint8Array.of(10, 7, 7, 7), clusterList: [Uint8Array.of(3, 3, 3, 3)] }, P);
  assert.deepEqual(held(n), []);
  assert.deepEqual(held(m), [], 'non-client to non-client: never (RFC 4456 §6)');
  assert.equal(held(a)[0]!.originator, '10.7.7.7');
  assert.deepEqual(held(a)[0]!.clusters, ['1.1.1.1', '3.3.3.3']);
  assert.deepEqual(held(b)[0]!.clusters, ['2.2.2.2', '3.3.3.3']);
});

test('a path that came back (our ORIGINATOR_ID or cluster id) is dropped and counted', () => {
  const { rr, a, b, send, held } = setup();
  send(a, { ...base, clusterList: [Uint8Array.of(2, 2, 2, 2)] }, P);
  send(a, { ...base, originatorId: Uint8Array.of(10, 0, 0, 1) }, [24, 10, 0, 1]);
  assert.deepEqual(held(b), []);
  assert.equal(rr.member(a)!.loops, 2);
  assert.equal(rr.member(a)!.received, 2);
  assert.equal(rr.rib.pathCount, 0);
});

test('when the best changes, each member gets the new best or loses the old one; a session down withdraws', () => {
  const { rr, a, b, n, m, send, held } = setup();
  send(a, base, P);
  send(n, { ...base, localPref: 200, nextHop: Uint8Array.of(192, 0, 2, 113) }, P);
  // n's path is best: the clients get it, n loses a's path (it is the source now), m loses it (non-client path).
  assert.equal(held(a)[0]!.nextHop, '192.0.2.113');
  assert.equal(held(b)[0]!.nextHop, '192.0.2.113');
  assert.deepEqual(held(n), []);
  assert.deepEqual(held(m), []);
  // n withdraws: a's path is best again.
  send(n, base, [], P);
  assert.deepEqual(held(a), []);
  assert.equal(held(b)[0]!.nextHop, '192.0.2.111');
  assert.equal(held(n)[0]!.nextHop, '192.0.2.111');
  assert.equal(held(m)[0]!.nextHop, '192.0.2.111');
  rr.down(a);
  for (const x of [a, b, n, m]) assert.deepEqual(held(x), []);
  assert.equal(rr.rib.pathCount, 0);
});

test('inside a confederation member AS: confederation segments pass unchanged and do not count in the decision', () => {
  const { a, b, n, send, held } = setup();
  const confed = (...asns: number[]) => ({ type: SegmentType.AS_CONFED_SEQUENCE, asns });
  const seq = (...asns: number[]) => ({ type: SegmentType.AS_SEQUENCE, asns });
  // From a: three member ASes crossed, then one AS outside; from n: no confederation hop but two ASes outside.
  send(a, { ...base, asPath: [confed(64512, 64513, 64514), seq(65100)] }, P);
  send(n, { ...base, asPath: [seq(65200, 65100)], nextHop: Uint8Array.of(192, 0, 2, 113) }, P);
  // RFC 5065 §5.3: a's path counts 1, n's 2: a's wins, reaches b and n with its AS_PATH as received.
  assert.equal(held(b)[0]!.nextHop, '192.0.2.111');
  const out = [...n.ribOut.routes()][0]!.attributes.attributes.asPath;
  assert.deepEqual(out, [confed(64512, 64513, 64514), seq(65100)]);
});

test('graceful restart of a member: its paths stay reflected until the stale ones are purged', () => {
  const { rr, a, b, send, held } = setup();
  send(a, base, P);
  send(a, base, [24, 10, 0, 1]);
  send(a, base, [5, 1, 24, 10, 0, 0], [], IPV4_FLOW);
  rr.down(a, [IPV4_UNICAST]);
  // IPv4 unicast kept (the capability covers it), FlowSpec gone at once.
  assert.deepEqual(
    held(b).map((r) => r.entry),
    ['180a0000', '180a0001'],
  );
  rr.up(a, Uint8Array.of(10, 9, 9, 11));
  send(a, base, P);
  rr.stale(a, IPV4_UNICAST);
  assert.deepEqual(
    held(b).map((r) => r.entry),
    ['180a0000'],
  );
});

const written: Attributes = { origin: 0, asPath: [], nextHop: Uint8Array.of(192, 0, 2, 77) };

/** The Loc-RIB's paths for P, best first: who from, and the step each other path lost on. */
function ribView(rr: RouteReflector, entry: number[] = P) {
  const paths = rr.rib.paths(IPV4_UNICAST, Uint8Array.from(entry));
  const best = paths.find((p) => p.best);
  return paths.map((p) => ({
    from: rr.rib.source(p.source).name,
    best: p.best,
    lost: p.best ? undefined : whyBetter(rr.rib.candidate(best!), rr.rib.candidate(p), {}),
  }));
}

test('a route written for a member is a local path: best after LOCAL_PREF, sent to that member only', () => {
  const { rr, a, b, n, m, e, send, held } = setup();
  b.ribOut.announce(IPV4_UNICAST, Uint8Array.from(P), written);
  send(a, base, P);
  assert.deepEqual(ribView(rr), [
    { from: 'local (to 192.0.2.12)', best: true, lost: undefined },
    { from: '192.0.2.11', best: false, lost: 'local-origin' },
  ]);
  // b gets the route written for it, as written; the others get a's path, the best they may receive.
  assert.deepEqual(held(b), [
    {
      entry: '180a0000',
      originator: undefined,
      clusters: undefined,
      nextHop: '192.0.2.77',
      localPref: undefined,
      other: undefined,
    },
  ]);
  for (const x of [n, m]) assert.equal(held(x)[0]!.nextHop, '192.0.2.111');
  assert.deepEqual(held(a), [], "a's own path does not go back to it");
  assert.deepEqual(held(e), [], 'nothing learned goes to an external neighbor');
  assert.equal(rr.counters().find((c) => c.peer === '192.0.2.12')!.originated, 1);
  // a withdraws: b keeps its route, the others lose a's.
  send(a, base, [], P);
  assert.equal(held(b)[0]!.nextHop, '192.0.2.77');
  for (const x of [a, n, m]) assert.deepEqual(held(x), []);
});

test('a learned path with a higher LOCAL_PREF beats the written route, which comes back when that path goes', () => {
  const { rr, a, b, n, send, held } = setup();
  b.ribOut.announce(IPV4_UNICAST, Uint8Array.from(P), written);
  send(a, { ...base, localPref: 200 }, P);
  assert.deepEqual(
    ribView(rr).map((p) => [p.from, p.lost]),
    [
      ['192.0.2.11', undefined],
      ['local (to 192.0.2.12)', 'local-pref'],
    ],
  );
  assert.equal(held(b)[0]!.nextHop, '192.0.2.111');
  assert.equal(held(b)[0]!.originator, '10.9.9.11');
  assert.equal(held(n)[0]!.nextHop, '192.0.2.111');
  send(a, base, [], P);
  assert.equal(held(b)[0]!.nextHop, '192.0.2.77');
  assert.equal(held(b)[0]!.originator, undefined);
  assert.deepEqual(held(n), []);
});

test('a written route withdrawn (a program, a reload) leaves the Loc-RIB; the member gets the learned path', () => {
  const { rr, a, b, n, send, held } = setup();
  b.ribOut.announce(IPV4_UNICAST, Uint8Array.from(P), written);
  send(a, base, P);
  assert.equal(b.ribOut.withdraw(IPV4_UNICAST, Uint8Array.from(P)), true);
  assert.deepEqual(ribView(rr), [{ from: '192.0.2.11', best: true, lost: undefined }]);
  assert.equal(held(b)[0]!.nextHop, '192.0.2.111');
  assert.equal(held(b)[0]!.originator, '10.9.9.11');
  assert.equal(held(n)[0]!.nextHop, '192.0.2.111');
  assert.equal(b.ribOut.withdraw(IPV4_UNICAST, Uint8Array.from(P)), false, 'nothing written is left to withdraw');
  // Written again, then every written route cleared (`clear adj-rib out`): the same.
  b.ribOut.announce(IPV4_UNICAST, Uint8Array.from(P), written);
  assert.equal(held(b)[0]!.nextHop, '192.0.2.77');
  assert.equal(b.ribOut.withdrawAll(), 1);
  assert.equal(held(b)[0]!.nextHop, '192.0.2.111');
  assert.equal(rr.rib.pathCount, 1);
});

test('the member a path came from gets the route written for it, not its own path back; other prefixes as before', () => {
  const { rr, a, b, send, held } = setup();
  a.ribOut.announce(IPV4_UNICAST, Uint8Array.from(P), { ...written, localPref: 50 });
  send(a, base, P);
  send(a, base, [24, 10, 0, 1]);
  // a's own path is best (LOCAL_PREF 100 over 50) but never goes back to a: a keeps its written route.
  assert.equal(ribView(rr)[0]!.from, '192.0.2.11');
  assert.deepEqual(
    held(a).map((r) => [r.entry, r.nextHop, r.localPref]),
    [['180a0000', '192.0.2.77', 50]],
  );
  assert.deepEqual(
    held(b).map((r) => [r.entry, r.nextHop]),
    [
      ['180a0000', '192.0.2.111'],
      ['180a0001', '192.0.2.111'],
    ],
  );
  assert.equal(rr.rib.pathCount, 3);
});

test('routes written before the role existed are adopted; a member added later gets what the Loc-RIB holds', () => {
  const config = parseConfig(CONFIG, 'rr.conf');
  const interner = new AttrInterner();
  const ns: ReflectorNeighbor[] = config.neighbors.map((cfg) => ({
    cfg,
    ribOut: new AdjRibOut(interner),
    localAs: 65000,
  }));
  const [a, b, n] = ns as [ReflectorNeighbor, ReflectorNeighbor, ReflectorNeighbor];
  // The configuration's routes are loaded before the reflector is built (daemon start).
  b.ribOut.announce(IPV4_UNICAST, Uint8Array.from(P), written);
  b.ribOut.announce(IPV4_UNICAST, Uint8Array.of(24, 10, 0, 2), written);
  const rr = new RouteReflector(interner);
  rr.sync([a, b], config.clusterId);
  assert.equal(rr.rib.pathCount, 2);
  assert.equal(rr.rib.heldFrom(rr.member(b)!.localSource), 2);
  assert.equal(b.ribOut.size, 2);
  rr.up(a, Uint8Array.of(10, 9, 9, 11));
  const u: Update = {
    withdrawn: { family: IPV4_UNICAST, addPath: false, data: new Uint8Array(0), count: 0 },
    attributes: base,
    nlri: { family: IPV4_UNICAST, addPath: false, data: Uint8Array.of(24, 10, 0, 3), count: 1 },
    issues: [],
  };
  rr.receive(a, u, interner.intern(base));
  // A reload adds n (with a route written for it): it holds its route and a's reflected path at once.
  n.ribOut.announce(IPV4_UNICAST, Uint8Array.from(P), { ...written, nextHop: Uint8Array.of(192, 0, 2, 78) });
  rr.sync([a, b, n], config.clusterId);
  const got = [...n.ribOut.routes()].map((r) => [
    Buffer.from(r.entry).toString('hex'),
    r.attributes.attributes.nextHop?.join('.'),
  ]);
  assert.deepEqual(got.sort(), [
    ['180a0000', '192.0.2.78'],
    ['180a0003', '192.0.2.111'],
  ]);
  // Gone from the configuration: its written routes leave the Loc-RIB with it.
  rr.sync([a, n], config.clusterId);
  assert.equal(rr.rib.heldFrom(rr.member(n)!.localSource), 1);
  assert.equal(rr.rib.paths(IPV4_UNICAST, Uint8Array.of(24, 10, 0, 2)).length, 0);
  assert.equal(b.ribOut.origin, null);
});

test('written routes with a path id: they leave the member while a learned path beats them, and come back', () => {
  const { a, b, send, held } = setup();
  b.ribOut.announce(IPV4_UNICAST, Uint8Array.from(P), { ...written, localPref: 50 }, { pathId: 7 });
  assert.deepEqual(
    [...b.ribOut.routes()].map((r) => r.pathId),
    [7],
  );
  send(a, base, P);
  assert.deepEqual(
    [...b.ribOut.routes()].map((r) => [r.pathId, r.attributes.attributes.nextHop?.join('.')]),
    [[0, '192.0.2.111']],
  );
  send(a, base, [], P);
  assert.deepEqual(
    [...b.ribOut.routes()].map((r) => [r.pathId, r.attributes.attributes.nextHop?.join('.')]),
    [[7, '192.0.2.77']],
  );
  b.ribOut.withdraw(IPV4_UNICAST, Uint8Array.from(P), 7);
  assert.deepEqual(held(b), []);
});

test('families the Loc-RIB does not keep, and external neighbors, keep their written routes as before', () => {
  const { rr, b, e, held } = setup();
  e.ribOut.announce(IPV4_UNICAST, Uint8Array.from(P), written);
  const VPN = familyKey(AFI.IPV4, SAFI.MPLS_VPN);
  const vpn = Uint8Array.of(112, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1, 10, 0, 0);
  b.ribOut.announce(VPN, vpn, written);
  assert.equal(rr.rib.pathCount, 0);
  assert.equal(held(e)[0]!.nextHop, '192.0.2.77');
  assert.equal(b.ribOut.has(VPN, vpn), true);
  assert.equal(rr.member(e)!.external, true, 'a member for what it sends; what is written for it stays its own');
});

test('written routes loaded in bulk (announceAt, as the configuration loader does) share their set: a path slot each', () => {
  const { rr, b } = setup();
  const set = b.ribOut.set(written);
  const buf = new Uint8Array(4 * 20000);
  for (let i = 0; i < 20000; i++) buf.set([24, 10, (i >> 8) & 255, i & 255], i * 4);
  for (let i = 0; i < 20000; i++) b.ribOut.announceAt(IPV4_UNICAST, buf, i * 4, 4, set);
  assert.equal(rr.rib.size(IPV4_UNICAST), 20000);
  assert.equal(b.ribOut.size, 20000);
  // The member reads them from the Loc-RIB through its view: no second reference.
  assert.equal(set.refs, 20000, 'one reference from the Loc-RIB per route');
});

test('IPv6: the global next hop is passed unchanged, a link-local one is not passed on (RFC 2545 §3)', () => {
  const { rr, a, b, interner } = setup();
  const global = Uint8Array.from([0x20, 0x01, 0x0d, 0xb8, ...new Array(11).fill(0), 7]);
  const linkLocal = Uint8Array.from([0xfe, 0x80, ...new Array(13).fill(0), 7]);
  const nh = new Uint8Array(32);
  nh.set(global);
  nh.set(linkLocal, 16);
  const nlri: NlriBlock = {
    family: IPV6_UNICAST,
    addPath: false,
    data: Uint8Array.of(48, 0x20, 0x01, 0x0d, 0xb8, 0, 9),
    count: 1,
  };
  const attrs: Attributes = { origin: 0, asPath: [], localPref: 100 };
  const empty: NlriBlock = { family: IPV4_UNICAST, addPath: false, data: new Uint8Array(0), count: 0 };
  const u: Update = {
    withdrawn: empty,
    attributes: { ...attrs, mpReach: { family: IPV6_UNICAST, nextHop: nh, nlri } },
    nlri: empty,
    issues: [],
  };
  rr.receive(a, u, interner.intern(attrs, nh));
  const r = [...b.ribOut.routes()][0]!;
  assert.equal(r.family, IPV6_UNICAST);
  assert.deepEqual([...r.attributes.nextHop!], [...global]);
  assert.deepEqual([...r.attributes.attributes.clusterList![0]!], [2, 2, 2, 2]);
});

test('sync after a reload: a new top-level cluster-id is used from then on, a neighbor gone takes its paths along', () => {
  const { rr, a, b, n, m, e, send, held } = setup();
  send(a, base, P);
  rr.sync([a, b, n, m, e], '3.3.3.3');
  send(a, base, [24, 10, 0, 1]);
  // Reflected as they are sent (the view), the routes held before carry the new one too, and are sent again.
  assert.deepEqual(
    held(n).map((r) => [r.entry, r.clusters]),
    [
      ['180a0000', ['3.3.3.3']],
      ['180a0001', ['3.3.3.3']],
    ],
  );
  assert.deepEqual(held(b)[1]!.clusters, ['2.2.2.2'], "b's own cluster-id stays");
  rr.sync([b, n, m, e], '3.3.3.3');
  assert.deepEqual(held(n), []);
  assert.equal(rr.member(a), undefined);
});

test('FlowSpec is reflected like unicast', () => {
  const { rr, a, b, n, send, held } = setup();
  const rule = [5, 1, 24, 10, 0, 0];
  send(
    a,
    { origin: 0, asPath: [], localPref: 100, extendedCommunities: [Uint8Array.of(0x80, 6, 0, 0, 0, 0, 0, 0)] },
    rule,
    [],
    IPV4_FLOW,
  );
  assert.equal(held(b)[0]!.entry, '0501180a0000');
  assert.deepEqual(held(n)[0]!.clusters, ['1.1.1.1']);
  const u: Update = {
    withdrawn: { family: IPV4_UNICAST, addPath: false, data: new Uint8Array(0), count: 0 },
    attributes: {
      mpUnreach: {
        family: IPV4_FLOW,
        nlri: { family: IPV4_FLOW, addPath: false, data: Uint8Array.from(rule), count: 1 },
      },
    },
    nlri: { family: IPV4_UNICAST, addPath: false, data: new Uint8Array(0), count: 0 },
    issues: [],
  };
  rr.receive(a, u, null);
  assert.deepEqual(held(b), []);
  assert.deepEqual(held(n), []);
});

test('a configuration without route-reflector-client asks for no reflection', () => {
  const config = parseConfig(neighbor('192.0.2.13', ''), 'plain.conf');
  assert.equal(reflectionConfigured(config.neighbors), false);
  assert.equal(config.clusterId, undefined);
  assert.equal(config.alwaysCompareMed, undefined);
});

test('always-compare-med; at the top level reaches the decision', () => {
  const config = parseConfig(`always-compare-med;\n${CONFIG}`, 'med.conf');
  assert.equal(config.alwaysCompareMed, true);
  const rr = new RouteReflector(new AttrInterner(), { alwaysCompareMed: config.alwaysCompareMed });
  assert.equal(rr.rib.decisionOptions.alwaysCompareMed, true);
  assert.throws(
    () => parseConfig('cluster-id 1.1.1.1;\ncluster-id 2.2.2.2;\n', 'twice.conf'),
    /twice\.conf:2:1: cluster-id is given twice/,
  );
});

test('validate: route-reflector-client on an external neighbor and a bad cluster-id are file:line:col errors', () => {
  assert.throws(
    () => parseConfig(neighbor('192.0.2.15', 'route-reflector-client;', 65099), 'x.conf'),
    /^ConfigError: x\.conf:1:99: neighbor 192\.0\.2\.15: route-reflector-client needs an internal neighbor/,
  );
  assert.throws(
    () => parseConfig('cluster-id 1.2.3;\n', 'y.conf'),
    /y\.conf:1:12: found '1\.2\.3', expected a cluster id/,
  );
  assert.throws(
    () => parseConfig(neighbor('192.0.2.13', 'cluster-id 2001:db8::1;'), 'z.conf'),
    /z\.conf:1:\d+: found '2001:db8::1', expected a cluster id/,
  );
});

// Reflection inside member AS 65001 of confederation 65000 (RFC 5065): a and b clients, n a non-client, m in
// member AS 65002 (confederation eBGP), e outside the confederation.
const inMember = (ip: string, extra: string, as = 65001) =>
  neighbor(ip, extra, as).replace('local-as 65000;', 'local-as 65001;');
const CONFED_CONFIG =
  'cluster-id 1.1.1.1;\nconfederation { identifier 65000; members [ 65001 65002 ]; }\n' +
  inMember('192.0.2.11', 'route-reflector-client;') +
  inMember('192.0.2.12', 'route-reflector-client;') +
  inMember('192.0.2.13', '') +
  inMember('192.0.2.14', '', 65002) +
  inMember('192.0.2.15', '', 64500);
const confedSeq = (...asns: number[]) => ({ type: SegmentType.AS_CONFED_SEQUENCE, asns });
const asSeq = (...asns: number[]) => ({ type: SegmentType.AS_SEQUENCE, asns });
const pathAt = (x: ReflectorNeighbor) => [...x.ribOut.routes()][0]?.attributes.attributes.asPath;

test('confederation: a client path is reflected to the clients and non-clients, passed to a member-AS peer without ORIGINATOR_ID', () => {
  const { rr, a, b, n, m, e, send, held } = setup(CONFED_CONFIG);
  send(a, base, P);
  assert.deepEqual(held(b)[0]!.clusters, ['1.1.1.1']);
  assert.deepEqual(held(n)[0]!.originator, '10.9.9.11');
  // The AS_CONFED_SEQUENCE is added by the Adj-RIB-Out on export (test/unit/rib/adj-rib-out.test.ts).
  assert.deepEqual(held(m), [passedOn(100)]);
  assert.deepEqual(held(e), [], 'nothing learned goes to a neighbor outside the confederation');
  assert.deepEqual(
    rr.counters().map((c) => c.role),
    ['client', 'client', 'non-client', 'confederation', 'external'],
  );
});

test('confederation: a member-AS peer path goes to every iBGP neighbor as received; a non-client path goes to it', () => {
  const { a, b, n, m, e, send, held } = setup(CONFED_CONFIG);
  send(m, { ...base, asPath: [confedSeq(65002), asSeq(64500)], localPref: 200 }, P);
  for (const x of [a, b, n]) {
    assert.deepEqual(held(x), [passedOn(200)]);
    assert.deepEqual(pathAt(x), [confedSeq(65002), asSeq(64500)]);
  }
  assert.deepEqual(held(m), [], 'not back to where it came from');
  assert.deepEqual(held(e), []);
  // A non-client's better path (higher LOCAL_PREF) goes to the clients and the member-AS peer, not to n.
  send(n, { ...base, localPref: 300 }, P);
  assert.equal(held(a)[0]!.localPref, 300);
  assert.equal(held(m)[0]!.localPref, 300);
  assert.deepEqual(held(n), [], "the member-AS peer's path, now beaten, is withdrawn from n");
});

test('confederation: a path with our member AS in a confederation segment, or the identifier in AS_SEQUENCE, is a loop', () => {
  const { rr, a, m, send, held } = setup(CONFED_CONFIG);
  send(m, { ...base, asPath: [confedSeq(65002, 65001)] }, P);
  send(m, { ...base, asPath: [confedSeq(65002), asSeq(64500, 65000)] }, [24, 10, 0, 1]);
  assert.deepEqual(held(a), []);
  assert.equal(rr.member(m)!.loops, 2);
  // Another member AS in the segment is no loop.
  send(m, { ...base, asPath: [confedSeq(65002, 65003)] }, P);
  assert.equal(held(a).length, 1);
});

test('confederation: RFC 5065 §5.3 decision, confederation segments count 0 and confederation eBGP beats iBGP', () => {
  const { a, b, m, send, held } = setup(CONFED_CONFIG);
  // Same length outside the confederation (one AS): the member-AS peer's path wins over the client's.
  send(a, { ...base, asPath: [asSeq(64500)] }, P);
  send(m, { ...base, asPath: [confedSeq(65002, 65003), asSeq(64501)], nextHop: Uint8Array.of(192, 0, 2, 114) }, P);
  assert.equal(held(b)[0]!.nextHop, '192.0.2.114');
  assert.deepEqual(pathAt(b), [confedSeq(65002, 65003), asSeq(64501)]);
  // A shorter path outside wins whatever the confederation hops.
  send(a, { ...base, asPath: [] }, P);
  assert.equal(held(b)[0]!.nextHop, '192.0.2.111');
});
