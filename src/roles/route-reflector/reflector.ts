// Route reflection (RFC 4456) over the Loc-RIB. The neighbors that take part are the internal ones of a
// configuration where some neighbor is a `route-reflector-client`: clients, and the other internal neighbors
// (non-clients). What they send goes into the Loc-RIB; each best-path change is exported by RFC 4456 §6:
// a best path from a client to every other client and to the non-clients, one from a non-client to the
// clients only, never back to the neighbor it came from; where the new best may not go (or there is none any
// more), the previous one is withdrawn. Reflected paths carry ORIGINATOR_ID and CLUSTER_LIST (§8) and every
// other attribute as received: next hop, MED, communities, unknown optional transitive attributes (their
// Partial bit set, RFC 4271 §5); unknown optional non-transitive ones stay here (rib/pass-on.ts).
// Inside a confederation member AS (RFC 5065) the neighbors in other member ASes take part too: what they send
// goes to every other neighbor, and what the member AS knows goes to them, without reflection's attributes (the
// Adj-RIB-Out puts our member AS in front of the path, rib/adj-rib-out.ts).
// External neighbors feed the Loc-RIB as well (RFC 4456 §6 c: a path from an eBGP peer goes to every client and
// non-client), with LOCAL_PREF 100 (RFC 4271 §5.1.5: an external peer's is ignored) and without reflection's
// attributes; their own Adj-RIBs-Out are left to the configuration and programs, as before.
//
// The routes written for a member (its configuration's, the programs' sent to it) are paths of the speaker's
// own in the Loc-RIB, one source per member ("local (to ADDRESS)"), which the decision prefers after LOCAL_PREF
// (rib/decision.ts). Each member gets, for each destination, the better of two: the best path learned from the
// members when it may go to that member (mayGo), and the routes written for it. A route written for one member
// is never sent to another: it goes where the configuration or the program sent it, as in ExaBGP, and a member
// it was not written for still gets the best learned path.
//
// For IPv4 and IPv6 unicast nothing is copied per member: the destinations are numbered once (rib/dest-table.ts)
// with the best learned path's source and set, each member has a 16-bit cell per destination naming the source
// of what it gets (the learned best, its own written route under path id 0, or nothing), and its Adj-RIB-Out
// reads them through a view; the reflected set (ORIGINATOR_ID, CLUSTER_LIST) is made when the session pulls the
// route, cached per received set and cluster id, not per member. Other families (FlowSpec, VPN, ...), written
// routes under other path ids and ADD-PATH members (below) go into the member's Adj-RIB-Out table.
//
// A member whose session negotiated ADD-PATH with us sending (RFC 7911) for a family gets every path of each
// destination it may have instead (the same RFC 4456 §6 rule, path by path: none of its own, a non-client's
// only to clients), and every route written for it, each under its own path identifier: a learned path's comes
// from PathIds (its source and received path id, so it stays put when the best path changes), a written
// route's is the one it was written with. A path that leaves is withdrawn by its identifier.

import { ipBytes } from '../../config/addr';
import { confederationPlace } from '../../config/confederation';
import type { NeighborConfig } from '../../config/model';
import type { AdjRibOut, RouteOrigin } from '../../rib/adj-rib-out';
import type { AttrInterner, AttrSet } from '../../rib/attr-intern';
import { DEFAULT_LOCAL_PREF } from '../../rib/decision';
import { ClientView, DestTable, MAX_SOURCES } from '../../rib/dest-table';
import { type BestChange, LocRib, locRibFamily } from '../../rib/loc-rib';
import { passOnAttributes } from '../../rib/pass-on';
import { PathIds } from '../../rib/path-ids';
import { isConfed } from '../../wire/attributes/aspath';
import { readU32, u32Bytes } from '../../wire/bytes';
import {
  type FamilyKey,
  IPV4_UNICAST,
  IPV6_UNICAST,
  type NlriBlock,
  SAFI,
  safiOf,
  type Update,
} from '../../wire/types';

/** What the reflector needs of a configured neighbor (the daemon's Neighbor is one). */
export interface ReflectorNeighbor {
  readonly cfg: NeighborConfig;
  readonly ribOut: AdjRibOut;
  readonly localAs: number;
}

