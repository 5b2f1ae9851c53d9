// Route reflection (RFC 4456) from received UPDATEs to the members' Adj-RIBs-Out, with the configuration
// parsed from text: who gets what, ORIGINATOR_ID and CLUSTER_LIST, attributes passed unchanged, loops
// dropped, withdrawals when the best path changes or a session goes down.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../../src/config/parser';
import { AdjRibOut } from '../../../src/rib/adj-rib-out';
import { AttrInterner } from '../../../src/rib/attr-intern';
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

test('a client path goes to the other clients and the non-clients, with ORIGINATOR_ID, CLUSTER_LIST, unchanged rest', () => {
  const { a, b, n, m, e, send, held } = setup();
  const unknown = { flags: 0xe0, code: 99, value: Uint8Array.of(1, 2, 3) };
  send(a, { ...base, other: [unknown] }, P);
  assert.deepEqual(held(a), []);
  assert.deepEqual(held(e), [], 'an external neighbor takes no part');
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

test('a route configured for a member (or given by a program) is neither replaced nor withdrawn by reflection', () => {
  const { a, b, n, send, held } = setup();
  b.ribOut.announce(IPV4_UNICAST, Uint8Array.from(P), { origin: 0, asPath: [], nextHop: Uint8Array.of(192, 0, 2, 77) });
  send(a, base, P);
  assert.equal(held(b)[0]!.nextHop, '192.0.2.77');
  assert.equal(held(b)[0]!.originator, undefined);
  assert.equal(held(n)[0]!.nextHop, '192.0.2.111');
  send(a, base, [], P);
  assert.equal(held(b)[0]!.nextHop, '192.0.2.77');
  assert.deepEqual(held(n), []);
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
  assert.deepEqual(
    held(n).map((r) => [r.entry, r.clusters]),
    [
      ['180a0000', ['1.1.1.1']],
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
  assert.deepEqual(held(m), [
    {
      entry: '180a0000',
      originator: undefined,
      clusters: undefined,
      nextHop: '192.0.2.111',
      localPref: 100,
      other: undefined,
    },
  ]);
  assert.deepEqual(held(e), [], 'a neighbor outside the confederation takes no part');
  assert.deepEqual(
    rr.counters().map((c) => c.role),
    ['client', 'client', 'non-client', 'confederation'],
  );
});

test('confederation: a member-AS peer path goes to every iBGP neighbor as received; a non-client path goes to it', () => {
  const { a, b, n, m, e, send, held } = setup(CONFED_CONFIG);
  send(m, { ...base, asPath: [confedSeq(65002), asSeq(64500)], localPref: 200 }, P);
  for (const x of [a, b, n]) {
    assert.deepEqual(held(x), [
      {
        entry: '180a0000',
        originator: undefined,
        clusters: undefined,
        nextHop: '192.0.2.111',
        localPref: 200,
        other: undefined,
      },
    ]);
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
