// Adj-RIB-Out (RFC 4271 §3.2) of one peer: the routes we want it to have, and the changes not yet sent.
// Messages are built on demand by pull(), so the session asks for more only when its socket has drained:
// memory stays bounded by the desired table, whatever the speed of the peer.

import { isConfed, withoutConfed } from '../wire/attributes/aspath';
import { AttrCode, AttrFlag } from '../wire/attributes/codes';
import { bytesEqual, bytesToHex, writeU32 } from '../wire/bytes';
import { hasRouteIdentity, routeIdentity } from '../wire/nlri/identity';
import { isLabeledFamily, vpnNextHop, withdrawalEntry } from '../wire/nlri/labeled';
import { encodeRouteRefresh } from '../wire/refresh';
import {
  AFI,
  type AsPathSegment,
  type Attributes,
  afiOf,
  type CodecContext,
  type FamilyKey,
  IPV4_UNICAST,
  MessageType,
  SAFI,
  SegmentType,
  safiOf,
} from '../wire/types';
import { type ByteSink, encodeAttributes, encodeEndOfRib, packUpdates } from '../wire/update';
import { AttrInterner, AttrSet } from './attr-intern';
import { NlriTable } from './nlri-table';

/** What export needs to know of the established session. */
export interface ExportSession {
  localAs: number;
  peerAs: number;
  ibgp: boolean;
  /**
   * RFC 5065, when we are in a confederation: `internal` the peer is in our member AS (iBGP), `member` in
   * another member AS (confederation eBGP), `outside` outside the confederation (localAs is then its identifier).
   */
  confederation?: 'internal' | 'member' | 'outside';
  families: ReadonlySet<FamilyKey>;
  addPathSend: ReadonlySet<FamilyKey>;
  sendCtx: CodecContext;
  /** Our address on the session (4 or 16 bytes): what next-hop "self" becomes. */
  localAddress: Uint8Array;
  /** RFC 7313: send BoRR/EoRR around a refresh. */
  enhancedRouteRefresh?: boolean;
  /** `manual-eor`: no End-of-RIB after the initial table; the API sends it (`announce eor`), as in ExaBGP 4.2. */
  manualEor?: boolean;
  /**
   * RFC 8277 §2.1: the most labels a route may carry per family, from the peer's Multiple Labels capability; a
   * labeled family missing here takes one label.
   */
  labels?: ReadonlyMap<FamilyKey, number>;
}

export interface AnnounceOptions {
  /** RFC 7911 path identifier (sent only when ADD-PATH send is negotiated for the family). */
  pathId?: number;
  /** Next hop for MP families, or 'self' for the local address of the session (any family). */
  nextHop?: Uint8Array | 'self';
}

/**
 * Where the routes written for a neighbor (its configuration's, the programs') go when a role decides what its
 * peer gets: route reflection puts them in its Loc-RIB as the speaker's own paths, and places the winner back.
 */
export interface RouteOrigin {
  /** True for the families the role decides; the others stay in the table as written. */
  takes(family: FamilyKey): boolean;
  announce(family: FamilyKey, buf: Uint8Array, off: number, len: number, set: AttrSet, pathId: number): void;
  withdraw(family: FamilyKey, entry: Uint8Array, pathId: number): boolean;
  /** Every written route of a family (all when undefined) taken back; returns how many. */
  withdrawAll(family?: FamilyKey): number;
}

/** Interned marker for next-hop self (an empty next hop never occurs otherwise). */
const SELF = new Uint8Array(0);
const NO_ATTRS: Attributes = {};
/** Entries taken from the send queue per round: bounds the work (and garbage) of one pull(). */
const BATCH = 8192;
/** RFC 4271 §4.1 header (marker, length, type) then §4.3 withdrawn routes length and path attribute length. */
const UPDATE_FIXED = 19 + 2 + 2;
/** Number of the drain() batch, shared by every Adj-RIB-Out since they share attribute sets (AttrSet.mark). */
let batchNo = 0;
// The groups of one batch as linked lists over its entries: no array or Map entry per attribute set, which
// matters when every route has a set of its own. Group g's entries are first[g], link[first[g]], ...
const batchEntry = new Int32Array(BATCH);
const batchLink = new Int32Array(BATCH);
const groupFirst = new Int32Array(BATCH);
const groupLast = new Int32Array(BATCH);
/** Where a set's path attributes towards the session are built when export works on the bytes. */
const exportSink: ByteSink = { bytes: new Uint8Array(4096), length: 0 };

// UPDATEs are cut from shared buffers: a million small messages (one route per attribute set) are then views
// into a few hundred buffers instead of a million buffers of their own.
const POOL = 65536;
let pool = new Uint8Array(POOL);
let poolUsed = 0;
function messageBuffer(n: number): Uint8Array {
  if (n > POOL >> 2) return new Uint8Array(n);
  if (poolUsed + n > POOL) {
    pool = new Uint8Array(POOL);
    poolUsed = 0;
  }
  const m = pool.subarray(poolUsed, poolUsed + n);
  poolUsed += n;
  return m;
}