/** One neighbor taking part, with its counters for `show rib neighbors`. */
export interface Member {
  neighbor: ReflectorNeighbor;
  source: number;
  /** The source of the routes written for this neighbor (configuration, programs). */
  localSource: number;
  /** Where its Adj-RIB-Out sends those routes: into the Loc-RIB as paths of localSource. */
  origin: RouteOrigin;
  /** Its column in the DestTables' cells (-1 for an external neighbor: nothing learned goes to it). */
  slot: number;
  client: boolean;
  /** The neighbor is in another member AS of our confederation (RFC 5065 §5: confederation eBGP). */
  confed: boolean;
  /** An external neighbor (eBGP): its paths go to every other member; nothing learned goes to it. */
  external: boolean;
  /** The cluster id put first in CLUSTER_LIST of what is reflected to this neighbor (RFC 4456 §7). */
  clusterId: Uint8Array;
  families: ReadonlySet<FamilyKey>;
  /** The families its session negotiated ADD-PATH for with us sending (RFC 7911): it gets every path. */
  addPath: ReadonlySet<FamilyKey>;
  /** NLRI received in UPDATEs (announcements), those dropped as reflection loops (RFC 4456 §8). */
  received: number;
  loops: number;
  /** Reflected sets by the set received, for paths that came from this member (one per session). */
  reflected: WeakMap<AttrSet, WeakMap<Uint8Array, AttrSet>>;
  /** The last set reflected to this member, from whom, and what it became. */
  lastIn?: AttrSet;
  lastFrom?: Member;
  lastOut?: AttrSet;
}

export interface NeighborCounters {
  peer: string;
  role: 'client' | 'non-client' | 'confederation' | 'external';
  received: number;
  accepted: number;
  loops: number;
  exported: number;
  /** Routes written for this neighbor (configuration, programs) held in the Loc-RIB as local paths. */
  originated: number;
}

/** True when the neighbor's AS numbers make it internal (RFC 4271 §1.1); `auto` counts as not known. */
function internal(cfg: NeighborConfig): boolean {
  return cfg.localAs !== 'auto' && cfg.peerAs !== 'auto' && cfg.localAs === cfg.peerAs;
}

/**
 * An external neighbor whose paths the reflector passes on (RFC 4456 §6 c): AS numbers known, and not a route
 * server client (whose routes belong to the route server).
 */
function external(cfg: NeighborConfig): boolean {
  return cfg.localAs !== 'auto' && cfg.peerAs !== 'auto' && cfg.localAs !== cfg.peerAs && !cfg.routeServerClient;
}

/** RFC 4271 §9.1.2: a path from an external peer that carries our own AS went round a loop. */
function asLoop(u: Update, localAs: number): boolean {
  for (const seg of u.attributes.asPath ?? []) if (seg.asns.includes(localAs)) return true;
  return false;
}

/** A path that already went through our member AS or left our confederation (RFC 5065 §5, RFC 4271 §9.1.2). */
function confedLoop(u: Update, cfg: NeighborConfig): boolean {
  const c = cfg.confederation;
  if (c === undefined) return false;
  for (const seg of u.attributes.asPath ?? []) {
    const own = isConfed(seg.type) ? cfg.localAs : c.identifier;
    if (seg.asns.includes(own as number)) return true;
  }
  return false;
}

/** The guard the reflector's own Adj-RIB-Out changes pass: it decides every route of the families it takes. */
const always = (): boolean => true;

/**
 * RFC 4456 §6: a client's path goes to every peer, a non-client's to the clients only, an external peer's to
 * every internal one, nothing goes back where it came from; RFC 5065 §5: a confederation peer's paths go to
 * everyone and everything goes to confederation peers (they are external peers).
 */
function mayGo(from: Member | undefined, to: Member): from is Member {
  return (
    from !== undefined &&
    from !== to &&
    !to.external &&
    (from.client || to.client || from.confed || to.confed || from.external)
  );
}

/** The families members read through a view over the Loc-RIB (DestTable) instead of an Adj-RIB-Out table. */
const VIEW_FAMILIES: readonly FamilyKey[] = [IPV4_UNICAST, IPV6_UNICAST];

/**
 * A member's routes of one family as its Adj-RIB-Out reads them. `clear adj-rib out` (AdjRibOut.withdrawAll)
 * takes back the routes written for the member, through its origin; what the reflector decides stays.
 */
class MemberView extends ClientView {
  override withdrawAll(): number {
    return 0;
  }
}

/** Reflected sets are cached per target cluster id; sets passed over a confederation boundary under this key. */
const NO_REFLECTION = new Uint8Array(0);

