// RT constraint (RFC 4684) routes: the codec (lengths 0 and 32 to 96, trailing bits, ADD-PATH, malformed lengths)
// and ExaBGP 5.0's JSON for them (ExaBGP 4.2 has no configuration for the family and refuses it in --decode).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JsonEncoder } from '../../../src/api/json';
import { DecodeError } from '../../../src/wire/errors';
import { ipv4Rtc } from '../../../src/wire/nlri/rtc';
import { defaultContext } from '../../../src/wire/types';
import { decodeUpdate } from '../../../src/wire/update';
import { h, RTC_CASES, rtcNlri } from '../../support/family-vectors';

const ctx = { ...defaultContext(), asn4: true };
const message = (hex: string): string =>
  new JsonEncoder().updateMessage(decodeUpdate(Buffer.from(hex, 'hex').subarray(19), ctx));

test('rtc routes as ExaBGP 5.0 prints them: origin and route target, the default route with a null target', () => {
  assert.equal(
    message(RTC_CASES['rtc: an AS2 target, the default route, an IPv4 target']!),
    '{ "update": { "attribute": { "origin": "igp", "as-path": [ 65001 ], "confederation-path": [], ' +
      '"local-preference": 100 }, "announce": { "ipv4 rtc": { "192.0.2.9": [ ' +
      '{ "origin": 65000, "route-target": "target:65000:1" }, { "origin": 0, "route-target": null }, ' +
      '{ "origin": 65001, "route-target": "target:192.0.2.1:5" } ] } } } }',
  );
  assert.equal(
    message(RTC_CASES['rtc: withdrawn, a prefix shorter than a route target']!),
    '{ "update": { "withdraw": { "ipv4 rtc": [ { "origin": 65000, "route-target": "target:65000:1" }, ' +
      '{ "origin": 65000, "route-target": "target:65000:0", "prefix-length": 64 } ] } } }',
  );
});

test('rtc codec: encode and decode agree, ADD-PATH included; the bits past the length are zeroed', () => {
  const routes = [
    { len: 96, origin: 65000, rt: Uint8Array.from(h('0002fde800000001')) },
    { len: 0, origin: 0 },
    { len: 40, origin: 4200000000, rt: Uint8Array.from(h('0200000000000000')) },
  ];
  for (const addPath of [false, true]) {
    const data = Buffer.concat(routes.map((r, i) => ipv4Rtc.encode({ ...r, pathId: i + 1 }, addPath)));
    assert.equal(ipv4Rtc.scan(data, addPath), 3);
    const back = ipv4Rtc.items({ family: ipv4Rtc.family, addPath, data, count: 3 });
    assert.deepEqual(
      back,
      routes.map((r, i) => (addPath ? { ...r, pathId: i + 1 } : r)),
    );
  }
  const dirty = Uint8Array.from(rtcNlri(36, 65000, [0x0f]).map((b, i) => (i === 5 ? 0xff : b)));
  assert.deepEqual(
    ipv4Rtc.items({ family: ipv4Rtc.family, addPath: false, data: dirty, count: 1 })[0]!.rt,
    Uint8Array.from([0xf0, 0, 0, 0, 0, 0, 0, 0]),
  );
});

test('rtc codec: a length other than 0 or 32 to 96, or one overrunning the field, disables the family', () => {
  for (const bad of [
    [16, 0, 0],
    [97, ...Array(13).fill(0)],
    [96, 0, 0, 0],
  ]) {
    assert.throws(
      () => ipv4Rtc.scan(Uint8Array.from(bad), false),
      (e: DecodeError) => e instanceof DecodeError && e.action === 'afisafi-disable',
    );
  }
});
