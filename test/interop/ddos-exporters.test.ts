// The DDoS detector end to end with every flow protocol from a real exporter: softflowd exports NetFlow v5 and
// v9 (the IPFIX run is test/interop/ddos-e2e.test.ts), pmacct's pmacctd with its sfprobe plugin exports sFlow v5
// (raw packet headers, 1 in 1 sampling), each from a packet capture written here and replayed once a second: an
// NTP reflection flood at its own victim per protocol, next to normal traffic. For each: the collector counts
// datagrams of that protocol only, the attack starts with the amplification signature (source port 123, and the
// packet size the protocol reports), its FlowSpec rule reaches GoBGP and its blackhole BIRD, and both are withdrawn
// after the calm period once the replays stop.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { mix, normalTraffic, ntpFlood, timed } from '../support/ddos-traffic';
import { pcap } from '../support/flow-packets';
import { DdosLab, ddosSection, type Exporter, exportCommand, Replay } from './ddos-lab';
import { freePort, skipReason, stopAll, waitFor } from './peers';
import { jsonLines, RECORDER_JS, type Tsbgp } from './tsbgp-launch';

after(stopAll);

const CALM = 3;

/** Each protocol's run has its own victim, so that one run's attack cannot stand in for another's. */
const RUNS: { exporter: Exporter; victim: string; program: string; size: number }[] = [
  // NetFlow and IPFIX count IP bytes (468 for a 440-byte NTP answer); sFlow counts frames with their FCS: 14
  // bytes of Ethernet header and 4 of FCS more (sFlow v5 "frame_length").
  { exporter: 'netflow5', victim: '203.0.113.31', program: 'softflowd', size: 468 },
  { exporter: 'netflow9', victim: '203.0.113.32', program: 'softflowd', size: 468 },
  { exporter: 'sflow', victim: '203.0.113.33', program: 'pmacctd', size: 486 },
];

const skip = skipReason('gobgp', 'bird', 'softflowd', 'pmacctd');

describe('DDoS: NetFlow v5 and v9 from softflowd, sFlow from pmacctd, to FlowSpec at GoBGP and RTBH at BIRD', {
  skip,
}, () => {
  let lab: DdosLab;
  let t: Tsbgp;
  let events: string;
  let flowPort: number;
  let replay: Replay | undefined;

  before(async () => {
    lab = await DdosLab.start('ddos-exporters', 65440);
    flowPort = await freePort(lab.flowAddr);
    events = path.join(lab.dir, 'events.jsonl');
    fs.writeFileSync(path.join(lab.dir, 'recorder.js'), RECORDER_JS);
    const recorder = [
      'process recorder {',
      `  run ${process.execPath} ${path.join(lab.dir, 'recorder.js')} ${events};`,
      '  encoder json;',
      '}',
    ];
    const ddos = ddosSection({ addr: lab.flowAddr, port: flowPort, minDuration: 1, calm: CALM, nextHop: '192.0.2.66' });
    t = await lab.run(lab.config(ddos, recorder));
  });

  after(async () => {
    await replay?.stop();
    await lab?.stop();
  });

  const protocols = async (): Promise<Record<string, number>> =>
    JSON.parse((await t.command('show ddos json')).lines[0]!).collector.protocols;
  const ddosEvents = () =>
    jsonLines(events)
      .filter((e) => e.type === 'ddos')
      .map((e) => e.ddos as { event: string; victim: string; signature: Record<string, unknown> });

  for (const run of RUNS) {
    it(`${run.exporter} from ${run.program}: detected, mitigated at GoBGP and BIRD, withdrawn after calm`, {
      timeout: 90_000,
    }, async (tc) => {
      const file = path.join(lab.dir, `${run.exporter}.pcap`);
      fs.writeFileSync(file, pcap(timed(mix(ntpFlood(3000, run.victim), normalTraffic(100)))));
      const before = await protocols();
      replay = new Replay(exportCommand(run.exporter, file, lab.flowAddr, flowPort, lab.dir));
      const first = await waitFor(() => replay!.first, 30_000, `the first ${run.program} run`);
      const [rule, route] = await Promise.all([
        waitFor(
          async () => (await lab.g.flowRoutes('ipv4-flowspec')).find((f) => f.match.includes(`${run.victim}/32`)),
          20_000,
          'the rule at GoBGP',
          100,
        ),
        waitFor(
          async () => (await lab.bird.routes('ipv4')).find((r) => r.prefix === `${run.victim}/32`),
          20_000,
          'the blackhole at BIRD',
          100,
        ),
      ]);
      tc.diagnostic(`rule and route in place ${Date.now() - first} ms after the first run's export`);
      // The IP length for every protocol (sFlow's from the sampled header): 468.
      assert.equal(
        rule.match,
        `[destination: ${run.victim}/32][protocol: ==udp][source-port: ==123][packet-length: ==468]`,
      );
      assert.deepEqual(route.communities, ['65535:666']);
      const start = ddosEvents().find((e) => e.event === 'start' && e.victim === run.victim)!;
      assert.equal(start.signature.kind, 'amplification');
      assert.deepEqual(start.signature.sourcePorts, [123]);
      assert.equal((start.signature.packetSize as { average: number }).average, run.size);
      await replay.stop();
      const stopped = Date.now();
      // Only this run's protocol came in.
      const now = await protocols();
      for (const p of Object.keys(now))
        if (p === run.exporter) assert.ok(now[p]! > before[p]!, `${p} datagrams counted`);
        else assert.equal(now[p], before[p], `no ${p} datagrams`);
      await Promise.all([
        waitFor(
          async () => !(await lab.g.flowRoutes('ipv4-flowspec')).some((f) => f.match.includes(`${run.victim}/32`)),
          30_000,
          'the rule gone from GoBGP',
          200,
        ),
        waitFor(
          async () => !(await lab.bird.routes('ipv4')).some((r) => r.prefix === `${run.victim}/32`),
          30_000,
          'the blackhole gone from BIRD',
          200,
        ),
      ]);
      assert.ok(Date.now() - stopped >= CALM * 1000, 'not before the calm period');
      assert.ok(ddosEvents().some((e) => e.event === 'end' && e.victim === run.victim));
      // Normal traffic started nothing.
      assert.ok(ddosEvents().every((e) => RUNS.some((r) => r.victim === e.victim)));
    });
  }
});