/** True when the configuration asks for reflection at all: some neighbor is a `route-reflector-client`. */
export function reflectionConfigured(neighbors: readonly NeighborConfig[]): boolean {
  return neighbors.some((n) => n.routeReflectorClient === true);
}

export class RouteReflector {
  readonly rib: LocRib;
  private readonly members = new Map<ReflectorNeighbor, Member>();
  private readonly bySource: (Member | undefined)[] = [];
  /** The member whose written routes a local source holds, by source id. */
  private readonly localOf: (Member | undefined)[] = [];
  private readonly learned = (source: number): boolean => this.bySource[source] !== undefined;
  /** Set while a member's written route changes the Loc-RIB: only that member's Adj-RIB-Out can change then. */
  private quiet = false;
  /** The members as an array, for the export loop (run once per best change). */
  private order: Member[] = [];
  /** BGP identifiers and cluster ids of ours: a path carrying one came back to us (RFC 4456 §8). */
  private ownIds = new Set<number>();
  private ownClusters = new Set<number>();
  /** Sets from external peers with LOCAL_PREF 100, by the set received. */
  private readonly fromExternal = new WeakMap<AttrSet, AttrSet>();
  /** The members with some ADD-PATH family, told of changes to paths that are not the best. */
  private addPathMembers: Member[] = [];
  /** The path identifiers sent to ADD-PATH members for learned paths. */
  private readonly ids = new PathIds();
  /** The destinations of VIEW_FAMILIES, numbered, with what each member is to have; members by slot. */
  private readonly dests = new Map<FamilyKey, DestTable>();
  private readonly slots: (Member | undefined)[] = [];

  constructor(
    private readonly interner: AttrInterner,
    opts: { alwaysCompareMed?: boolean } = {},
  ) {
    this.rib = new LocRib(interner, { alwaysCompareMed: opts.alwaysCompareMed });
    for (const f of VIEW_FAMILIES) this.dests.set(f, new DestTable(f));
    this.rib.onBest = (c) => this.export(c);
    this.rib.onOther = (f, entry, head) => {
      if (this.quiet) return;
      if (this.hasLocal(head)) this.settleAll(f, entry, head);
      else for (const m of this.addPathMembers) if (m.addPath.has(f)) this.placeAll(m, f, entry, head);
    };
  }

  /** The members, in the order they were added. */
  list(): Member[] {
    return this.order.slice();
  }

  member(n: ReflectorNeighbor): Member | undefined {
    return this.members.get(n);
  }

  memberBySource(source: number): Member | undefined {
    return this.bySource[source];
  }

  /**
   * Make the members the internal neighbors of `neighbors` (after start or a reload): new ones are added,
   * those no longer there have their paths withdrawn. `globalCluster` is the top-level cluster-id.
   */
  sync(neighbors: readonly ReflectorNeighbor[], globalCluster: string | undefined): void {
    const keep = new Set<ReflectorNeighbor>();
    for (const n of neighbors) {
      const place = confederationPlace(n.cfg);
      const confed = place === 'member';
      const ext = !confed && external(n.cfg);
      if (!internal(n.cfg) && !confed && !ext) continue;
      keep.add(n);
      const cluster = ipBytes(n.cfg.clusterId ?? globalCluster ?? n.cfg.routerId)!;
      const had = this.members.get(n);
      if (had !== undefined) {
        // A reload may change the top-level cluster-id under a kept session: what is reflected from now on
        // carries the new one.
        if (readU32(had.clusterId, 0) !== readU32(cluster, 0)) {
          had.clusterId = cluster;
          had.lastIn = had.lastFrom = had.lastOut = undefined;
          // Its view's routes are reflected at send time: sent again, they carry the new one at once.
          if (had.slot >= 0) for (const t of this.dests.values()) t.views[had.slot]?.enqueueAll();
        }
        continue;
      }
      const address = ipBytes(n.cfg.peerAddress) ?? new Uint8Array(4);
      // A cell names a source in 15 bits; source ids are never reused.
      if (this.rib.sourceCount + 2 >= MAX_SOURCES)
        throw new RangeError(`route reflector: more than ${MAX_SOURCES >> 1} members over the daemon's life`);
      const kind = confed ? 'confed' : ext ? 'ebgp' : 'ibgp';
      const source = this.rib.addSource({ name: n.cfg.peerAddress, kind, routerId: 0, address });
      const localSource = this.rib.addSource({
        name: `local (to ${n.cfg.peerAddress})`,
        kind: 'local',
        routerId: readU32(ipBytes(n.cfg.routerId)!, 0),
        address,
      });
      const m: Member = {
        neighbor: n,
        source,
        localSource,
        slot: ext ? -1 : this.freeSlot(),
        client: n.cfg.routeReflectorClient === true,
        confed,
        external: ext,
        clusterId: cluster,
        families: new Set(n.cfg.families.filter(locRibFamily)),
        addPath: new Set(),
        received: 0,
        loops: 0,
        reflected: new WeakMap(),
        origin: undefined as unknown as RouteOrigin,
      };
      m.origin = this.originFor(m);
      this.members.set(n, m);
      this.bySource[source] = m;
      this.localOf[localSource] = m;
      if (m.slot >= 0) this.slots[m.slot] = m;
      for (const f of this.dests.keys()) this.useView(m, f, true);
      // An external neighbor's Adj-RIB-Out stays the configuration's and the programs' alone.
      if (!ext) this.adopt(m);
    }
    for (const [n, m] of this.members) {
      if (keep.has(n)) continue;
      this.members.delete(n);
      this.bySource[m.source] = undefined;
      this.localOf[m.localSource] = undefined;
      if (n.ribOut.origin === m.origin) n.ribOut.origin = null;
      this.quietly(() => this.rib.withdrawSource(m.localSource));
      this.rib.withdrawSource(m.source);
      for (const f of this.dests.keys()) this.useView(m, f, false);
      if (m.slot >= 0) this.slots[m.slot] = undefined;
    }
    this.order = [...this.members.values()];
    this.addPathMembers = this.order.filter((m) => m.addPath.size > 0);
    this.ownIds = new Set([...this.members.keys()].map((n) => readU32(ipBytes(n.cfg.routerId)!, 0)));
    this.ownClusters = new Set([...this.members.values()].map((m) => readU32(m.clusterId, 0)));
  }