/**
 * What drain() reads a family's queued routes from: the NlriTable of the routes given to this Adj-RIB-Out, or
 * an ExportView. Entries are numbers; their key bytes (4-byte path id, then the NLRI entry) are at
 * keys[keyStart(e), keyEnd(e)).
 */
export interface OutTable {
  readonly pending: number;
  /** Next queued entry (taken out of the queue), or -1. */
  dequeue(): number;
  /** The set to announce for an entry, undefined to withdraw it. */
  get(e: number): AttrSet | undefined;
  readonly keys: Uint8Array;
  keyStart(e: number): number;
  keyEnd(e: number): number;
  /** Called after withdrawals left the queue: entries no longer needed may be forgotten. */
  compact(): void;
}

/**
 * Routes of one family that another part (the route server) decides for this peer and keeps in its own compact
 * form, read by this Adj-RIB-Out as they are sent instead of copied into it: `setView()`. The view queues what
 * changed while the session is attached, and says what to send for an entry when drain() pulls it.
 */
export interface ExportView extends OutTable {
  /** Routes wanted at the peer. */
  readonly size: number;
  /** Session up (true) and the family negotiated: queue every route; false: nothing is queued any more. */
  attach(on: boolean): void;
  /** Queue every route again (ROUTE-REFRESH). */
  enqueueAll(): void;
  /** Want none of the routes any more (until the owner decides again); returns how many there were. */
  withdrawAll(): number;
  /** Every route wanted, for display. */
  routes(): Iterable<{ entry: Uint8Array; pathId: number; attributes: AttrSet }>;
  /** The set wanted for a route, or undefined. */
  find(entry: Uint8Array, pathId: number): AttrSet | undefined;
  /** Called by the view when it queued something (the Adj-RIB-Out points it at onWork). */
  onWork: (() => void) | null;
}

interface Exported {
  attributes: Attributes;
  nextHop?: Uint8Array;
  /**
   * The encoded path attributes when the routes go as IPv4 NLRI in the UPDATE body (RFC 4271 §4.3), which
   * is then the same for every message of the set: computed once per set and session.
   */
  v4body?: Uint8Array | null;
}

export class AdjRibOut {
  readonly interner: AttrInterner;
  /** family → (path id, NLRI entry) → attributes, with the send queue of that family. */
  private readonly tables = new Map<FamilyKey, NlriTable<AttrSet>>();
  /**
   * Labeled families (RFC 8277, RFC 4364): path id and RD + prefix (the route) → the entry, labels included,
   * that the table holds for it. The labels are not part of what identifies the route, so a route announced
   * again with other labels replaces the one before, and a withdrawal finds it whatever labels it names.
   */
  private readonly labeled = new Map<FamilyKey, Map<string, Uint8Array>>();
  /** Messages due once a family's queued changes are out (End-of-RIB, EoRR). */
  private readonly tail = new Map<FamilyKey, Uint8Array[]>();
  /** Messages due before anything else (BoRR). */
  private readonly immediate: Uint8Array[] = [];
  private session: ExportSession | null = null;
  private exported = new Map<FamilyKey, WeakMap<AttrSet, Exported>>();
  /** Families whose routes come from an ExportView (the route server's clients). */
  private readonly views = new Map<FamilyKey, ExportView>();
  private count = 0;
  /**
   * Set by a role that decides what the peer gets (route reflection): the routes written for this neighbor,
   * which come without a guard (announce, announceAt and withdraw without mayReplace / mayWithdraw,
   * withdrawAll), go there for the families it takes; the role's own changes always pass a guard. Null, and
   * no cost, in a daemon without such a role.
   */
  origin: RouteOrigin | null = null;
  /** Called when there is something new to pull (the daemon points it at the Peer's wake()). */
  onWork: (() => void) | null = null;
  /** Told of labeled routes held back (and withdrawn) because they carry more labels than the peer accepts. */
  onTooManyLabels: ((family: FamilyKey, routes: number, max: number) => void) | null = null;

  constructor(interner?: AttrInterner) {
    this.interner = interner ?? new AttrInterner();
  }

  get size(): number {
    let n = this.count;
    for (const v of this.views.values()) n += v.size;
    return n;
  }

  /**
   * The routes of `family` decided elsewhere and read through `view` as they are sent (null: no more). Routes
   * given with announce() stay in this Adj-RIB-Out's own table and go out too.
   */
  setView(family: FamilyKey, view: ExportView | null): void {
    const old = this.views.get(family);
    if (old) {
      if (view === null && this.session?.families.has(family)) this.withdrawView(family, old);
      old.attach(false);
      old.onWork = null;
      this.views.delete(family);
    }
    if (view === null) return;
    this.views.set(family, view);
    view.onWork = () => this.onWork?.();
    const s = this.session;
    if (s) view.attach(s.families.has(family));
    if (view.pending > 0) this.onWork?.();
  }

