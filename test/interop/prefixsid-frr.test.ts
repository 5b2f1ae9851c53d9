// BGP Prefix-SID (RFC 8669) from tsbgp to FRR on loopback: a labeled IPv4 unicast route (RFC 8277) with a
// Label-Index TLV, from the configuration and from the API (with an Originator SRGB), reaches FRR, which shows
// the label and the label index it read from the attribute; the API route leaves on withdraw. FRR's own labeled
// route with `network ... label-index 100` reaches tsbgp's API process with the attribute decoded. FRR is passive;
// tsbgp connects. Skipped when FRR's bgpd is missing.

import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { allocEndpoint, Frr, makeTempDir, skipReason, stopAll, waitFor } from './peers';
import { jsonLines, neighbor, recorder, startTsbgp, type Tsbgp } from './tsbgp-launch';

after(stopAll);

const AS_T = 65430;
const AS_F = 65431;
const skip = skipReason('frr');

describe('BGP Prefix-SID: tsbgp to FRR', { skip }, () => {
  let t: Tsbgp;
  let f: Frr;
  let eT: { address: string; port: number };
  let eF: { address: string; port: number };
  let events: string;

  before(async () => {
    const dir = makeTempDir('prefixsid-frr');
    [eT, eF] = await Promise.all([allocEndpoint(), allocEndpoint()]);
    f = new Frr();
    await f.start({ ...eF, as: AS_F, holdTime: 30, neighbors: [{ ...eT, as: AS_T, passive: true, families: [] }] });
    await f.vtysh([
      'configure terminal',
      `router bgp ${AS_F}`,
      'address-family ipv4 labeled-unicast',
      `neighbor ${eT.address} activate`,
      'exit-address-family',
      'address-family ipv4 unicast',
      'network 10.77.0.0/24 label-index 100',
    ]);
    events = path.join(dir, 'events.jsonl');
    const rec = recorder(dir, events);
    const body = [
      'family { ipv4 nlri-mpls; }',
      'static {',
      '  route 198.51.100.100/32 next-hop 192.0.2.1 label 800001 bgp-prefix-sid [ 777 ];',
      '}',
      ...rec.api,
    ];
    const conf = [
      ...rec.process,
      neighbor({ peer: eF.address, port: eF.port, local: eT.address, localAs: AS_T, peerAs: AS_F, body }),
    ];
    t = await startTsbgp(dir, `${conf.join('\n')}\n`);
    try {
      await waitFor(() => t.established(eF.address), 20_000, 'tsbgp session Established', 200);
    } catch (e) {
      throw new Error(
        `${(e as Error).message}\n--- tsbgp ---\n${t.log().slice(-3000)}\n--- frr ---\n${f.logText().slice(-1500)}`,
      );
    }
  });

  /** FRR's best path for a labeled IPv4 prefix: its remote label and label index, or undefined. */
  async function frrPath(prefix: string): Promise<{ remoteLabel?: number; labelIndex?: number } | undefined> {
    const out = await f.vtysh([`show bgp ipv4 labeled-unicast ${prefix} json`]);
    const j = JSON.parse(out.trim() || '{}') as { paths?: { remoteLabel?: number; labelIndex?: number }[] };
    return j.paths?.[0];
  }

  async function labelsAt(prefix: string): Promise<{ remoteLabel?: number; labelIndex?: number }> {
    const p = await waitFor(() => frrPath(prefix), 10_000, `${prefix} at FRR`, 200);
    return { remoteLabel: p.remoteLabel, labelIndex: p.labelIndex };
  }

  it("FRR's labeled route with label-index 100 reaches tsbgp's process with the Prefix-SID as ExaBGP 4.2 JSON", async () => {
    const e = await waitFor(
      () =>
        jsonLines(events).find(
          (x) => x.neighbor?.message?.update?.announce?.['ipv4 nlri-mpls']?.[eF.address] !== undefined,
        ),
      10_000,
      "FRR's labeled route at tsbgp's process",
      200,
    );
    const u = e.neighbor.message.update;
    assert.deepEqual(u.attribute['bgp-prefix-sid'], { 'sr-label-index': 100 });
    // FRR without zebra advertises the implicit-null label (RFC 3032) for its own prefix.
    assert.deepEqual(u.announce['ipv4 nlri-mpls'][eF.address], [{ nlri: '10.77.0.0/24', label: [[3]] }]);
  });

  it('a static route: FRR reads its label and the Label-Index TLV', async () => {
    assert.deepEqual(await labelsAt('198.51.100.100/32'), { remoteLabel: 800001, labelIndex: 777 });
  });

  it('an API route with Label-Index and Originator SRGB arrives with its index, and leaves on withdraw', async () => {
    const cmd = async (line: string): Promise<void> => {
      const r = await t.command(line);
      assert.equal(r.answer, 'done', `${line}: ${JSON.stringify(r)}`);
    };
    await cmd(
      `neighbor ${eF.address} announce route 198.51.100.101/32 next-hop 192.0.2.1 label 800002 ` +
        'bgp-prefix-sid [ 778, [ ( 800000,4096 ) ] ]',
    );
    assert.deepEqual(await labelsAt('198.51.100.101/32'), { remoteLabel: 800002, labelIndex: 778 });
    await cmd(`neighbor ${eF.address} withdraw route 198.51.100.101/32 label 800002`);
    await waitFor(async () => (await frrPath('198.51.100.101/32')) === undefined, 10_000, 'withdrawn at FRR', 200);
  });
});