  private freeSlot(): number {
    const i = this.slots.indexOf(undefined);
    return i < 0 ? this.slots.length : i;
  }

  /**
   * Whether member m reads family f (a view family) through its view: yes unless it is external, lacks the
   * family, or gets every path (ADD-PATH: its Adj-RIB-Out table holds them). Its column is cleared when given up.
   */
  private useView(m: Member, f: FamilyKey, on: boolean): void {
    const t = this.dests.get(f)!;
    const want = on && m.slot >= 0 && m.families.has(f) && !m.addPath.has(f);
    const v = m.slot < 0 ? undefined : t.views[m.slot];
    if (want === (v !== undefined)) return;
    if (want) {
      const nv = new MemberView(t, m.slot, (d, src) => this.resolve(m, t, d, src));
      t.addView(m.slot, nv);
      m.neighbor.ribOut.setView(f, nv);
      return;
    }
    // The view's routes are read (and withdrawn from a session still up) before its column is cleared.
    m.neighbor.ribOut.setView(f, null);
    t.dropView(m.slot);
  }

  /**
   * Counters per member for `show rib neighbors`: NLRI received in announcements, paths held in the Loc-RIB
   * (accepted), paths dropped as loops, routes in its Adj-RIB-Out (exported: reflected and configured).
   */
  counters(): NeighborCounters[] {
    return this.list().map((m) => ({
      peer: m.neighbor.cfg.peerAddress,
      role: m.client ? 'client' : m.confed ? 'confederation' : m.external ? 'external' : 'non-client',
      received: m.received,
      accepted: this.rib.heldFrom(m.source),
      loops: m.loops,
      exported: m.neighbor.ribOut.size,
      originated: this.rib.heldFrom(m.localSource),
    }));
  }

  /**
   * The member's session is up: its peer's BGP identifier is known now (RFC 4456 §8 ORIGINATOR_ID), and the
   * families it negotiated ADD-PATH for with us sending (RFC 7911). Called before its Adj-RIB-Out is attached:
   * where that changed, its Adj-RIB-Out is filled again for the other way, and the session sends the result.
   */
  up(n: ReflectorNeighbor, peerRouterId: Uint8Array, addPathSend: ReadonlySet<FamilyKey> = new Set()): void {
    const m = this.members.get(n);
    if (!m) return;
    this.rib.source(m.source).routerId = readU32(peerRouterId, 0);
    m.reflected = new WeakMap();
    // What was reflected from m to the others carried its old identifier.
    for (const o of this.members.values()) if (o.lastFrom === m) o.lastIn = o.lastFrom = o.lastOut = undefined;
    const had = m.addPath;
    // Nothing learned goes to an external neighbor, with ADD-PATH or without.
    m.addPath = m.external ? had : new Set([...m.families].filter((f) => addPathSend.has(f)));
    this.addPathMembers = this.order.filter((o) => o.addPath.size > 0);
    for (const f of m.families) if (had.has(f) !== m.addPath.has(f)) this.refill(m, f);
  }