  /**
   * A view leaves while the session is up (its neighbor no longer takes part in the role): what it sent, or still
   * had queued, is withdrawn from the peer, which would otherwise keep routes nobody stands behind. Routes given
   * to this Adj-RIB-Out itself for the same NLRI stay.
   */
  private withdrawView(family: FamilyKey, v: ExportView): void {
    const t = this.table(family);
    const gone = (buf: Uint8Array, off: number, len: number, pathId: number): void => {
      const e = t.insert(pathId, buf, off, len);
      if (t.get(e) === undefined) t.enqueue(e);
    };
    for (let e = v.dequeue(); e >= 0; e = v.dequeue()) {
      if (v.get(e) !== undefined) continue;
      const k = v.keys;
      const o = v.keyStart(e);
      gone(k, o + 4, v.keyEnd(e) - o - 4, ((k[o]! << 24) | (k[o + 1]! << 16) | (k[o + 2]! << 8) | k[o + 3]!) >>> 0);
    }
    for (const r of v.routes()) gone(r.entry, 0, r.entry.length, r.pathId);
    if (t.pending > 0) this.onWork?.();
  }

  get attached(): boolean {
    return this.session !== null;
  }

  /** True while pull() has messages to give. */
  get hasPending(): boolean {
    if (!this.session) return false;
    if (this.immediate.length > 0 || this.tail.size > 0) return true;
    for (const t of this.tables.values()) if (t.pending > 0) return true;
    for (const v of this.views.values()) if (v.pending > 0) return true;
    return false;
  }

  private table(family: FamilyKey): NlriTable<AttrSet> {
    let t = this.tables.get(family);
    if (!t) this.tables.set(family, (t = new NlriTable<AttrSet>()));
    return t;
  }

  /** Want this route at the peer (replaces the one with the same NLRI and path id). */
  announce(family: FamilyKey, entry: Uint8Array, attributes: Attributes | AttrSet, opts: AnnounceOptions = {}): void {
    this.announceAt(family, entry, 0, entry.length, this.set(attributes, opts.nextHop), opts.pathId ?? 0);
  }

  /**
   * The interned set of route attributes where an IPv4 next hop (`folded`) belongs in the attributes as
   * NEXT_HOP, or `nextHop` is the MP next hop or 'self': see AttrInterner.internShaped.
   */
  shapedSet(attributes: Attributes, folded: Uint8Array | undefined, nextHop: Uint8Array | 'self' | undefined): AttrSet {
    return this.interner.internShaped(attributes, folded, nextHop === 'self' ? SELF : nextHop);
  }

  /** The interned set for attributes and a next hop (or the set itself), for announceAt(). */
  set(attributes: Attributes | AttrSet, nextHop?: Uint8Array | 'self'): AttrSet {
    if (attributes instanceof AttrSet) return attributes;
    return this.interner.intern(attributes, nextHop === 'self' ? SELF : nextHop);
  }

  /**
   * announce() for an NLRI entry found at buf[off, off + len) and an interned set: what a bulk load (a
   * million static routes) calls, with no object made per route.
   */
  announceAt(
    family: FamilyKey,
    buf: Uint8Array,
    off: number,
    len: number,
    set: AttrSet,
    pathId = 0,
    /** When given: the route held may be replaced only if this says yes (a role leaving others' routes alone). */
    mayReplace?: (held: AttrSet) => boolean,
  ): void {
    if (mayReplace === undefined && this.origin !== null && this.origin.takes(family)) {
      this.origin.announce(family, buf, off, len, set, pathId);
      return;
    }
    const t = this.table(family);
    if (hasRouteIdentity(family)) this.relabel(family, t, buf.slice(off, off + len), pathId);
    const e = t.insert(pathId, buf, off, len);
    const old = t.get(e);
    if (old === set || (old !== undefined && mayReplace !== undefined && !mayReplace(old))) return;
    t.set(e, set);
    set.refs++;
    if (old) this.interner.release(old);
    else this.count++;
    this.queue(family, t, e);
  }

  /**
   * A labeled or EVPN route is about to be put in the table as `entry`: forget the entry held for the same route
   * with other labels (or, for EVPN, another ESI or gateway: routeIdentity). Nothing is sent for it (the announcement replaces it at the peer), unless it was still
   * queued, in which case its withdrawal goes out before the announcement.
   */
  private relabel(family: FamilyKey, t: NlriTable<AttrSet>, entry: Uint8Array, pathId: number): void {
    let ids = this.labeled.get(family);
    if (!ids) this.labeled.set(family, (ids = new Map()));
    const id = `${pathId}:${bytesToHex(routeIdentity(family, entry))}`;
    const old = ids.get(id);
    ids.set(id, entry);
    if (old === undefined || bytesEqual(old, entry)) return;
    const e = t.find(pathId, old, 0, old.length);
    const v = e < 0 ? undefined : t.get(e);
    if (!v) return;
    t.set(e, undefined);
    this.interner.release(v);
    this.count--;
  }

