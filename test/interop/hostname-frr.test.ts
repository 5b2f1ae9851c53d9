// The hostname capability (draft-walton-bgp-hostname-capability, code 73) between tsbgp and FRR 8.4 on loopback:
// FRR's hostname reaches tsbgp's process in the OPEN event as ExaBGP 5.0 prints it (`"73": { "host-name": ...,
// "domain-name": ... }`), and the host-name / domain-name tsbgp is configured with show in FRR's neighbor view.
// tsbgp also announces the software version capability (code 75, `capability { software-version; }`), which FRR
// 8.4 does not know and must ignore: the session comes up. FRR is passive; tsbgp connects. Skipped when FRR's bgpd
// is missing (failed under CI).

import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { allocEndpoint, Frr, makeTempDir, skipReason, stopAll, waitFor } from './peers';
import { jsonLines, neighbor, recorder, startTsbgp } from './tsbgp-launch';

after(stopAll);

describe('hostname capability: tsbgp and FRR', { skip: skipReason('frr') }, () => {
  it("FRR's hostname in tsbgp's OPEN event, tsbgp's host-name and domain-name at FRR", async () => {
    const dir = makeTempDir('hostname-frr');
    const [eT, eF] = await Promise.all([allocEndpoint(), allocEndpoint()]);
    const f = new Frr();
    await f.start({
      ...eF,
      as: 65441,
      holdTime: 30,
      neighbors: [{ ...eT, as: 65440, passive: true, families: ['ipv4'] }],
    });
    const events = path.join(dir, 'events.jsonl');
    const rec = recorder(dir, events);
    const body = [
      'host-name edge-7;',
      'domain-name example.net;',
      'family { ipv4 unicast; }',
      'capability { software-version; }',
      'api {',
      '  processes [ recorder ];',
      '  receive { open; }',
      '}',
    ];
    const conf = [
      ...rec.process,
      neighbor({ peer: eF.address, port: eF.port, local: eT.address, localAs: 65440, peerAs: 65441, body }),
    ];
    const t = await startTsbgp(dir, `${conf.join('\n')}\n`);
    try {
      await waitFor(() => t.established(eF.address), 20_000, 'tsbgp session Established', 200);
    } catch (e) {
      throw new Error(
        `${(e as Error).message}\n--- tsbgp ---\n${t.log().slice(-3000)}\n--- frr ---\n${f.logText().slice(-1500)}`,
      );
    }
    const open = await waitFor(
      async () => jsonLines(events).find((e) => e.type === 'open' && e.neighbor?.direction === 'receive'),
      10_000,
      'the OPEN event',
      200,
    );
    const caps = open.neighbor.open.capabilities as Record<string, Record<string, unknown>>;
    // FRR's `hostname` line names the router; FRR sends it with the system's domain name (empty here or not).
    assert.equal(caps['73']!['host-name'], `tsbgp-frr-${path.basename(f.dir)}`, JSON.stringify(caps));
    assert.equal(typeof caps['73']!['domain-name'], 'string', JSON.stringify(caps));
    assert.deepEqual(Object.keys(caps['73']!), ['host-name', 'domain-name']);
    // FRR's view of tsbgp.
    const j = JSON.parse(await f.vtysh([`show bgp neighbors ${eT.address} json`])) as Record<
      string,
      Record<string, unknown>
    >;
    const nb = j[eT.address]!;
    assert.equal(nb.hostname, 'edge-7', JSON.stringify(nb).slice(0, 2000));
    assert.equal(nb.domainname, 'example.net');
  });
});
