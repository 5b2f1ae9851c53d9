// The daemon's state as JSON values for the HTTP API and the looking glass: neighbors with their sessions,
// counters and last errors; the FlowSpec rules in force with age, expiry and source. Read at request time from
// the same objects `show neighbor` and `show adj-rib out flow` read, so the views never disagree.

import { extendedCommunityText } from '../api/json';
import type { Daemon } from '../daemon/daemon';
import type { Neighbor } from '../daemon/neighbor';
import { familyName } from '../wire/nlri/registry';
import type { FamilyKey } from '../wire/types';

/** A family as a name without spaces (`ipv4-unicast`): for JSON keys and metric labels. */
export const familyLabel = (f: FamilyKey): string => familyName(f).replace(' ', '-');

const iso = (ms: number): string => new Date(ms).toISOString();

const byFamily = (m: Iterable<[FamilyKey, number]>): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const [f, n] of m) if (n > 0) out[familyLabel(f)] = n;
  return out;
};

/** Routes held in the Adj-RIB-In per family (stale ones of a graceful restart included). */
export function receivedByFamily(n: Neighbor): [FamilyKey, number][] {
  return n.ribIn ? n.ribIn.families().map((f) => [f, n.ribIn!.sizeOf(f)]) : [];
}

export function neighborView(n: Neighbor, now = Date.now()): Record<string, unknown> {
  const neg = n.negotiated;
  const up = n.peer.state === 'Established';
  const s = n.stats;
  return {
    peerAddress: n.cfg.peerAddress,
    localAddress: n.localAddressText() ?? null,
    localAs: n.localAs,
    peerAs: neg?.peerAs ?? (n.cfg.peerAs === 'auto' ? null : n.cfg.peerAs),
    routerId: n.cfg.routerId,
    description: n.cfg.description || null,
    state: n.peer.state.toLowerCase(),
    upSince: up ? iso(n.upSince) : null,
    uptimeSeconds: up ? Math.floor((now - n.upSince) / 1000) : 0,
    sessionsEstablished: s.established,
    families: n.cfg.families.map(familyLabel),
    negotiated: neg
      ? {
          holdTime: neg.holdTime,
          keepaliveTime: neg.keepaliveTime,
          asn4: neg.asn4,
          families: [...neg.families].map(familyLabel),
          addPathReceive: [...neg.addPathReceive].map(familyLabel),
          addPathSend: [...neg.addPathSend].map(familyLabel),
          extendedMessage: neg.extendedMessage,
          routeRefresh: neg.enhancedRouteRefresh ? 'enhanced' : neg.routeRefresh ? 'normal' : 'absent',
          gracefulRestart: neg.gracefulRestart
            ? {
                restartTime: neg.gracefulRestart.restartTime,
                families: [...neg.gracefulRestart.families.keys()].map(familyLabel),
              }
            : null,
          peerHostname: neg.peerHostname ?? null,
          peerSoftwareVersion: neg.peerSoftwareVersion ?? null,
        }
      : null,
    counters: {
      messagesReceived: Object.fromEntries(s.received),
      messagesSent: Object.fromEntries(s.sent),
      updatesReceivedThisSession: n.updatesReceived,
      updatesSentThisSession: n.updatesSent,
    },
    prefixes: {
      received: byFamily(receivedByFamily(n)),
      advertised: byFamily(n.ribOut.sizes()),
    },
    flowRules: n.flows.size,
    lastError: s.lastError ? { reason: s.lastError.reason, at: iso(s.lastError.at) } : null,
    lastNotification: s.lastNotification ? { ...s.lastNotification, at: iso(s.lastNotification.at) } : null,
  };
}

export interface FlowView {
  neighbor: string;
  family: string;
  rule: string;
  /** What the rule does, from its extended communities (RFC 8955 §7). */
  actions: string[];
  source: string;
  announcedAt: string;
  ageSeconds: number;
  expiresAt: string | null;
  expiresInSeconds: number | null;
}

/** The FlowSpec rules in force, per neighbor, in order of arrival. */
export function flowViews(d: Daemon, ip?: string, now = Date.now()): FlowView[] {
  const out: FlowView[] = [];
  for (const n of d.neighbors) {
    if (ip !== undefined && n.cfg.peerAddress !== ip) continue;
    const t = n.flows;
    for (const e of t.list()) {
      const at = t.expiresAt(e);
      const set = n.ribOut.get(t.family(e), t.entry(e), t.pathId(e));
      out.push({
        neighbor: n.cfg.peerAddress,
        family: familyLabel(t.family(e)),
        rule: t.text(e),
        actions: (set?.attributes.extendedCommunities ?? []).map(extendedCommunityText),
        source: t.source(e),
        announcedAt: iso(t.announcedAt(e)),
        ageSeconds: Math.floor((now - t.announcedAt(e)) / 1000),
        expiresAt: at === undefined ? null : iso(at),
        expiresInSeconds: at === undefined ? null : Math.max(0, Math.ceil((at - now) / 1000)),
      });
    }
  }
  return out;
}