  /** The entry the table holds for a labeled route given with any labels (or none held: the entry itself). */
  private held(family: FamilyKey, entry: Uint8Array, pathId: number, forget: boolean): Uint8Array {
    const ids = this.labeled.get(family);
    if (!ids || !hasRouteIdentity(family)) return entry;
    const id = `${pathId}:${bytesToHex(routeIdentity(family, entry))}`;
    const e = ids.get(id);
    if (forget) ids.delete(id);
    return e ?? entry;
  }

  /** No longer want this route; a withdrawal is sent if the session is up. Returns whether it was there. */
  withdraw(
    family: FamilyKey,
    given: Uint8Array,
    pathId = 0,
    /** When given: only a route for which this says yes is withdrawn. */
    mayWithdraw?: (held: AttrSet) => boolean,
  ): boolean {
    if (mayWithdraw === undefined && this.origin !== null && this.origin.takes(family))
      return this.origin.withdraw(family, given, pathId);
    const t = this.tables.get(family);
    if (!t) return false;
    const entry = this.held(family, given, pathId, mayWithdraw === undefined);
    const e = t.find(pathId, entry, 0, entry.length);
    const old = e < 0 ? undefined : t.get(e);
    if (!old || (mayWithdraw !== undefined && !mayWithdraw(old))) return false;
    // The labeled route's identity is forgotten only once the withdrawal is decided.
    if (mayWithdraw !== undefined) this.held(family, given, pathId, true);
    t.set(e, undefined);
    this.interner.release(old);
    this.count--;
    this.queue(family, t, e);
    t.compact();
    return true;
  }

  has(family: FamilyKey, given: Uint8Array, pathId = 0): boolean {
    return this.get(family, given, pathId) !== undefined;
  }

  /** The attributes wanted at the peer for one route, or undefined. */
  get(family: FamilyKey, given: Uint8Array, pathId = 0): AttrSet | undefined {
    const t = this.tables.get(family);
    let own: AttrSet | undefined;
    if (t) {
      const entry = this.held(family, given, pathId, false);
      const e = t.find(pathId, entry, 0, entry.length);
      own = e < 0 ? undefined : t.get(e);
    }
    return own ?? this.views.get(family)?.find(given, pathId);
  }

  /**
   * Every route held for a destination, one per ADD-PATH path id (RFC 7911), as entry, path id and attributes.
   * For a labeled or EVPN family the entry is the one given (held under path id 0 or not at all).
   */
  paths(family: FamilyKey, given: Uint8Array): { pathId: number; attributes: AttrSet }[] {
    const t = this.tables.get(family);
    // A route an ExportView decides (the route server's) goes with path id 0 (RFC 7911 §3: one path).
    const viewed = this.views.get(family)?.find(given, 0);
    if (!t) return viewed ? [{ pathId: 0, attributes: viewed }] : [];
    if (hasRouteIdentity(family)) {
      const set = this.get(family, given);
      return set ? [{ pathId: 0, attributes: set }] : [];
    }
    const out: { pathId: number; attributes: AttrSet }[] = [];
    for (const e of t.findAll(given, 0, given.length)) {
      const v = t.get(e);
      if (v !== undefined) out.push({ pathId: t.pathId(e), attributes: v });
    }
    if (viewed && !out.some((p) => p.pathId === 0)) out.push({ pathId: 0, attributes: viewed });
    return out.sort((a, b) => a.pathId - b.pathId);
  }

  /** Routes held per family (for metrics: no walk). */
  sizes(): Map<FamilyKey, number> {
    const out = new Map<FamilyKey, number>();
    for (const [f, t] of this.tables) out.set(f, t.size);
    for (const [f, v] of this.views) out.set(f, (out.get(f) ?? 0) + v.size);
    return out;
  }

  /** Withdraw every route (of one family or all); where a role takes the family, the routes written for it. */
  withdrawAll(family?: FamilyKey): number {
    let n = 0;
    const written = this.origin === null ? 0 : this.origin.withdrawAll(family);
    for (const [f, t] of this.tables) {
      if (family !== undefined && f !== family) continue;
      if (this.origin?.takes(f)) continue;
      this.labeled.delete(f);
      for (const e of t.entries()) {
        this.interner.release(t.get(e)!);
        t.set(e, undefined);
        this.queue(f, t, e);
        n++;
      }
      t.compact();
    }
    this.count -= n;
    for (const [f, v] of this.views) if (family === undefined || f === family) n += v.withdrawAll();
    return n + written;
  }

