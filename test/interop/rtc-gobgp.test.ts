// RT constraint (RFC 4684, SAFI 132) from GoBGP 3 to tsbgp on loopback. GoBGP's CLI cannot add RTC routes, but
// GoBGP advertises one for each route target a VRF imports to a peer with the family (its RT constraint
// implementation): a VRF added at GoBGP reaches tsbgp's API process as ExaBGP 5.0's
// { "origin": ASN, "route-target": "target:..." }, and deleting the VRF withdraws it. GoBGP is passive; tsbgp
// connects. Skipped when gobgpd is missing (failed under CI).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startGoBgpPair } from './gobgp-pair';
import { type GoBgp, skipReason, stopAll, waitFor } from './peers';
import { jsonLines, type Tsbgp } from './tsbgp-launch';

after(stopAll);

const AS_T = 65440;
const AS_G = 65441;
const skip = skipReason('gobgp');

type Route = { origin?: number; 'route-target'?: string | null };

describe('RT constraint: GoBGP to tsbgp', { skip }, () => {
  let t: Tsbgp;
  let g: GoBgp;
  let eG: { address: string; port: number };
  let events: string;

  before(async () => {
    ({ t, g, eG, events } = await startGoBgpPair({
      name: 'rtc-gobgp',
      asT: AS_T,
      asG: AS_G,
      families: { afiSafiNames: ['rtc'] },
      body: ['family { ipv4 rtc; }'],
      record: true,
    }));
  });

  function routes(kind: 'announce' | 'withdraw'): Route[] {
    const out: Route[] = [];
    for (const e of jsonLines(events)) {
      const part = e.neighbor?.message?.update?.[kind]?.['ipv4 rtc'];
      if (part) out.push(...((kind === 'announce' ? Object.values(part).flat() : part) as Route[]));
    }
    return out;
  }

  async function seen(kind: 'announce' | 'withdraw', rt: string): Promise<Route> {
    return waitFor(async () => routes(kind).find((r) => r['route-target'] === rt), 10_000, `${kind} ${rt}`, 200).catch(
      (e: Error) => {
        throw new Error(`${e.message}\n${JSON.stringify(routes(kind))}\n${g.logText().slice(-1500)}`);
      },
    );
  }

  it("a VRF's import route target at GoBGP reaches tsbgp's process as an RTC route, and leaves with the VRF", async () => {
    await g.cli(['vrf', 'add', 'red', 'rd', '65441:7', 'rt', 'both', '65000:100']);
    const r = await seen('announce', 'target:65000:100');
    assert.deepEqual(r, { origin: AS_G, 'route-target': 'target:65000:100' });
    await g.cli(['vrf', 'del', 'red']);
    await seen('withdraw', 'target:65000:100');
    assert.ok(t.established(eG.address));
  });
});
