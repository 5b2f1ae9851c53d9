// BGP Prefix-SID (RFC 8669) and SRv6 Service TLVs (RFC 9252): codec round trips, the bytes ExaBGP 4.2 sends for its
// example configurations, JSON/text as ExaBGP prints them, and RFC 8669 §6 / RFC 7606 attribute discard.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { attributesJson, attributesText } from '../../../src/api/json';
import { parseRoute } from '../../../src/config/route';
import { decodePrefixSid, encodePrefixSid, type PrefixSidTlv } from '../../../src/wire/attributes/prefixsid';
import { bytesToHex, hexToBytes } from '../../../src/wire/bytes';
import { parseIp } from '../../../src/wire/ip';
import type { Attributes, CodecContext } from '../../../src/wire/types';
import { decodeUpdate, encodeAttributes } from '../../../src/wire/update';

const ctx: CodecContext = { asn4: true, addPath: new Set(), maxMessage: 4096 };
const sid = (s: string): Uint8Array => parseIp(s)!;

function roundTrip(tlvs: PrefixSidTlv[]): PrefixSidTlv[] {
  const a: Attributes = {};
  decodePrefixSid(encodePrefixSid(tlvs), a);
  return a.prefixSid!;
}

test('every TLV kind survives encode then decode', () => {
  const all: PrefixSidTlv[][] = [
    [{ kind: 'label-index', index: 0xffffffff }],
    [
      { kind: 'label-index', index: 300 },
      {
        kind: 'srgb',
        ranges: [
          [800000, 4096],
          [0xffffff, 1],
        ],
      },
    ],
    [{ kind: 'ipv6-sid', sid: sid('2001:db8::1') }],
    [{ kind: 'srv6-vpn-sid', sid: sid('2001:db8::2') }],
    [{ kind: 'srv6-l3vpn-sid', sid: sid('2001:db8::3') }],
    [{ kind: 'l3-service', sids: [{ sid: sid('2001:1::'), flags: 0, behavior: 0xffff }] }],
    [
      {
        kind: 'l2-service',
        sids: [
          {
            sid: sid('2001:6::'),
            flags: 0,
            behavior: 0x15,
            structure: {
              locatorBlock: 48,
              locatorNode: 16,
              func: 0,
              argument: 0,
              transpositionLength: 16,
              transpositionOffset: 64,
            },
          },
        ],
      },
    ],
    [{ kind: 'unknown', type: 99, value: Uint8Array.of(1, 2, 3) }],
  ];
  for (const tlvs of all) assert.deepEqual(roundTrip(tlvs), tlvs);
});

test('configured attributes give the bytes exabgp -d -t sends for the example configurations', () => {
  const value = (route: string): string => {
    const a = parseRoute(`route ${route}`).attributes;
    return bytesToHex(encodePrefixSid(a.prefixSid!)).toUpperCase();
  };
  // The payloads of attribute 0x28 in ExaBGP 4.2.21's "parsed hex" for conf-prefix-sid.conf / -srv6.conf.
  assert.equal(value('1.0.0.0/32 next-hop 1.1.1.1 bgp-prefix-sid [ 777 ]'), '01000700000000000309');
  assert.equal(
    value('1.0.0.0/32 next-hop 1.1.1.1 bgp-prefix-sid [ 300, [ ( 800000,4096 ), ( 1000000,5000 ) ] ]'),
    '0100070000000000012C03000E00000C35000010000F4240001388',
  );
  assert.equal(
    value('1.0.0.0/32 next-hop 1.1.1.1 bgp-prefix-sid-srv6 ( vpn 2001:1::10 )'),
    '04001300000020010001000000000000000000000010',
  );
  assert.equal(
    value('1.0.0.0/32 next-hop 1.1.1.1 bgp-prefix-sid-srv6 ( l3vpn 2001:1::20 )'),
    '050015002001000100000000000000000000002000FFFF00',
  );
  // RFC 9252 §3.1, §3.2.1 (ExaBGP 5.0's syntax): L3 Service TLV, SID Information sub-TLV, SID Structure.
  assert.equal(
    value('1.0.0.0/32 next-hop 1.1.1.1 bgp-prefix-sid-srv6 ( l3-service 2001:3:: 0x13 [48,16,0,0,16,64] )'),
    '0500220001001E002001000300000000000000000000000000001300010006301000001040',
  );
});

