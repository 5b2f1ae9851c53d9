// BGP-LS (RFC 7752, RFC 9085) as ExaBGP 4.2 prints it, from UPDATEs written for these tests
// (test/support/family-vectors.ts; test/diff/decode-families-exabgp.test.ts checks the same bytes against
// exabgp --decode). The expected members below are what ExaBGP 4.2.21 prints for them.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JsonEncoder } from '../../../src/api/json';
import { pyFloat, pyIpv6, pyJsonString } from '../../../src/api/python-repr';
import type { DecodeError } from '../../../src/wire/errors';
import { defaultContext, type Update } from '../../../src/wire/types';
import { decodeUpdate } from '../../../src/wire/update';
import { attr, BGPLS_CASES, h, MPREACH, ORIGIN, PATH, tlv, u16, u32, update } from '../../support/family-vectors';

const ctx = { ...defaultContext(), asn4: true };
const decode = (hex: string): Update => decodeUpdate(Buffer.from(hex, 'hex').subarray(19), ctx);
const message = (hex: string): string => new JsonEncoder().updateMessage(decode(hex));

test('a BGP-LS node: descriptors, next hop, node attribute TLVs and SR capabilities', () => {
  assert.equal(
    message(BGPLS_CASES['bgp-ls node with SR capabilities']!),
    '{ "update": { "attribute": { "origin": "igp", "as-path": [ 65001 ], "confederation-path": [], "bgp-ls": { ' +
      '"node-flags": {"O": 0, "T": 1, "E": 1, "B": 0, "R": 0, "V": 0, "RSV": 0}, "node-name": "edge-1", ' +
      '"area-id": "490001", "local-te-router-ids": ["192.0.2.1"], "local-te-router-ids": ["192.0.2.1", "2001:db8::1"], ' +
      '"sr-capability-flags": {"I": 1, "V": 0, "RSV": 0}, "sids": [[8000, 16000]], "sr-algorithms": [0, 1] } }, ' +
      '"announce": { "bgp-ls bgp-ls": { "192.0.2.9": [ { "ls-nlri-type": "bgpls-node", "l3-routing-topology": 0, ' +
      '"protocol-id": 3, "node-descriptors": { "autonomous-system": 65000, "bgp-ls-identifier": "7", ' +
      '"ospf-area-id": "0.0.0.1", "router-id": "192.0.2.1" }, "nexthop": "192.0.2.9" } ] } } } }',
  );
});

test('a BGP-LS link: IS-IS pseudonode, addresses, TE and SR adjacency TLVs, an unknown TLV', () => {
  assert.equal(
    message(BGPLS_CASES['bgp-ls link, IS-IS, TE and SR adjacency TLVs']!),
    '{ "update": { "attribute": { "origin": "igp", "as-path": [ 65001 ], "confederation-path": [], "bgp-ls": { ' +
      '"remote-te-router-id": "198.51.100.2", "admin-group-mask": [15], "maximum-link-bandwidth": 1000000000.0, ' +
      '"maximum-reservable-link-bandwidth": 1.100000023841858, "unreserved-bandwidth": [125000000.0, 250000000.0, ' +
      '375000000.0, 500000000.0, 625000000.0, 750000000.0, 875000000.0, 1000000000.0], "te-metric": 20, ' +
      '"link-protection-flags": {"ExtraTrafic": 0, "Unprotected": 1, "Shared": 0, "Dedicated 1:1": 0, ' +
      '"Dedicated 1+1": 0, "Enhanced": 0, "RSV": 0}, "mpls-mask": {"LDP": 1, "RSVP-TE": 0, "RSV": 0}, ' +
      '"igp-metric": 10000, "shared-risk-link-groups": [1, 2], ' +
      '"sr-adj-flags": {"F": 0, "B": 0, "V": 1, "L": 1, "S": 0, "P": 0, "RSV": 0}, "sids": [[299792]], ' +
      '"undecoded-sids": [], "sr-adj-weight": 0, ' +
      '"sr-adj-lan-flags": {"F": 0, "B": 0, "V": 1, "L": 1, "S": 0, "P": 0, "RSV": 0}, "sids": [299808], ' +
      '"undecoded-sids": [], "sr-adj-lan-weight": 5, "attribute-not-implemented": "1106" } }, ' +
      '"announce": { "bgp-ls bgp-ls": { "192.0.2.9": [ { "ls-nlri-type": "bgpls-link", "l3-routing-topology": 0, ' +
      '"protocol-id": 2, "local-node-descriptors": { "router-id": "000000000001" }, ' +
      '"remote-node-descriptors": { "psn": "3", "router-id": "000000000002" }, ' +
      '"interface-address": { "interface-address": "10.0.0.1", "interface-address": "2001:db8::11" }, ' +
      '"neighbor-address": { "neighbor-address": "10.0.0.2" } } ] } } } }',
  );
});

