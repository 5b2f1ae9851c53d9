// FlowSpec VPN (RFC 8955 §8, SAFI 134) between tsbgp and GoBGP 3 on loopback, both ways:
//  1. tsbgp's configured `flow { route { rd ...; match { } then { } } }` rules, IPv4 and IPv6, reach GoBGP's
//     Adj-RIB-In (l3vpn-ipv4-flowspec, l3vpn-ipv6-flowspec) with their RD, match and action;
//  2. a rule announced through the API with `rd` arrives and leaves again on its withdrawal; one the FlowSpec
//     guard refuses (discard of TCP 179 at the neighbor's address) is answered with an error and never sent;
//  3. a FlowSpec VPN rule GoBGP originates reaches tsbgp's API process as ExaBGP 4.2 JSON (`"ipv4 flow-vpn"` with
//     "rd"), and its withdrawal too.
// GoBGP is passive; tsbgp connects. Skipped when gobgpd is missing (failed under CI).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startGoBgpPair } from './gobgp-pair';
import { type GoBgp, skipReason, stopAll, waitFor } from './peers';
import { jsonLines, type Tsbgp } from './tsbgp-launch';

after(stopAll);

const AS_T = 65420;
const AS_G = 65421;
const skip = skipReason('gobgp');

/** GoBGP's Adj-RIB-In from tsbgp for a CLI family, one line per rule as its CLI prints it. */
async function adjIn(g: GoBgp, tsbgp: string, family: string): Promise<string> {
  return g.cli(['neighbor', tsbgp, 'adj-in', '-a', family]);
}

describe('FlowSpec VPN: tsbgp with GoBGP', { skip }, () => {
  let t: Tsbgp;
  let g: GoBgp;
  let eT: { address: string; port: number };
  let eG: { address: string; port: number };
  let events: string;

  before(async () => {
    ({ t, g, eT, eG, events } = await startGoBgpPair({
      name: 'flowvpn-gobgp',
      asT: AS_T,
      asG: AS_G,
      families: { afiSafiNames: ['l3vpn-ipv4-flowspec', 'l3vpn-ipv6-flowspec'] },
      body: [
        'family { ipv4 flow-vpn; ipv6 flow-vpn; }',
        'flow {',
        '  route v4 { rd 65000:1; match { destination 203.0.113.0/24; protocol tcp; destination-port =80; } then { discard; } }',
        '  route v6 { rd 192.0.2.1:7; match { destination 2001:db8:5::/48; next-header udp; } then { rate-limit 9600; } }',
        '}',
      ],
      record: true,
    }));
  });

  /** Waits until GoBGP's Adj-RIB-In for `family` satisfies `ok`, and returns it. */
  async function seen(family: string, ok: (rib: string) => boolean, what: string): Promise<string> {
    let last = '';
    try {
      await waitFor(
        async () => {
          last = await adjIn(g, eT.address, family);
          return ok(last);
        },
        10_000,
        what,
        200,
      );
    } catch (e) {
      throw new Error(`${(e as Error).message}\nGoBGP ${family} adj-in:\n${last}\n${t.log().slice(-1500)}`);
    }
    return last;
  }

  it("tsbgp's configured FlowSpec VPN rules reach GoBGP with their RD, match and action", async () => {
    const v4 = await seen('ipv4-l3vpn-flowspec', (r) => r.includes('203.0.113.0/24'), 'the IPv4 rule at GoBGP');
    assert.match(v4, /65000:1/);
    assert.match(v4, /\[destination: 203\.0\.113\.0\/24\]\[protocol: ==tcp\]\[destination-port: ==80\]/);
    assert.match(v4, /discard/);
    const v6 = await seen('ipv6-l3vpn-flowspec', (r) => r.includes('2001:db8:5::/48'), 'the IPv6 rule at GoBGP');
    assert.match(v6, /192\.0\.2\.1:7/);
    assert.match(v6, /rate: 9600/);
  });

  it('an API rule with rd arrives and is withdrawn; one the guard refuses is never sent', async () => {
    const rule = 'flow route { rd 65000:2; match { destination 198.51.100.9/32; protocol udp; } then { discard; } }';
    const r = await t.command(`neighbor ${eG.address} announce ${rule}`);
    assert.equal(r.answer, 'done', JSON.stringify(r));
    await seen('ipv4-l3vpn-flowspec', (x) => /65000:2.*198\.51\.100\.9\/32/.test(x), 'the API rule at GoBGP');
    const bad = await t.command(
      `neighbor ${eG.address} announce flow route { rd 65000:3; match { destination ${eG.address}/32; protocol tcp; destination-port =179; } then { discard; } }`,
    );
    assert.equal(bad.answer, 'error', JSON.stringify(bad));
    assert.match(JSON.stringify(bad), /179/);
    const w = await t.command(`neighbor ${eG.address} withdraw ${rule}`);
    assert.equal(w.answer, 'done', JSON.stringify(w));
    const after = await seen('ipv4-l3vpn-flowspec', (x) => !x.includes('198.51.100.9/32'), 'the API rule withdrawn');
    assert.ok(!after.includes('65000:3'), after);
    assert.match(after, /203\.0\.113\.0\/24/);
  });

  it("GoBGP's FlowSpec VPN rule reaches tsbgp's process as ExaBGP 4.2 JSON, and its withdrawal", async () => {
    const spec = ['rd', '65001:9', 'match', 'destination', '192.0.2.128/25', 'protocol', 'tcp', 'then', 'discard'];
    await g.cli(['global', 'rib', '-a', 'ipv4-l3vpn-flowspec', 'add', ...spec]);
    const find = (kind: 'announce' | 'withdraw') => (): Record<string, any> | undefined =>
      jsonLines(events).find((e) => {
        const part = e.neighbor?.message?.update?.[kind]?.['ipv4 flow-vpn'];
        if (!part) return false;
        const list: any[] = kind === 'announce' ? Object.values(part).flat() : part;
        return list.some((n) => n.rd === '65001:9');
      });
    const ann = await waitFor(async () => find('announce')(), 10_000, 'flow-vpn update event', 200);
    const rules = Object.values(ann.neighbor.message.update.announce['ipv4 flow-vpn']).flat() as Record<string, any>[];
    assert.deepEqual(rules, [
      {
        'destination-ipv4': ['192.0.2.128/25'],
        protocol: ['=tcp'],
        rd: '65001:9',
        string: 'flow destination-ipv4 192.0.2.128/25 protocol =tcp rd 65001:9',
      },
    ]);
    const ext = ann.neighbor.message.update.attribute['extended-community'] as { string: string }[];
    assert.deepEqual(
      ext.map((c) => c.string),
      ['rate-limit:0'],
    );
    await g.cli(['global', 'rib', '-a', 'ipv4-l3vpn-flowspec', 'del', ...spec]);
    await waitFor(async () => find('withdraw')(), 10_000, 'flow-vpn withdrawal event', 200);
  });
});