  /** Everything placed in m's Adj-RIB-Out for family f taken out, and placed again from the Loc-RIB. */
  private refill(m: Member, f: FamilyKey): void {
    const out = m.neighbor.ribOut;
    const held: [Uint8Array, number][] = [];
    out.forEachAt(f, (buf, off, len, pathId) => held.push([buf.slice(off, off + len), pathId]));
    for (const [entry, pathId] of held) out.withdraw(f, entry, pathId, always);
    if (this.dests.has(f)) this.useView(m, f, true);
    this.rib.scan(f, (entry, head) => this.settle(m, f, entry, head, this.rib.bestWhere(head, this.learned), 0));
  }

  /**
   * The member's session went down: its paths leave the Loc-RIB (and the other members' Adj-RIBs-Out). Under
   * graceful restart (`kept`: the families the peer's capability covers, RFC 4724 §4.2), the paths of those
   * families stay, stale, until stale() is told they were not refreshed.
   */
  down(n: ReflectorNeighbor, kept?: Iterable<FamilyKey>): void {
    const m = this.members.get(n);
    if (!m) return;
    if (kept === undefined) {
      this.rib.withdrawSource(m.source);
      return;
    }
    const keep = new Set(kept);
    this.rib.markStale(m.source);
    for (const f of this.rib.families()) if (!keep.has(f)) this.rib.withdrawSource(m.source, f);
  }

  /** The member's stale paths of a family were not refreshed (End-of-RIB, or a restart timer ran out). */
  stale(n: ReflectorNeighbor, family: FamilyKey): void {
    const m = this.members.get(n);
    if (m) this.rib.withdrawSource(m.source, family, true);
  }

  /** An UPDATE from a member, with the attribute set interned for it (null: nothing to announce). */
  receive(n: ReflectorNeighbor, u: Update, set: AttrSet | null): void {
    const m = this.members.get(n);
    if (!m || u.eorFamily !== undefined) return;
    const rib = this.rib;
    if (u.withdrawn.count > 0) rib.applyBlock(u.withdrawn, m.source, null);
    const mpu = u.attributes.mpUnreach;
    if (mpu && mpu.nlri.count > 0) rib.applyBlock(mpu.nlri, m.source, null);
    const mpr = u.attributes.mpReach;
    const count = u.nlri.count + (mpr?.nlri.count ?? 0);
    if (count === 0) return;
    // RFC 7606 treat-as-withdraw, or a path that went round (RFC 4456 §8): its NLRI are withdrawn.
    let use = u.issues.some((i) => i.action === 'treat-as-withdraw') ? null : set;
    if (use !== null) {
      m.received += count;
      const ownAs = m.external && n.cfg.confederation === undefined && asLoop(u, n.localAs);
      if (this.looped(u) || confedLoop(u, n.cfg) || ownAs) {
        m.loops += count;
        use = null;
      } else if (m.external) use = this.externalSet(use);
    }
    if (u.nlri.count > 0) rib.applyBlock(u.nlri, m.source, use);
    // RFC 8955 §6: a FlowSpec rule from an external peer must first be validated against the unicast routes,
    // which is not done here: such rules stay out of the Loc-RIB (programs still get them).
    const unvalidated = m.external && mpr !== undefined && safiOf(mpr.family) === SAFI.FLOW;
    if (mpr && mpr.nlri.count > 0 && !unvalidated) rib.applyBlock(mpr.nlri as NlriBlock, m.source, use);
  }

  /** RFC 4271 §5.1.5: the LOCAL_PREF of a path from an external peer is ours to set (the default, 100). */
  private externalSet(set: AttrSet | null): AttrSet | null {
    if (set === null || set.attributes.localPref === DEFAULT_LOCAL_PREF) return set;
    let out = this.fromExternal.get(set);
    if (out === undefined) {
      out = this.interner.intern({ ...set.attributes, localPref: DEFAULT_LOCAL_PREF }, set.nextHop);
      this.fromExternal.set(set, out);
    }
    return out;
  }

