// MPLS VPN (RFC 4364, RFC 4659) and labeled unicast (RFC 8277) between tsbgp and GoBGP 3 on loopback, both ways:
//  1. tsbgp's static VPNv4, VPNv6 and labeled IPv4 routes reach GoBGP's Adj-RIB-In with their RD, label, route
//     target and next hop;
//  2. a VPNv4 route announced through tsbgp's API arrives; announced again with another label it is replaced
//     (one path, the new label); `withdraw route PREFIX rd RD` (no label) takes it away;
//  3. VPNv4, VPNv6 and labeled IPv4/IPv6 routes GoBGP originates reach tsbgp's API process as ExaBGP 4.2 JSON (`"ipv4 mpls-vpn"`
//     with "label" and "rd", the route target in "extended-community"), and their withdrawals too.
// GoBGP is passive; tsbgp connects. Skipped when gobgpd is missing (failed under CI).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startGoBgpPair } from './gobgp-pair';
import { type GoBgp, skipReason, stopAll, waitFor } from './peers';
import { jsonLines, type Tsbgp } from './tsbgp-launch';

after(stopAll);

const AS_T = 65410;
const AS_G = 65411;
const skip = skipReason('gobgp');

interface GoPath {
  nlri: { prefix?: string; rd?: { admin?: string; assigned?: number } | string; labels?: { labels?: number[] } };
  attrs: { type: number; nexthop?: string; value?: unknown }[];
}

/** GoBGP's Adj-RIB-In from tsbgp for a CLI family, each path as "prefix labels nexthop extcomms" text. */
async function adjIn(g: GoBgp, tsbgp: string, family: string): Promise<string[]> {
  const j = JSON.parse(await g.cli(['-j', 'neighbor', tsbgp, 'adj-in', '-a', family])) as Record<string, GoPath[]>;
  const out: string[] = [];
  for (const [prefix, paths] of Object.entries(j)) {
    for (const p of paths) {
      const nh = p.attrs.find((a) => a.type === 14 || a.type === 3)?.nexthop ?? '';
      const ext = p.attrs.find((a) => a.type === 16)?.value;
      const labels = JSON.stringify(p.nlri.labels ?? (p.nlri as Record<string, unknown>).label ?? '');
      out.push(`${prefix} labels=${labels} nh=${nh} ext=${JSON.stringify(ext ?? [])}`);
    }
  }
  return out.sort();
}