test('a BGP-LS link between OSPF routers, one a designated router; a bandwidth printed with an exponent', () => {
  const m = message(BGPLS_CASES['bgp-ls link, OSPF pseudonode']!);
  assert.match(m, /"bgp-ls": \{ "igp-metric": 10, "maximum-link-bandwidth": 1\.0000000272564224e\+16 \}/);
  assert.match(
    m,
    /"remote-node-descriptors": \{ "autonomous-system": 65000, "designated-router-id": "10\.1\.1\.2", "router-id": "10\.0\.0\.2" \}, "interface-address": \{ {2}\}, "neighbor-address": \{ {2}\}/,
  );
});

test('BGP-LS prefixes: IPv4 with OSPF route type and prefix TLVs, IPv6 with a labelled prefix SID', () => {
  const v4 = message(BGPLS_CASES['bgp-ls IPv4 prefix, OSPF route type and prefix TLVs']!);
  assert.match(
    v4,
    /"igp-flags": \{"D": 1, "N": 0, "L": 0, "P": 0, "RSV": 0\}, "igp-route-tags": \[100, 200\], "igp-extended-route-tags": \[4294967298\], "prefix-metric": 30, "ospf-forwarding-address": "192\.0\.2\.77", "sr-prefix-flags": \{"R": 0, "N": 1, "P": 0, "E": 0, "V": 0, "L": 0, "RSV": 0\}, "sids": \[12\], "undecoded-sids": \[\], "sr-algorithm": 0, "sr-prefix-attribute-flags": \{"X": 0, "R": 1, "N": 0, "RSV": 0\}, "sr-source-router-id": "192\.0\.2\.1"/,
  );
  assert.match(
    v4,
    /"ip-reachability-tlv": "198\.51\.100\.0", "ip-reach-prefix": "198\.51\.100\.0\/24", "nexthop": "192\.0\.2\.9", "ospf-route-type": 2 \}/,
  );
  const v6 = message(BGPLS_CASES['bgp-ls IPv6 prefix, IS-IS, labelled prefix SID']!);
  assert.match(v6, /"sids": \[16001\]/);
  assert.match(v6, /"ls-nlri-type": "bgpls-prefix-v6".*"ip-reach-prefix": "2001:db8:1::\/48"/);
});

test('a withdrawn BGP-LS NLRI has no next hop: ExaBGP prints "None"', () => {
  assert.match(
    message(BGPLS_CASES['bgp-ls node withdrawn']!),
    /^\{ "update": \{ "withdraw": \{ "bgp-ls bgp-ls": \[ \{ "ls-nlri-type": "bgpls-node", .*"nexthop": "None" \} \] \} \} \}$/,
  );
});

