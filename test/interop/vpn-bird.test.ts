// MPLS VPN (RFC 4364, RFC 4659) and labeled unicast (RFC 8277) from tsbgp to BIRD 2 (its vpn4/vpn6/ipv4 mpls
// channels) on loopback: tsbgp's VPNv4 and VPNv6 routes are in BIRD's vpntab4/vpntab6 with their RD, label and
// route target, a labeled route in master4 with its label (one with two labels is held back: BIRD 2 announces no
// Multiple Labels capability, RFC 8277 §2.1), and a VPN route withdrawn through the API
// ('withdraw route PREFIX rd RD') leaves. BIRD is passive; tsbgp connects. Skipped when BIRD is
// missing (failed under CI).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { allocEndpoint, Bird, makeTempDir, skipReason, stopAll, waitFor } from './peers';
import { neighbor, startTsbgp, type Tsbgp } from './tsbgp-launch';

after(stopAll);

const AS_T = 65440;
const AS_B = 65441;
const skip = skipReason('bird');

describe('MPLS VPN: tsbgp to BIRD 2', { skip }, () => {
  let t: Tsbgp;
  let bird: Bird;
  let eT: { address: string; port: number };
  let eB: { address: string; port: number };

  before(async () => {
    const dir = makeTempDir('vpn-bird');
    [eT, eB] = await Promise.all([allocEndpoint(), allocEndpoint()]);
    bird = new Bird();
    const peer = { ...eT, as: AS_T, passive: true, families: [] };
    await bird.start({
      ...eB,
      as: AS_B,
      holdTime: 30,
      neighbors: [{ ...peer, vpnFamilies: ['vpnv4', 'vpnv6', 'ipv4-labeled'] }],
    });
    const body = [
      'family { ipv4 mpls-vpn; ipv6 mpls-vpn; ipv4 nlri-mpls; }',
      'static {',
      '  route 10.1.0.0/24 rd 65000:1 label 100 next-hop 192.0.2.1 extended-community [ target:65000:1 ];',
      '  route 10.2.0.0/24 rd 65000:1 label 101 next-hop 192.0.2.1 extended-community [ target:65000:1 ];',
      '  route 2001:db8:1::/48 rd 192.0.2.9:7 label 200 next-hop 2001:db8::1 extended-community [ target:65000:2 ];',
      '  route 198.51.100.0/24 label [ 300 301 ] next-hop 192.0.2.1;',
      '  route 198.51.100.128/25 label 302 next-hop 192.0.2.1;',
      '}',
    ];
    const conf = neighbor({ peer: eB.address, port: eB.port, local: eT.address, localAs: AS_T, peerAs: AS_B, body });
    t = await startTsbgp(dir, `${conf}\n`);
    await waitFor(() => t.established(eB.address), 20_000, 'tsbgp session Established', 200);
  });

  /** BIRD's routes of a table: "[RD] PREFIX next_hop=... rt=... labels=..." per route. */
  async function table(name: string): Promise<string[]> {
    const out = await bird.birdc('show', 'route', 'all', 'table', name);
    const routes: string[] = [];
    let cur: Record<string, string> | null = null;
    let key = '';
    const flush = (): void => {
      if (cur) routes.push(`${key} next_hop=${cur.next_hop} rt=${cur.ext_community} labels=${cur.mpls_label_stack}`);
    };
    for (const line of out.split('\n')) {
      const m = /^((?:\S+ )?\S+\/\d+)\s/.exec(line);
      if (m) {
        flush();
        key = m[1]!;
        cur = {};
        continue;
      }
      const a = /BGP\.(\w+): (.*)$/.exec(line);
      if (a && cur) cur[a[1]!] = a[2]!.trim();
    }
    flush();
    return routes.sort();
  }

  it("tsbgp's VPNv4 and VPNv6 routes are in BIRD's VPN tables with RD, label, route target and next hop", async () => {
    const v4 = await waitFor(
      async () => ((await table('vpntab4')).length === 2 ? table('vpntab4') : undefined),
      10_000,
      'vpntab4',
      200,
    );
    assert.deepEqual(v4, [
      '65000:1 10.1.0.0/24 next_hop=192.0.2.1 rt=(rt, 65000, 1) labels=100',
      '65000:1 10.2.0.0/24 next_hop=192.0.2.1 rt=(rt, 65000, 1) labels=101',
    ]);
    assert.deepEqual(
      await waitFor(
        async () => ((await table('vpntab6')).length ? table('vpntab6') : undefined),
        10_000,
        'vpntab6',
        200,
      ),
      ['192.0.2.9:7 2001:db8:1::/48 next_hop=2001:db8::1 rt=(rt, 65000, 2) labels=200'],
    );
  });

  it('a labeled route is in master4 with its label; one with two labels is not sent (no Multiple Labels capability)', async () => {
    const lu = await waitFor(
      async () => ((await table('master4')).length ? table('master4') : undefined),
      10_000,
      'master4',
      200,
    );
    assert.deepEqual(lu, ['198.51.100.128/25 next_hop=192.0.2.1 rt=undefined labels=302']);
    assert.match(t.log(), /1 ipv4 nlri-mpls route\(s\) not sent: more than 1 label\(s\)/);
  });

  it("'withdraw route PREFIX rd RD' takes the route out of BIRD's table, the other stays", async () => {
    const r = await t.command(`neighbor ${eB.address} withdraw route 10.2.0.0/24 rd 65000:1`);
    assert.equal(r.answer, 'done', JSON.stringify(r));
    await waitFor(async () => (await table('vpntab4')).length === 1, 10_000, 'VPN route withdrawn at BIRD', 200);
    assert.deepEqual(await table('vpntab4'), ['65000:1 10.1.0.0/24 next_hop=192.0.2.1 rt=(rt, 65000, 1) labels=100']);
  });
});
