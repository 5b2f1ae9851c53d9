// Counters for /metrics and the HTTP API: what one neighbor's sessions exchanged since the daemon started
// (monotonic, as Prometheus counters must be: `show neighbor summary` counts per session instead), its last error
// and last NOTIFICATION; and the daemon's command and FlowSpec guard tallies. Filled from the Peer's events, so
// the session code knows nothing of them.

import type { Peer } from '../session/peer';

/** BGP message types by name (RFC 4271 §4.1, RFC 2918). */
export type MessageType = 'open' | 'update' | 'notification' | 'keepalive' | 'refresh';

export interface LastNotification {
  direction: 'sent' | 'received';
  code: number;
  subcode: number;
  text: string;
  at: number;
}

export class NeighborStats {
  /** Messages by type, each direction. */
  readonly received = new Map<MessageType, number>();
  readonly sent = new Map<MessageType, number>();
  /** NOTIFICATIONs by direction and `code/subcode`. */
  readonly notifications = new Map<
    string,
    { direction: 'sent' | 'received'; code: number; subcode: number; n: number }
  >();
  /** Sessions that reached Established. */
  established = 0;
  lastError: { reason: string; at: number } | null = null;
  lastNotification: LastNotification | null = null;

  count(dir: 'sent' | 'received', type: MessageType, n = 1): void {
    const m = dir === 'sent' ? this.sent : this.received;
    m.set(type, (m.get(type) ?? 0) + n);
  }

  /** Listen to a peer's events (the daemon's own listeners are separate). */
  watch(peer: Peer): void {
    peer.on('open', (dir) => this.count(dir, 'open'));
    peer.on('update', () => this.count('received', 'update'));
    peer.on('keepalive', (dir) => this.count(dir, 'keepalive'));
    peer.on('refresh', () => this.count('received', 'refresh'));
    peer.on('established', () => this.established++);
    peer.on('notification', (dir, m, text) => {
      this.count(dir, 'notification');
      const key = `${dir} ${m.code}/${m.subcode}`;
      const hit = this.notifications.get(key);
      if (hit) hit.n++;
      else this.notifications.set(key, { direction: dir, code: m.code, subcode: m.subcode, n: 1 });
      this.lastNotification = { direction: dir, code: m.code, subcode: m.subcode, text, at: Date.now() };
    });
    peer.on('down', (info) => {
      this.lastError = { reason: info.reason, at: Date.now() };
    });
  }
}

/** Daemon-wide tallies: commands by where they came from, FlowSpec guard refusals by reason. */
export class DaemonStats {
  /** `source` → accepted / refused (source: a process name, 'cli' or 'http'). */
  readonly commands = new Map<string, { accepted: number; refused: number }>();
  /** Guard finding code (flowspec/guard.ts) → rules refused for it. */
  readonly guardRefusals = new Map<string, number>();

  command(source: string, ok: boolean): void {
    let c = this.commands.get(source);
    if (!c) this.commands.set(source, (c = { accepted: 0, refused: 0 }));
    if (ok) c.accepted++;
    else c.refused++;
  }

  guardRefused(code: string): void {
    this.guardRefusals.set(code, (this.guardRefusals.get(code) ?? 0) + 1);
  }
}
