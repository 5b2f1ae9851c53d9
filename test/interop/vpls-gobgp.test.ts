// VPLS (RFC 4761, AFI 25 SAFI 65) from tsbgp to GoBGP 3 on loopback (GoBGP's `l2vpn-vpls`): the static route of
// an `l2vpn { vpls NAME { } }` block and one announced through the API (`announce vpls ...`, ExaBGP 4.2's command)
// are received and accepted by GoBGP (its NLRI parser takes them, the session stays up); `withdraw vpls ...`
// takes the API one away again. GoBGP 3.10's CLI has no VPLS family (`adj-in -a vpls` fails), so what GoBGP
// shows is its per-family counters, not the fields; the fields are checked against ExaBGP 4.2 in test/diff.
// GoBGP is passive; tsbgp connects. Skipped when gobgpd is missing (failed under CI).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startGoBgpPair } from './gobgp-pair';
import { type GoBgp, skipReason, stopAll, waitFor } from './peers';
import type { Tsbgp } from './tsbgp-launch';

after(stopAll);

const AS_T = 65420;
const AS_G = 65421;
const skip = skipReason('gobgp');

describe('VPLS: tsbgp to GoBGP', { skip }, () => {
  let t: Tsbgp;
  let g: GoBgp;
  let eT: { address: string; port: number };
  let eG: { address: string; port: number };

  before(async () => {
    ({ t, g, eT, eG } = await startGoBgpPair({
      name: 'vpls-gobgp',
      asT: AS_T,
      asG: AS_G,
      families: { afiSafiNames: ['l2vpn-vpls'] },
      body: [
        'family { l2vpn vpls; }',
        'l2vpn {',
        '  vpls site5 {',
        '    rd 192.0.2.1:123; endpoint 5; base 10702; offset 1; size 8; next-hop 192.0.2.1;',
        '    extended-community [ target:65000:6 l2info:19:0:1500:111 ];',
        '  }',
        '}',
      ],
    }));
  });

  /** GoBGP's counts for the VPLS family from tsbgp, with the session state (6 = Established). */
  async function counts(): Promise<{ received: number; accepted: number; state: number }> {
    const j = JSON.parse(await g.cli(['-j', 'neighbor', eT.address])) as {
      state: { session_state?: number };
      afi_safis?: { state: { family: { afi: number; safi: number }; received?: number; accepted?: number } }[];
    };
    const f = j.afi_safis?.find((x) => x.state.family.afi === 25 && x.state.family.safi === 65);
    return { received: f?.state.received ?? 0, accepted: f?.state.accepted ?? 0, state: j.state.session_state ?? 0 };
  }

  async function accepted(n: number, what: string): Promise<void> {
    let last = { received: 0, accepted: 0, state: 0 };
    try {
      await waitFor(
        async () => {
          last = await counts();
          return last.accepted === n && last.received === n;
        },
        10_000,
        what,
        200,
      );
    } catch (e) {
      throw new Error(`${(e as Error).message}\nGoBGP: ${JSON.stringify(last)}\n${g.logText().slice(-1500)}`);
    }
    assert.equal(last.state, 6, 'session Established');
  }

  it('the static VPLS route is received and accepted by GoBGP', async () => {
    await accepted(1, 'the static VPLS route at GoBGP');
  });

  it("an API route (ExaBGP 4.2's announce vpls) arrives and withdraw vpls takes it away, the session staying up", async () => {
    const cmd = async (line: string): Promise<void> => {
      const r = await t.command(line);
      assert.equal(r.answer, 'done', `${line}: ${JSON.stringify(r)}`);
    };
    const nlri = 'endpoint 6 base 20000 offset 1 size 8 rd 65000:9';
    await cmd(
      `neighbor ${eG.address} announce vpls ${nlri} next-hop 192.0.2.1 origin igp extended-community [ target:65000:9 l2info:19:0:1500:0 ]`,
    );
    await accepted(2, 'the API VPLS route at GoBGP');
    await cmd(`neighbor ${eG.address} withdraw vpls ${nlri}`);
    await accepted(1, 'the API VPLS route withdrawn at GoBGP');
    assert.doesNotMatch(g.logText(), /NOTIFICATION|malformed|error/i);
  });
});