  /** RFC 4456 §8: our own BGP identifier as ORIGINATOR_ID, or one of our cluster ids in CLUSTER_LIST. */
  private looped(u: Update): boolean {
    const a = u.attributes;
    if (a.originatorId !== undefined && this.ownIds.has(readU32(a.originatorId, 0))) return true;
    if (a.clusterList !== undefined)
      for (const c of a.clusterList) if (this.ownClusters.has(readU32(c, 0))) return true;
    return false;
  }

  /**
   * A new member: the routes already written for it (loaded before the role existed, or before the neighbor
   * was added by a reload) become its local paths, the routes written from now on follow, and it gets what
   * the Loc-RIB already holds for it.
   */
  private adopt(m: Member): void {
    const out = m.neighbor.ribOut;
    this.quietly(() => {
      for (const f of m.families) {
        out.forEachAt(f, (buf, off, len, pathId, set) => {
          this.rib.announce(f, buf, off, len, m.localSource, pathId, set);
        });
        // The view's routes are not in the table: they come back through the view (or settle() for other path
        // ids), so none is sent twice.
        if (this.dests.has(f)) out.withdrawAll(f);
      }
    });
    out.origin = m.origin;
    // Its written routes of the view families are placed back through its view like the learned paths.
    let held = this.rib.heldFrom(m.localSource);
    for (const o of this.members.values()) held += this.rib.heldFrom(o.source);
    if (held === 0) return;
    for (const f of m.families)
      this.rib.scan(f, (entry, head) => this.settle(m, f, entry, head, this.rib.bestWhere(head, this.learned), 0));
  }

  private quietly(fn: () => void): void {
    this.quiet = true;
    try {
      fn();
    } finally {
      this.quiet = false;
    }
  }

  /** The member's written routes, as its Adj-RIB-Out hands them over (see AdjRibOut.origin). */
  private originFor(m: Member): RouteOrigin {
    const rib = this.rib;
    return {
      takes: (f) => m.families.has(f),
      announce: (f, buf, off, len, set, pathId) => {
        let changed = false;
        this.quietly(() => {
          changed = rib.announce(f, buf, off, len, m.localSource, pathId, set);
        });
        if (!changed) return;
        const head = rib.headAt(f, buf, off, len);
        const learned = rib.bestWhere(head, this.learned);
        this.settle(m, f, buf.subarray(off, off + len), head, learned, m.localSource + 1);
      },
      withdraw: (f, entry, pathId) => {
        let had = false;
        this.quietly(() => {
          had = rib.withdraw(f, entry, 0, entry.length, m.localSource, pathId);
        });
        if (had) this.localGone(m, f, entry, pathId);
        return had;
      },
      withdrawAll: (family) => {
        let n = 0;
        this.quietly(() => {
          n = rib.withdrawSource(m.localSource, family, false, (f, entry, pathId) =>
            this.localGone(m, f, entry, pathId),
          );
        });
        return n;
      },
    };
  }

  /** A route written for m left the Loc-RIB: out of m's Adj-RIB-Out, and what m gets for it chosen again. */
  private localGone(m: Member, f: FamilyKey, entry: Uint8Array, pathId: number): void {
    // The reflected path only ever takes path id 0; a written route with another one goes with it.
    if (pathId !== 0) m.neighbor.ribOut.withdraw(f, entry, pathId, always);
    const head = this.rib.headAt(f, entry, 0, entry.length);
    this.settle(m, f, entry, head, head < 0 ? -1 : this.rib.bestWhere(head, this.learned), 0);
  }

  /** True when some path of the list is a route written for a member. */
  private hasLocal(head: number): boolean {
    const rib = this.rib;
    for (let s = head; s >= 0; s = rib.slotNext(s)) if (this.localOf[rib.slotSource(s)] !== undefined) return true;
    return false;
  }

  /** Every member brought in line with a destination that has routes written for some. */
  private settleAll(f: FamilyKey, entry: Uint8Array, head: number): void {
    const rib = this.rib;
    const best = rib.bestWhere(head, this.learned);
    // Members getting the learned best are sent it again only when it is another path or another set.
    let changed = 0;
    const t = this.dests.get(f);
    if (t !== undefined && best >= 0) {
      const d = t.lookup(entry, 0, entry.length);
      const src = rib.slotSource(best) + 1;
      if (d < 0 || t.best[d] !== src || t.bestSet[d] !== rib.slotSet(best)) changed = src;
    }
    for (const m of this.order) this.settle(m, f, entry, head, best, changed);
  }

