// `tsbgp reload` applied to the ddos section while an attack is being mitigated, with BIRD (RTBH) and GoBGP
// (FlowSpec) as the real receivers and NetFlow v5 datagrams written here as the flows. Checked: the collector
// moves to a new port (the old one is closed: datagrams sent there are not counted) and the detector keeps the
// attack on the flows that arrive at the new one; a new blackhole next hop replaces the route at BIRD while the
// FlowSpec rule at GoBGP, which the change does not touch, stays; neither session goes down (tsbgp's log has
// no session down and one Established per peer, BIRD's protocol keeps its "since" time); and a reload without
// the section ends the attack: the rule and the route are withdrawn at once, not at their expiry.

import assert from 'node:assert/strict';
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { NTP_VICTIM } from '../support/ddos-traffic';
import { netflow5, type TestFlow } from '../support/flow-packets';
import { DdosLab, ddosSection } from './ddos-lab';
import { freePort, skipReason, sleep, stopAll, waitFor } from './peers';
import type { Tsbgp } from './tsbgp-launch';

after(stopAll);

const skip = skipReason('gobgp', 'bird');

/** 30 NTP answers flows of 100 packets to the victim: 3000 packets per datagram. */
const FLOOD: TestFlow[] = Array.from({ length: 30 }, (_, i) => ({
  src: `198.51.100.${i + 1}`,
  dst: NTP_VICTIM,
  proto: 17,
  sport: 123,
  dport: 2000 + i,
  packets: 100,
  bytes: 46800,
}));

describe('DDoS: tsbgp reload changes the ddos section under an attack, sessions and kept rules untouched', {
  skip,
}, () => {
  let lab: DdosLab;
  let t: Tsbgp;
  let flowAddr: string;
  let port0: number;
  const exporter = dgram.createSocket('udp4');
  /** Where the exporter sends now; undefined: it has stopped. */
  let target: number | undefined;
  let sending: Promise<void> | undefined;

  /** tsbgp's configuration with a ddos section listening on `port` (none without `o`). */
  const config = (o: { port: number; nextHop: string } | undefined): string =>
    lab.config(o === undefined ? [] : ddosSection({ addr: flowAddr, ...o, minDuration: 0, calm: 30 }));

  before(async () => {
    lab = await DdosLab.start('ddos-reload', 65430);
    flowAddr = lab.flowAddr;
    await new Promise<void>((r) => exporter.bind(0, flowAddr, () => r()));
    port0 = await freePort(flowAddr);
    t = await lab.run(config({ port: port0, nextHop: '192.0.2.66' }));
  });

  after(async () => {
    target = undefined;
    await sending;
    exporter.close();
    await lab?.stop();
  });

  /** The exporter: one datagram every 250 ms to `target` while it is set. */
  async function send(): Promise<void> {
    while (target !== undefined) {
      const port = target;
      await new Promise<void>((r) => exporter.send(netflow5(FLOOD), port, flowAddr, () => r()));
      await sleep(250);
    }
  }

  const collected = async (): Promise<number> =>
    JSON.parse((await t.command('show ddos json')).lines[0]!).collector.datagrams as number;
  const rtbh = async () => (await lab.bird.routes('ipv4')).find((r) => r.prefix === `${NTP_VICTIM}/32`);
  const rule = async () => (await lab.g.flowRoutes('ipv4-flowspec')).find((f) => f.match.includes(`${NTP_VICTIM}/32`));
  const birdSince = async (): Promise<string> => {
    const out = await lab.bird.birdc('show', 'protocols');
    const line = out.split('\n').find((l) => /\sBGP\s/.test(l));
    assert.ok(line, out);
    // name, proto, table, state, since (date and time), info
    return line.trim().split(/\s+/).slice(4, -1).join(' ');
  };
  const establishedLines = () => (t.log().match(/session established/g) ?? []).length;

  it('a new listener port, a new blackhole next hop: BIRD gets the new route, GoBGP keeps its rule, no session drops', {
    timeout: 90_000,
  }, async (tc) => {
    target = port0;
    sending = send();
    const [r0, f0] = await Promise.all([
      waitFor(rtbh, 15_000, 'RTBH route at BIRD', 100),
      waitFor(rule, 15_000, 'FlowSpec rule at GoBGP', 100),
    ]);
    assert.equal(r0.nextHop, '192.0.2.66');
    const since = await birdSince();
    const established = establishedLines();
    assert.equal(established, 2);
    const attack = JSON.parse((await t.command('show ddos json')).lines[0]!).attacks[0];
    assert.equal(attack.host, NTP_VICTIM);

    const port1 = await freePort(flowAddr);
    fs.writeFileSync(t.conf, config({ port: port1, nextHop: '192.0.2.77' }));
    const r = await t.command('reload');
    assert.equal(r.answer, 'done', JSON.stringify(r));
    assert.match(
      t.log(),
      new RegExp(`ddos: section reloaded, listeners \\+${flowAddr}:${port1} -${flowAddr}:${port0}`),
    );
    target = port1;
    const r1 = await waitFor(
      async () => {
        const x = await rtbh();
        return x?.nextHop === '192.0.2.77' ? x : undefined;
      },
      15_000,
      'the blackhole with the new next hop at BIRD',
      100,
    );
    assert.deepEqual(r1.communities, ['65535:666']);
    assert.deepEqual(await rule(), f0, 'the FlowSpec rule is the same at GoBGP');
    // The old port is closed: a datagram sent there is not counted; the new one takes the flows.
    target = undefined;
    await sending;
    await sleep(500);
    const before = await collected();
    await new Promise<void>((res) => exporter.send(netflow5(FLOOD), port0, flowAddr, () => res()));
    await sleep(500);
    assert.equal(await collected(), before, 'nothing collected at the old port');
    target = port1;
    sending = send();
    await waitFor(async () => (await collected()) > before, 5_000, 'flows collected at the new port');
    const after = JSON.parse((await t.command('show ddos json')).lines[0]!).attacks;
    assert.deepEqual(
      after.map((a: { id: number; host: string }) => [a.id, a.host]),
      [[attack.id, NTP_VICTIM]],
      'the same attack goes on',
    );
    assert.equal(await birdSince(), since, "BIRD's session was not reset");
    assert.equal(establishedLines(), established, 'no session established again');
    assert.doesNotMatch(t.log(), /session down/);
    tc.diagnostic(`BIRD session up since ${since} throughout`);
  });

  it('a reload without the ddos section ends the attack: rule and route withdrawn at once', {
    timeout: 60_000,
  }, async () => {
    fs.writeFileSync(t.conf, config(undefined));
    const r = await t.command('reload');
    assert.equal(r.answer, 'done', JSON.stringify(r));
    // The lifetime is 2 × (calm 30 + window 2) = 64 s: gone well before it means withdrawn, not expired.
    const stopped = Date.now();
    await Promise.all([
      waitFor(async () => (await rtbh()) === undefined, 10_000, 'the blackhole gone from BIRD', 100),
      waitFor(async () => (await rule()) === undefined, 10_000, 'the rule gone from GoBGP', 100),
    ]);
    assert.ok(Date.now() - stopped < 64_000);
    assert.match(t.log(), /ddos: section removed: detector stopped, 2 rule\(s\) withdrawn/);
    assert.equal(establishedLines(), 2);
    const show = await t.command('show ddos');
    assert.equal(show.answer, 'error');
  });
});
