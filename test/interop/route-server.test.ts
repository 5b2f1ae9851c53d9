// tsbgp as an IX route server (RFC 7947) for four real clients on loopback, two BIRD 2, FRR and GoBGP, with RPKI
// from StayRTR serving a VRP file written here. Proves: valid and not-found routes reach every other client with
// the announcing client's next hop and AS_PATH (no route server AS: transparent), RPKI-invalid and bogon routes
// reach none, each action community in its RFC 1997 and RFC 8092 forms (do not announce to X, to no one but the X
// named, announce only to X, prepend 1, 2 or 3 times to X), an RFC 7999 blackhole /32 in the client's own
// accepted prefix reaching every other client with BLACKHOLE as sent while one for another client's space is
// refused, max-prefix refusing the routes over the limit, and a VRP file edit withdrawing the newly invalid route
// from every client within a second of tsbgp applying it. The looking glass (`show rib filtered`, `show
// route-server`) names the reasons and counts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Route, skipReason, stopAll, waitFor } from './peers';
import type { StayRtr } from './peers/stayrtr';
import {
  announceAll,
  BLACKHOLE,
  CLIENTS,
  type Clients,
  complete,
  IPV4,
  RS_AS,
  type RsLab,
  received,
  startLab,
  stopLab,
  VRPS,
} from './route-server-scenario';
import type { Tsbgp } from './tsbgp-launch';

after(stopAll);

const skip = skipReason('bird', 'frr', 'gobgp', 'stayrtr');

describe('tsbgp as route server for BIRD, BIRD, FRR and GoBGP, with StayRTR', { skip, timeout: 180_000 }, () => {
  let lab: RsLab;
  let t: Tsbgp;
  let rtr: StayRtr;
  let cl: Clients;

  before(async () => {
    lab = await startLab(IPV4, 'rs');
    ({ t, rtr, cl } = lab);
    await announceAll(cl);
  });

  after(() => stopLab(lab));

  const table = (name: string): Promise<Map<string, Route>> => received(cl, name);
  const NH: Record<string, string> = { '1': '192.0.2.1', '2': '192.0.2.2', '3': '192.0.2.3', '4': '192.0.2.4' };

  it('every client holds exactly what it should: next hop and AS_PATH as announced, no route server AS', async () => {
    for (const c of CLIENTS) {
      const got = await waitFor(
        async () => {
          const tb = await table(c.name);
          return complete(IPV4, c.name, tb) ? tb : undefined;
        },
        20_000,
        `${c.name}'s table`,
        300,
      ).catch(async (e) => {
        throw new Error(
          `${(e as Error).message}: ${JSON.stringify([...(await table(c.name)).values()])}\n${t.log().slice(-3000)}`,
        );
      });
      for (const [p, r] of got) {
        assert.ok(!r.asPath.includes(RS_AS), `${c.name} ${p}: no route server AS in ${r.asPath}`);
        assert.equal(r.nextHop, NH[String(r.asPath[r.asPath.length - 1]! - 1000)], `${c.name} ${p}: next hop`);
      }
      if (c.name !== 'bird-b' && got.has('2.2.0.0/16'))
        assert.equal(got.get('2.2.0.0/16')!.med, 50, `${c.name}: MED kept`);
      if (c.name !== 'frr' && got.has('1.3.3.0/24'))
        assert.ok(got.get('1.3.3.0/24')!.communities.includes('3:3'), `${c.name}: communities kept`);
      // RFC 7999 BLACKHOLE passed on unchanged (FRR prints it by name and adds NO_EXPORT itself on receipt, as
      // RFC 7999 §3.2 suggests: BIRD and GoBGP show what went on the wire).
      const bh = got.get('1.1.1.66/32')?.communities;
      if (c.name === 'frr') assert.ok(bh?.includes('blackhole'), `frr: the blackhole with BLACKHOLE: ${bh}`);
      else if (c.name !== 'bird-a') assert.deepEqual(bh, [BLACKHOLE], `${c.name}: the blackhole as sent`);
    }
  });

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
    const gob = counters.find((c) => c['peer-as'] === 1004)!;
    assert.deepEqual([gob.received, gob.accepted, gob.filtered], [3, 2, 1]);
    const b = counters.find((c) => c['peer-as'] === 1002)!;
    assert.deepEqual([b.accepted, b.filtered], [1, 3]);
  });

  it('a VRP file edit withdraws the newly invalid route from every client within a second', async (tc) => {
    const holders = ['bird-a', 'bird-b', 'gobgp'];
    for (const h of holders) assert.ok((await table(h)).has('1.3.3.0/24'), `${h} has 1.3.3.0/24 first`);
    rtr.writeVrps([VRPS[0]!, VRPS[1]!, { prefix: '1.3.0.0/16', maxLength: 24, asn: 9999 }]);
    // The time from tsbgp applying the new serial to every client dropping the route.
    await waitFor(() => t.log().includes('serial 1: 3 VRPs'), 10_000, 'the new serial at tsbgp', 20);
    const applied = Date.now();
    await Promise.all(
      holders.map((h) =>
        waitFor(async () => !(await table(h)).has('1.3.3.0/24'), 5000, `1.3.3.0/24 gone from ${h}`, 50),
      ),
    );
    const took = Date.now() - applied;
    tc.diagnostic(`withdrawn from bird-a, bird-b and gobgp ${took} ms after tsbgp applied the new serial`);
    assert.ok(took < 1000, `withdrawn everywhere ${took} ms after the VRP change reached tsbgp`);
    const text = (await t.command('show rib filtered')).lines.join('\n');
    assert.match(text, /1\.3\.3\.0\/24 .*rpki-invalid/);
  });
});