test('BGP-LS VPN (SAFI 72): the RD after the descriptors, the next hop without its RD', () => {
  const rd = [0, 0, ...u16(65000), ...u32(7)];
  const body = [3, ...u32(0), ...u32(0), ...tlv(256, tlv(515, [192, 0, 2, 1]))];
  const nlri = [...u16(1), ...u16(8 + body.length), ...rd, ...body];
  const m = message(
    update([], [...ORIGIN, ...PATH(), ...MPREACH(16388, 72, [...Array(8).fill(0), 192, 0, 2, 9], nlri)]),
  );
  assert.match(
    m,
    /"bgp-ls bgp-ls-vpn": \{ "192\.0\.2\.9": \[ \{ "ls-nlri-type": "bgpls-node", .*"nexthop": "192\.0\.2\.9", "rd": "65000:7" \}/,
  );
});

test('BGP-LS: an NLRI type ExaBGP does not decode is shown unparsed; a multi-topology TLV is listed', () => {
  const srv6 = [...u16(6), ...u16(3), 1, 2, 3];
  const linkBody = [2, ...u32(0), ...u32(0), ...tlv(256, tlv(515, h('000000000001'))), ...tlv(263, [0, 2])];
  const link = [...u16(2), ...u16(linkBody.length), ...linkBody];
  const m = message(update([], [...ORIGIN, ...PATH(), ...MPREACH(16388, 71, [192, 0, 2, 9], [...srv6, ...link])]));
  assert.match(m, /\{ "code": 6, "parsed": false, "raw": "0603010203" \}/);
  assert.match(m, /"neighbor-address": \{ {2}\}, "multi-topology-ids": \[ 2 \] \}/);
});

test('a malformed BGP-LS attribute is not shown (RFC 9552 §8.2.2 attribute discard); the routes stay', () => {
  const body = [3, ...u32(0), ...u32(0), ...tlv(256, tlv(515, [192, 0, 2, 1]))];
  const nlri = [...u16(1), ...u16(body.length), ...body];
  const bad = attr(0x80, 29, [...u16(1092), ...u16(4), 0, 0]);
  const m = message(update([], [...ORIGIN, ...PATH(), ...bad, ...MPREACH(16388, 71, [192, 0, 2, 9], nlri)]));
  assert.doesNotMatch(m, /"bgp-ls": \{/);
  assert.match(m, /"ls-nlri-type": "bgpls-node"/);
  const wrongSize = attr(0x80, 29, tlv(1092, [0, 0]));
  assert.doesNotMatch(
    message(update([], [...ORIGIN, ...PATH(), ...wrongSize, ...MPREACH(16388, 71, [192, 0, 2, 9], nlri)])),
    /"bgp-ls": \{/,
  );
});

test('a BGP-LS NLRI overrunning the field disables the family (RFC 7606 §5.3)', () => {
  const hex = update([], [...ORIGIN, ...PATH(), ...MPREACH(16388, 71, [192, 0, 2, 9], [...u16(1), ...u16(40), 3])]);
  assert.throws(
    () => decode(hex),
    (e: DecodeError) => e.action === 'afisafi-disable' && /overruns/.test(e.message),
  );
});

test('Python value forms: float repr, json.dumps strings, ipaddress IPv6', () => {
  assert.equal(pyFloat(125000000), '125000000.0');
  assert.equal(pyFloat(Math.fround(1.1)), '1.100000023841858');
  assert.equal(pyFloat(Math.fround(1e16)), '1.0000000272564224e+16');
  assert.equal(pyFloat(Math.fround(1e-5)), '9.999999747378752e-06');
  assert.equal(pyFloat(0), '0.0');
  assert.equal(pyFloat(Number.NaN), 'null');
  assert.equal(pyFloat(-Infinity), 'null');
  assert.equal(pyJsonString('a"b\u00e9\n'), '"a\\"b\\u00e9\\n"');
  assert.equal(pyIpv6(Uint8Array.from(h('20010db8'))), '2001:db8::');
  assert.equal(pyIpv6(Uint8Array.from(h('00000000000000000000ffff01020304'))), '::ffff:102:304');
  assert.equal(pyIpv6(Uint8Array.from(h('00010000000100000000000000000001'))), '1:0:1::1');
});
