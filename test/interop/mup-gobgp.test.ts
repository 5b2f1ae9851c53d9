// MUP (draft-mpmz-bess-mup-safi, SAFI 85) from GoBGP 3 to tsbgp on loopback: the four route types GoBGP's CLI
// originates (Interwork and Direct Segment Discovery, Type 1 and Type 2 Session Transformed) reach tsbgp's API
// process in ExaBGP 5.0's JSON form with the fields GoBGP was given, and a deleted route arrives as a withdrawal.
// GoBGP 3.10 cannot originate BGP-LS, RT constraint or MVPN routes (its CLI refuses the families), so MUP is the
// one decode-only family checked against a real speaker. GoBGP is passive; tsbgp connects. Skipped when gobgpd is
// missing (failed under CI).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startGoBgpPair } from './gobgp-pair';
import { type GoBgp, skipReason, stopAll, waitFor } from './peers';
import { jsonLines, type Tsbgp } from './tsbgp-launch';

after(stopAll);

const AS_T = 65430;
const AS_G = 65431;
const skip = skipReason('gobgp');

type Route = Record<string, unknown>;

describe('MUP: GoBGP to tsbgp', { skip }, () => {
  let t: Tsbgp;
  let g: GoBgp;
  let eG: { address: string; port: number };
  let events: string;

  before(async () => {
    ({ t, g, eG, events } = await startGoBgpPair({
      name: 'mup-gobgp',
      asT: AS_T,
      asG: AS_G,
      families: { afiSafiNames: ['ipv4-mup'] },
      body: ['family { ipv4 mup; }'],
      record: true,
    }));
  });

  /** Every MUP route announced (by next hop) or withdrawn in the events so far. */
  function routes(kind: 'announce' | 'withdraw'): Route[] {
    const out: Route[] = [];
    for (const e of jsonLines(events)) {
      const part = e.neighbor?.message?.update?.[kind]?.['ipv4 mup'];
      if (part) out.push(...((kind === 'announce' ? Object.values(part).flat() : part) as Route[]));
    }
    return out;
  }

  async function route(kind: 'announce' | 'withdraw', name: string): Promise<Route> {
    return waitFor(async () => routes(kind).find((r) => r.name === name), 10_000, `${kind} ${name}`, 200).catch(
      (e: Error) => {
        throw new Error(`${e.message}\n${JSON.stringify(routes(kind))}\n${t.log().slice(-1500)}`);
      },
    );
  }

  it("GoBGP's ISD, DSD, T1ST and T2ST routes reach tsbgp's process in ExaBGP 5.0's form", async () => {
    const add = (args: string[]): Promise<string> => g.cli(['global', 'rib', '-a', 'mup-ipv4', 'add', ...args]);
    const srv6 = ['locator-node-length', '24', 'function-length', '16'];
    await add([
      'isd',
      '10.0.0.0/24',
      'rd',
      '100:100',
      'prefix',
      '2001:db8:1::/64',
      ...srv6,
      'behavior',
      'ENDM_GTP4E',
      'rt',
      '10:10',
      'nexthop',
      '2001:db8::1',
    ]);
    await add([
      'dsd',
      '192.0.2.100',
      'rd',
      '100:100',
      'prefix',
      '2001:db8:2::/64',
      ...srv6,
      'behavior',
      'END_DX4',
      'rt',
      '10:10',
      'mup',
      '10:10',
      'nexthop',
      '2001:db8::1',
    ]);
    await add([
      't1st',
      '192.168.0.1/32',
      'rd',
      '100:100',
      'rt',
      '10:10',
      'teid',
      '12345',
      'qfi',
      '9',
      'endpoint',
      '10.0.0.1',
      'nexthop',
      '192.0.2.1',
    ]);
    await add([
      't2st',
      '10.0.0.2',
      'rd',
      '100:100',
      'rt',
      '10:10',
      'teid',
      '12345',
      'mup',
      '10:10',
      'nexthop',
      '192.0.2.1',
    ]);
    const isd = await route('announce', 'InterworkSegmentDiscoveryRoute');
    assert.deepEqual([isd.arch, isd.code, isd.prefix_ip_len, isd.prefix_ip, isd.rd], [1, 1, 24, '10.0.0.0', '100:100']);
    const dsd = await route('announce', 'DirectSegmentDiscoveryRoute');
    assert.deepEqual([dsd.code, dsd.ip, dsd.rd], [2, '192.0.2.100', '100:100']);
    const t1 = await route('announce', 'Type1SessionTransformedRoute');
    assert.deepEqual(
      [t1.code, t1.prefix_ip_len, t1.prefix_ip, t1.teid, t1.qfi, t1.rd, t1.endpoint_ip_len, t1.endpoint_ip],
      [3, 32, '192.168.0.1', '12345', '9', '100:100', 32, '10.0.0.1'],
    );
    const t2 = await route('announce', 'Type2SessionTransformedRoute');
    assert.deepEqual([t2.code, t2.endpoint_ip, t2.rd, t2.teid], [4, '10.0.0.2', '100:100', '12345']);
    assert.ok(typeof t2.endpoint_len === 'number' && t2.endpoint_len > 32, JSON.stringify(t2));
    // The session is still up: nothing in these UPDATEs was refused.
    assert.ok(t.established(eG.address));
  });

  it('a route deleted at GoBGP arrives as a withdrawal', async () => {
    await g.cli([
      'global',
      'rib',
      '-a',
      'mup-ipv4',
      'del',
      't1st',
      '192.168.0.1/32',
      'rd',
      '100:100',
      'rt',
      '10:10',
      'teid',
      '12345',
      'qfi',
      '9',
      'endpoint',
      '10.0.0.1',
    ]);
    const w = await route('withdraw', 'Type1SessionTransformedRoute');
    assert.deepEqual([w.prefix_ip, w.rd], ['192.168.0.1', '100:100']);
  });
});
