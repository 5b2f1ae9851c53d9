// /metrics from a daemon's state, without a network: the families and labels Prometheus gets, counters copied
// from the daemon's tallies at scrape time, and routes counted per family.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Daemon } from '../../../src/daemon/daemon';
import { DaemonStats, NeighborStats } from '../../../src/daemon/stats';
import { daemonMetrics } from '../../../src/http/metrics';
import { AdjRibIn } from '../../../src/rib/adj-rib-in';
import { AdjRibOut } from '../../../src/rib/adj-rib-out';
import { IPV4_UNICAST } from '../../../src/wire/types';

test('metrics say what the daemon holds and counted', async () => {
  const ribIn = new AdjRibIn();
  const empty = { family: IPV4_UNICAST, addPath: false, data: new Uint8Array(0), count: 0 };
  ribIn.apply({
    withdrawn: empty,
    attributes: { origin: 0, asPath: [{ type: 2, asns: [65001] }], nextHop: Uint8Array.of(192, 0, 2, 1) },
    nlri: {
      family: IPV4_UNICAST,
      addPath: false,
      data: Uint8Array.of(24, 10, 0, 1, 24, 10, 0, 2, 24, 10, 0, 3),
      count: 3,
    },
    issues: [],
  });
  const stats = new NeighborStats();
  stats.count('received', 'update', 7);
  stats.count('sent', 'keepalive', 2);
  stats.established = 1;
  const daemonStats = new DaemonStats();
  daemonStats.command('http', true);
  daemonStats.command('http', false);
  daemonStats.guardRefused('matches-bgp');
  const d = {
    neighbors: [
      {
        cfg: { peerAddress: '127.0.0.2', peerAs: 65001 },
        peer: { state: 'Established' },
        negotiated: { peerAs: 65001 },
        upSince: Date.now() - 5000,
        stats,
        ribIn,
        ribOut: new AdjRibOut(),
        flows: { size: 2 },
      },
    ],
    processes: { names: () => ['watcher'], isRunning: () => true, buffered: () => 1234 },
    stats: daemonStats,
    routeServer: null,
  } as unknown as Daemon;
  const registry = daemonMetrics(d);
  const text = await registry.metrics();
  const has = (line: string) => assert.ok(text.split('\n').includes(line), `missing: ${line}`);
  has('tsbgp_neighbor_up{neighbor="127.0.0.2",peer_as="65001"} 1');
  has('tsbgp_neighbor_session_state{neighbor="127.0.0.2",state="established"} 1');
  has('tsbgp_neighbor_session_state{neighbor="127.0.0.2",state="idle"} 0');
  has('tsbgp_neighbor_messages_received_total{neighbor="127.0.0.2",type="update"} 7');
  has('tsbgp_neighbor_messages_sent_total{neighbor="127.0.0.2",type="keepalive"} 2');
  has('tsbgp_neighbor_sessions_established_total{neighbor="127.0.0.2"} 1');
  has('tsbgp_neighbor_prefixes_received{neighbor="127.0.0.2",family="ipv4-unicast"} 3');
  has('tsbgp_neighbor_prefixes_accepted{neighbor="127.0.0.2",family="ipv4-unicast"} 3');
  has('tsbgp_neighbor_flow_rules{neighbor="127.0.0.2"} 2');
  has('tsbgp_process_up{process="watcher"} 1');
  has('tsbgp_process_backlog_bytes{process="watcher"} 1234');
  has('tsbgp_commands_total{source="http",result="accepted"} 1');
  has('tsbgp_commands_total{source="http",result="refused"} 1');
  has('tsbgp_flowspec_guard_refusals_total{reason="matches-bgp"} 1');
  assert.match(text, /^# TYPE tsbgp_neighbor_messages_received_total counter$/m);
  assert.match(text, /^# TYPE tsbgp_neighbor_up gauge$/m);
  assert.match(text, /^tsbgp_neighbor_uptime_seconds\{neighbor="127.0.0.2"\} [4-9]/m);
  assert.match(text, /^nodejs_eventloop_lag_seconds /m);
  // A second scrape gives the same counts, not twice them (counters are copied, not added to).
  assert.ok(
    (await registry.metrics()).includes('tsbgp_neighbor_messages_received_total{neighbor="127.0.0.2",type="update"} 7'),
  );
});