  /**
   * What m gets for one destination: `learned` (the best path learned from the members, a slot or -1) passed
   * on when it may go to m (mayGo) and beats the routes written for m; else those routes, each with its path
   * id; else nothing. `changed`: the source id + 1 whose path changed, sent again to a member whose cell names
   * it (views only; a table compares the sets).
   */
  private settle(m: Member, f: FamilyKey, entry: Uint8Array, head: number, learned: number, changed: number): void {
    if (!m.families.has(f) || m.external) return;
    if (m.addPath.has(f)) {
      this.placeAll(m, f, entry, head);
      return;
    }
    const rib = this.rib;
    const out = m.neighbor.ribOut;
    const t = this.dests.get(f);
    const from = learned < 0 ? undefined : this.bySource[rib.slotSource(learned)];
    let own = -1;
    for (let s = head; s >= 0; s = rib.slotNext(s))
      if (rib.slotSource(s) === m.localSource) own = own < 0 ? s : rib.better(own, s);
    const pass = mayGo(from, m) && (own < 0 || rib.better(learned, own) === learned);
    let zero = false;
    for (let s = own < 0 ? -1 : head; s >= 0; s = rib.slotNext(s)) {
      if (rib.slotSource(s) !== m.localSource) continue;
      const id = rib.slotPathId(s);
      // Under path id 0, in a view family, the cell names it (below).
      if (id === 0 && t !== undefined) zero = true;
      else if (pass) {
        if (id !== 0) out.withdraw(f, entry, id, always);
      } else {
        out.announceAt(f, entry, 0, entry.length, rib.slotSet(s), id, always);
        zero ||= id === 0;
      }
    }
    if (t !== undefined) {
      const want = pass ? rib.slotSource(learned) + 1 : zero ? m.localSource + 1 : 0;
      const d = want === 0 ? t.lookup(entry, 0, entry.length) : t.number(entry, 0, entry.length);
      if (d < 0) return;
      this.noteBest(t, d, learned);
      t.views[m.slot]!.put(d, want, changed);
      this.wake(t);
      return;
    }
    if (pass) out.announceAt(f, entry, 0, entry.length, this.reflect(from!, m, rib.slotSet(learned)), 0, always);
    else if (!zero) out.withdraw(f, entry, 0, always);
  }

  /** Destination d's best learned path (a slot or -1), which the members' cells naming a learned source mean. */
  private noteBest(t: DestTable, d: number, learned: number): void {
    if (learned >= 0) {
      t.best[d] = this.rib.slotSource(learned) + 1;
      t.bestSet[d] = this.rib.slotSet(learned);
      return;
    }
    t.best[d] = 0;
    t.bestSet[d] = undefined;
    t.toLimbo(d);
  }

  /** The sessions of the views that queued something are told, once per change. */
  private wake(t: DestTable): void {
    for (const v of t.views) if (v?.woke) v.wake();
  }

  /**
   * What an ADD-PATH member's Adj-RIB-Out holds for one destination (list head `head`, -1: none left): every
   * learned path that may go to it (mayGo), reflected, under its PathIds identifier, and every route written for
   * it under its own; whatever else it held there is withdrawn.
   */
  private placeAll(m: Member, f: FamilyKey, entry: Uint8Array, head: number): void {
    const rib = this.rib;
    const out = m.neighbor.ribOut;
    const want = new Map<number, AttrSet>();
    for (let s = head; s >= 0; s = rib.slotNext(s)) {
      const src = rib.slotSource(s);
      if (src === m.localSource) want.set(rib.slotPathId(s), rib.slotSet(s));
      else {
        const from = this.bySource[src];
        if (mayGo(from, m)) want.set(this.ids.id(src, rib.slotPathId(s)), this.reflect(from, m, rib.slotSet(s)));
      }
    }
    for (const p of out.paths(f, entry)) if (!want.has(p.pathId)) out.withdraw(f, entry, p.pathId, always);
    for (const [id, set] of want) out.announceAt(f, entry, 0, entry.length, set, id, always);
  }

