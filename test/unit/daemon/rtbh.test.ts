// RTBH: a route with BLACKHOLE (RFC 7999) goes into the Adj-RIB-Out with exactly the communities it was
// given, as ExaBGP 4.2 sends it: no NO_EXPORT is added, and ExaBGP's grammar has no keyword to ask for it.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRoute } from '../../../src/config/route';
import { routeEntry } from '../../../src/daemon/routes';

const BLACKHOLE = 0xffff029a;
const NO_EXPORT = 0xffffff01;

const entry = (text: string) => routeEntry(parseRoute(text, { file: 'api' }));

test('BLACKHOLE alone: sent as written, no NO_EXPORT added (IPv4 and IPv6)', () => {
  assert.deepEqual(entry('route 203.0.113.5/32 next-hop 192.0.2.66 community [ blackhole ]').attributes.communities, [
    BLACKHOLE,
  ]);
  assert.deepEqual(
    entry('route 2001:db8:5::5/128 next-hop 2001:db8::66 community [ 65000:1 blackhole ]').attributes.communities,
    [0xfde80001, BLACKHOLE],
  );
  assert.deepEqual(entry('route 203.0.113.5/32 next-hop 192.0.2.66 community 65535:666').attributes.communities, [
    BLACKHOLE,
  ]);
  assert.deepEqual(
    entry('route 203.0.113.5/32 next-hop 192.0.2.66 community [ blackhole no-export ]').attributes.communities,
    [BLACKHOLE, NO_EXPORT],
  );
});

test('blackhole-export is not a route keyword (ExaBGP 4.2 has none)', () => {
  assert.throws(
    () =>
      parseRoute('route 203.0.113.5/32 next-hop 192.0.2.66 community [ blackhole ] blackhole-export', { file: 'api' }),
    /blackhole-export/,
  );
  assert.throws(
    () => parseRoute('route 10.0.0.0/24 next-hop 192.0.2.1 community [ blackhole-export ]', { file: 'api' }),
    /community/,
  );
});
