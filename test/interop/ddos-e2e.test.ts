// One-click DDoS mitigation end to end, with real parts only: softflowd exports IPFIX from packet captures
// written here (an NTP reflection flood at 203.0.113.10, a SYN flood at port 179 of 203.0.113.11, which the
// FlowSpec guard protects, and normal traffic at 203.0.113.20), replayed once a second while the "attack" lasts;
// tsbgp's ddos block collects, detects and mitigates. Checked: the NTP flood's FlowSpec rule (UDP from port 123
// to the victim /32, discard) appears at GoBGP and FRR, and the victim's RTBH route (65535:666, next hop
// 192.0.2.66) at BIRD, within 5 s of the first flows; the rule for the SYN flood, which the guard refuses, never
// reaches any peer and the refusal is in the event; the normal host never triggers anything; events reach the
// API process as JSON lines and `tsbgp cli show ddos` lists the attack; after the replays stop, the rule and
// the route are withdrawn by themselves after the calm period. A blackhole announced as the mitigator sends one
// (`announce route ... expires N`) reaches BIRD and is withdrawn by tsbgp alone N seconds later.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  mix,
  NORMAL_HOST,
  NTP_VICTIM,
  normalTraffic,
  ntpFlood,
  SYN_VICTIM,
  synFlood,
  timed,
} from '../support/ddos-traffic';
import { pcap } from '../support/flow-packets';
import { exportCommand, Replay } from './ddos-lab';
import {
  allocAddress,
  allocEndpoint,
  Bird,
  type Family,
  Frr,
  freePort,
  GoBgp,
  makeTempDir,
  skipReason,
  stopAll,
  waitFor,
} from './peers';
import { jsonLines, neighbor, RECORDER_JS, startTsbgp, type Tsbgp } from './tsbgp-launch';

after(stopAll);

const AS_T = 65420;
const AS_G = 65421;
const AS_F = 65422;
const AS_B = 65423;
const CALM = 4;

const skip = skipReason('gobgp', 'frr', 'bird', 'softflowd');

