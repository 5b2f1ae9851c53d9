// Adj-RIB-Out (RFC 4271 §3.2) of one peer: the routes we want it to have, and the changes not yet sent.
// Messages are built on demand by pull(), so the session asks for more only when its socket has drained:
// memory stays bounded by the desired table, whatever the speed of the peer.

import { AFI, IPV4_UNICAST, SAFI, SegmentType, afiOf, safiOf, type Attributes, type CodecContext, type FamilyKey } from '../wire/types';
import { encodeEndOfRib, packUpdates } from '../wire/update';
import { encodeRouteRefresh } from '../wire/refresh';
import { AttrInterner, bytesKey, type AttrSet } from './attr-intern';

/** What export needs to know of the established session. */
export interface ExportSession {
  localAs: number;
  peerAs: number;
  ibgp: boolean;
  families: ReadonlySet<FamilyKey>;
  addPathSend: ReadonlySet<FamilyKey>;
  sendCtx: CodecContext;
  /** Our address on the session (4 or 16 bytes): what next-hop "self" becomes. */
  localAddress: Uint8Array;
  /** RFC 7313: send BoRR/EoRR around a refresh. */
  enhancedRouteRefresh?: boolean;
}

export interface AnnounceOptions {
  /** RFC 7911 path identifier (sent only when ADD-PATH send is negotiated for the family). */
  pathId?: number;
  /** Next hop for MP families, or 'self' for the local address of the session (any family). */
  nextHop?: Uint8Array | 'self';
}

/** Interned marker for next-hop self (an empty next hop never occurs otherwise). */
const SELF = new Uint8Array(0);
const NO_ATTRS: Attributes = {};
/** Entries taken from the pending queue per round: bounds the work (and garbage) of one pull(). */
const BATCH = 8192;

const pathKey = (pathId: number): string =>
  String.fromCharCode((pathId >>> 24) & 0xff, (pathId >>> 16) & 0xff, (pathId >>> 8) & 0xff, pathId & 0xff);

interface Exported {
  attributes: Attributes;
  nextHop?: Uint8Array;
}

export class AdjRibOut {
  readonly interner: AttrInterner;
  /** family → (4-byte path id + NLRI as latin1) → attributes. */
  private readonly desired = new Map<FamilyKey, Map<string, AttrSet>>();
  /** Changes to send: attributes to announce, null to withdraw. */
  private readonly pending = new Map<FamilyKey, Map<string, AttrSet | null>>();
  /** Messages due once a family's pending changes are out (End-of-RIB, EoRR). */
  private readonly tail = new Map<FamilyKey, Uint8Array[]>();
  /** Messages due before anything else (BoRR). */
  private readonly immediate: Uint8Array[] = [];
  private session: ExportSession | null = null;
  private exported = new Map<FamilyKey, WeakMap<AttrSet, Exported>>();
  private count = 0;
  /** Called when there is something new to pull (the daemon points it at the Peer's wake()). */
  onWork: (() => void) | null = null;

  constructor(interner?: AttrInterner) {
    this.interner = interner ?? new AttrInterner();
  }

  get size(): number {
    return this.count;
  }

  get attached(): boolean {
    return this.session !== null;
  }

  /** True while pull() has messages to give. */
  get hasPending(): boolean {
    if (!this.session) return false;
    if (this.immediate.length > 0 || this.tail.size > 0) return true;
    for (const m of this.pending.values()) if (m.size > 0) return true;
    return false;
  }

  /** Want this route at the peer (replaces the one with the same NLRI and path id). */
  announce(family: FamilyKey, entry: Uint8Array, attributes: Attributes | AttrSet, opts: AnnounceOptions = {}): void {
    const nh = opts.nextHop === 'self' ? SELF : opts.nextHop;
    const set = 'refs' in attributes && 'key' in attributes ? (attributes as AttrSet) : this.interner.intern(attributes as Attributes, nh);
    const key = pathKey(opts.pathId ?? 0) + bytesKey(entry);
    let d = this.desired.get(family);
    if (!d) this.desired.set(family, (d = new Map()));
    const old = d.get(key);
    if (old === set) return;
    d.set(key, set);
    set.refs++;
    if (old) this.interner.release(old);
    else this.count++;
    this.queue(family, key, set);
  }