  /** Every route of a family, without an object per route: fn gets the NLRI entry as buf[off, off + len). */
  forEachAt(
    family: FamilyKey,
    fn: (buf: Uint8Array, off: number, len: number, pathId: number, set: AttrSet) => void,
  ): void {
    const t = this.tables.get(family);
    if (!t) return;
    for (const e of t.entries()) {
      const start = t.keyStart(e) + 4;
      fn(t.keys, start, t.keyEnd(e) - start, t.pathId(e), t.get(e)!);
    }
  }

  private queue(f: FamilyKey, t: NlriTable<AttrSet>, e: number): void {
    if (!this.session?.families.has(f)) return;
    t.enqueue(e);
    this.onWork?.();
  }

  /** Every route we want the peer to have (for `show adj-rib out`). */
  *routes(): Generator<{ family: FamilyKey; entry: Uint8Array; pathId: number; attributes: AttrSet }> {
    for (const [family, t] of this.tables) {
      for (const e of t.entries()) yield { family, entry: t.entry(e), pathId: t.pathId(e), attributes: t.get(e)! };
    }
    for (const [family, v] of this.views) for (const r of v.routes()) yield { family, ...r };
  }

  /**
   * Session established: send the whole table of every negotiated family, then End-of-RIB (RFC 4724 §2) unless
   * the End-of-RIB is left to the API.
   */
  attach(s: ExportSession): void {
    this.session = s;
    this.exported = new Map();
    for (const t of this.tables.values()) t.clearQueue();
    this.tail.clear();
    this.immediate.length = 0;
    for (const f of s.families) {
      const t = this.tables.get(f);
      if (t && t.size > 0) t.enqueueAll();
      if (!s.manualEor) this.tail.set(f, [encodeEndOfRib(f)]);
    }
    for (const [f, v] of this.views) v.attach(s.families.has(f));
    this.onWork?.();
  }

  /** Session gone: nothing is queued any more; the next attach() sends everything again. */
  detach(): void {
    this.session = null;
    for (const t of this.tables.values()) {
      t.clearQueue();
      t.compact();
    }
    for (const v of this.views.values()) v.attach(false);
    this.tail.clear();
    this.immediate.length = 0;
  }

  /**
   * ROUTE-REFRESH received for a family (RFC 2918): send the family again; with enhanced route refresh
   * (RFC 7313 §4) wrap it in BoRR ... EoRR so the peer can purge what we no longer have.
   */
  refresh(family: FamilyKey): void {
    const s = this.session;
    if (!s?.families.has(family)) return;
    const afi = afiOf(family);
    const safi = safiOf(family);
    if (s.enhancedRouteRefresh) this.immediate.push(encodeRouteRefresh({ afi, safi, subtype: 1 }));
    this.tables.get(family)?.enqueueAll();
    this.views.get(family)?.enqueueAll();
    if (s.enhancedRouteRefresh) {
      const t = this.tail.get(family) ?? [];
      t.push(encodeRouteRefresh({ afi, safi, subtype: 2 }));
      this.tail.set(family, t);
    }
    this.onWork?.();
  }

  /**
   * Build up to about `max` messages (full BGP messages, header included) from what is queued.
   * Returns an empty array when there is nothing to send.
   */
  pull(max = 64): Uint8Array[] {
    const s = this.session;
    const out: Uint8Array[] = [];
    if (!s) return out;
    while (this.immediate.length > 0 && out.length < max) out.push(this.immediate.shift()!);
    while (out.length < max) {
      let did = false;
      for (const [f, t] of this.tables) {
        if (t.pending === 0) continue;
        this.drain(s, f, t, out);
        did = true;
        break;
      }
      if (did) continue;
      for (const [f, v] of this.views) {
        if (v.pending === 0) continue;
        this.drain(s, f, v, out);
        did = true;
        break;
      }
      if (did) continue;
      // Nothing queued: the families whose table is out get their trailing markers.
      for (const [f, msgs] of this.tail) {
        out.push(...msgs);
        this.tail.delete(f);
        did = true;
      }
      if (!did) break;
    }
    return out;
  }

