// BGP Prefix-SID (RFC 8669) and the SRv6 L3 Service TLV (RFC 9252) from tsbgp to GoBGP 3 on loopback: a labeled
// IPv4 route with a Label-Index and an Originator SRGB, and a VPNv6 route with an SRv6 SID (ExaBGP 5.0's
// `l3-service` syntax, with its SID Structure), from the configuration and from the API, reach GoBGP's Adj-RIB-In
// with the attribute as GoBGP reads it, and the API route leaves on withdraw. GoBGP is passive; tsbgp connects. Skipped when gobgpd is missing.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startGoBgpPair } from './gobgp-pair';
import { type GoBgp, skipReason, stopAll, waitFor } from './peers';
import type { Tsbgp } from './tsbgp-launch';

after(stopAll);

const AS_T = 65420;
const AS_G = 65421;
const skip = skipReason('gobgp');

/** GoBGP's JSON of attribute 40 for each path of a family in its Adj-RIB-In from tsbgp, by prefix. */
async function prefixSids(g: GoBgp, tsbgp: string, family: string): Promise<Record<string, unknown>> {
  const j = JSON.parse(await g.cli(['-j', 'neighbor', tsbgp, 'adj-in', '-a', family])) as Record<
    string,
    { attrs: { type: number }[] }[]
  >;
  const out: Record<string, unknown> = {};
  for (const [prefix, paths] of Object.entries(j))
    for (const p of paths) out[prefix] = p.attrs.find((a) => a.type === 40) ?? null;
  return out;
}

describe('BGP Prefix-SID: tsbgp to GoBGP', { skip }, () => {
  let t: Tsbgp;
  let g: GoBgp;
  let eT: { address: string; port: number };
  let eG: { address: string; port: number };

  before(async () => {
    ({ t, g, eT, eG } = await startGoBgpPair({
      name: 'prefixsid-gobgp',
      asT: AS_T,
      asG: AS_G,
      families: { vpnFamilies: ['ipv4-labeled', 'vpnv6'] },
      body: [
        'family { ipv4 nlri-mpls; ipv6 mpls-vpn; }',
        'static {',
        '  route 198.51.100.100/32 next-hop 192.0.2.1 label 800001 bgp-prefix-sid [ 300, [ ( 800000,4096 ) ] ];',
        '  route 2001:db8:1::/48 rd 65000:1 label 3 next-hop 2001:db8::1 extended-community [ target:65000:1 ]' +
          ' bgp-prefix-sid-srv6 ( l3-service 2001:db8:5:1:: 0x13 [40,24,16,0,16,64] );',
        '}',
      ],
    }));
  });

  async function seen(family: string, prefix: string): Promise<unknown> {
    let last: Record<string, unknown> = {};
    try {
      await waitFor(
        async () => {
          last = await prefixSids(g, eT.address, family);
          return last[prefix] !== undefined;
        },
        10_000,
        `${prefix} at GoBGP`,
        200,
      );
    } catch (e) {
      throw new Error(`${(e as Error).message}\nGoBGP ${family}: ${JSON.stringify(last)}\n${t.log().slice(-1500)}`);
    }
    return last[prefix];
  }

  /** GoBGP's JSON for an L3 Service TLV with one SID (base64) and the structure 40,24,16,0,16,64. */
  const l3Service = (sidBase64: string, behavior: number): unknown => ({
    type: 40,
    flags: 0xc0,
    TLVs: [
      {
        type: 5,
        SubTLVs: [
          {
            type: 1,
            sid: sidBase64,
            flags: 0,
            endpoint_behavior: behavior,
            sub_sub_tlvs: [
              {
                type: 1,
                locator_block_length: 40,
                locator_node_length: 24,
                function_length: 16,
                argument_length: 0,
                transposition_length: 16,
                transposition_offset: 64,
              },
            ],
          },
        ],
      },
    ],
  });

  it('an SRv6 L3 Service TLV (RFC 9252) on a VPNv6 route reaches GoBGP with SID, behavior and structure', async () => {
    // 2001:db8:5:1:: in GoBGP's base64.
    assert.deepEqual(await seen('vpnv6', '65000:1:2001:db8:1::/48'), l3Service('IAENuAAFAAEAAAAAAAAAAA==', 19));
  });

  it('a labeled route with Label-Index and Originator SRGB TLVs is accepted (GoBGP 3 shows neither TLV)', async () => {
    // GoBGP models only the SRv6 TLVs of attribute 40; the route with its attribute is there, the session up.
    assert.deepEqual(await seen('ipv4-mpls', '198.51.100.100/32'), { type: 40, flags: 0xc0, TLVs: [] });
    assert.ok(await t.established(eG.address));
  });

  it('an API route with bgp-prefix-sid-srv6 arrives, and leaves on withdraw', async () => {
    const cmd = async (line: string): Promise<void> => {
      const r = await t.command(line);
      assert.equal(r.answer, 'done', `${line}: ${JSON.stringify(r)}`);
    };
    await cmd(
      `neighbor ${eG.address} announce route 2001:db8:2::/48 rd 65000:1 label 3 next-hop 2001:db8::1 ` +
        'extended-community [ target:65000:1 ] bgp-prefix-sid-srv6 ( l3-service 2001:db8:5:2:: 0x12 [40,24,16,0,16,64] )',
    );
    // 2001:db8:5:2:: in GoBGP's base64; behavior 0x12 = 18.
    assert.deepEqual(await seen('vpnv6', '65000:1:2001:db8:2::/48'), l3Service('IAENuAAFAAIAAAAAAAAAAA==', 18));
    await cmd(`neighbor ${eG.address} withdraw route 2001:db8:2::/48 rd 65000:1`);
    await waitFor(
      async () => (await prefixSids(g, eT.address, 'vpnv6'))['65000:1:2001:db8:2::/48'] === undefined,
      10_000,
      'API route withdrawn at GoBGP',
      200,
    );
  });
});