describe('MPLS VPN and labeled unicast: tsbgp with GoBGP', { skip }, () => {
  let t: Tsbgp;
  let g: GoBgp;
  let eT: { address: string; port: number };
  let eG: { address: string; port: number };
  let events: string;

  before(async () => {
    ({ t, g, eT, eG, events } = await startGoBgpPair({
      name: 'vpn-gobgp',
      asT: AS_T,
      asG: AS_G,
      families: { vpnFamilies: ['vpnv4', 'vpnv6', 'ipv4-labeled', 'ipv6-labeled'] },
      body: [
        'family { ipv4 mpls-vpn; ipv6 mpls-vpn; ipv4 nlri-mpls; ipv6 nlri-mpls; }',
        'static {',
        '  route 10.1.0.0/24 rd 65000:1 label 100 next-hop 192.0.2.1 extended-community [ target:65000:1 ];',
        '  route 2001:db8:1::/48 rd 192.0.2.9:7 label 200 next-hop 2001:db8::1 extended-community [ target:65000:2 ];',
        '  route 198.51.100.0/24 label 300 next-hop 192.0.2.1;',
        '}',
      ],
      record: true,
    }));
  });

  /** Waits until GoBGP's Adj-RIB-In for `family` satisfies `ok`, and returns it. */
  async function seen(family: string, ok: (paths: string[]) => boolean, what: string): Promise<string[]> {
    let last: string[] = [];
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
      throw new Error(
        `${(e as Error).message}\nGoBGP ${family} adj-in: ${JSON.stringify(last)}\n${t.log().slice(-1500)}`,
      );
    }
    return last;
  }

  it("tsbgp's static VPNv4, VPNv6 and labeled routes reach GoBGP with RD, label, route target and next hop", async () => {
    const v4 = await seen('vpnv4', (p) => p.length === 1, 'the VPNv4 route at GoBGP');
    // GoBGP's JSON: RD:prefix, the label stack, the route target as extended community type 0 subtype 2.
    assert.equal(v4[0], '65000:1:10.1.0.0/24 labels=[100] nh=192.0.2.1 ext=[{"type":0,"subtype":2,"value":"65000:1"}]');
    const v6 = await seen('vpnv6', (p) => p.length === 1, 'the VPNv6 route at GoBGP');
    assert.equal(
      v6[0],
      '192.0.2.9:7:2001:db8:1::/48 labels=[200] nh=2001:db8::1 ext=[{"type":0,"subtype":2,"value":"65000:2"}]',
    );
    const lu = await seen('ipv4-mpls', (p) => p.length === 1, 'the labeled route at GoBGP');
    assert.equal(lu[0], '198.51.100.0/24 labels=[300] nh=192.0.2.1 ext=[]');
    // tsbgp's own view, in ExaBGP's route syntax: the rd after the next hop.
    const out = (await t.command('show adj-rib out')).lines;
    assert.ok(
      out.includes(
        `neighbor ${eG.address} ipv4 mpls-vpn 10.1.0.0/24 label 100 next-hop 192.0.2.1 rd 65000:1 extended-community target:65000:1`,
      ),
      out.join('\n'),
    );
    assert.ok(
      out.includes(`neighbor ${eG.address} ipv4 nlri-mpls 198.51.100.0/24 label 300 next-hop 192.0.2.1`),
      out.join('\n'),
    );
  });

  it('an API VPN route arrives, is replaced when announced with another label, and is withdrawn by RD and prefix', async () => {
    const cmd = async (line: string): Promise<void> => {
      const r = await t.command(line);
      assert.equal(r.answer, 'done', `${line}: ${JSON.stringify(r)}`);
    };
    await cmd(
      `neighbor ${eG.address} announce route 10.2.0.0/24 rd 65000:1 label 101 next-hop 192.0.2.1 extended-community [ target:65000:1 ]`,
    );
    await seen(
      'vpnv4',
      (p) => p.some((x) => /^65000:1:10\.2\.0\.0\/24 labels=\[101\]/.test(x)),
      'API route, label 101',
    );
    await cmd(
      `neighbor ${eG.address} announce route 10.2.0.0/24 rd 65000:1 label 102 next-hop 192.0.2.1 extended-community [ target:65000:1 ]`,
    );
    const now = await seen(
      'vpnv4',
      (p) => p.some((x) => /^65000:1:10\.2\.0\.0\/24 labels=\[102\]/.test(x)),
      'API route, label 102',
    );
    assert.equal(now.filter((x) => x.startsWith('65000:1:10.2.0.0/24')).length, 1, JSON.stringify(now));
    await cmd(`neighbor ${eG.address} withdraw route 10.2.0.0/24 rd 65000:1`);
    await seen('vpnv4', (p) => !p.some((x) => x.startsWith('65000:1:10.2.0.0/24')), 'API route withdrawn');
    // The static route is still there.
    await seen('vpnv4', (p) => p.some((x) => x.startsWith('65000:1:10.1.0.0/24')), 'static route kept');
  });

  it("GoBGP's VPNv4, VPNv6 and labeled routes reach tsbgp's process as ExaBGP 4.2 JSON, and a withdrawal", async () => {
    await g.cli([
      'global',
      'rib',
      '-a',
      'vpnv4',
      'add',
      '10.9.0.0/24',
      'label',
      '500',
      'rd',
      '65001:9',
      'rt',
      '65001:9',
      'nexthop',
      '192.0.2.7',
    ]);
    await g.cli(['global', 'rib', '-a', 'ipv4-mpls', 'add', '10.8.0.0/24', '600', 'nexthop', '192.0.2.7']);
    const find =
      (kind: 'announce' | 'withdraw', family: string, prefix: string) => (): Record<string, any> | undefined =>
        jsonLines(events).find((e) => {
          const u = e.neighbor?.message?.update;
          const part = u?.[kind]?.[family];
          if (!part) return false;
          const list: any[] = kind === 'announce' ? Object.values(part).flat() : part;
          return list.some((n) => n.nlri === prefix);
        });
    const vpn = await waitFor(
      async () => find('announce', 'ipv4 mpls-vpn', '10.9.0.0/24')(),
      10_000,
      'VPNv4 update event',
      200,
    );
    const u = vpn.neighbor.message.update;
    assert.deepEqual(u.announce['ipv4 mpls-vpn'], {
      '192.0.2.7': [{ nlri: '10.9.0.0/24', label: [[500]], rd: '65001:9' }],
    });
    assert.ok(
      (u.attribute['extended-community'] as { string: string }[]).some((c) => c.string === 'target:65001:9'),
      JSON.stringify(u.attribute),
    );
    const lu = await waitFor(
      async () => find('announce', 'ipv4 nlri-mpls', '10.8.0.0/24')(),
      10_000,
      'labeled update event',
      200,
    );
    assert.deepEqual(lu.neighbor.message.update.announce['ipv4 nlri-mpls'], {
      '192.0.2.7': [{ nlri: '10.8.0.0/24', label: [[600]] }],
    });
    await g.cli([
      'global',
      'rib',
      '-a',
      'vpnv6',
      'add',
      '2001:db8:9::/48',
      'label',
      '700',
      'rd',
      '192.0.2.7:9',
      'rt',
      '65001:9',
      'nexthop',
      '2001:db8::7',
    ]);
    const v6 = await waitFor(
      async () => find('announce', 'ipv6 mpls-vpn', '2001:db8:9::/48')(),
      10_000,
      'VPNv6 update event',
      200,
    );
    assert.deepEqual(v6.neighbor.message.update.announce['ipv6 mpls-vpn'], {
      '2001:db8::7': [{ nlri: '2001:db8:9::/48', label: [[700]], rd: '192.0.2.7:9' }],
    });
    await g.cli(['global', 'rib', '-a', 'ipv6-mpls', 'add', '2001:db8:8::/48', '800', 'nexthop', '2001:db8::7']);
    const lu6 = await waitFor(
      async () => find('announce', 'ipv6 nlri-mpls', '2001:db8:8::/48')(),
      10_000,
      'IPv6 labeled update event',
      200,
    );
    assert.deepEqual(lu6.neighbor.message.update.announce['ipv6 nlri-mpls'], {
      '2001:db8::7': [{ nlri: '2001:db8:8::/48', label: [[800]] }],
    });
    await g.cli(['global', 'rib', '-a', 'vpnv4', 'del', '10.9.0.0/24', 'label', '500', 'rd', '65001:9']);
    const w = await waitFor(
      async () => find('withdraw', 'ipv4 mpls-vpn', '10.9.0.0/24')(),
      10_000,
      'VPNv4 withdraw event',
      200,
    );
    const gone = (w.neighbor.message.update.withdraw['ipv4 mpls-vpn'] as { nlri: string; rd: string }[]).find(
      (n) => n.nlri === '10.9.0.0/24',
    );
    assert.equal(gone?.rd, '65001:9');
  });
});
