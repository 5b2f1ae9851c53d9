// What two OPEN messages agree on (RFC 4271 §4.2, RFC 5492 and the capability RFCs), and the checks of the
// peer's OPEN that the codec cannot make because they need the configuration (RFC 4271 §6.2).

import { ErrorCode } from '../wire/errors';
import { OpenErrorSubcode } from '../wire/open';
import {
  Cap,
  type Capability,
  type CodecContext,
  type FamilyKey,
  familyKey,
  IPV4_UNICAST,
  MAX_EXTENDED_MESSAGE,
  MAX_MESSAGE,
  type Notification,
  type Open,
} from '../wire/types';

/** RFC 6793 §9: the 2-octet placeholder for a 4-octet AS. */
export const AS_TRANS = 23456;

export interface GracefulRestartInfo {
  /** Seconds the peer asks us to keep its routes while it restarts. */
  restartTime: number;
  /** R bit: the peer has restarted (RFC 4724 §3). */
  restarting: boolean;
  /** N bit: RFC 8538 graceful notification support. */
  notification: boolean;
  /** Families the peer covers, with the F bit (forwarding state preserved). */
  families: Map<FamilyKey, boolean>;
}

export interface Negotiated {
  localAs: number;
  peerAs: number;
  ibgp: boolean;
  peerRouterId: Uint8Array;
  /** Seconds; 0 means no keepalives and no hold timer. */
  holdTime: number;
  keepaliveTime: number;
  asn4: boolean;
  /** Families both sides announced (IPv4 unicast implied for a side that announced none, RFC 4760 §8). */
  families: Set<FamilyKey>;
  /** RFC 7911: families for which we receive / send path identifiers. */
  addPathReceive: Set<FamilyKey>;
  addPathSend: Set<FamilyKey>;
  /** RFC 8654: we may send large messages only when both announced it. */
  extendedMessage: boolean;
  /** RFC 8950: family → next-hop AFIs both sides announced. */
  extendedNextHop: Map<FamilyKey, number[]>;
  /** RFC 2918: the peer accepts ROUTE-REFRESH from us. */
  routeRefresh: boolean;
  /** RFC 7313: both sides announced enhanced route refresh (BoRR/EoRR demarcation). */
  enhancedRouteRefresh: boolean;
  /** RFC 4724: the peer's graceful restart capability, when both sides announced one. */
  gracefulRestart?: GracefulRestartInfo;
  /**
   * RFC 8277 §2.1 Multiple Labels: the most labels one route may carry, per negotiated family, towards the peer
   * (its capability) and from it (ours). A family missing here takes one label.
   */
  labelsSend: Map<FamilyKey, number>;
  labelsReceive: Map<FamilyKey, number>;
  peerHostname?: { hostname: string; domain: string };
  peerSoftwareVersion?: string;
  /** Context to decode what the peer sends. */
  recvCtx: CodecContext;
  /** Context to encode what we send. */
  sendCtx: CodecContext;
}

/** A refused OPEN: the NOTIFICATION (code 2) to send. */
export interface OpenRejection {
  code: number;
  subcode: number;
  data: Uint8Array;
  reason: string;
}

export interface OpenCheckConfig {
  localAs: number;
  /** Expected peer AS, or 'auto' to accept any (then eBGP/iBGP follows from what was received). */
  peerAs: number | 'auto';
  routerId: Uint8Array;
  /** Smallest non-zero hold time accepted; RFC 4271 §4.2 says at least 3. */
  minHoldTime?: number;
}

/** The AS the peer really has: the AS4 capability wins over the 2-octet field (RFC 6793 §4.1). */
export function openAsn(o: Open): number {
  for (const c of o.capabilities) if (c.code === Cap.AS4) return (c as { asn: number }).asn;
  return o.myAs;
}

