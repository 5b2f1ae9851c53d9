// One configured neighbor at run time: its Peer (session), its Adj-RIB-In and Adj-RIB-Out, and the
// watchdogs and flow rules announced to it. The daemon owns the neighbors; events go out through `sink`.

import type { NeighborFacts } from '../api/commands';
import type { NeighborContext } from '../api/json';
import { confederationPlace } from '../config/confederation';
import type { NeighborConfig } from '../config/model';
import { AdjRibIn } from '../rib/adj-rib-in';
import { AdjRibOut } from '../rib/adj-rib-out';
import type { AttrInterner } from '../rib/attr-intern';
import { systemClock } from '../session/clock';
import type { Negotiated } from '../session/negotiate';
import { Peer, type PeerCapabilities } from '../session/peer';
import { ipToString } from '../wire/ip';
import { isLabeledFamily } from '../wire/nlri/labeled';
import { familyName } from '../wire/nlri/registry';
import { AFI, type FamilyKey, familyKey, SAFI } from '../wire/types';
import { FlowTable } from './flow-table';
import type { Logger } from './log';
import { LogBudget } from './log-budget';
import type { RibEntry } from './routes';
import { NeighborStats } from './stats';

/** Bytes of UPDATEs handed to the socket in one write (see Neighbor.pullJoined). */
const WRITE_BYTES = 65536;

/** What tsbgp sends in the software version capability (draft-abraitis-bgp-version-capability). */
export const SOFTWARE_VERSION = 'tsbgp/0.1.0';

/** setTimeout's longest delay (2^31 - 1 ms, about 24.8 days); Node fires a longer one at once. */
const MAX_TIMER_MS = 0x7fffffff;

export class Neighbor {
  readonly peer: Peer;
  readonly ribIn: AdjRibIn | null;
  readonly ribOut: AdjRibOut;
  /** Routes held back by `watchdog NAME` (announced on `announce watchdog NAME`). */
  readonly watchdogs = new Map<string, { entries: RibEntry[]; announced: boolean }>();
  /** FlowSpec rules announced to this neighbor, by family and NLRI bytes, with age, expiry and source. */
  readonly flows = new FlowTable();
  /**
   * Routes announced with `expires` (RTBH from programs and the DDoS mitigator): the flow table's expiry queue,
   * keyed by path id and NLRI entry, with the prefix as text. Empty for every route announced without it.
   */
  readonly timedRoutes = new FlowTable();
  /** One timer for every flow rule's and timed route's expiry, set for the soonest (Infinity: none set). */
  private flowTimer: NodeJS.Timeout | undefined;
  private flowTimerAt = Infinity;
  /** Told when the Adj-RIB-In deletes stale routes of a family (graceful restart): the roles drop them too. */
  stalePurged: ((family: FamilyKey) => void) | null = null;
  /** UPDATE messages sent and received in the current session (End-of-RIB included), for `show neighbor summary`. */
  updatesSent = 0;
  updatesReceived = 0;
  upSince = 0;
  /** Counters since the daemon started, last error and NOTIFICATION (for /metrics and the HTTP API). */
  readonly stats = new NeighborStats();
  /** The peer's RFC 7606 errors (treat-as-withdraw, attribute discard) logged: it can send them at will. */
  readonly updateErrors = new LogBudget();
  private wakeScheduled = false;

