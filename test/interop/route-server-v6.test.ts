// tsbgp as an IX route server (RFC 7947) for IPv6: the four real clients of route-server.test.ts (two BIRD 2, FRR,
// GoBGP) announce IPv6 prefixes with IPv6 next hops, bird-b over an IPv6 session (::1) and the others over IPv4
// sessions (MP-BGP, RFC 4760), with RPKI from StayRTR serving IPv6 VRPs. Proves: valid and not-found routes reach
// every other client with the announcing client's IPv6 next hop and AS_PATH (no route server AS), MED and
// communities as sent; RPKI-invalid, bogon (ULA), foreign-next-hop routes and routes outside the default IPv6
// length bounds (/16-/48: a /64 and a /15) reach none while a /16 passes; action communities in IPv6 routes; an
// RFC 7999 blackhole /128 in the client's own /32 reaches everyone with BLACKHOLE as sent while one for another
// client's space is refused; and a VRP file edit withdraws the newly invalid IPv6 route from every client within
// a second. The looking glass names each refused route's reason.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { skipReason, stopAll } from './peers';
import {
  announceAll,
  checkTables,
  IPV6,
  type RsLab,
  startLab,
  stopLab,
  vrpEditWithdraws,
} from './route-server-scenario';

after(stopAll);

const skip = skipReason('bird', 'frr', 'gobgp', 'stayrtr');

describe('tsbgp as IPv6 route server for BIRD, BIRD (IPv6 session), FRR and GoBGP, with StayRTR', {
  skip,
  timeout: 180_000,
}, () => {
  let lab: RsLab;

  before(async () => {
    lab = await startLab(IPV6, 'rs6');
    await announceAll(lab.cl);
  });

  after(() => stopLab(lab));

  it('every client holds exactly what it should: IPv6 next hop and AS_PATH as announced, no route server AS', () =>
    checkTables(lab));

  it('the looking glass names each refused IPv6 route with its reason', async () => {
    const rows = JSON.parse((await lab.t.command('show rib filtered json')).lines.join('\n')) as {
      prefix: string;
      reason: string;
      rpki: string;
      family: string;
    }[];
    const reasons = Object.fromEntries(rows.map((r) => [r.prefix, r.reason]));
    assert.deepEqual(
      {
        '2a01:1002::/32': reasons['2a01:1002::/32'],
        'fc00:2::/32': reasons['fc00:2::/32'],
        '2a01:2003::/32': reasons['2a01:2003::/32'],
        '2a01:1003:0:1::/64': reasons['2a01:1003:0:1::/64'],
        '2c00::/15': reasons['2c00::/15'],
        '2a01:2002::66/128': reasons['2a01:2002::66/128'],
      },
      {
        '2a01:1002::/32': 'rpki-invalid',
        'fc00:2::/32': 'bogon-prefix',
        '2a01:2003::/32': 'next-hop',
        '2a01:1003:0:1::/64': 'prefix-length',
        '2c00::/15': 'prefix-length',
        '2a01:2002::66/128': 'blackhole',
      },
    );
    assert.ok(
      rows.every((r) => r.family === 'ipv6 unicast'),
      JSON.stringify(rows),
    );
    assert.equal(rows.find((r) => r.prefix === '2a01:1002::/32')!.rpki, 'invalid');
  });

  it('a VRP file edit withdraws the newly invalid IPv6 route from every client within a second', (tc) =>
    vrpEditWithdraws(lab, tc));
});
