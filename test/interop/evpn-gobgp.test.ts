// EVPN (RFC 7432, RFC 9136, AFI 25 SAFI 70) between tsbgp and GoBGP 3 on loopback (GoBGP's `l2vpn-evpn`), both
// ways:
//  1. tsbgp's static EVPN routes of the five route types reach GoBGP's Adj-RIB-In as GoBGP decodes them: RD,
//     ESI, Ethernet Tag, MAC, IP, label (or VNI), gateway, route target, MAC Mobility, ES-Import and Router's MAC;
//  2. a MAC/IP route announced through tsbgp's API arrives, is replaced when announced again with another label
//     (one path), and `withdraw evpn ...` without a label takes it away while the static ones stay;
//  3. MAC/IP, Inclusive Multicast and IP Prefix routes GoBGP originates reach tsbgp's API process as ExaBGP 4.2
//     JSON ("l2vpn evpn" with code, name, rd, esi, mac, label, ip), and their withdrawals too.
// GoBGP is passive; tsbgp connects. Skipped when gobgpd is missing (failed under CI).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { STATIC_EVPN } from './evpn-routes';
import { startGoBgpPair } from './gobgp-pair';
import { type GoBgp, skipReason, stopAll, waitFor } from './peers';
import { jsonLines, recordedNlri, type Tsbgp } from './tsbgp-launch';

after(stopAll);

const AS_T = 65430;
const AS_G = 65431;
const skip = skipReason('gobgp');

interface GoPath {
  nlri: Record<string, unknown>;
  attrs: { type: number; nexthop?: string; value?: unknown }[];
}

/** GoBGP's Adj-RIB-In for l2vpn-evpn from tsbgp: each path as "NLRI fields | next hop | extended communities". */
async function adjIn(g: GoBgp, tsbgp: string): Promise<string[]> {
  const j = JSON.parse(await g.cli(['-j', 'neighbor', tsbgp, 'adj-in', '-a', 'evpn'])) as Record<string, GoPath[]>;
  const out: string[] = [];
  for (const paths of Object.values(j)) {
    for (const p of paths) {
      const nh = p.attrs.find((a) => a.type === 14)?.nexthop ?? '';
      const ext = p.attrs.find((a) => a.type === 16)?.value ?? [];
      out.push(`${JSON.stringify(p.nlri)} | ${nh} | ${JSON.stringify(ext)}`);
    }
  }
  return out.sort();
}