  private drain(s: ExportSession, f: FamilyKey, t: OutTable, out: Uint8Array[]): void {
    const withdraw: number[] = [];
    const groups: AttrSet[] = [];
    const batch = ++batchNo;
    let n = 0;
    for (; n < BATCH; n++) {
      const e = t.dequeue();
      if (e < 0) break;
      const v = t.get(e);
      if (v === undefined) {
        withdraw.push(e);
        continue;
      }
      batchEntry[n] = e;
      batchLink[n] = -1;
      if (v.mark !== batch) {
        v.mark = batch;
        v.group = groups.length;
        groupFirst[groups.length] = n;
        groupLast[groups.length] = n;
        groups.push(v);
      } else {
        batchLink[groupLast[v.group]!] = n;
        groupLast[v.group] = n;
      }
    }
    const addPath = s.addPathSend.has(f);
    if (withdraw.length > 0) {
      const entries = withdraw.map((e) => this.wireEntry(t, e, addPath));
      for (const m of packWithdrawals(f, entries, addPath, s.sendCtx)) out.push(m);
    }
    // RFC 8277 §2.1: no more labels on a route than the peer's Multiple Labels capability allows (one without
    // it). Such a route is withdrawn instead, in case the peer holds an earlier version of it.
    const maxLabels = isLabeledFamily(f) ? (s.labels?.get(f) ?? 1) : 0;
    const tooMany: Uint8Array[] = [];
    for (let g = 0; g < groups.length; g++) {
      const set = groups[g]!;
      if (f === IPV4_UNICAST && v4WireExport(s, set, exportSink)) {
        packV4(exportSink.bytes, exportSink.length, t, groupFirst[g]!, addPath, s.sendCtx.maxMessage, out);
        continue;
      }
      const e = this.export(s, f, set);
      if (e.v4body === undefined) e.v4body = f === IPV4_UNICAST ? v4BodyAttributes(e, s.sendCtx) : null;
      if (e.v4body !== null) {
        packV4(e.v4body, e.v4body.length, t, groupFirst[g]!, addPath, s.sendCtx.maxMessage, out);
        continue;
      }
      const announce: Uint8Array[] = [];
      for (let k = groupFirst[g]!; k >= 0; k = batchLink[k]!) {
        const w = this.wireEntry(t, batchEntry[k]!, addPath);
        if (maxLabels > 0 && labelCount(w, addPath ? 4 : 0) > maxLabels) tooMany.push(w);
        else announce.push(w);
      }
      if (announce.length === 0) continue;
      for (const m of packUpdates(
        { family: f, attributes: e.attributes, nextHop: e.nextHop, announce, withdraw: [] },
        s.sendCtx,
      ))
        out.push(m);
    }
    if (tooMany.length > 0) {
      for (const m of packWithdrawals(f, tooMany, addPath, s.sendCtx)) out.push(m);
      this.onTooManyLabels?.(f, tooMany.length, maxLabels);
    }
    // Withdrawn keys that just left the queue may now be forgotten.
    if (withdraw.length > 0) t.compact();
  }

  /** The NLRI entry as sent: with its path id in front when ADD-PATH send is on for the family (RFC 7911 §3). */
  private wireEntry(t: OutTable, e: number, addPath: boolean): Uint8Array {
    return t.keys.subarray(t.keyStart(e) + (addPath ? 0 : 4), t.keyEnd(e));
  }

  /** RFC 4271 §5.1: what the attributes become towards this peer. Cached per attribute set and session. */
  private export(s: ExportSession, f: FamilyKey, set: AttrSet): Exported {
    let cache = this.exported.get(f);
    if (!cache) this.exported.set(f, (cache = new WeakMap()));
    const hit = cache.get(set);
    if (hit) return hit;
    const a: Attributes = { ...set.attributes };
    a.origin ??= 0;
    let path = (a.asPath ?? []).map((seg) => ({ type: seg.type, asns: seg.asns.slice() }));
    if (s.ibgp || s.confederation === 'member') {
      // RFC 4271 §5.1.5: LOCAL_PREF is sent to internal peers; 100 is the customary default. RFC 5065 §5: to a
      // peer in another member AS of our confederation too, with NEXT_HOP and MED unchanged.
      a.localPref ??= 100;
      if (s.confederation === 'member') {
        // RFC 5065 §6.1 (c): our member AS leads the path, in an AS_CONFED_SEQUENCE. Reflection's ORIGINATOR_ID
        // and CLUSTER_LIST (RFC 4456 §8) stay inside the member AS.
        prepend(path, SegmentType.AS_CONFED_SEQUENCE, s.localAs);
        delete a.originatorId;
        delete a.clusterList;
      }
    } else {
      // RFC 4271 §5.1.2: our AS leads the path towards an external peer. As in ExaBGP (which tsbgp's users'
      // scripts rely on), a route given without AS_PATH gets [local AS] and a given AS_PATH is sent as
      // written: the program that wrote it owns it. RFC 5065 §6.1 (d): out of a confederation the
      // confederation segments go and its identifier (localAs here) leads a path that had them.
      // §5.1.5: no LOCAL_PREF; RFC 4456 §8: ORIGINATOR_ID and CLUSTER_LIST stay inside the AS.
      const inside = s.confederation === 'outside' && path.some((seg) => isConfed(seg.type));
      if (inside) path = withoutConfed(path);
      if (set.attributes.asPath === undefined || inside) prepend(path, SegmentType.AS_SEQUENCE, s.localAs);
      delete a.localPref;
      delete a.originatorId;
      delete a.clusterList;
    }
    a.asPath = path;
    let nextHop = set.nextHop;
    if (set.nextHop === SELF || (set.nextHop !== undefined && set.nextHop.length === 0)) {
      nextHop = undefined;
      const local = s.localAddress;
      if (f === IPV4_UNICAST && local.length === 4) a.nextHop = local;
      else nextHop = selfNextHop(f, local);
    } else if (
      nextHop !== undefined &&
      safiOf(f) === SAFI.MPLS_VPN &&
      (nextHop.length === 4 || nextHop.length === 16)
    ) {
      // A VPN route's next hop given as an address: RFC 4364 §4.3.2 / RFC 4659 §3.2.1 put a zero RD before it.
      nextHop = selfNextHop(f, nextHop);
    } else if (f !== IPV4_UNICAST && nextHop === undefined && a.nextHop !== undefined) {
      // An MP route given with only the IPv4 NEXT_HOP attribute: that address is its next hop.
      nextHop = selfNextHop(f, a.nextHop);
    }
    if (f !== IPV4_UNICAST) delete a.nextHop;
    const e: Exported = { attributes: a, nextHop };
    cache.set(set, e);
    return e;
  }
}

