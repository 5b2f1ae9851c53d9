// The DDoS service as the daemon holds it: datagrams in, an attack out as a log line and a JSON event line with
// ExaBGP's envelope, `show ddos` in text and JSON, and the /metrics families (docs/DDOS.md).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../../src/config/parser';
import type { Daemon } from '../../../src/daemon/daemon';
import { DaemonStats } from '../../../src/daemon/stats';
import { DdosService } from '../../../src/ddos/service';
import { daemonMetrics } from '../../../src/http/metrics';
import { netflow5, type TestFlow } from '../../support/flow-packets';

const CONF = `ddos {
  listen 127.0.0.1 0;
  window 2;
  min-duration 0;
  group g { network 203.0.113.0/24; amplification-pps 100; }
}
`;

test('an NTP flood in NetFlow v5 gives a log line, a JSON event, show ddos and metrics', async () => {
  const cfg = parseConfig(CONF, 'x.conf').ddos!;
  const lines: string[] = [];
  const logs: string[] = [];
  const commands: string[] = [];
  let now = 1_000_000;
  const svc = new DdosService(
    cfg,
    {
      run: (l) => {
        commands.push(l);
        return null;
      },
      event: (l) => lines.push(l),
      log: (level, m) => logs.push(`${level} ${m}`),
    },
    now,
  );
  const flows: TestFlow[] = [];
  for (let i = 0; i < 30; i++)
    flows.push({
      src: `198.51.100.${i + 1}`,
      dst: '203.0.113.10',
      proto: 17,
      sport: 123,
      dport: 4000 + i,
      packets: 100,
      bytes: 46800,
    });
  svc.collector.datagram(netflow5(flows), '127.0.0.1', 9000, now);
  svc.collector.datagram(netflow5([flows[0]!]).subarray(0, 30), '127.0.0.1', 9000, now);
  now += 1000;
  svc.detector.tick(now);
  assert.equal(commands.length, 1);
  assert.match(
    logs.join('\n'),
    /warning ddos attack start: id 1 host 203\.0\.113\.10 group g amplification source-ports 123 1500 pps 5616000 bps/,
  );
  const e = JSON.parse(lines[0]!);
  assert.equal(e.type, 'ddos');
  assert.equal(e.exabgp, '4.0.1');
  assert.equal(e.ddos.event, 'start');
  assert.equal(e.ddos.victim, '203.0.113.10');
  assert.equal(e.ddos.rates['amplification-pps'], 1500);
  assert.deepEqual(e.ddos.mitigation.rules, [commands[0]!.replace(/ expires \d+$/, '')]);
  const text = svc.show(false, now);
  assert.match(
    text[0]!,
    /^collector: 2 datagrams, 30 records, 1 malformed, 0 unknown-template sets, 0 templates, 1 hosts tracked, 1 rules in force$/,
  );
  assert.match(text[1]!, /^attack 1 host 203\.0\.113\.10 group g amplification for 0s: 1500 pps/);
  const json = JSON.parse(svc.show(true, now)[0]!);
  assert.equal(json.attacks[0].host, '203.0.113.10');
  assert.equal(json.top[0].host, '203.0.113.10');

  const d = {
    neighbors: [],
    processes: { names: () => [] },
    stats: new DaemonStats(),
    routeServer: null,
    ddos: svc,
  } as unknown as Daemon;
  const m = await daemonMetrics(d).metrics();
  for (const l of [
    'tsbgp_ddos_flow_datagrams_total{outcome="decoded"} 1',
    'tsbgp_ddos_flow_datagrams_total{outcome="malformed"} 1',
    'tsbgp_ddos_flow_records_total 30',
    'tsbgp_ddos_hosts_tracked 1',
    'tsbgp_ddos_attacks 1',
    'tsbgp_ddos_rules_in_force 1',
  ])
    assert.ok(m.split('\n').includes(l), `missing: ${l}`);
});