describe('EVPN: tsbgp with GoBGP', { skip }, () => {
  let t: Tsbgp;
  let g: GoBgp;
  let eT: { address: string; port: number };
  let eG: { address: string; port: number };
  let events: string;

  before(async () => {
    ({ t, g, eT, eG, events } = await startGoBgpPair({
      name: 'evpn-gobgp',
      asT: AS_T,
      asG: AS_G,
      families: { afiSafiNames: ['l2vpn-evpn'] },
      body: STATIC_EVPN,
      record: true,
    }));
  });

  /** Waits until GoBGP's EVPN Adj-RIB-In satisfies `ok`, and returns it. */
  async function seen(ok: (paths: string[]) => boolean, what: string): Promise<string[]> {
    let last: string[] = [];
    try {
      await waitFor(
        async () => {
          last = await adjIn(g, eT.address);
          return ok(last);
        },
        10_000,
        what,
        200,
      );
    } catch (e) {
      throw new Error(`${(e as Error).message}\nGoBGP evpn adj-in:\n${last.join('\n')}\n${t.log().slice(-1500)}`);
    }
    return last;
  }

  const RD1 = '{"type":0,"admin":65000,"assigned":1}';
  const RT1 = '{"type":0,"subtype":2,"value":"65000:1"}';

  it("tsbgp's static EVPN routes of the five types reach GoBGP with their fields and communities", async () => {
    const paths = await seen((p) => p.length === 5, 'the five static EVPN routes at GoBGP');
    // GoBGP shows label fields raw (100 << 4 | bottom of stack = 1601; a VNI as it is) and the ESI by its type.
    assert.deepEqual(paths, [
      `{"type":1,"value":{"rd":${RD1},"esi":"ESI_ARBITRARY | 11:22:33:44:55:66:77:88:99","etag":10,"label":1601}} | 192.0.2.1 | [${RT1}]`,
      `{"type":2,"value":{"rd":${RD1},"esi":"single-homed","etag":10,"mac":"00:aa:bb:cc:dd:01","ip":"10.0.0.1","labels":[1601]}} | 192.0.2.1 | [${RT1},{"type":6,"subtype":0,"sequence":3,"is_sticky":true}]`,
      `{"type":3,"value":{"rd":${RD1},"etag":10,"ip":"192.0.2.1"}} | 192.0.2.1 | [${RT1}]`,
      `{"type":4,"value":{"rd":${RD1},"esi":"ESI_ARBITRARY | 11:22:33:44:55:66:77:88:99","ip":"192.0.2.1"}} | 192.0.2.1 | [{"type":6,"subtype":2,"value":"11:22:33:44:55:66"}]`,
      '{"type":5,"value":{"rd":{"type":0,"admin":65000,"assigned":2},"esi":"single-homed","etag":0,"prefix":"10.1.0.0/16","gateway":"192.0.2.9","label":10100}} | 192.0.2.1 | [{"type":0,"subtype":2,"value":"65000:2"},{"type":6,"subtype":3,"mac":"00:aa:bb:cc:dd:02"}]',
    ]);
    // tsbgp's own view, in ExaBGP's text for EVPN routes.
    const out = (await t.command('show adj-rib out')).lines;
    assert.ok(
      out.some((l) =>
        l.startsWith(
          `neighbor ${eG.address} l2vpn evpn evpn:macadv::65000:1:-:10:00:AA:BB:CC:DD:01/48:10.0.0.1: label 100 (1601) next-hop 192.0.2.1`,
        ),
      ),
      out.join('\n'),
    );
  });

  it('an API MAC/IP route arrives, is replaced when announced with another label, and is withdrawn without it', async () => {
    const key = 'rd 65000:3 mac 00:aa:bb:cc:dd:03 ip 10.0.0.3';
    const mine = (p: string): boolean => p.includes('"mac":"00:aa:bb:cc:dd:03"');
    await t.done(
      `neighbor ${eG.address} announce evpn mac-ip ${key} label 200 next-hop 192.0.2.1 extended-community [ target:65000:3 ]`,
    );
    await seen((p) => p.some((x) => mine(x) && x.includes('"labels":[3201]')), 'API route, label 200');
    await t.done(
      `neighbor ${eG.address} announce evpn mac-ip ${key} label 201 next-hop 192.0.2.1 extended-community [ target:65000:3 ]`,
    );
    const now = await seen((p) => p.some((x) => mine(x) && x.includes('"labels":[3217]')), 'API route, label 201');
    assert.equal(now.filter(mine).length, 1, now.join('\n'));
    await t.done(`neighbor ${eG.address} withdraw evpn mac-ip ${key}`);
    const left = await seen((p) => !p.some(mine), 'API route withdrawn');
    assert.equal(left.length, 5, 'the static routes stay');
    assert.doesNotMatch(g.logText(), /NOTIFICATION|malformed/i);
  });

  it("GoBGP's MAC/IP, multicast and IP prefix routes reach tsbgp's process as ExaBGP 4.2 JSON, and a withdrawal", async () => {
    const add = (args: string[]): Promise<string> => g.cli(['global', 'rib', '-a', 'evpn', 'add', ...args]);
    await add([
      'macadv',
      '00:11:22:33:44:66',
      '10.9.0.6',
      'etag',
      '20',
      'label',
      '500',
      'rd',
      '65001:9',
      'rt',
      '65001:9',
      'nexthop',
      '192.0.2.7',
    ]);
    await add(['multicast', '192.0.2.7', 'etag', '20', 'rd', '65001:9', 'rt', '65001:9', 'nexthop', '192.0.2.7']);
    await add([
      'prefix',
      '10.9.1.0/24',
      'gw',
      '192.0.2.8',
      'etag',
      '0',
      'label',
      '900',
      'rd',
      '65001:9',
      'rt',
      '65001:9',
      'nexthop',
      '192.0.2.7',
    ]);
    const routes = (kind: 'announce' | 'withdraw') => recordedNlri(events, kind, 'l2vpn evpn');
    const got = await waitFor(
      async () => {
        const r = routes('announce');
        return r.length >= 3 ? r : undefined;
      },
      10_000,
      'three EVPN routes at tsbgp',
      200,
    );
    const byCode = (c: number) => got.find((r) => r.code === c)!;
    const strip = ({ raw: _raw, ...rest }: Record<string, any>) => rest;
    assert.deepEqual(strip(byCode(2)), {
      code: 2,
      parsed: true,
      name: 'MAC/IP advertisement',
      rd: '65001:9',
      esi: '-',
      'ethernet-tag': 20,
      mac: '00:11:22:33:44:66',
      label: [[31, 500]],
      ip: '10.9.0.6',
    });
    assert.deepEqual(strip(byCode(3)), {
      code: 3,
      parsed: true,
      name: 'Inclusive Multicast Ethernet Tag',
      rd: '65001:9',
      'ethernet-tag': 20,
      ip: '192.0.2.7',
    });
    assert.deepEqual(strip(byCode(5)), {
      code: 5,
      parsed: true,
      name: 'IP Prefix Advertisement',
      rd: '65001:9',
      esi: '-',
      'ethernet-tag': 0,
      label: [[56, 900]],
      ip: '10.9.1.0',
      iplen: 24,
      gateway: '192.0.2.8',
    });
    assert.match(byCode(2).raw, /^0225/);
    const ev = jsonLines(events).find((e) => e.neighbor?.message?.update?.announce?.['l2vpn evpn']);
    assert.deepEqual(Object.keys(ev!.neighbor.message.update.announce['l2vpn evpn']), ['192.0.2.7']);
    assert.ok(
      (ev!.neighbor.message.update.attribute['extended-community'] as { string: string }[]).some(
        (c) => c.string === 'target:65001:9',
      ),
    );
    await g.cli([
      'global',
      'rib',
      '-a',
      'evpn',
      'del',
      'macadv',
      '00:11:22:33:44:66',
      '10.9.0.6',
      'etag',
      '20',
      'label',
      '500',
      'rd',
      '65001:9',
    ]);
    const w = await waitFor(
      async () => routes('withdraw').find((r) => r.code === 2),
      10_000,
      'the MAC/IP withdrawal at tsbgp',
      200,
    );
    assert.equal(w.mac, '00:11:22:33:44:66');
    assert.equal(w.rd, '65001:9');
  });
});
