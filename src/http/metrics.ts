// /metrics for Prometheus, with prom-client. Everything is read from the daemon at scrape time (collect
// callbacks): nothing on the receive path updates a metric, so a full table arriving costs the same with or
// without a scraper. Names follow Prometheus's conventions: a `tsbgp_` prefix, base units (seconds, bytes),
// `_total` on counters, label values for what varies (neighbor, family, type, code). Event-loop lag, memory and
// CPU come from prom-client's default Node.js metrics (`nodejs_*`, `process_*`).

import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { Daemon } from '../daemon/daemon';
import { familyLabel, receivedByFamily } from './views';

const STATES = ['idle', 'connect', 'active', 'opensent', 'openconfirm', 'established'];

type Read<L extends string> = (set: (labels: Record<L, string | number>, v: number) => void) => void;

/**
 * A metric whose values are read from the daemon at scrape time: a gauge, or a counter copied from the daemon's
 * own monotonic tallies.
 */
function metric<L extends string>(
  kind: 'counter' | 'gauge',
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly L[],
  read: Read<L>,
): void {
  const base = { name, help, labelNames, registers: [registry] };
  if (kind === 'counter')
    new Counter<L>({
      ...base,
      collect() {
        this.reset();
        read((labels, v) => this.inc(labels, v));
      },
    });
  else
    new Gauge<L>({
      ...base,
      collect() {
        this.reset();
        read((labels, v) => this.set(labels, v));
      },
    });
}

const tally = <L extends string>(r: Registry, name: string, help: string, labels: readonly L[], read: Read<L>) =>
  metric('counter', r, name, help, labels, read);
const gauge = <L extends string>(r: Registry, name: string, help: string, labels: readonly L[], read: Read<L>) =>
  metric('gauge', r, name, help, labels, read);