  constructor(
    readonly cfg: NeighborConfig,
    readonly localAs: number,
    interner: AttrInterner,
    readonly log: Logger,
    /** Port to connect to when the neighbor has no `connect` (exabgp.tcp.port, as ExaBGP's reactor/protocol.py). */
    defaultPort: number,
    openWait?: number,
  ) {
    const caps: PeerCapabilities = {
      asn4: cfg.capability.asn4,
      routeRefresh: cfg.capability.routeRefresh,
      enhancedRouteRefresh: cfg.capability.routeRefresh,
      extendedMessage: cfg.capability.extendedMessage,
    };
    if (cfg.capability.addPath !== 0) {
      caps.addPath = cfg.addPathFamilies.map((family) => ({ family, mode: cfg.capability.addPath }));
    }
    if (cfg.capability.gracefulRestart !== false) {
      // As ExaBGP 4.2 (reactor/peer.py FORCE_GRACEFUL): the R bit on every OPEN, since a speaker that starts cannot
      // tell a restart from a first start, and on a first start R only tells the peer not to wait for our
      // End-of-RIB (RFC 4724 §3); the F bit for every family, else the peer deletes our stale routes the moment
      // we are back instead of when our End-of-RIB has refreshed them (§4.2).
      caps.gracefulRestart = {
        restartTime: cfg.capability.gracefulRestart || cfg.holdTime,
        // By AFI then SAFI, the order ExaBGP 4.2 lists them in (checked against its OPEN, test/diff/open-exabgp).
        families: [...cfg.families].sort((a, b) => a - b),
        restarting: true,
        forwarding: true,
      };
    }
    if (cfg.nexthops.length > 0 && cfg.capability.nexthop !== false) {
      caps.extendedNextHop = cfg.nexthops.map((n) => ({
        afi: Math.floor(n.family / 256),
        safi: n.family % 256,
        nextHopAfi: n.nextHopAfi,
      }));
    }
    if (cfg.hostName !== '') caps.hostname = { hostname: cfg.hostName, domain: cfg.domainName };
    if (cfg.capability.softwareVersion) caps.softwareVersion = SOFTWARE_VERSION;
    if (cfg.capability.multipleLabels > 0) {
      const count = cfg.capability.multipleLabels;
      caps.multipleLabels = cfg.families.filter(isLabeledFamily).map((family) => ({ family, count }));
    }
    this.peer = new Peer({
      name: cfg.peerAddress,
      peerAddress: cfg.peerAddress,
      peerPort: cfg.connect || defaultPort,
      // ExaBGP binds outgoing connections to md5-ip, which defaults to local-address.
      localAddress: cfg.localAddress === 'auto' ? undefined : (cfg.md5Ip ?? cfg.localAddress),
      localAs,
      peerAs: cfg.peerAs,
      confederationPeer: confederationPlace(cfg) === 'member',
      routerId: cfg.routerId,
      holdTime: cfg.holdTime,
      passive: cfg.passive,
      families: cfg.families,
      capabilities: caps,
      openWait,
      security: { md5Key: cfg.md5Key, outgoingTtl: cfg.outgoingTtl, incomingTtl: cfg.incomingTtl },
    });
    // The clock runs the restart timer of a peer that went down with graceful restart (RFC 4724 §4.2): without
    // it the peer's stale routes would outlive its restart time.
    this.ribIn = cfg.adjRibIn
      ? new AdjRibIn({
          interner,
          clock: systemClock,
          onPurge: (family, count, why) => {
            log.info(`graceful restart: ${count} stale route(s) of ${familyName(family)} deleted (${why})`);
            this.stalePurged?.(family);
          },
        })
      : null;
    this.ribOut = new AdjRibOut(interner);
    this.ribOut.onTooManyLabels = (family, routes, max) =>
      log.warning(
        `${routes} ${familyName(family)} route(s) not sent: more than ${max} label(s), the most the peer accepts (RFC 8277 §2.1 Multiple Labels capability${max === 1 ? ' not received' : ''})`,
      );
    // Wake the peer once per turn of the event loop, not once per route: an API process's chunk of a few
    // thousand `announce route` lines then leaves as packed UPDATEs instead of one UPDATE per prefix.
    this.ribOut.onWork = () => {
      if (this.wakeScheduled) return;
      this.wakeScheduled = true;
      setImmediate(() => {
        this.wakeScheduled = false;
        this.peer.wake();
      });
    };
    this.peer.setSource({ pull: (max) => this.pullJoined(max) });
    this.stats.watch(this.peer);
  }

  /** Counts the UPDATEs among whole messages (type at octet 18, RFC 4271 §4.1); ROUTE-REFRESH markers are not. */
  private countUpdates(msgs: Uint8Array[]): void {
    for (const m of msgs) {
      if (m[18] !== 2) continue;
      this.updatesSent++;
      this.stats.count('sent', 'update');
    }
  }

  /**
   * The Adj-RIB-Out's messages joined into buffers of about WRITE_BYTES: a table where every route has its own
   * attributes is a million UPDATEs of a few dozen bytes, and one socket write each cost more than building
   * them. The bytes on the wire are the same; KEEPALIVEs still overtake (the Peer writes them directly).
   */
  private pullJoined(max: number): Uint8Array[] {
    const first = this.ribOut.pull(max);
    this.countUpdates(first);
    if (first.length <= 1) return first;
    const parts: Uint8Array[] = [];
    let bytes = 0;
    let msgs = first;
    for (;;) {
      for (const m of msgs) {
        parts.push(m);
        bytes += m.length;
      }
      if (bytes >= WRITE_BYTES) break;
      msgs = this.ribOut.pull(max);
      this.countUpdates(msgs);
      if (msgs.length === 0) break;
    }
    const out = new Uint8Array(bytes);
    let off = 0;
    for (const m of parts) {
      out.set(m, off);
      off += m.length;
    }
    return [out];
  }

  get negotiated(): Negotiated | null {
    return this.peer.negotiated;
  }