test('JSON and text as ExaBGP prints them', () => {
  const a = parseRoute(
    'route 1.0.0.0/32 next-hop 1.1.1.1 bgp-prefix-sid [ 300, [ ( 800000,4096 ), ( 1000000,5000 ) ] ]',
  ).attributes;
  assert.equal(
    attributesJson(a),
    '"bgp-prefix-sid": { "sr-label-index": 300, "sr-srgbs": [[800000, 4096], [1000000, 5000]] }',
  );
  assert.equal(attributesText(a), ' bgp-prefix-sid [ 300, [ ( 800000,4096 ), ( 1000000,5000 ) ] ]');
  const s = parseRoute(
    'route 1.0.0.0/32 next-hop 1.1.1.1 bgp-prefix-sid-srv6 ( l2-service 2001:6:: 0x15 [48,16,0,0,16,64] )',
  ).attributes;
  assert.equal(
    attributesJson(s),
    '"bgp-prefix-sid": { "l2-service": [ { "sid": "2001:6::", "flags": 0, "endpoint_behavior": 21, "structure": ' +
      '{"locator-block-length": 48, "locator-node-length": 16, "function-length": 0, "argument-length": 0, ' +
      '"transposition-length": 16, "transposition-offset": 64} } ] }',
  );
  // The text is configuration syntax that reads back into the same attribute.
  const text = attributesText(s);
  assert.equal(text, ' bgp-prefix-sid-srv6 ( l2-service 2001:6:: 0x15 [48,16,0,0,16,64] )');
  assert.deepEqual(parseRoute(`route 1.0.0.0/32 next-hop 1.1.1.1${text}`).attributes.prefixSid, s.prefixSid);
});

/** An UPDATE body announcing 10.0.0.0/24 with ORIGIN, AS_PATH, NEXT_HOP and the given Prefix-SID value. */
function updateWith(prefixSid: string): Uint8Array {
  const attrs = bytesToHex(
    encodeAttributes({ origin: 0, asPath: [], nextHop: Uint8Array.of(192, 0, 2, 1), med: 5 }, ctx),
  );
  const psid = `C028${(prefixSid.length / 2).toString(16).padStart(2, '0')}${prefixSid}`;
  const all = attrs + psid;
  return hexToBytes(`0000${(all.length / 2).toString(16).padStart(4, '0')}${all}180A0000`);
}

test('a malformed Prefix-SID is discarded, the route and its other attributes kept (RFC 8669 §6, RFC 7606)', () => {
  const good = decodeUpdate(updateWith('01000700000000000309'), ctx);
  assert.deepEqual(good.issues, []);
  assert.deepEqual(good.attributes.prefixSid, [{ kind: 'label-index', index: 777 }]);
  const bad = [
    '010006000000000003', // Label-Index TLV of 6 bytes, not 7
    '0100070000000000030901000700000000000309', // two Label-Index TLVs
    '01000700000000000309030007000000000000', // SRGB not 2 + 6n bytes
    '010010000000', // TLV length overruns the attribute
    '0100', // truncated TLV header
    '04001000000020010001000000000000000000000010', // draft SRv6 VPN SID TLV of 16 bytes
    '05001600010012200100010000000000000000000000000000', // SID Information sub-TLV shorter than 21 bytes
  ];
  for (const v of bad) {
    const u = decodeUpdate(updateWith(v), ctx);
    assert.equal(u.attributes.prefixSid, undefined, v);
    assert.equal(u.issues.length, 1, v);
    assert.equal(u.issues[0]!.action, 'attribute-discard', v);
    assert.equal(u.attributes.med, 5, v);
    assert.equal(u.nlri.count, 1, v);
  }
  // Unknown TLV types are kept and passed on, not an error (RFC 8669 §6).
  const unknown = decodeUpdate(updateWith('6300020102'), ctx);
  assert.deepEqual(unknown.issues, []);
  assert.deepEqual(unknown.attributes.prefixSid, [{ kind: 'unknown', type: 99, value: Uint8Array.of(1, 2) }]);
  assert.match(attributesJson(unknown.attributes), /"bgp-prefix-sid": \{ "attribute-not-implemented": "99" \}/);
  assert.equal(bytesToHex(encodePrefixSid(unknown.attributes.prefixSid!)), '6300020102');
});