/** A registry holding the daemon's metrics and Node.js's default ones. */
export function daemonMetrics(d: Daemon): Registry {
  const r = new Registry();
  collectDefaultMetrics({ register: r, eventLoopMonitoringPrecision: 10 });
  const ns = () => d.neighbors;
  gauge(
    r,
    'tsbgp_neighbor_up',
    'Whether the BGP session is Established (1) or not (0).',
    ['neighbor', 'peer_as'],
    (set) => {
      for (const n of ns())
        set(
          { neighbor: n.cfg.peerAddress, peer_as: n.negotiated?.peerAs ?? String(n.cfg.peerAs) },
          n.peer.state === 'Established' ? 1 : 0,
        );
    },
  );
  gauge(
    r,
    'tsbgp_neighbor_session_state',
    'RFC 4271 FSM state of the session: 1 for the state it is in.',
    ['neighbor', 'state'],
    (set) => {
      for (const n of ns()) {
        const now = n.peer.state.toLowerCase();
        for (const s of STATES) set({ neighbor: n.cfg.peerAddress, state: s }, s === now ? 1 : 0);
      }
    },
  );
  gauge(
    r,
    'tsbgp_neighbor_uptime_seconds',
    'Seconds since the session reached Established (0 when down).',
    ['neighbor'],
    (set) => {
      const now = Date.now();
      for (const n of ns())
        set({ neighbor: n.cfg.peerAddress }, n.peer.state === 'Established' ? (now - n.upSince) / 1000 : 0);
    },
  );
  tally(
    r,
    'tsbgp_neighbor_sessions_established_total',
    'Times the session reached Established.',
    ['neighbor'],
    (set) => {
      for (const n of ns()) set({ neighbor: n.cfg.peerAddress }, n.stats.established);
    },
  );
  tally(
    r,
    'tsbgp_neighbor_messages_received_total',
    'BGP messages received, by type (open, update, notification, keepalive, refresh).',
    ['neighbor', 'type'],
    (set) => {
      for (const n of ns()) for (const [t, v] of n.stats.received) set({ neighbor: n.cfg.peerAddress, type: t }, v);
    },
  );
  tally(
    r,
    'tsbgp_neighbor_messages_sent_total',
    'BGP messages sent, by type (open, update, notification, keepalive).',
    ['neighbor', 'type'],
    (set) => {
      for (const n of ns()) for (const [t, v] of n.stats.sent) set({ neighbor: n.cfg.peerAddress, type: t }, v);
    },
  );
  tally(
    r,
    'tsbgp_neighbor_notifications_total',
    'NOTIFICATION messages by direction, error code and subcode (RFC 4271 §4.5).',
    ['neighbor', 'direction', 'code', 'subcode'],
    (set) => {
      for (const n of ns())
        for (const x of n.stats.notifications.values())
          set({ neighbor: n.cfg.peerAddress, direction: x.direction, code: x.code, subcode: x.subcode }, x.n);
    },
  );
  gauge(
    r,
    'tsbgp_neighbor_prefixes_received',
    'Routes held in the Adj-RIB-In, per family.',
    ['neighbor', 'family'],
    (set) => {
      for (const n of ns())
        for (const [f, v] of receivedByFamily(n)) set({ neighbor: n.cfg.peerAddress, family: familyLabel(f) }, v);
    },
  );
  gauge(
    r,
    'tsbgp_neighbor_prefixes_accepted',
    'Routes received and accepted, per family: for a route server client those its import filters let in; for another neighbor every route held but the stale ones of a graceful restart (nothing else filters them).',
    ['neighbor', 'family'],
    (set) => {
      for (const n of ns()) {
        const client = d.routeServer?.client(n);
        if (client) {
          for (const [f, k] of client.routes.counts())
            set({ neighbor: n.cfg.peerAddress, family: familyLabel(f) }, k.accepted);
          continue;
        }
        for (const [f, v] of receivedByFamily(n))
          set({ neighbor: n.cfg.peerAddress, family: familyLabel(f) }, v - n.ribIn!.staleCount(f));
      }
    },
  );
  gauge(
    r,
    'tsbgp_neighbor_prefixes_filtered',
    'Routes of a route server client its import filters refused (kept with their reason: /api/v1/filtered).',
    ['neighbor'],
    (set) => {
      for (const c of d.routeServer?.list() ?? []) set({ neighbor: c.neighbor.cfg.peerAddress }, c.filtered);
    },
  );
  gauge(
    r,
    'tsbgp_neighbor_prefixes_advertised',
    'Routes in the Adj-RIB-Out (wanted at the peer), per family.',
    ['neighbor', 'family'],
    (set) => {
      for (const n of ns())
        for (const [f, v] of n.ribOut.sizes()) set({ neighbor: n.cfg.peerAddress, family: familyLabel(f) }, v);
    },
  );
  gauge(r, 'tsbgp_neighbor_flow_rules', 'FlowSpec rules in force towards the neighbor.', ['neighbor'], (set) => {
    for (const n of ns()) set({ neighbor: n.cfg.peerAddress }, n.flows.size);
  });
  gauge(r, 'tsbgp_process_up', 'Whether the API process is running (1) or not (0).', ['process'], (set) => {
    for (const p of d.processes.names()) set({ process: p }, d.processes.isRunning(p) ? 1 : 0);
  });
  gauge(
    r,
    'tsbgp_process_backlog_bytes',
    'Bytes queued for the API process that it has not read yet.',
    ['process'],
    (set) => {
      for (const p of d.processes.names()) set({ process: p }, d.processes.buffered(p));
    },
  );
  tally(
    r,
    'tsbgp_commands_total',
    'API commands by source (process name, cli, http) and result (accepted, refused).',
    ['source', 'result'],
    (set) => {
      for (const [s, c] of d.stats.commands) {
        set({ source: s, result: 'accepted' }, c.accepted);
        set({ source: s, result: 'refused' }, c.refused);
      }
    },
  );
  tally(
    r,
    'tsbgp_flowspec_guard_refusals_total',
    'FlowSpec rules the guard refused, by reason (docs/FLOWSPEC.md).',
    ['reason'],
    (set) => {
      for (const [code, v] of d.stats.guardRefusals) set({ reason: code }, v);
    },
  );
  ddosMetrics(r, d);
  return r;
}

/** The DDoS detector's collector counters and attacks (docs/DDOS.md), when a ddos section is configured. */
function ddosMetrics(r: Registry, d: Daemon): void {
  const stats = () => d.ddos?.collector.stats;
  tally(r, 'tsbgp_ddos_flow_datagrams_total', 'Flow export datagrams received, by outcome.', ['outcome'], (set) => {
    const s = stats();
    if (!s) return;
    set({ outcome: 'decoded' }, s.datagrams - s.malformed - s.wrongVersion);
    set({ outcome: 'malformed' }, s.malformed);
    set({ outcome: 'unknown-version' }, s.wrongVersion);
  });
  tally(r, 'tsbgp_ddos_flow_records_total', 'Flow records (or sFlow packet samples) accounted.', [], (set) => {
    const s = stats();
    if (s) set({}, s.records);
  });
  tally(
    r,
    'tsbgp_ddos_unknown_template_sets_total',
    'NetFlow v9 / IPFIX data sets dropped for an unknown template.',
    [],
    (set) => {
      const s = stats();
      if (s) set({}, s.unknownTemplate);
    },
  );
  gauge(r, 'tsbgp_ddos_hosts_tracked', 'Destination hosts in the host table.', [], (set) => {
    if (d.ddos) set({}, d.ddos.hosts.size);
  });
  gauge(r, 'tsbgp_ddos_attacks', 'Attacks in progress.', [], (set) => {
    if (d.ddos) set({}, d.ddos.detector.attacks().length);
  });
  gauge(
    r,
    'tsbgp_ddos_rules_in_force',
    'Mitigation rules (FlowSpec and RTBH) the detector has in force.',
    [],
    (set) => {
      if (d.ddos) set({}, d.ddos.mitigator.inForce);
    },
  );
}