  /** The facts `neighbor IP local-ip ... peer-as ...` selectors match against. */
  facts(): NeighborFacts {
    const n = this.peer.negotiated;
    return {
      peerAddress: this.cfg.peerAddress,
      localAddress: this.localAddressText(),
      localAs: this.localAs,
      peerAs: n ? n.peerAs : this.cfg.peerAs === 'auto' ? undefined : this.cfg.peerAs,
      routerId: this.cfg.routerId,
      familyAllowed: this.familyAllowed(),
    };
  }

  /**
   * The neighbor's `family-allowed` as ExaBGP 4.2 names it for selectors (bgp/neighbor.py): `in-open`, or for a
   * multi-session neighbor its families in configured order as `afi-safi` joined with `/`.
   */
  private familyAllowed(): string {
    if (!this.cfg.capability.multiSession) return 'in-open';
    return this.cfg.families.map((f) => familyName(f).replace(' ', '-')).join('/');
  }

  localAddressText(): string | undefined {
    const l = this.peer.localAddress;
    if (l) return ipToString(l);
    return this.cfg.localAddress === 'auto' ? undefined : this.cfg.localAddress;
  }

  /** The neighbor as the JSON/text encoders name it. */
  context(): NeighborContext {
    const n = this.peer.negotiated;
    return {
      localAddress: this.localAddressText() ?? '',
      peerAddress: this.cfg.peerAddress,
      localAs: this.localAs,
      peerAs: n ? n.peerAs : this.cfg.peerAs === 'auto' ? 0 : this.cfg.peerAs,
    };
  }

  /**
   * Announce a route; with `expiry`, withdrawn by itself at `expiry.at` unless announced again first. Announced
   * again without it, the route loses its expiry, as a flow rule does.
   */
  announce(e: RibEntry, expiry?: { at: number; source: string }): void {
    this.ribOut.announce(e.family, e.entry, e.attributes, { pathId: e.pathId, nextHop: e.nextHop });
    if (expiry !== undefined) {
      this.timedRoutes.set(e.family, timedKey(e), e.pathId ?? 0, expiry.source, Date.now(), expiry.at, e.text);
      this.scheduleFlowExpiry();
    } else if (this.timedRoutes.size > 0) {
      this.timedRoutes.delete(e.family, timedKey(e));
    }
  }

  withdraw(e: RibEntry): boolean {
    if (this.timedRoutes.size > 0) this.timedRoutes.delete(e.family, timedKey(e));
    return this.ribOut.withdraw(e.family, e.entry, e.pathId ?? 0);
  }

  /** (Re)arm the expiry timer for the soonest expiry in the flow table and the timed routes, after one changed. */
  scheduleFlowExpiry(): void {
    const at = Math.min(this.flows.nextExpiry(), this.timedRoutes.nextExpiry());
    if (at === this.flowTimerAt) return;
    this.stopFlowExpiry();
    if (at === Infinity) return;
    this.flowTimerAt = at;
    // A later expiry than setTimeout can wait for is re-armed when the shorter wait ends.
    const ms = Math.min(MAX_TIMER_MS, Math.max(0, at - Date.now()));
    this.flowTimer = setTimeout(() => {
      this.flowTimer = undefined;
      this.flowTimerAt = Infinity;
      this.expireFlows();
    }, ms);
    // Expiries alone must not keep a stopping daemon alive.
    this.flowTimer.unref();
  }

  stopFlowExpiry(): void {
    if (this.flowTimer !== undefined) clearTimeout(this.flowTimer);
    this.flowTimer = undefined;
    this.flowTimerAt = Infinity;
  }

  /** Rules (and blackholes) that outlive the attack are the classic accident: withdraw them at their expiry. */
  private expireFlows(): void {
    const now = Date.now();
    for (const f of this.flows.expire(now)) {
      this.ribOut.withdraw(f.family, f.entry, f.pathId);
      this.log.info(`flow rule expired and withdrawn: ${f.text}`);
    }
    for (const r of this.timedRoutes.expire(now)) {
      this.ribOut.withdraw(r.family, r.entry.subarray(4), r.pathId);
      this.log.info(`route expired and withdrawn: ${r.text}`);
    }
    this.scheduleFlowExpiry();
  }
}

/** A timed route's key: its path id (4 bytes), then its NLRI entry, so that ADD-PATH paths expire apart. */
function timedKey(e: RibEntry): Uint8Array {
  const k = new Uint8Array(4 + e.entry.length);
  new DataView(k.buffer).setUint32(0, e.pathId ?? 0);
  k.set(e.entry, 4);
  return k;
}

/** IPv4 unicast, the family a neighbor has when nothing else is said. */
export const DEFAULT_FAMILY: FamilyKey = familyKey(AFI.IPV4, SAFI.UNICAST);