/**
 * RFC 4271 §5.1.2, RFC 5065 §6.1: `asn` first in the leading segment of `type` (AS_SEQUENCE or
 * AS_CONFED_SEQUENCE), a new one when the path starts otherwise (encodeAsPath splits one over 255).
 */
function prepend(path: AsPathSegment[], type: number, asn: number): void {
  const first = path[0];
  if (first?.type === type) first.asns.unshift(asn);
  else path.unshift({ type, asns: [asn] });
}

/** The next hop field for a family from one address (RFC 4760 §3, RFC 4364 §4.3.2 with a zero RD; empty for FlowSpec
 * and FlowSpec VPN, RFC 8955 §4 and §8, as ExaBGP sends them). */
function selfNextHop(f: FamilyKey, addr: Uint8Array): Uint8Array {
  const safi = safiOf(f);
  if (safi === SAFI.FLOW || safi === SAFI.FLOW_VPN) return new Uint8Array(0);
  let a = addr;
  if (afiOf(f) === AFI.IPV6 && a.length === 4) {
    // IPv4-mapped IPv6 address (RFC 4291 §2.5.5.2) for an IPv6 family over an IPv4 session.
    a = new Uint8Array(16);
    a[10] = a[11] = 0xff;
    a.set(addr, 12);
  }
  return safi === SAFI.MPLS_VPN ? vpnNextHop(a) : a;
}

/**
 * The path attributes of IPv4 routes sent in the UPDATE body, or null when they need MP_REACH_NLRI (an IPv6
 * next hop, RFC 8950). Same rule as packUpdates: the NEXT_HOP attribute is the 4-byte next hop (RFC 4271
 * §5.1.3).
 */
function v4BodyAttributes(e: Exported, ctx: CodecContext): Uint8Array | null {
  const nh = e.nextHop ?? e.attributes.nextHop;
  if (nh !== undefined && nh.length !== 4) return null;
  const base: Attributes = { ...e.attributes };
  delete base.mpReach;
  delete base.mpUnreach;
  if (base.nextHop === undefined || base.nextHop.length !== 4) {
    if (nh === undefined) delete base.nextHop;
    else base.nextHop = nh;
  }
  return encodeAttributes(base, ctx);
}

/**
 * The path attributes towards the session of IPv4 routes sent in the UPDATE body, built from the set's
 * canonical bytes into `out`: what export() then v4BodyAttributes() give, byte for byte, without the objects.
 * False (nothing built) for what only those can do: a 2-octet AS session (AS4_PATH, RFC 6793 §4.2.2),
 * hand-written attributes, a keyed set, or a next hop given apart from the attributes.
 */