  /** No longer want this route; a withdrawal is sent if the session is up. Returns whether it was there. */
  withdraw(family: FamilyKey, entry: Uint8Array, pathId = 0): boolean {
    const key = pathKey(pathId) + bytesKey(entry);
    const d = this.desired.get(family);
    const old = d?.get(key);
    if (!d || !old) return false;
    d.delete(key);
    this.interner.release(old);
    this.count--;
    this.queue(family, key, null);
    return true;
  }

  has(family: FamilyKey, entry: Uint8Array, pathId = 0): boolean {
    return this.desired.get(family)?.has(pathKey(pathId) + bytesKey(entry)) ?? false;
  }

  /** Withdraw every route (of one family or all). */
  withdrawAll(family?: FamilyKey): number {
    let n = 0;
    for (const [f, d] of [...this.desired]) {
      if (family !== undefined && f !== family) continue;
      for (const [key, set] of d) {
        this.interner.release(set);
        this.queue(f, key, null);
        n++;
      }
      d.clear();
    }
    this.count -= n;
    return n;
  }

  private queue(f: FamilyKey, key: string, v: AttrSet | null): void {
    if (!this.session || !this.session.families.has(f)) return;
    let p = this.pending.get(f);
    if (!p) this.pending.set(f, (p = new Map()));
    // Delete first so that the newest change goes to the end of the queue.
    p.delete(key);
    p.set(key, v);
    this.onWork?.();
  }

  /** Every route we want the peer to have (for `show adj-rib out`). */
  *routes(): Generator<{ family: FamilyKey; entry: Uint8Array; pathId: number; attributes: AttrSet }> {
    for (const [family, d] of this.desired) {
      for (const [key, attributes] of d) {
        const b = Buffer.from(key, 'latin1');
        yield { family, entry: b.subarray(4), pathId: b.readUInt32BE(0), attributes };
      }
    }
  }

  /** Session established: send the whole table of every negotiated family, then End-of-RIB (RFC 4724 §2). */
  attach(s: ExportSession): void {
    this.session = s;
    this.exported = new Map();
    this.pending.clear();
    this.tail.clear();
    this.immediate.length = 0;
    for (const f of s.families) {
      const d = this.desired.get(f);
      if (d && d.size > 0) this.pending.set(f, new Map(d));
      this.tail.set(f, [encodeEndOfRib(f)]);
    }
    this.onWork?.();
  }

  /** Session gone: nothing is pending any more; the next attach() sends everything again. */
  detach(): void {
    this.session = null;
    this.pending.clear();
    this.tail.clear();
    this.immediate.length = 0;
  }

  /**
   * ROUTE-REFRESH received for a family (RFC 2918): send the family again; with enhanced route refresh
   * (RFC 7313 §4) wrap it in BoRR ... EoRR so the peer can purge what we no longer have.
   */
  refresh(family: FamilyKey): void {
    const s = this.session;
    if (!s || !s.families.has(family)) return;
    const afi = afiOf(family);
    const safi = safiOf(family);
    if (s.enhancedRouteRefresh) this.immediate.push(encodeRouteRefresh({ afi, safi, subtype: 1 }));
    const d = this.desired.get(family);
    let p = this.pending.get(family);
    if (!p) this.pending.set(family, (p = new Map()));
    if (d) for (const [k, v] of d) if (!p.has(k)) p.set(k, v);
    if (s.enhancedRouteRefresh) {
      const t = this.tail.get(family) ?? [];
      t.push(encodeRouteRefresh({ afi, safi, subtype: 2 }));
      this.tail.set(family, t);
    }
    this.onWork?.();
  }

