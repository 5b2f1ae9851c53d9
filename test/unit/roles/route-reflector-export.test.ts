// The route reflector's export through its members' views (src/rib/dest-table.ts), read as the sessions send it:
// UPDATEs pulled from real Adj-RIBs-Out and decoded, so what is checked is the wire, not the tables.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../../src/config/parser';
import type { ExportSession } from '../../../src/rib/adj-rib-out';
import { AttrInterner } from '../../../src/rib/attr-intern';
import { type ReflectorNeighbor, RouteReflector } from '../../../src/roles/route-reflector/reflector';
import { type Attributes, IPV4_UNICAST, type NlriBlock, SegmentType, type Update } from '../../../src/wire/types';
import { pulled, reflectorNeighbors } from '../../support/role-neighbors';

const member = (ip: string, extra: string) =>
  `neighbor ${ip} { router-id 10.0.0.1; local-address 192.0.2.1; local-as 65000; peer-as 65000; ${extra}\n family { ipv4 unicast; } }\n`;

const CONFIG =
  'cluster-id 1.1.1.1;\n' +
  member('192.0.2.11', 'route-reflector-client;') +
  member('192.0.2.12', 'route-reflector-client;') +
  member('192.0.2.13', '');

const session: ExportSession = {
  localAs: 65000,
  peerAs: 65000,
  ibgp: true,
  families: new Set([IPV4_UNICAST]),
  addPathSend: new Set(),
  sendCtx: { asn4: true, addPath: new Set(), maxMessage: 4096 },
  localAddress: Uint8Array.of(192, 0, 2, 1),
};

const base: Attributes = {
  origin: 0,
  asPath: [{ type: SegmentType.AS_SEQUENCE, asns: [64500] }],
  nextHop: Uint8Array.of(192, 0, 2, 111),
  localPref: 100,
};

function setup() {
  const config = parseConfig(CONFIG, 'rr.conf');
  const interner = new AttrInterner();
  const ns = reflectorNeighbors(config.neighbors, interner, 65000);
  const rr = new RouteReflector(interner);
  rr.sync(ns, config.clusterId);
  for (const [i, n] of ns.entries()) {
    rr.up(n, Uint8Array.of(10, 9, 9, 11 + i));
    n.ribOut.attach(session);
  }
  const send = (from: ReflectorNeighbor, a: Attributes | null, nlri: number[], withdrawn: number[] = []) => {
    const block = (data: number[]): NlriBlock => ({
      family: IPV4_UNICAST,
      addPath: false,
      data: Uint8Array.from(data),
      count: data.length ? 1 : 0,
    });
    const u: Update = { withdrawn: block(withdrawn), attributes: a ?? {}, nlri: block(nlri), issues: [] };
    rr.receive(from, u, a && nlri.length ? interner.intern(a) : null);
  };
  return { rr, ns: ns as [ReflectorNeighbor, ReflectorNeighbor, ReflectorNeighbor], send, config, interner };
}

const dotted = (b: Uint8Array | undefined) => b?.join('.');

/** What the session would send now: prefixes announced with ORIGINATOR_ID and CLUSTER_LIST, withdrawn ones. */
const wire = (n: ReflectorNeighbor) =>
  pulled(n.ribOut, (a) => `${dotted(a.originatorId) ?? '-'} ${(a.clusterList ?? []).map(dotted).join(',') || '-'}`);

const P1 = [24, 10, 0, 1];
const P2 = [24, 10, 0, 2];

test('reflected on the wire with ORIGINATOR_ID and CLUSTER_LIST, never back to the sender; withdrawn as such', () => {
  const { ns, send } = setup();
  const [a, b, n] = ns;
  for (const x of ns) assert.equal(wire(x).eor, 1);
  send(a, base, [...P1, ...P2]);
  const got = ['10.0.1/24 10.9.9.11 1.1.1.1', '10.0.2/24 10.9.9.11 1.1.1.1'];
  assert.deepEqual(wire(b).announced, got);
  assert.deepEqual(wire(n).announced, got);
  assert.deepEqual(wire(a), { announced: [], withdrawn: [], eor: 0 });
  assert.equal(b.ribOut.size, 2);
  send(a, null, [], P1);
  assert.deepEqual(wire(b), { announced: [], withdrawn: ['10.0.1/24'], eor: 0 });
  assert.deepEqual(wire(n).withdrawn, ['10.0.1/24']);
  assert.equal(b.ribOut.size, 1);
});