const isZero = (b: Uint8Array): boolean => b.every((x) => x === 0);
const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/** RFC 4271 §6.2 checks of a received OPEN against our configuration; null when acceptable. */
export function checkOpen(cfg: OpenCheckConfig, theirs: Open): OpenRejection | null {
  const reject = (subcode: number, reason: string, data: Uint8Array = new Uint8Array(0)): OpenRejection => ({
    code: ErrorCode.OPEN_MESSAGE,
    subcode,
    data,
    reason,
  });
  if (theirs.version !== 4) {
    // Data: the largest version we support, two octets.
    return reject(OpenErrorSubcode.UNSUPPORTED_VERSION, `unsupported version ${theirs.version}`, Uint8Array.of(0, 4));
  }
  const asn = openAsn(theirs);
  if (cfg.peerAs !== 'auto' && asn !== cfg.peerAs) {
    return reject(OpenErrorSubcode.BAD_PEER_AS, `peer AS ${asn}, expected ${cfg.peerAs}`);
  }
  const min = cfg.minHoldTime ?? 3;
  if (theirs.holdTime !== 0 && theirs.holdTime < min) {
    return reject(OpenErrorSubcode.UNACCEPTABLE_HOLD_TIME, `hold time ${theirs.holdTime} below ${min}`);
  }
  if (theirs.routerId.length !== 4 || isZero(theirs.routerId)) {
    return reject(OpenErrorSubcode.BAD_BGP_IDENTIFIER, 'router id 0.0.0.0');
  }
  // RFC 6286 §2.1: within one AS the identifiers must differ; across ASes they may be equal.
  if (asn === cfg.localAs && sameBytes(theirs.routerId, cfg.routerId)) {
    return reject(OpenErrorSubcode.BAD_BGP_IDENTIFIER, 'iBGP peer uses our router id');
  }
  return null;
}

function mpFamilies(o: Open): Set<FamilyKey> {
  const s = new Set<FamilyKey>();
  for (const c of o.capabilities)
    if (c.code === Cap.MULTIPROTOCOL) s.add(familyKey((c as { afi: number }).afi, (c as { safi: number }).safi));
  if (s.size === 0) s.add(IPV4_UNICAST);
  return s;
}

/**
 * RFC 8277 §2.1: the Multiple Labels counts of an OPEN for the negotiated families. Only the first triple of a
 * family counts; a Count of 0 or 1 says no more than a missing triple (one label).
 */
function labelCounts(o: Open, families: ReadonlySet<FamilyKey>): Map<FamilyKey, number> {
  const out = new Map<FamilyKey, number>();
  const seen = new Set<FamilyKey>();
  for (const c of o.capabilities) {
    if (c.code !== Cap.MULTIPLE_LABELS || !('families' in c)) continue;
    for (const f of (c as Extract<Capability, { code: 8 }>).families) {
      const k = familyKey(f.afi, f.safi);
      if (seen.has(k)) continue;
      seen.add(k);
      if (f.count >= 2 && families.has(k)) out.set(k, f.count);
    }
  }
  return out;
}

const has = (o: Open, code: number): boolean => o.capabilities.some((c) => c.code === code);
function find<C extends Capability['code']>(o: Open, code: C): Extract<Capability, { code: C }> | undefined {
  return o.capabilities.find((c) => c.code === code && !('unknown' in c)) as
    | Extract<Capability, { code: C }>
    | undefined;
}

function addPathModes(o: Open): Map<FamilyKey, number> {
  const m = new Map<FamilyKey, number>();
  for (const c of o.capabilities) {
    if (c.code !== Cap.ADD_PATH || 'unknown' in c) continue;
    for (const f of (c as { families: { afi: number; safi: number; mode: number }[] }).families)
      m.set(familyKey(f.afi, f.safi), f.mode);
  }
  return m;
}

