// SR Policy (RFC 9830, SAFI 73) as ExaBGP's main branch prints it, the only ExaBGP that decodes it: the NLRI and
// the Tunnel Encapsulation attribute of its UPDATEs. The expected lines follow that branch's json() of each sub-TLV;
// the bytes are written for this test (test/support/family-vectors.ts).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JsonEncoder } from '../../../src/api/json';
import { tunnelEncapJson } from '../../../src/api/tunnel-encap-json';
import { ipv4SrPolicy } from '../../../src/wire/nlri/srpolicy';
import { defaultContext } from '../../../src/wire/types';
import { decodeUpdate } from '../../../src/wire/update';
import { ATTRIBUTE_CASES, SR_POLICY_CASES } from '../../support/family-vectors';

const ctx = { ...defaultContext(), asn4: true };
const message = (hex: string): string =>
  new JsonEncoder().updateMessage(decodeUpdate(Buffer.from(hex, 'hex').subarray(19), ctx));

test('an SR Policy route: distinguisher, color, endpoint; its candidate path in "tunnel-encap"', () => {
  assert.equal(
    message(SR_POLICY_CASES['sr-policy: a candidate path with every sub-TLV ExaBGP decodes']!),
    '{ "update": { "attribute": { "origin": "igp", "tunnel-encap": {"sr-policy": {"preference": 100, ' +
      '"binding-sid": {"type": "mpls", "label": 24001}, "priority": 5, "srv6-binding-sid": {"sid": "2001:db8::1", ' +
      '"behavior": 71, "lb-length": 32, "ln-length": 16, "fun-length": 16, "arg-length": 0}, ' +
      '"candidate-path-name": "path-1", "policy-name": "pol \\"a\\"", "unknown-subtlv-99": "0x07", ' +
      '"segment-lists": [{"weight": 10, "segments": [{"type": "A", "label": 16001, "tc": 0, "s": true, "ttl": 64}, ' +
      '{"type": "B", "sid": "2001:db8::1"}, {"type": "C", "ipv4_node": "192.0.2.5", "algorithm": 0, "sid": 16005, ' +
      '"tc": 0, "s": false, "ttl": 0}, {"type": "D", "ipv6_node": "2001:db8::1", "algorithm": 1}]}]}} }, ' +
      '"announce": { "ipv4 sr-policy": { "192.0.2.9": [ {"distinguisher": 1, "color": 100, "endpoint": "192.0.2.1"} ] } } } }',
  );
  assert.equal(
    message(SR_POLICY_CASES['sr-policy: IPv6 endpoint withdrawn']!),
    '{ "update": { "withdraw": { "ipv6 sr-policy": [ {"distinguisher": 2, "color": 200, "endpoint": "2001:db8::1"} ] } } }',
  );
});

test('tunnel encapsulation outside SR Policy UPDATEs keeps the generic form ExaBGP 4.2 prints', () => {
  assert.match(
    message(ATTRIBUTE_CASES['tunnel encapsulation (23): the generic form']!),
    /"attribute-0x17-0xE0": "0x0008000701040000006400"/,
  );
  assert.equal(
    tunnelEncapJson(Uint8Array.from([0, 8, 0, 2, 1, 2]))?.json,
    '"tunnel-encap": {"tunnel-type-8": "0x0102"}',
  );
  assert.equal(tunnelEncapJson(Uint8Array.from([0, 15, 0, 9, 1])), undefined);
});

test('SR Policy codec: the length fixed by the AFI (96 bits for IPv4), ADD-PATH kept, others refused', () => {
  const p = { distinguisher: 7, color: 9, endpoint: Uint8Array.from([192, 0, 2, 1]), pathId: 3 };
  const data = ipv4SrPolicy.encode(p, true);
  assert.equal(ipv4SrPolicy.scan(data, true), 1);
  assert.deepEqual(ipv4SrPolicy.items({ family: ipv4SrPolicy.family, addPath: true, data, count: 1 }), [p]);
  assert.throws(() => ipv4SrPolicy.scan(Uint8Array.from([192, ...new Array(24).fill(0)]), false), /expected 96/);
});

test('SR Policy segment types E to K: interface ids, adjacency addresses, MPLS and SRv6 SIDs', () => {
  const v6 = (n: number): number[] => [0x20, 1, 0x0d, 0xb8, ...new Array(11).fill(0), n];
  const seg = (type: number, v: number[]): number[] => [type, v.length, ...v];
  const label = (l: number): number[] => [(l >>> 12) & 0xff, (l >>> 4) & 0xff, (l << 4) & 0xf0, 0];
  const list = [
    0,
    ...seg(5, [0, 0, 0, 0, 0, 7, 192, 0, 2, 1, ...label(100)]),
    ...seg(6, [0, 0, 192, 0, 2, 1, 192, 0, 2, 2]),
    ...seg(7, [0, 0, 0, 0, 0, 1, ...v6(1), 0, 0, 0, 2, ...v6(2), ...label(200)]),
    ...seg(8, [0, 0, ...v6(3), ...v6(4)]),
    ...seg(14, [0x10, 128, ...v6(5), ...v6(6), 0, 71, 0, 0, 32, 16, 16, 0]),
    ...seg(15, [0, 1, 0, 0, 0, 3, ...v6(7), 0, 0, 0, 4, ...v6(8), ...v6(9)]),
    ...seg(16, [0, 0]),
  ];
  const tunnel = [0, 15, 0, list.length + 3, 128, list.length >> 8, list.length & 0xff, ...list];
  assert.equal(
    tunnelEncapJson(Uint8Array.from(tunnel))?.json,
    '"tunnel-encap": {"sr-policy": {"segment-lists": [{"weight": 1, "segments": [' +
      '{"type": "E", "local_if_id": 7, "ipv4_node": "192.0.2.1", "sid": 100}, ' +
      '{"type": "F", "local_ipv4": "192.0.2.1", "remote_ipv4": "192.0.2.2"}, ' +
      '{"type": "G", "local_if_id": 1, "local_ipv6": "2001:db8::1", "remote_if_id": 2, "remote_ipv6": "2001:db8::2", "sid": 200}, ' +
      '{"type": "H", "local_ipv6": "2001:db8::3", "remote_ipv6": "2001:db8::4"}, ' +
      '{"type": "I", "ipv6_node": "2001:db8::5", "algorithm": 128, "sid": "2001:db8::6", "endpoint-behavior": ' +
      '{"behavior": 71, "lb-length": 32, "ln-length": 16, "fun-length": 16, "arg-length": 0}}, ' +
      '{"type": "J", "local_if_id": 3, "local_ipv6": "2001:db8::7", "remote_if_id": 4, "remote_ipv6": "2001:db8::8", "algorithm": 1, "sid": "2001:db8::9"}, ' +
      '{"type": "K", "local_ipv6": "::", "remote_ipv6": "::", "algorithm": 0}]}]}}',
  );
});