test('a non-client path goes to the clients only; a better one from a client replaces it everywhere', () => {
  const { ns, send } = setup();
  const [a, b, n] = ns;
  for (const x of ns) wire(x);
  send(n, base, P1);
  assert.deepEqual(wire(a).announced, ['10.0.1/24 10.9.9.13 1.1.1.1']);
  assert.deepEqual(wire(b).announced, ['10.0.1/24 10.9.9.13 1.1.1.1']);
  assert.deepEqual(wire(n).announced, []);
  send(a, { ...base, localPref: 200 }, P1);
  // The sender of the new best has it withdrawn (it held the non-client's path); the others get the new one.
  assert.deepEqual(wire(a), { announced: [], withdrawn: ['10.0.1/24'], eor: 0 });
  assert.deepEqual(wire(b).announced, ['10.0.1/24 10.9.9.11 1.1.1.1']);
  assert.deepEqual(wire(n).announced, ['10.0.1/24 10.9.9.11 1.1.1.1']);
});

test('session flap, refresh and clear adj-rib out: the view sends its routes again, clear takes none back', () => {
  const { ns, send } = setup();
  const [a, b] = ns;
  for (const x of ns) wire(x);
  send(a, base, P1);
  wire(b);
  b.ribOut.detach();
  b.ribOut.attach(session);
  assert.deepEqual(wire(b), { announced: ['10.0.1/24 10.9.9.11 1.1.1.1'], withdrawn: [], eor: 1 });
  b.ribOut.refresh(IPV4_UNICAST);
  assert.deepEqual(wire(b).announced, ['10.0.1/24 10.9.9.11 1.1.1.1']);
  // Nothing was written for b: clear adj-rib out has nothing to take back, and the reflected route stays.
  assert.equal(b.ribOut.withdrawAll(), 0);
  assert.deepEqual(wire(b), { announced: [], withdrawn: [], eor: 0 });
  assert.equal(b.ribOut.size, 1);
});

test('a route written for a member beats the reflected one for it alone, and leaves it the reflected one after', () => {
  const { ns, send } = setup();
  const [a, b, n] = ns;
  for (const x of ns) wire(x);
  send(a, base, P1);
  wire(b);
  wire(n);
  b.ribOut.announce(IPV4_UNICAST, Uint8Array.from(P1), {
    ...base,
    localPref: 300,
    nextHop: Uint8Array.of(192, 0, 2, 77),
  });
  assert.deepEqual(wire(b).announced, ['10.0.1/24 - -']);
  assert.deepEqual(wire(n), { announced: [], withdrawn: [], eor: 0 });
  assert.equal(b.ribOut.withdraw(IPV4_UNICAST, Uint8Array.from(P1)), true);
  assert.deepEqual(wire(b).announced, ['10.0.1/24 10.9.9.11 1.1.1.1']);
});

test('a reload with another cluster-id sends the held routes again with it', () => {
  const { rr, ns, send } = setup();
  const [a, b] = ns;
  for (const x of ns) wire(x);
  send(a, base, [...P1, ...P2]);
  wire(b);
  rr.sync(ns, '3.3.3.3');
  assert.deepEqual(wire(b).announced, ['10.0.1/24 10.9.9.11 3.3.3.3', '10.0.2/24 10.9.9.11 3.3.3.3']);
});

test('a member that leaves the role while its session stays up has the reflected routes withdrawn', () => {
  const { rr, ns, send, config } = setup();
  const [a, b, n] = ns;
  send(a, base, [...P1, ...P2]);
  for (const x of ns) wire(x);
  rr.sync([a, n], config.clusterId);
  assert.deepEqual(wire(b).withdrawn, ['10.0.1/24', '10.0.2/24']);
  assert.equal(b.ribOut.size, 0);
  assert.deepEqual(wire(n), { announced: [], withdrawn: [], eor: 0 }, 'the others keep theirs');
});