function v4WireExport(s: ExportSession, set: AttrSet, out: ByteSink): boolean {
  const wire = set.wire;
  if (wire === null || !s.sendCtx.asn4 || set.hasOther) return false;
  // Confederation segments are added or removed (RFC 5065 §6.1): export() does that.
  if (s.confederation === 'member' || s.confederation === 'outside') return false;
  const self = set.nextHop !== undefined;
  if (self && (set.nextHop!.length !== 0 || s.localAddress.length !== 4)) return false;
  const ibgp = s.ibgp;
  const need = wire.length + 32;
  if (out.bytes.length < need) out.bytes = new Uint8Array(Math.max(need, out.bytes.length * 2));
  const b = out.bytes;
  let o = 0;
  // Attributes export adds, in type code order: ORIGIN IGP when absent, AS_PATH (empty on iBGP, [local AS] on
  // eBGP: RFC 4271 §5.1.2) when absent, NEXT_HOP self, LOCAL_PREF 100 to internal peers (§5.1.5).
  // `next`: the lowest of those codes not yet passed; emit(c) writes the defaults of the codes below c.
  let next = 1;
  const emit = (below: number): void => {
    for (; next < below && next <= 5; next++) {
      if (next === 1) {
        b[o++] = AttrFlag.TRANSITIVE;
        b[o++] = AttrCode.ORIGIN;
        b[o++] = 1;
        b[o++] = 0;
      } else if (next === 2) {
        b[o++] = AttrFlag.TRANSITIVE;
        b[o++] = AttrCode.AS_PATH;
        if (ibgp) b[o++] = 0;
        else {
          b[o++] = 6;
          b[o++] = SegmentType.AS_SEQUENCE;
          b[o++] = 1;
          writeU32(b, o, s.localAs);
          o += 4;
        }
      } else if (next === 3 && self) {
        b[o++] = AttrFlag.TRANSITIVE;
        b[o++] = AttrCode.NEXT_HOP;
        b[o++] = 4;
        b.set(s.localAddress, o);
        o += 4;
      } else if (next === 5 && ibgp) {
        b[o++] = AttrFlag.TRANSITIVE;
        b[o++] = AttrCode.LOCAL_PREF;
        b[o++] = 4;
        writeU32(b, o, 100);
        o += 4;
      }
    }
  };
  for (let p = 0; p < wire.length; ) {
    const code = wire[p + 1]!;
    const size = wire[p]! & AttrFlag.EXTENDED_LENGTH ? 4 + ((wire[p + 2]! << 8) | wire[p + 3]!) : 3 + wire[p + 2]!;
    p += size;
    emit(code);
    if (code === next) {
      // Written: no default for this code. NEXT_HOP self replaces the one written.
      if (code === AttrCode.NEXT_HOP && self) {
        emit(code + 1);
        continue;
      }
      next++;
    }
    if (!ibgp && (code === AttrCode.LOCAL_PREF || code === AttrCode.ORIGINATOR_ID || code === AttrCode.CLUSTER_LIST))
      continue;
    for (let k = p - size; k < p; k++) b[o++] = wire[k]!;
  }
  emit(6);
  out.length = o;
  return true;
}

/**
 * UPDATEs for IPv4 routes of one attribute set, NLRI copied straight from the table's key bytes: as many
 * as fit under the message size (RFC 4271 §4.3; RFC 8654 when extended messages are negotiated). The routes
 * are the batch's group starting at batchEntry[first], linked by batchLink.
 */
function packV4(
  attrs: Uint8Array,
  attrLen: number,
  t: OutTable,
  first: number,
  addPath: boolean,
  max: number,
  out: Uint8Array[],
): void {
  const keys = t.keys;
  const skip = addPath ? 0 : 4;
  const budget = max - UPDATE_FIXED - attrLen;
  for (let i = first; i >= 0; ) {
    let size = 0;
    let j = i;
    for (; j >= 0; j = batchLink[j]!) {
      const e = batchEntry[j]!;
      const l = t.keyEnd(e) - t.keyStart(e) - skip;
      if (size + l > budget) break;
      size += l;
    }
    if (j === i) throw new RangeError('an NLRI entry does not fit in one UPDATE');
    const total = UPDATE_FIXED + attrLen + size;
    const msg = messageBuffer(total);
    msg.fill(0xff, 0, 16);
    msg[16] = total >>> 8;
    msg[17] = total & 0xff;
    msg[18] = MessageType.UPDATE;
    msg[19] = 0;
    msg[20] = 0;
    msg[21] = attrLen >>> 8;
    msg[22] = attrLen & 0xff;
    for (let k = 0; k < attrLen; k++) msg[UPDATE_FIXED + k] = attrs[k]!;
    let o = UPDATE_FIXED + attrLen;
    for (let k = i; k !== j; k = batchLink[k]!) {
      const e = batchEntry[k]!;
      for (let p = t.keyStart(e) + skip, end = t.keyEnd(e); p < end; p++) msg[o++] = keys[p]!;
    }
    out.push(msg);
    i = j;
  }
}

/** Withdrawals of `entries` (path id in front when `addPath`) as UPDATE messages. */
function packWithdrawals(f: FamilyKey, entries: Uint8Array[], addPath: boolean, ctx: CodecContext): Uint8Array[] {
  if (isLabeledFamily(f)) {
    // RFC 8277 §2.4: a withdrawal's label field is 0x800000, whatever the labels announced.
    const h = addPath ? 4 : 0;
    entries = entries.map((w) => {
      const x = withdrawalEntry(f, w.subarray(h));
      const out = new Uint8Array(h + x.length);
      out.set(w.subarray(0, h));
      out.set(x, h);
      return out;
    });
  }
  return packUpdates({ family: f, attributes: NO_ATTRS, announce: [], withdraw: entries }, ctx);
}

/** Labels of a labeled entry as we encode it (the last one has the bottom-of-stack bit, RFC 3032 §2.1). */
function labelCount(w: Uint8Array, at: number): number {
  let n = 0;
  for (let p = at + 1; p + 3 <= w.length; p += 3) {
    n++;
    if ((w[p + 2]! & 1) === 1) break;
  }
  return n;
}
