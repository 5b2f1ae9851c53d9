// MPLS VPN (RFC 4364, RFC 4659) and labeled unicast (RFC 8277) from tsbgp to FRR on loopback: tsbgp's static
// VPNv4, VPNv6 and labeled IPv4 routes are in FRR's tables with their RD, label, route target and next hop, and
// a VPN route withdrawn through the API ('withdraw route PREFIX rd RD', no label) leaves FRR's table.
// FRR is passive; tsbgp connects. Skipped when FRR is missing (failed under CI).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { allocEndpoint, Frr, makeTempDir, skipReason, stopAll, waitFor } from './peers';
import { neighbor, startTsbgp, type Tsbgp } from './tsbgp-launch';

after(stopAll);

const AS_T = 65420;
const AS_F = 65421;
const skip = skipReason('frr');

describe('MPLS VPN and labeled unicast: tsbgp to FRR', { skip }, () => {
  let t: Tsbgp;
  let frr: Frr;
  let eT: { address: string; port: number };
  let eF: { address: string; port: number };

  before(async () => {
    const dir = makeTempDir('vpn-frr');
    [eT, eF] = await Promise.all([allocEndpoint(), allocEndpoint()]);
    frr = new Frr();
    const peer = { address: eT.address, port: eT.port, as: AS_T, passive: true, families: [] };
    await frr.start({
      ...eF,
      as: AS_F,
      holdTime: 30,
      neighbors: [{ ...peer, vpnFamilies: ['vpnv4', 'vpnv6', 'ipv4-labeled'] }],
    });
    const body = [
      'family { ipv4 mpls-vpn; ipv6 mpls-vpn; ipv4 nlri-mpls; }',
      'static {',
      '  route 10.1.0.0/24 rd 65000:1 label 100 next-hop 192.0.2.1 extended-community [ target:65000:1 ];',
      '  route 10.2.0.0/24 rd 65000:1 label 101 next-hop 192.0.2.1 extended-community [ target:65000:1 ];',
      '  route 2001:db8:1::/48 rd 192.0.2.9:7 label 200 next-hop 2001:db8::1 extended-community [ target:65000:2 ];',
      '  route 198.51.100.0/24 label 300 next-hop 192.0.2.1;',
      '}',
    ];
    t = await startTsbgp(
      dir,
      `${neighbor({ peer: eF.address, port: eF.port, local: eT.address, localAs: AS_T, peerAs: AS_F, body })}\n`,
    );
    await waitFor(() => t.established(eF.address), 20_000, 'tsbgp session Established', 200);
  });

  interface FrrPath {
    remoteLabel?: number;
    extendedCommunity?: { string?: string };
    nexthops?: { ip: string }[];
  }
  /** The paths FRR holds for one prefix (`show bgp AFI SAFI [rd RD] PREFIX json`), polled until there are some. */
  async function paths(cmd: string): Promise<FrrPath[]> {
    return waitFor(
      async () => {
        const j = JSON.parse(await frr.vtysh([cmd])) as Record<string, unknown>;
        const holder = (j.paths ? j : Object.values(j).find((v) => typeof v === 'object' && v && 'paths' in v)) as
          | { paths: FrrPath[] }
          | undefined;
        return holder?.paths.length ? holder.paths : undefined;
      },
      10_000,
      cmd,
      200,
    );
  }
  const fact = (p: FrrPath): string =>
    `label=${p.remoteLabel} rt=${p.extendedCommunity?.string ?? ''} nh=${p.nexthops?.[0]?.ip ?? ''}`;

  it("tsbgp's VPNv4, VPNv6 and labeled routes are in FRR's tables with RD, label, route target and next hop", async () => {
    assert.deepEqual((await paths('show bgp ipv4 vpn rd 65000:1 10.1.0.0/24 json')).map(fact), [
      'label=100 rt=RT:65000:1 nh=192.0.2.1',
    ]);
    assert.deepEqual((await paths('show bgp ipv6 vpn rd 192.0.2.9:7 2001:db8:1::/48 json')).map(fact), [
      'label=200 rt=RT:65000:2 nh=2001:db8::1',
    ]);
    assert.deepEqual((await paths('show bgp ipv4 labeled-unicast 198.51.100.0/24 json')).map(fact), [
      'label=300 rt= nh=192.0.2.1',
    ]);
  });

  it("'withdraw route PREFIX rd RD' takes the route out of FRR's VPN table, the others stay", async () => {
    await paths('show bgp ipv4 vpn rd 65000:1 10.2.0.0/24 json');
    const r = await t.command(`neighbor ${eF.address} withdraw route 10.2.0.0/24 rd 65000:1`);
    assert.equal(r.answer, 'done', JSON.stringify(r));
    const table = async (): Promise<string[]> => {
      const j = JSON.parse(await frr.vtysh(['show bgp ipv4 vpn json'])) as {
        routes?: { routeDistinguishers?: Record<string, Record<string, unknown>> };
      };
      return Object.keys(j.routes?.routeDistinguishers?.['65000:1'] ?? {});
    };
    await waitFor(async () => !(await table()).includes('10.2.0.0/24'), 10_000, 'VPN route withdrawn at FRR', 200);
    assert.deepEqual(await table(), ['10.1.0.0/24']);
  });
});