  /**
   * Build up to about `max` messages (full BGP messages, header included) from what is pending.
   * Returns an empty array when there is nothing to send.
   */
  pull(max = 64): Uint8Array[] {
    const s = this.session;
    const out: Uint8Array[] = [];
    if (!s) return out;
    while (this.immediate.length > 0 && out.length < max) out.push(this.immediate.shift()!);
    while (out.length < max) {
      let did = false;
      for (const [f, p] of this.pending) {
        if (p.size === 0) {
          this.pending.delete(f);
          continue;
        }
        this.drain(s, f, p, out);
        did = true;
        break;
      }
      if (did) continue;
      // Nothing pending: the families whose table is out get their trailing markers.
      for (const [f, msgs] of this.tail) {
        if (this.pending.has(f)) continue;
        out.push(...msgs);
        this.tail.delete(f);
        did = true;
      }
      if (!did) break;
    }
    return out;
  }

  private drain(s: ExportSession, f: FamilyKey, p: Map<string, AttrSet | null>, out: Uint8Array[]): void {
    const addPath = s.addPathSend.has(f);
    const withdraw: Uint8Array[] = [];
    const groups = new Map<AttrSet, Uint8Array[]>();
    let n = 0;
    for (const [key, v] of p) {
      p.delete(key);
      const entry = Buffer.from(addPath ? key : key.slice(4), 'latin1');
      if (v === null) withdraw.push(entry);
      else {
        let g = groups.get(v);
        if (!g) groups.set(v, (g = []));
        g.push(entry);
      }
      if (++n >= BATCH) break;
    }
    if (p.size === 0) this.pending.delete(f);
    if (withdraw.length > 0) {
      for (const m of packUpdates({ family: f, attributes: NO_ATTRS, announce: [], withdraw }, s.sendCtx)) out.push(m);
    }
    for (const [set, announce] of groups) {
      const e = this.export(s, f, set);
      for (const m of packUpdates({ family: f, attributes: e.attributes, nextHop: e.nextHop, announce, withdraw: [] }, s.sendCtx)) out.push(m);
    }
  }

  /** RFC 4271 §5.1: what the attributes become towards this peer. Cached per attribute set and session. */
  private export(s: ExportSession, f: FamilyKey, set: AttrSet): Exported {
    let cache = this.exported.get(f);
    if (!cache) this.exported.set(f, (cache = new WeakMap()));
    const hit = cache.get(set);
    if (hit) return hit;
    const a: Attributes = { ...set.attributes };
    a.origin ??= 0;
    const path = (a.asPath ?? []).map((seg) => ({ type: seg.type, asns: seg.asns.slice() }));
    if (s.ibgp) {
      // RFC 4271 §5.1.5: LOCAL_PREF is sent to internal peers; 100 is the customary default.
      a.localPref ??= 100;
    } else {
      // RFC 4271 §5.1.2: our AS leads the path towards an external peer. As in ExaBGP (which tsbgp's users'
      // scripts rely on), a route given without AS_PATH gets [local AS] and a given AS_PATH is sent as
      // written: the program that wrote it owns it. §5.1.5: no LOCAL_PREF; RFC 4456 §8: ORIGINATOR_ID and
      // CLUSTER_LIST stay inside the AS.
      if (set.attributes.asPath === undefined) path.unshift({ type: SegmentType.AS_SEQUENCE, asns: [s.localAs] });
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

/** The next hop field for a family from one address (RFC 4760 §3, RFC 4364 §4.3.2 with a zero RD, RFC 8955). */
function selfNextHop(f: FamilyKey, addr: Uint8Array): Uint8Array {
  const safi = safiOf(f);
  if (safi === SAFI.FLOW) return new Uint8Array(0);
  let a = addr;
  if (afiOf(f) === AFI.IPV6 && a.length === 4) {
    // IPv4-mapped IPv6 address (RFC 4291 §2.5.5.2) for an IPv6 family over an IPv4 session.
    a = new Uint8Array(16);
    a[10] = a[11] = 0xff;
    a.set(addr, 12);
  }
  if (safi === SAFI.MPLS_VPN) {
    const v = new Uint8Array(8 + a.length);
    v.set(a, 8);
    return v;
  }
  return a;
}
