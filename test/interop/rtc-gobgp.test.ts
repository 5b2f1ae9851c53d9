// RT constraint (RFC 4684, SAFI 132) from GoBGP 3 to tsbgp on loopback. GoBGP's CLI cannot add RTC routes, but
// GoBGP advertises one for each route target a VRF imports to a peer with the family (its RT constraint
// implementation): a VRF added at GoBGP reaches tsbgp's API process as ExaBGP 5.0's
// { "origin": ASN, "route-target": "target:..." }, and deleting the VRF withdraws it. GoBGP is passive; tsbgp
// connects. Skipped when gobgpd is missing (failed under CI).

import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { allocEndpoint, GoBgp, makeTempDir, skipReason, stopAll, waitFor } from './peers';
import { jsonLines, neighbor, recorder, startTsbgp, type Tsbgp } from './tsbgp-launch';

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
    const dir = makeTempDir('rtc-gobgp');
    const [eT, eg] = await Promise.all([allocEndpoint(), allocEndpoint()]);
    eG = eg;
    g = new GoBgp();
    const tsbgpPeer = {
      address: eT.address,
      port: eT.port,
      as: AS_T,
      passive: true,
      families: [],
      afiSafiNames: ['rtc'],
    };
    await g.start({ ...eG, as: AS_G, holdTime: 30, neighbors: [tsbgpPeer] });
    events = path.join(dir, 'events.jsonl');
    const rec = recorder(dir, events);
    const body = ['family { ipv4 rtc; }', ...rec.api];
    const conf = [
      ...rec.process,
      neighbor({ peer: eG.address, port: eG.port, local: eT.address, localAs: AS_T, peerAs: AS_G, body }),
    ];
    t = await startTsbgp(dir, conf.join('\n') + '\n');
    try {
      await waitFor(() => t.established(eG.address), 20_000, 'tsbgp session Established', 200);
    } catch (e) {
      throw new Error(
        `${(e as Error).message}\n--- tsbgp ---\n${t.log().slice(-3000)}\n--- gobgp ---\n${g.logText().slice(-1500)}`,
      );
    }
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
