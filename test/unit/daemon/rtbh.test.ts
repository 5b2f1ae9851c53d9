// RTBH: a route with BLACKHOLE (RFC 7999) gets NO_EXPORT added on its way into the Adj-RIB-Out unless it
// already has a scoping community or says `blackhole-export`; other routes are untouched.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRoute } from '../../../src/config/route';
import { blackholeScope, routeEntry } from '../../../src/daemon/routes';

const BLACKHOLE = 0xffff029a;
const NO_EXPORT = 0xffffff01;
const NO_ADVERTISE = 0xffffff02;

const entry = (text: string) => routeEntry(parseRoute(text, { file: 'api' }));

test('BLACKHOLE alone: NO_EXPORT is added (IPv4 and IPv6)', () => {
  assert.deepEqual(entry('route 203.0.113.5/32 next-hop 192.0.2.66 community [ blackhole ]').attributes.communities, [
    BLACKHOLE,
    NO_EXPORT,
  ]);
  assert.deepEqual(
    entry('route 2001:db8:5::5/128 next-hop 2001:db8::66 community [ 65000:1 blackhole ]').attributes.communities,
    [0xfde80001, BLACKHOLE, NO_EXPORT],
  );
  assert.deepEqual(entry('route 203.0.113.5/32 next-hop 192.0.2.66 community 65535:666').attributes.communities, [
    BLACKHOLE,
    NO_EXPORT,
  ]);
});

test('already scoped, or blackhole-export: communities as written', () => {
  assert.deepEqual(
    entry('route 203.0.113.5/32 next-hop 192.0.2.66 community [ blackhole no-export ]').attributes.communities,
    [BLACKHOLE, NO_EXPORT],
  );
  assert.deepEqual(
    entry('route 203.0.113.5/32 next-hop 192.0.2.66 community [ no-advertise blackhole ]').attributes.communities,
    [NO_ADVERTISE, BLACKHOLE],
  );
  const r = parseRoute('route 203.0.113.5/32 next-hop 192.0.2.66 community [ blackhole ] blackhole-export', {
    file: 'api',
  });
  assert.equal(r.blackholeExport, true);
  assert.deepEqual(routeEntry(r).attributes.communities, [BLACKHOLE]);
});

test('routes without BLACKHOLE keep their attributes object; the scoped copy is shared, the original untouched', () => {
  const plain = parseRoute('route 10.0.0.0/24 next-hop 192.0.2.1 community [ 65000:1 ]', { file: 'api' });
  assert.equal(blackholeScope(plain.attributes, false), plain.attributes);
  const bh = parseRoute('route 10.0.0.0/24 next-hop 192.0.2.1 community [ blackhole ]', { file: 'api' });
  const a = blackholeScope(bh.attributes, false);
  assert.equal(blackholeScope(bh.attributes, false), a, 'one copy per shared attribute object');
  assert.deepEqual(bh.attributes.communities, [BLACKHOLE]);
});

test('blackhole-export is refused nowhere else: it is a route keyword, not a community', () => {
  assert.throws(
    () => parseRoute('route 10.0.0.0/24 next-hop 192.0.2.1 community [ blackhole-export ]', { file: 'api' }),
    /community/,
  );
});