describe('DDoS: flows from softflowd to FlowSpec at GoBGP and FRR and RTBH at BIRD', { skip }, () => {
  let dir: string;
  let t: Tsbgp;
  let g: GoBgp;
  let frr: Frr;
  let bird: Bird;
  let events: string;
  let flowAddr: string;
  let flowPort: number;
  let attackPcap: string;
  let replay: Replay | undefined;
  let firstFlows = 0;

  before(async () => {
    dir = makeTempDir('ddos-e2e');
    const [eT, eG, eF, eB] = await Promise.all([allocEndpoint(), allocEndpoint(), allocEndpoint(), allocEndpoint()]);
    g = new GoBgp();
    frr = new Frr();
    bird = new Bird();
    const flowPeer = {
      address: eT.address,
      port: eT.port,
      passive: true,
      as: AS_T,
      families: ['ipv4-flowspec'] as Family[],
    };
    await Promise.all([
      g.start({ ...eG, as: AS_G, holdTime: 30, neighbors: [flowPeer] }),
      frr.start({ ...eF, as: AS_F, holdTime: 30, neighbors: [flowPeer] }),
      bird.start({ ...eB, as: AS_B, holdTime: 30, neighbors: [{ ...flowPeer, families: ['ipv4'] }] }),
    ]);
    flowAddr = allocAddress();
    flowPort = await freePort(flowAddr);
    events = path.join(dir, 'events.jsonl');
    fs.writeFileSync(path.join(dir, 'recorder.js'), RECORDER_JS);
    const flowFam = ['family {', '  ipv4 flow;', '}'];
    const conf = [
      'process recorder {',
      `  run ${process.execPath} ${path.join(dir, 'recorder.js')} ${events};`,
      '  encoder json;',
      '}',
      neighbor({
        peer: eG.address,
        port: eG.port,
        local: eT.address,
        localAs: AS_T,
        peerAs: AS_G,
        body: [...flowFam, 'flow {', `  protect [ ${SYN_VICTIM}/32 ];`, '}'],
      }),
      neighbor({ peer: eF.address, port: eF.port, local: eT.address, localAs: AS_T, peerAs: AS_F, body: flowFam }),
      neighbor({
        peer: eB.address,
        port: eB.port,
        local: eT.address,
        localAs: AS_T,
        peerAs: AS_B,
        body: ['family {', '  ipv4 unicast;', '}'],
      }),
      'ddos {',
      `  listen ${flowAddr} ${flowPort};`,
      '  window 2;',
      '  min-duration 1;',
      `  calm ${CALM};`,
      '  mitigation both;',
      '  next-hop 192.0.2.66;',
      '  group customers {',
      '    network 203.0.113.0/24;',
      '    amplification-pps 500;',
      '    syn-pps 500;',
      '    pps 1000000;',
      '  }',
      '}',
    ];
    t = await startTsbgp(dir, conf.join('\n') + '\n');
    await waitFor(
      async () => (await Promise.all([eG, eF, eB].map((e) => t.established(e.address)))).every(Boolean),
      30_000,
      'tsbgp sessions Established',
      200,
    );
    attackPcap = path.join(dir, 'attack.pcap');
    fs.writeFileSync(attackPcap, pcap(timed(mix(ntpFlood(3000), synFlood(2000, SYN_VICTIM, 179), normalTraffic(200)))));
  });

  after(async () => {
    await replay?.stop();
    await t?.stop();
    await Promise.all([g?.stop(), frr?.stop(), bird?.stop()]);
  });

  const ntpRule4 = (m: string) => m.includes(`${NTP_VICTIM}/32`);
  const ddosEvents = () => jsonLines(events).filter((e) => e.type === 'ddos') as { ddos: Record<string, unknown> }[];

  it('the NTP flood becomes a FlowSpec rule at GoBGP and FRR and an RTBH route at BIRD within 5 s', {
    timeout: 60_000,
  }, async (tc) => {
    // softflowd reading the capture and exporting IPFIX to tsbgp, once a second until stopped.
    replay = new Replay(exportCommand('ipfix', attackPcap, flowAddr, flowPort, dir));
    firstFlows = await waitFor(() => replay!.first, 20_000, 'the first softflowd replay');
    const [atG, atF, atB] = await Promise.all([
      waitFor(
        async () => (await g.flowRoutes('ipv4-flowspec')).find((f) => ntpRule4(f.match)),
        15_000,
        'rule at GoBGP',
        100,
      ).then((f) => ({ f, at: Date.now() })),
      waitFor(
        async () => (await frr.flowRoutes('ipv4-flowspec')).find((f) => ntpRule4(f.match)),
        15_000,
        'rule at FRR',
        100,
      ).then((f) => ({ f, at: Date.now() })),
      waitFor(
        async () => (await bird.routes('ipv4')).find((r) => r.prefix === `${NTP_VICTIM}/32`),
        15_000,
        'RTBH route at BIRD',
        100,
      ).then((r) => ({ r, at: Date.now() })),
    ]);
    // softflowd's first export left when its first run ended (firstFlows is set just after): 5 s from there.
    tc.diagnostic(
      `after the first flows: GoBGP ${atG.at - firstFlows} ms, FRR ${atF.at - firstFlows} ms, BIRD ${atB.at - firstFlows} ms`,
    );
    for (const [who, at] of [
      ['GoBGP', atG.at],
      ['FRR', atF.at],
      ['BIRD', atB.at],
    ] as const)
      assert.ok(at - firstFlows <= 5000, `${who} had it ${at - firstFlows} ms after the first flows`);
    // Every NTP answer is a 468-byte IP packet: the rule matches that length too (RFC 8955 type 10).
    assert.equal(
      atG.f.match,
      `[destination: ${NTP_VICTIM}/32][protocol: ==udp][source-port: ==123][packet-length: ==468]`,
    );
    assert.match(atG.f.actions, /"subtype":6,"as":0,"rate":0[,}]/);
    assert.equal(
      atF.f.match,
      `Destination Address ${NTP_VICTIM}/32; IP Protocol = 17; Source Port = 123; Packet Length = 468`,
    );
    assert.deepEqual(atB.r.communities, ['65535:666']);
    assert.equal(atB.r.nextHop, '192.0.2.66');
  });

  it('the SYN flood at a protected address is reported with the guard refusal and never sent; normal traffic triggers nothing', {
    timeout: 30_000,
  }, async () => {
    const syn = await waitFor(
      () => ddosEvents().find((e) => e.ddos.event === 'start' && e.ddos.victim === SYN_VICTIM),
      10_000,
      'SYN flood start event',
    );
    const m = syn.ddos.mitigation as { rules: string[]; 'not-sent': { rule: string; reason: string }[] };
    assert.ok(
      m['not-sent'].some(
        (n) => n.rule.startsWith('announce flow') && /flow rule refused: .*TCP port 179/.test(n.reason),
      ),
      JSON.stringify(m),
    );
    assert.ok(!m.rules.some((r) => r.startsWith('announce flow')));
    for (const f of await g.flowRoutes('ipv4-flowspec')) assert.ok(!f.match.includes(SYN_VICTIM), f.match);
    for (const f of await frr.flowRoutes('ipv4-flowspec')) assert.ok(!f.match.includes(SYN_VICTIM), f.match);
    const ntp = ddosEvents().find((e) => e.ddos.event === 'start' && e.ddos.victim === NTP_VICTIM)!;
    const sig = ntp.ddos.signature as { kind: string; sourcePorts: number[]; packetSize: { average: number } };
    assert.equal(sig.kind, 'amplification');
    assert.deepEqual(sig.sourcePorts, [123]);
    assert.equal(sig.packetSize.average, 468);
    assert.ok(ddosEvents().every((e) => e.ddos.victim !== NORMAL_HOST));
    const show = await t.cli('show ddos');
    assert.equal(show.code, 0, show.stderr);
    assert.match(
      show.stdout,
      new RegExp(`attack \\d+ host ${NTP_VICTIM.replace(/\./g, '\\.')} group customers amplification`),
    );
    assert.match(
      show.stdout,
      /rule announce flow route destination 203\.0\.113\.10\/32 protocol udp source-port \[ =123 \] packet-length \[ =468 \] discard/,
    );
    assert.match(show.stdout, /top talkers/);
  });

  it('when the flows stop, the rule and the route are withdrawn after the calm period', {
    timeout: 60_000,
  }, async (tc) => {
    await replay!.stop();
    const stopped = Date.now();
    const gone = (): string => `${Date.now() - stopped} ms after the flows stopped`;
    await Promise.all([
      waitFor(
        async () => !(await g.flowRoutes('ipv4-flowspec')).some((f) => ntpRule4(f.match)),
        30_000,
        'rule gone at GoBGP',
        200,
      ),
      waitFor(
        async () => !(await frr.flowRoutes('ipv4-flowspec')).some((f) => ntpRule4(f.match)),
        30_000,
        'rule gone at FRR',
        200,
      ),
      waitFor(
        async () => !(await bird.routes('ipv4')).some((r) => r.prefix === `${NTP_VICTIM}/32`),
        30_000,
        'route gone at BIRD',
        200,
      ),
    ]);
    // Not before the calm period: the window (2 s) drains, then CALM seconds under every threshold.
    tc.diagnostic(`withdrawn everywhere ${gone()}`);
    assert.ok(Date.now() - stopped >= CALM * 1000, `withdrawn ${gone()}`);
    const end = await waitFor(
      () => ddosEvents().find((e) => e.ddos.event === 'end' && e.ddos.victim === NTP_VICTIM),
      5_000,
      'end event',
    );
    assert.ok((end.ddos.peak as { pps: number }).pps > 500);
  });

  it("an RTBH route's own expiry: BIRD sees it come and go with no withdraw sent to tsbgp", {
    timeout: 30_000,
  }, async (tc) => {
    const victim = '203.0.113.50';
    const sent = Date.now();
    await t.done(`announce route ${victim}/32 next-hop 192.0.2.66 community [ 65535:666 ] expires 3`);
    const atBird = await waitFor(
      async () => (await bird.routes('ipv4')).find((r) => r.prefix === `${victim}/32`),
      10_000,
      'the blackhole at BIRD',
      100,
    );
    assert.deepEqual(atBird.communities, ['65535:666']);
    await waitFor(
      async () => !(await bird.routes('ipv4')).some((r) => r.prefix === `${victim}/32`),
      15_000,
      'the blackhole gone from BIRD',
      100,
    );
    tc.diagnostic(`gone from BIRD ${Date.now() - sent} ms after it was sent`);
    assert.ok(Date.now() - sent >= 3000, 'not before its expiry');
    assert.match(t.log(), /route expired and withdrawn: 203\.0\.113\.50\/32/);
  });
});