/** Combine our OPEN (as sent) and the peer's (already accepted by checkOpen) into the session's parameters. */
export function negotiate(ours: Open, theirs: Open, localAs: number = openAsn(ours)): Negotiated {
  const peerAs = openAsn(theirs);
  const asn4 = has(ours, Cap.AS4) && has(theirs, Cap.AS4);
  // RFC 4271 §4.2: the smaller of the two; each is 0 or at least 3 (checked before).
  const holdTime = Math.min(ours.holdTime, theirs.holdTime);
  const keepaliveTime = holdTime === 0 ? 0 : Math.max(1, Math.floor(holdTime / 3));

  const mine = mpFamilies(ours);
  const families = new Set<FamilyKey>();
  for (const f of mpFamilies(theirs)) if (mine.has(f)) families.add(f);

  // RFC 7911 §4: receive path ids where we said "receive" and they said "send"; and the other way round.
  const ourAp = addPathModes(ours);
  const theirAp = addPathModes(theirs);
  const addPathReceive = new Set<FamilyKey>();
  const addPathSend = new Set<FamilyKey>();
  for (const [f, mode] of ourAp) {
    if (!families.has(f)) continue;
    const t = theirAp.get(f) ?? 0;
    if (mode & 1 && t & 2) addPathReceive.add(f);
    if (mode & 2 && t & 1) addPathSend.add(f);
  }

  const weExt = has(ours, Cap.EXTENDED_MESSAGE);
  const extendedMessage = weExt && has(theirs, Cap.EXTENDED_MESSAGE);

  const extendedNextHop = new Map<FamilyKey, number[]>();
  const ourEnh = find(ours, Cap.EXTENDED_NEXT_HOP);
  const theirEnh = find(theirs, Cap.EXTENDED_NEXT_HOP);
  if (ourEnh && theirEnh) {
    for (const e of ourEnh.entries) {
      if (!theirEnh.entries.some((t) => t.afi === e.afi && t.safi === e.safi && t.nextHopAfi === e.nextHopAfi))
        continue;
      const k = familyKey(e.afi, e.safi);
      const l = extendedNextHop.get(k) ?? [];
      l.push(e.nextHopAfi);
      extendedNextHop.set(k, l);
    }
  }

  const routeRefresh = has(theirs, Cap.ROUTE_REFRESH) || has(theirs, Cap.ROUTE_REFRESH_CISCO);
  const enhancedRouteRefresh = has(ours, Cap.ENHANCED_ROUTE_REFRESH) && has(theirs, Cap.ENHANCED_ROUTE_REFRESH);

  let gracefulRestart: GracefulRestartInfo | undefined;
  const theirGr = find(theirs, Cap.GRACEFUL_RESTART);
  if (theirGr && has(ours, Cap.GRACEFUL_RESTART)) {
    const fams = new Map<FamilyKey, boolean>();
    for (const f of theirGr.families) {
      const k = familyKey(f.afi, f.safi);
      if (families.has(k)) fams.set(k, (f.flags & 0x80) !== 0);
    }
    gracefulRestart = {
      restartTime: theirGr.restartTime,
      restarting: (theirGr.restartFlags & 0x8) !== 0,
      notification: (theirGr.restartFlags & 0x4) !== 0,
      families: fams,
    };
  }
  const host = find(theirs, Cap.HOSTNAME);
  const sw = find(theirs, Cap.SOFTWARE_VERSION);
  const labelsSend = labelCounts(theirs, families);
  const labelsReceive = labelCounts(ours, families);

  return {
    localAs,
    peerAs,
    ibgp: peerAs === localAs,
    peerRouterId: theirs.routerId,
    holdTime,
    keepaliveTime,
    asn4,
    families,
    addPathReceive,
    addPathSend,
    extendedMessage,
    extendedNextHop,
    routeRefresh,
    enhancedRouteRefresh,
    gracefulRestart,
    labelsSend,
    labelsReceive,
    peerHostname: host ? { hostname: host.hostname, domain: host.domain } : undefined,
    peerSoftwareVersion: sw?.version,
    // We accept large messages as soon as we announced the capability (RFC 8654 §3).
    recvCtx: { asn4, addPath: addPathReceive, maxMessage: weExt ? MAX_EXTENDED_MESSAGE : MAX_MESSAGE },
    sendCtx: { asn4, addPath: addPathSend, maxMessage: extendedMessage ? MAX_EXTENDED_MESSAGE : MAX_MESSAGE },
  };
}

/** A capability the peer refused, from the data of NOTIFICATION 2/7 (RFC 5492 §5: code, length, value...). */
export interface RefusedCapability {
  code: number;
  value: Uint8Array;
}

export function refusedCapabilities(n: Notification): RefusedCapability[] {
  if (n.code !== ErrorCode.OPEN_MESSAGE || n.subcode !== OpenErrorSubcode.UNSUPPORTED_CAPABILITY) return [];
  const out: RefusedCapability[] = [];
  const d = n.data;
  let off = 0;
  while (off + 2 <= d.length) {
    const code = d[off];
    const len = d[off + 1];
    if (off + 2 + len > d.length) break;
    out.push({ code, value: d.slice(off + 2, off + 2 + len) });
    off += 2 + len;
  }
  return out;
}

/**
 * Our capabilities minus those the peer refused. A refused MULTIPROTOCOL with its value names one family, which
 * alone is dropped; any other refused code drops every capability with that code.
 */
export function omitCapabilities(caps: Capability[], refused: RefusedCapability[]): Capability[] {
  return caps.filter((c) => {
    for (const r of refused) {
      if (r.code !== c.code) continue;
      if (c.code === Cap.MULTIPROTOCOL && r.value.length >= 4 && !('unknown' in c)) {
        const afi = (r.value[0] << 8) | r.value[1];
        const safi = r.value[3];
        const mp = c as { afi: number; safi: number };
        if (mp.afi === afi && mp.safi === safi) return false;
        continue;
      }
      return false;
    }
    return true;
  });
}