  /** A best-path change: passed on as it is where no member has a route of its own written there. */
  private export(c: BestChange): void {
    if (this.quiet) return;
    if (c.head >= 0 && this.hasLocal(c.head)) {
      this.settleAll(c.family, c.entry, c.head);
      return;
    }
    const from = c.source < 0 ? undefined : this.bySource[c.source];
    const t = this.dests.get(c.family);
    if (t !== undefined) {
      this.exportView(t, c, from);
      for (const m of this.addPathMembers) if (m.addPath.has(c.family)) this.placeAll(m, c.family, c.entry, c.head);
      return;
    }
    const order = this.order;
    for (let i = 0; i < order.length; i++) {
      const m = order[i]!;
      if (!m.families.has(c.family) || m.external) continue;
      if (m.addPath.size !== 0 && m.addPath.has(c.family)) {
        this.placeAll(m, c.family, c.entry, c.head);
        continue;
      }
      const out = m.neighbor.ribOut;
      if (mayGo(from, m))
        out.announceAt(c.family, c.entry, 0, c.entry.length, this.reflect(from, m, c.set!), 0, always);
      else if (c.oldSource >= 0) out.withdraw(c.family, c.entry, 0, always);
    }
  }

  /**
   * export() for a view family: the destination's best learned path noted once, and each member's cell set to
   * it or to nothing (mayGo); every member that gets it has it queued, since the set changed.
   */
  private exportView(t: DestTable, c: BestChange, from: Member | undefined): void {
    const len = c.entry.length;
    const d = from === undefined ? t.lookup(c.entry, 0, len) : t.number(c.entry, 0, len);
    if (d < 0) return;
    const want = from === undefined ? 0 : c.source + 1;
    t.best[d] = want;
    t.bestSet[d] = from === undefined ? undefined : c.set!;
    const views = t.views;
    const slots = this.slots;
    for (let i = 0; i < views.length; i++) {
      const v = views[i];
      if (v !== undefined) v.put(d, mayGo(from, slots[i]!) ? want : 0, want);
    }
    this.wake(t);
    if (want === 0) {
      t.toLimbo(d);
      t.reclaim();
    }
  }

  /**
   * The set member m is sent for destination d of `t`, whose cell names source `src`: the route written for m
   * under path id 0 as written, or the best learned path reflected (looked up as the session pulls it).
   */
  private resolve(m: Member, t: DestTable, d: number, src: number): AttrSet | undefined {
    const rib = this.rib;
    if (src === m.localSource) {
      for (let s = rib.headAt(t.family, t.keys, t.entryOff(d), t.entryLen(d)); s >= 0; s = rib.slotNext(s))
        if (rib.slotSource(s) === src && rib.slotPathId(s) === 0) return rib.slotSet(s);
      return undefined;
    }
    const from = this.bySource[src];
    if (from === undefined || t.best[d] !== src + 1) return undefined;
    return this.reflect(from, m, t.bestSet[d]!);
  }

  /**
   * RFC 4456 §8: ORIGINATOR_ID is the BGP identifier of the peer the path came from unless it has one
   * already; the cluster id of the reflector toward `to` goes first in CLUSTER_LIST. Everything else is
   * kept as received, next hop included, but unknown optional non-transitive attributes (RFC 4271 §9.1.3).
   * Interned once per received set and cluster id.
   */
  private reflect(from: Member, to: Member, set: AttrSet): AttrSet {
    // Routes come in runs that share a set (one UPDATE's NLRI): the last answer per target is kept.
    if (to.lastIn === set && to.lastFrom === from) return to.lastOut!;
    const out = this.reflectOnce(from, to, set);
    to.lastIn = set;
    to.lastFrom = from;
    to.lastOut = out;
    return out;
  }

  private reflectOnce(from: Member, to: Member, set: AttrSet): AttrSet {
    let byCluster = from.reflected.get(set);
    if (byCluster === undefined) from.reflected.set(set, (byCluster = new WeakMap()));
    // Over a confederation boundary, or from an external peer, a path is passed on, not reflected: no
    // ORIGINATOR_ID nor CLUSTER_LIST.
    const reflected = !from.confed && !to.confed && !from.external;
    const key = reflected ? to.clusterId : NO_REFLECTION;
    const hit = byCluster.get(key);
    if (hit !== undefined) return hit;
    const a = set.attributes;
    const attrs = { ...passOnAttributes(a) };
    if (reflected) {
      attrs.originatorId = a.originatorId ?? u32Bytes(this.rib.source(from.source).routerId);
      attrs.clusterList = [to.clusterId, ...(a.clusterList ?? [])];
    }
    // RFC 2545 §3: a link-local next hop is only for peers on the link of the global one, which a reflector
    // cannot know: the global address goes on alone.
    const nh = set.nextHop?.length === 32 ? set.nextHop.subarray(0, 16) : set.nextHop;
    const out = this.interner.intern(attrs, nh);
    byCluster.set(key, out);
    return out;
  }
}
