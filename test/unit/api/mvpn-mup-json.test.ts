// MVPN (RFC 6514, SAFI 5) and MUP (draft-mpmz-bess-mup-safi, SAFI 85) routes as ExaBGP 5.0 prints them (ExaBGP 4.2
// has neither, so there is no differential test: the expected lines follow ExaBGP 5.0's json() of each route type),
// from UPDATEs written for these tests (test/support/family-vectors.ts).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JsonEncoder } from '../../../src/api/json';
import { mupJson } from '../../../src/api/mup-json';
import { mvpnJson } from '../../../src/api/mvpn-json';
import { ipv4Mup, ipv4Mvpn } from '../../../src/wire/nlri/typed';
import { defaultContext } from '../../../src/wire/types';
import { decodeUpdate } from '../../../src/wire/update';
import { MUP_CASES, MVPN_CASES } from '../../support/family-vectors';

const ctx = { ...defaultContext(), asn4: true };
const message = (hex: string): string =>
  new JsonEncoder().updateMessage(decodeUpdate(Buffer.from(hex, 'hex').subarray(19), ctx));

test('MVPN: source active A-D and C-multicast joins with their fields, another route type unparsed', () => {
  assert.equal(
    message(MVPN_CASES['mvpn: source active A-D, shared and source tree joins, an intra-AS I-PMSI A-D']!),
    '{ "update": { "attribute": { "origin": "igp" }, "announce": { "ipv4 mcast-vpn": { "192.0.2.9": [ ' +
      '{ "code": 5, "parsed": true, "raw": "05120000FDE80000000120C633640120E8010101", "name": "Source Active A-D Route", ' +
      '"rd": "65000:1", "source": "198.51.100.1", "group": "232.1.1.1"}, ' +
      '{ "code": 6, "parsed": true, "raw": "06160000FDE8000000010000FDE920C633640220EF010101", ' +
      '"name": "C-Multicast Shared Tree Join route", "rd": "65000:1", "source-as": "65001", "source": "198.51.100.2", ' +
      '"group": "239.1.1.1"}, ' +
      '{ "code": 7, "parsed": true, "raw": "07160000FDE8000000010000FDE920C633640320E8010103", ' +
      '"name": "C-Multicast Source Tree Join route", "rd": "65000:1", "source-as": "65001", "source": "198.51.100.3", ' +
      '"group": "232.1.1.3"}, ' +
      '{ "code": 1, "parsed": false, "raw": "010C0000FDE800000001C0000209" } ] } } } }',
  );
});

test('MUP: the four 3GPP 5G route types with their fields, an unknown one as arch, code and raw', () => {
  const m = message(MUP_CASES['mup: interwork and direct segment discovery, type 1 and type 2 session transformed']!);
  const routes = (JSON.parse(m) as { update: { announce: Record<string, Record<string, unknown[]>> } }).update.announce[
    'ipv4 mup'
  ]!['192.0.2.9']!;
  assert.deepEqual(routes, [
    {
      name: 'InterworkSegmentDiscoveryRoute',
      arch: 1,
      code: 1,
      prefix_ip_len: 24,
      prefix_ip: '10.0.1.0',
      rd: '65000:1',
      raw: '0100010C0000FDE80000000118' + '0A0001',
    },
    {
      name: 'DirectSegmentDiscoveryRoute',
      arch: 1,
      code: 2,
      ip: '192.0.2.10',
      rd: '65000:1',
      raw: '0100020C0000FDE800000001C000020A',
    },
    {
      name: 'Type1SessionTransformedRoute',
      arch: 1,
      code: 3,
      prefix_ip_len: 32,
      prefix_ip: '10.0.0.7',
      teid: '12345',
      qfi: '9',
      rd: '65000:1',
      endpoint_ip_len: 32,
      endpoint_ip: '192.0.2.20',
      source_ip_len: 32,
      source_ip: '192.0.2.21',
      raw: '0100031C0000FDE800000001200A00000700003039092' + '0C000021420C0000215',
    },
    {
      name: 'Type2SessionTransformedRoute',
      arch: 1,
      code: 4,
      endpoint_len: 64,
      endpoint_ip: '192.0.2.30',
      rd: '65000:1',
      teid: '4000',
      raw: '010004110000FDE80000000140C000021E00000FA0',
    },
    { arch: 1, code: 9, raw: '010009020102' },
  ]);
  assert.match(m, /"endpoint_ip": "192\.0\.2\.20", "source_ip_len": 32/);
});

test('MUP: an IPv6 type 1 session transformed route without source address, withdrawn', () => {
  const m = message(MUP_CASES['mup: IPv6 type 1 session transformed without source, withdrawn']!);
  assert.match(
    m,
    /"withdraw": \{ "ipv6 mup": \[ \{ "name": "Type1SessionTransformedRoute", "arch": 1, "code": 3, "prefix_ip_len": 64, "prefix_ip": "2001:db8:0:1::", "teid": "1", "qfi": "0", "rd": "65000:1", "endpoint_ip_len": 128, "endpoint_ip": "2001:db8::20", "source_ip_len": 0, "source_ip": "", "raw": "[0-9A-F]+" \} \]/,
  );
});

test('MVPN and MUP codecs: entries delimited by their length, ADD-PATH kept, an overrun disables the family', () => {
  for (const codec of [ipv4Mvpn, ipv4Mup]) {
    const item = { arch: codec === ipv4Mup ? 1 : 0, type: 3, body: Uint8Array.from([1, 2, 3]), pathId: 9 };
    for (const addPath of [false, true]) {
      const one = codec.encode(item, addPath);
      const data = Buffer.concat([one, one]);
      assert.equal(codec.scan(data, addPath), 2);
      const back = codec.items({ family: codec.family, addPath, data, count: 2 });
      const { pathId, ...bare } = item;
      assert.deepEqual({ ...back[1]!, body: Uint8Array.from(back[1]!.body) }, addPath ? { ...bare, pathId } : bare);
      assert.throws(() => codec.scan(data.subarray(0, data.length - 1), addPath), /overruns/);
    }
  }
});

test("MVPN and MUP text forms: ExaBGP 5.0's str() of each route type", () => {
  const items = (hex: string, codec: typeof ipv4Mvpn) => {
    const u = decodeUpdate(Buffer.from(hex, 'hex').subarray(19), ctx);
    const block = u.attributes.mpReach!.nlri;
    return codec.items(block);
  };
  const mv = items(
    MVPN_CASES['mvpn: source active A-D, shared and source tree joins, an intra-AS I-PMSI A-D']!,
    ipv4Mvpn,
  );
  assert.deepEqual(
    mv.map((n) => mvpnJson(n).text),
    [
      'mvpn:sourcead::65000:1:198.51.100.1:232.1.1.1',
      'mvpn:shared-join::65000:1:65001:198.51.100.2:239.1.1.1',
      'mvpn:source-join::65000:1:65001:198.51.100.3:232.1.1.3',
      'mvpn:unknown:0x0000fde800000001c0000209',
    ],
  );
  const mu = items(
    MUP_CASES['mup: interwork and direct segment discovery, type 1 and type 2 session transformed']!,
    ipv4Mup,
  );
  assert.deepEqual(
    mu.map((n) => mupJson(n, false).text),
    [
      'mup:isd::65000:1:10.0.1.0/24',
      'mup:dsd::65000:1:192.0.2.10',
      'mup:t1st::65000:1:10.0.0.7/32:12345:9:192.0.2.20/32:192.0.2.21/32',
      'mup:t2st::65000:1:64:192.0.2.30:4000:',
      'mup:unknown:0x0102',
    ],
  );
});
