// tsbgp as an IX route server (RFC 7947) for four real clients on loopback, two BIRD 2, FRR and GoBGP, with RPKI
// from StayRTR serving a VRP file written here. Proves: valid and not-found routes reach every other client with
// the announcing client's next hop and AS_PATH (no route server AS: transparent), RPKI-invalid and bogon routes
// reach none, each action community in its RFC 1997 and RFC 8092 forms (do not announce to X, to no one but the X
// named, announce only to X, prepend 1, 2 or 3 times to X; GoBGP's AS is 32-bit, named by RFC 8092 forms only),
// an RFC 7999 blackhole /32 in the client's own accepted prefix reaching every other client with BLACKHOLE as
// sent while one for another client's space is refused, max-prefix refusing the routes over the limit, and a VRP
// file edit withdrawing the newly invalid route from every client within a second of tsbgp applying it. The
// looking glass (`show rib filtered`, `show route-server`) names the reasons and counts. route-server-v6.test.ts
// does the same for IPv6.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { skipReason, stopAll } from './peers';
import {
  AS32,
  announceAll,
  checkTables,
  IPV4,
  type RsLab,
  startLab,
  stopLab,
  vrpEditWithdraws,
} from './route-server-scenario';
import type { Tsbgp } from './tsbgp-launch';

after(stopAll);

const skip = skipReason('bird', 'frr', 'gobgp', 'stayrtr');

describe('tsbgp as route server for BIRD, BIRD, FRR and GoBGP, with StayRTR', { skip, timeout: 180_000 }, () => {
  let lab: RsLab;
  let t: Tsbgp;

  before(async () => {
    lab = await startLab(IPV4, 'rs');
    t = lab.t;
    await announceAll(lab.cl);
  });

  after(() => stopLab(lab));

  it('every client holds exactly what it should: next hop and AS_PATH as announced, no route server AS', () =>
    checkTables(lab));

  it('the looking glass names each refused route with its reason and RPKI state, and counts per client', async () => {
    const r = await t.command('show rib filtered');
    const text = r.lines.join('\n');
    assert.match(text, /1\.2\.2\.0\/24 .*rpki-invalid/);
    assert.match(text, /10\.2\.0\.0\/16 .*bogon-prefix/);
    assert.match(text, /2\.3\.0\.0\/16 .*next-hop/);
    assert.match(text, /3\.3\.0\.0\/25 .*prefix-length/);
    assert.match(text, /4\.4\.\d\.0\/24 .*max-prefix/);
    assert.match(text, /2\.2\.0\.66\/32 .*blackhole/);
    assert.doesNotMatch(text, /1\.1\.1\.66\/32/);
    const j = await t.command('show rib filtered json');
    const rows = JSON.parse(j.lines.join('\n')) as { prefix: string; reason: string; rpki: string; neighbor: string }[];
    assert.deepEqual(
      rows.find((x) => x.prefix === '1.2.2.0/24'),
      {
        neighbor: rows.find((x) => x.prefix === '1.2.2.0/24')!.neighbor,
        family: 'ipv4 unicast',
        prefix: '1.2.2.0/24',
        reason: 'rpki-invalid',
        rpki: 'invalid',
        'as-path': [1002],
        'next-hop': '192.0.2.2',
      },
    );
    const s = await t.command('show route-server json');
    const counters = JSON.parse(s.lines.join('\n')) as {
      'peer-as': number;
      received: number;
      accepted: number;
      filtered: number;
    }[];
    const gob = counters.find((c) => c['peer-as'] === AS32)!;
    assert.deepEqual([gob.received, gob.accepted, gob.filtered], [3, 2, 1]);
    const b = counters.find((c) => c['peer-as'] === 1002)!;
    assert.deepEqual([b.accepted, b.filtered], [1, 3]);
  });

  it('a VRP file edit withdraws the newly invalid route from every client within a second', (tc) =>
    vrpEditWithdraws(lab, tc));
});
