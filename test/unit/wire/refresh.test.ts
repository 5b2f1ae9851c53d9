import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { encodeKeepalive } from '../../../src/wire/keepalive';
import { decodeRouteRefresh, encodeRouteRefresh } from '../../../src/wire/refresh';
import { hex, throwsDecode, toHex } from './helpers-msg';

test('ROUTE-REFRESH: exact bytes (RFC 2918 §3, RFC 7313 §3.2 subtype in the reserved octet)', () => {
  assert.equal(toHex(encodeRouteRefresh({ afi: 1, safi: 1, subtype: 0 })), 'ff'.repeat(16) + '00170500010001');
  assert.equal(
    toHex(encodeRouteRefresh({ afi: 2, safi: 133, subtype: 1 })).replace(/\s/g, ''),
    'ff'.repeat(16) + '00170500020185',
  );
  assert.deepEqual(decodeRouteRefresh(hex('0002 02 80')), { afi: 2, safi: 128, subtype: 2 });
});

test('ROUTE-REFRESH: random values round-trip', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 0xffff }),
      fc.integer({ min: 0, max: 255 }),
      fc.integer({ min: 0, max: 255 }),
      (afi, safi, subtype) => {
        const r = { afi, safi, subtype };
        assert.deepEqual(decodeRouteRefresh(encodeRouteRefresh(r).subarray(19)), r);
      },
    ),
  );
});

test('ROUTE-REFRESH errors: body not 4 bytes → 7/1 with the whole message as data (RFC 7313 §5); short → 1/2', () => {
  const e = throwsDecode(() => decodeRouteRefresh(hex('0001 01 01 00')), 7, 1);
  assert.equal(toHex(e.data), 'ff'.repeat(16) + '0018050001010100');
  throwsDecode(() => decodeRouteRefresh(hex('0001 00 01 0000')), 7, 1);
  throwsDecode(() => decodeRouteRefresh(hex('0001 00')), 1, 2, Uint8Array.of(0, 22));
});

test('KEEPALIVE: 19 bytes, a fresh buffer each time', () => {
  const a = encodeKeepalive();
  assert.equal(toHex(a), 'ff'.repeat(16) + '001304');
  assert.notEqual(a, encodeKeepalive());
});
