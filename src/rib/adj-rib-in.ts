// Adj-RIB-In (RFC 4271 §3.2): what one peer announced, per family, with graceful restart receiver behaviour
// (RFC 4724 §4.2). Keys are compact: unicast and multicast prefixes live in typed-array PrefixMaps (length and
// address words, no object per prefix); other families use the latin1 string of the NLRI bytes. Values are
// interned attribute sets, so a full table is a few typed arrays of keys, one array of references, and one AttrSet
// per distinct attribute combination.

import { hasRouteIdentity, routeIdentity } from '../wire/nlri/identity';
import { familyCodec } from '../wire/nlri/registry';
import {
  AFI,
  afiOf,
  type FamilyKey,
  IPV4_UNICAST,
  IPV6_UNICAST,
  type NlriBlock,
  SAFI,
  safiOf,
  type Update,
} from '../wire/types';
import { AttrInterner, type AttrSet, bytesKey } from './attr-intern';
import { type PrefixKey, PrefixMap, prefixKeyEntry, prefixKeyFrom } from './prefix-map';

/** The subset of session/clock.ts Clock the RIB needs (rib does not import session). */
export interface RibClock {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(h: unknown): void;
}

export interface RibRoute {
  family: FamilyKey;
  /** The NLRI as encoded on the wire, without path identifier. */
  entry: Uint8Array;
  /** RFC 7911 path identifier, 0 without ADD-PATH. */
  pathId: number;
  attributes: AttrSet;
  /** Kept from a previous session under graceful restart, not yet refreshed. */
  stale: boolean;
}

export interface ApplyResult {
  announced: number;
  withdrawn: number;
  /** Set when the UPDATE was an End-of-RIB marker (stale routes of that family were purged). */
  endOfRib?: FamilyKey;
}

export interface ApplyOptions {
  /** The UPDATE body as received: its attribute bytes are used as the interning key (no re-encoding). */
  body?: Uint8Array;
  /** AS4 negotiated: part of the key since it changes what the raw bytes mean. */
  asn4?: boolean;
}

export interface AdjRibInOptions {
  interner?: AttrInterner;
  clock?: RibClock;
  /**
   * Seconds to wait for End-of-RIB once the restarting peer is back (RFC 4724 §4.2 leaves the value local);
   * stale routes still there when it fires are deleted.
   */
  staleTime?: number;
  /** Told how many stale routes were deleted and why. */
  onPurge?: (
    family: FamilyKey,
    count: number,
    why: 'end-of-rib' | 'restart-timer' | 'stale-timer' | 'not-preserved',
  ) => void;
}

/** The part of Map a table uses; StringMap and PrefixMap both are one. */
interface KeyMap<K> {
  readonly size: number;
  get(key: K): AttrSet | undefined;
  has(key: K): boolean;
  set(key: K, value: AttrSet): unknown;
  /** Set and return the previous value. */
  swap(key: K, value: AttrSet): AttrSet | undefined;
  delete(key: K): boolean;
  values(): Iterable<AttrSet>;
  [Symbol.iterator](): Iterator<[K, AttrSet]>;
}

class StringMap extends Map<string, AttrSet> implements KeyMap<string> {
  swap(key: string, value: AttrSet): AttrSet | undefined {
    const old = this.get(key);
    this.set(key, value);
    return old;
  }
}

class Table<K> {
  live: KeyMap<K>;
  stale: KeyMap<K> | null = null;
  constructor(private readonly make: () => KeyMap<K>) {
    this.live = make();
  }
  /** An empty map of this table's kind. */
  fresh(): KeyMap<K> {
    return this.make();
  }
}

/**
 * Unicast and multicast prefixes (the bulk of any table): keyed by length and address words in a PrefixMap, one
 * table per path identifier, with a scratch key reused for every prefix of a walk.
 */
interface PrefixFamily {
  kind: 'prefix';
  words: 1 | 4;
  byPath: Map<number, Table<PrefixKey>>;
  scratch: PrefixKey;
}
interface BytesFamily {
  kind: 'bytes';
  /** Key: 4-byte path id + NLRI bytes (labels removed for labelled families, see labelled(); EVPN: evpnIdentity). */
  table: Table<string>;
  /** Labelled and EVPN families: key → full entry (with the label) as received, to give it back. */
  full: Map<string, string> | null;
}
type FamilyRib = PrefixFamily | BytesFamily;

/** Address words of the families kept in a PrefixMap (unicast and multicast, RFC 4760 §5), 0 for the others. */
function prefixWords(f: FamilyKey): 0 | 1 | 4 {
  const safi = safiOf(f);
  if (safi !== SAFI.UNICAST && safi !== SAFI.MULTICAST) return 0;
  return afiOf(f) === AFI.IPV4 ? 1 : afiOf(f) === AFI.IPV6 ? 4 : 0;
}

const all = (): boolean => true;

/** RFC 8277: labelled unicast and VPN NLRI carry a label that withdrawals need not repeat. */
const labelled = (f: FamilyKey): boolean => {
  const s = safiOf(f);
  return (s === SAFI.MPLS_LABEL || s === SAFI.MPLS_VPN) && (afiOf(f) === AFI.IPV4 || afiOf(f) === AFI.IPV6);
};

/**
 * Length of the NLRI entry starting at `off` for families whose framing is known here; -1 when the family codec
 * must be asked.
 */
function entryLength(f: FamilyKey, d: Uint8Array, off: number): number {
  const safi = safiOf(f);
  const afi = afiOf(f);
  if (afi === AFI.BGPLS) return off + 4 <= d.length ? 4 + ((d[off + 2] << 8) | d[off + 3]) : -1;
  switch (safi) {
    case SAFI.UNICAST:
    case SAFI.MULTICAST:
    case SAFI.MPLS_LABEL:
    case SAFI.MPLS_VPN:
    case SAFI.RTC:
      return 1 + ((d[off] + 7) >> 3);
    case SAFI.FLOW:
    case SAFI.FLOW_VPN: {
      // RFC 8955 §4: one length octet below 0xf0, else 12 bits over two octets.
      const b = d[off];
      return b < 0xf0 ? 1 + b : 2 + (((b & 0x0f) << 8) | d[off + 1]);
    }
    case SAFI.EVPN:
      return 2 + d[off + 1];
    case SAFI.VPLS:
      return 2 + ((d[off] << 8) | d[off + 1]);
    default:
      return -1;
  }
}

export class AdjRibIn {
  readonly interner: AttrInterner;
  private readonly fams = new Map<FamilyKey, FamilyRib>();
  private readonly clock?: RibClock;
  private readonly staleTime: number;
  private readonly onPurge?: AdjRibInOptions['onPurge'];
  private restartTimer: unknown = undefined;
  private staleTimer: unknown = undefined;
  private count = 0;

  constructor(opts: AdjRibInOptions = {}) {
    this.interner = opts.interner ?? new AttrInterner();
    this.clock = opts.clock;
    this.staleTime = opts.staleTime ?? 360;
    this.onPurge = opts.onPurge;
  }

  /** Routes held (live and stale). */
  get size(): number {
    return this.count;
  }

  families(): FamilyKey[] {
    return [...this.fams.keys()];
  }

  sizeOf(f: FamilyKey): number {
    const r = this.fams.get(f);
    if (!r) return 0;
    let n = 0;
    for (const t of r.kind === 'prefix' ? r.byPath.values() : [r.table]) n += t.live.size + (t.stale?.size ?? 0);
    return n;
  }

  staleCount(f?: FamilyKey): number {
    let n = 0;
    for (const [k, r] of this.fams) {
      if (f !== undefined && k !== f) continue;
      for (const t of r.kind === 'prefix' ? r.byPath.values() : [r.table]) n += t.stale?.size ?? 0;
    }
    return n;
  }

  /** Apply one decoded UPDATE. RFC 7606 treat-as-withdraw turns every NLRI of it into a withdrawal. */
  apply(u: Update, opts: ApplyOptions = {}): ApplyResult {
    const res: ApplyResult = { announced: 0, withdrawn: 0 };
    if (u.eorFamily !== undefined) {
      res.endOfRib = u.eorFamily;
      this.endOfRib(u.eorFamily);
      return res;
    }
    if (u.withdrawn.count > 0) res.withdrawn += this.walk(u.withdrawn, null);
    const mpu = u.attributes.mpUnreach;
    if (mpu && mpu.nlri.count > 0) res.withdrawn += this.walk(mpu.nlri, null);
    const mpr = u.attributes.mpReach;
    const any = u.nlri.count > 0 || (mpr !== undefined && mpr.nlri.count > 0);
    if (!any) return res;
    if (u.issues.some((i) => i.action === 'treat-as-withdraw')) {
      if (u.nlri.count > 0) res.withdrawn += this.walk(u.nlri, null);
      if (mpr && mpr.nlri.count > 0) res.withdrawn += this.walk(mpr.nlri, null);
      return res;
    }
    const set = this.internOf(u, opts);
    if (u.nlri.count > 0) res.announced += this.walk(u.nlri, set);
    if (mpr && mpr.nlri.count > 0) res.announced += this.walk(mpr.nlri, set);
    if (set.refs === 0) this.interner.release(set);
    return res;
  }

  private internOf(u: Update, opts: ApplyOptions): AttrSet {
    return internUpdate(this.interner, u, opts);
  }

  private fam(f: FamilyKey): FamilyRib {
    let r = this.fams.get(f);
    if (!r) {
      const words = prefixWords(f);
      r =
        words !== 0
          ? { kind: 'prefix', words, byPath: new Map(), scratch: new Uint32Array(1 + words) }
          : {
              kind: 'bytes',
              table: new Table<string>(() => new StringMap()),
              full: labelled(f) || (afiOf(f) === AFI.L2VPN && hasRouteIdentity(f)) ? new Map() : null,
            };
      this.fams.set(f, r);
    }
    return r;
  }

  /** Announce (set given) or withdraw (null) every entry of a block. Returns the number of entries. */
  private walk(b: NlriBlock, set: AttrSet | null): number {
    const r = this.fam(b.family);
    return r.kind === 'prefix' ? this.walkPrefix(r, b, set) : this.walkBytes(r, b, set);
  }

  private walkPrefix(r: PrefixFamily, b: NlriBlock, set: AttrSet | null): number {
    const d = b.data;
    const end = d.length;
    const ap = b.addPath;
    const words = r.words;
    const key = r.scratch;
    let off = 0;
    let n = 0;
    let lastPath = -1;
    let t: Table<PrefixKey> | undefined;
    while (off < end) {
      let pathId = 0;
      if (ap) {
        pathId = ((d[off]! << 24) | (d[off + 1]! << 16) | (d[off + 2]! << 8) | d[off + 3]!) >>> 0;
        off += 4;
      }
      if (pathId !== lastPath) {
        t = r.byPath.get(pathId);
        if (!t) r.byPath.set(pathId, (t = new Table<PrefixKey>(() => new PrefixMap<AttrSet>(words))));
        lastPath = pathId;
      }
      const len = d[off++]!;
      prefixKeyFrom(key, words, len, d, off);
      off += (len + 7) >> 3;
      if (set) this.put(t!, key, set);
      else this.del(t!, key);
      n++;
    }
    return n;
  }

  private walkBytes(r: BytesFamily, b: NlriBlock, set: AttrSet | null): number {
    const d = b.data;
    const f = b.family;
    const ap = b.addPath;
    const t = r.table;
    const lab = r.full !== null;
    let off = 0;
    let n = 0;
    const zeroPath = '\0\0\0\0';
    while (off < d.length) {
      let pfx = zeroPath;
      if (ap) {
        pfx = bytesKey(d.subarray(off, off + 4));
        off += 4;
      }
      const len = entryLength(f, d, off);
      if (len < 0) return n + this.walkCodec(r, b, set);
      const entry = d.subarray(off, off + len);
      let key: string;
      if (lab) {
        // Key without the label stack, however many labels (RFC 8277 §2.2) and whatever a withdrawal puts
        // there (§2.4): length of RD and prefix, then them.
        key = pfx + bytesKey(routeIdentity(f, entry));
        if (set) r.full!.set(key, bytesKey(entry));
        else r.full!.delete(key);
      } else key = pfx + bytesKey(entry);
      if (set) this.put(t, key, set);
      else this.del(t, key);
      off += len;
      n++;
    }
    return n;
  }

  /** Families whose framing only their codec knows: split the block by re-encoding each item. */
  private walkCodec(r: BytesFamily, b: NlriBlock, set: AttrSet | null): number {
    const codec = familyCodec(b.family);
    if (!codec) return 0;
    let n = 0;
    for (const item of codec.items(b)) {
      const enc = codec.encode(item, b.addPath);
      const key = b.addPath ? bytesKey(enc) : '\0\0\0\0' + bytesKey(enc);
      if (set) this.put(r.table, key, set);
      else this.del(r.table, key);
      n++;
    }
    return n;
  }

  private put<K>(t: Table<K>, key: K, set: AttrSet): void {
    const old = t.live.swap(key, set);
    if (old === set) return;
    set.refs++;
    if (old !== undefined) this.interner.release(old);
    else if (t.stale !== null && t.stale.size > 0) {
      const s = t.stale.get(key);
      if (s !== undefined) {
        t.stale.delete(key);
        this.interner.release(s);
      } else this.count++;
    } else this.count++;
  }

  private del<K>(t: Table<K>, key: K): void {
    const old = t.live.get(key);
    if (old !== undefined) {
      t.live.delete(key);
      this.interner.release(old);
      this.count--;
    }
    if (t.stale !== null) {
      const s = t.stale.get(key);
      if (s !== undefined) {
        t.stale.delete(key);
        this.interner.release(s);
        this.count--;
      }
    }
  }

  /** Look up one IPv4 unicast prefix (address as 4 bytes or a uint32). */
  getIpv4(addr: Uint8Array | number, len: number, pathId = 0): { attributes: AttrSet; stale: boolean } | undefined {
    const a =
      typeof addr === 'number' ? addr >>> 0 : ((addr[0] << 24) | (addr[1] << 16) | (addr[2] << 8) | addr[3]) >>> 0;
    // Host bits beyond the prefix's octets are not on the wire: mask them like the walk does.
    const nb = (len + 7) >> 3;
    const masked = nb >= 4 ? a : nb === 0 ? 0 : (a & ~((1 << (32 - nb * 8)) - 1)) >>> 0;
    return this.lookup(IPV4_UNICAST, Uint32Array.of(len, masked), pathId);
  }

  /** Look up one IPv6 unicast prefix (address as 16 bytes, or fewer: the rest is zero). */
  getIpv6(addr: Uint8Array, len: number, pathId = 0): { attributes: AttrSet; stale: boolean } | undefined {
    const full = new Uint8Array(16);
    full.set(addr.subarray(0, Math.min(16, (len + 7) >> 3)));
    const key = new Uint32Array(5);
    prefixKeyFrom(key, 4, len, full, 0);
    return this.lookup(IPV6_UNICAST, key, pathId);
  }

  private lookup(f: FamilyKey, key: PrefixKey, pathId: number): { attributes: AttrSet; stale: boolean } | undefined {
    const r = this.fams.get(f);
    if (r?.kind !== 'prefix') return undefined;
    const t = r.byPath.get(pathId);
    if (!t) return undefined;
    const live = t.live.get(key);
    if (live) return { attributes: live, stale: false };
    const st = t.stale?.get(key);
    return st ? { attributes: st, stale: true } : undefined;
  }

  /**
   * Every path held for one unicast or multicast prefix (any path identifier, live or stale): one hash probe per
   * path identifier, no scan, so a looking glass answers at once on a full table. `addr` holds the prefix's
   * octets, its bits past `len` zero.
   */
  paths(f: FamilyKey, len: number, addr: Uint8Array): RibRoute[] {
    const r = this.fams.get(f);
    if (r?.kind !== 'prefix') return [];
    const key = new Uint32Array(1 + r.words);
    prefixKeyFrom(key, r.words, len, addr, 0);
    const out: RibRoute[] = [];
    for (const [pathId, t] of r.byPath) {
      const live = t.live.get(key);
      const set = live ?? t.stale?.get(key);
      if (set) out.push({ family: f, entry: prefixKeyEntry(key), pathId, attributes: set, stale: live === undefined });
    }
    return out;
  }

  /**
   * The unicast and multicast routes whose attributes pass `keep` (by origin AS, by community): a scan, but one
   * that makes an object only for a route that matches, and stops when the caller stops reading.
   */
  *routesWhere(keep: (s: AttrSet) => boolean): Generator<RibRoute> {
    for (const [family, r] of this.fams) if (r.kind === 'prefix') yield* this.prefixRoutes(family, r, keep);
  }

  private *prefixRoutes(family: FamilyKey, r: PrefixFamily, keep: (s: AttrSet) => boolean): Generator<RibRoute> {
    for (const [pathId, t] of r.byPath) {
      for (const [stale, m] of [
        [false, t.live],
        [true, t.stale],
      ] as const) {
        if (!m) continue;
        for (const [key, attributes] of (m as PrefixMap<AttrSet>).entriesWhere(keep))
          yield { family, entry: prefixKeyEntry(key), pathId, attributes, stale };
      }
    }
  }

  /** Every route of a family (or all families). Allocates per route: for display and dumps, not hot paths. */
  *routes(f?: FamilyKey): Generator<RibRoute> {
    for (const [family, r] of this.fams) {
      if (f !== undefined && family !== f) continue;
      if (r.kind === 'prefix') yield* this.prefixRoutes(family, r, all);
      else {
        for (const [stale, m] of [
          [false, r.table.live],
          [true, r.table.stale],
        ] as const) {
          if (!m) continue;
          for (const [key, attributes] of m) {
            const pathId =
              ((key.charCodeAt(0) << 24) | (key.charCodeAt(1) << 16) | (key.charCodeAt(2) << 8) | key.charCodeAt(3)) >>>
              0;
            const full = r.full?.get(key) ?? key.slice(4);
            yield { family, entry: Uint8Array.from(Buffer.from(full, 'latin1')), pathId, attributes, stale };
          }
        }
      }
    }
  }

  private tables(f?: FamilyKey): [FamilyKey, Table<PrefixKey | string>][] {
    const out: [FamilyKey, Table<PrefixKey | string>][] = [];
    for (const [k, r] of this.fams) {
      if (f !== undefined && k !== f) continue;
      if (r.kind === 'prefix') for (const t of r.byPath.values()) out.push([k, t as Table<PrefixKey | string>]);
      else out.push([k, r.table as Table<PrefixKey | string>]);
    }
    return out;
  }

  private dropMap(f: FamilyKey, m: KeyMap<PrefixKey | string>): number {
    const r = this.fams.get(f);
    const full = r && r.kind === 'bytes' ? r.full : null;
    if (full) {
      for (const [k, s] of m) {
        this.interner.release(s);
        if (typeof k === 'string' && !this.has(f, k)) full.delete(k);
      }
    } else {
      // Values only: iterating entries would build a key per route.
      for (const s of m.values()) this.interner.release(s);
    }
    this.count -= m.size;
    return m.size;
  }

  private has(f: FamilyKey, key: string): boolean {
    const r = this.fams.get(f);
    return r !== undefined && r.kind === 'bytes' && r.table.live.has(key);
  }

  /** Forget everything (session down without graceful restart). */
  clear(): void {
    this.cancelTimers();
    for (const [f, t] of this.tables()) {
      this.dropMap(f, t.live);
      if (t.stale) this.dropMap(f, t.stale);
    }
    this.fams.clear();
    this.count = 0;
  }

  /** Delete the stale routes of one family (or all). Returns how many went. */
  purgeStale(
    f?: FamilyKey,
    why: 'end-of-rib' | 'restart-timer' | 'stale-timer' | 'not-preserved' = 'end-of-rib',
  ): number {
    const per = new Map<FamilyKey, number>();
    for (const [k, t] of this.tables(f)) {
      if (!t.stale) continue;
      per.set(k, (per.get(k) ?? 0) + this.dropMap(k, t.stale));
      t.stale = null;
    }
    let n = 0;
    for (const [k, c] of per) {
      n += c;
      if (c > 0) this.onPurge?.(k, c, why);
    }
    return n;
  }

  /** End-of-RIB for a family (RFC 4724 §4.2): its routes not refreshed since the restart are stale for good. */
  endOfRib(f: FamilyKey): number {
    const n = this.purgeStale(f, 'end-of-rib');
    if (this.staleCount() === 0) this.cancelTimers();
    return n;
  }

  /**
   * The session went down. With graceful restart (the peer announced it, and the drop was not a NOTIFICATION
   * that rules it out), the routes of the families it covers become stale and stay for `restartTime` seconds;
   * everything else is deleted at once (RFC 4724 §4.2).
   */
  sessionDown(gr?: { families: Iterable<FamilyKey>; restartTime: number }): void {
    if (!gr) {
      this.clear();
      return;
    }
    const keep = new Set(gr.families);
    for (const [f, t] of this.tables()) {
      if (!keep.has(f)) {
        const old = t.live;
        t.live = t.fresh();
        this.dropMap(f, old);
        if (t.stale) this.dropMap(f, t.stale);
        t.stale = null;
        continue;
      }
      if (t.stale === null || t.stale.size === 0) {
        t.stale = t.live;
      } else {
        // Down again before the previous restart finished: what was refreshed is stale again too.
        for (const [k, s] of t.live) {
          const old = t.stale.get(k);
          t.stale.set(k, s);
          if (old !== undefined) {
            this.interner.release(old);
            this.count--;
          }
        }
      }
      t.live = t.fresh();
    }
    this.cancelTimers();
    if (this.clock && this.staleCount() > 0) {
      this.restartTimer = this.clock.setTimeout(() => {
        this.restartTimer = undefined;
        this.purgeStale(undefined, 'restart-timer');
      }, gr.restartTime * 1000);
    }
  }

  /**
   * The session is up again. `preserved` maps each family of the peer's new GR capability to its F bit; stale
   * routes of families missing there or without the F bit are deleted now (RFC 4724 §4.2), the others wait for
   * End-of-RIB or the stale timer.
   */
  sessionUp(preserved?: ReadonlyMap<FamilyKey, boolean>): void {
    this.cancelTimers();
    for (const [f, t] of this.tables()) {
      if (!t.stale || t.stale.size === 0) continue;
      if (!preserved?.get(f)) {
        const n = this.dropMap(f, t.stale);
        t.stale = null;
        if (n > 0) this.onPurge?.(f, n, 'not-preserved');
      }
    }
    if (this.clock && this.staleCount() > 0) {
      this.staleTimer = this.clock.setTimeout(() => {
        this.staleTimer = undefined;
        this.purgeStale(undefined, 'stale-timer');
      }, this.staleTime * 1000);
    }
  }

  private cancelTimers(): void {
    if (this.clock) {
      if (this.restartTimer !== undefined) this.clock.clearTimeout(this.restartTimer);
      if (this.staleTimer !== undefined) this.clock.clearTimeout(this.staleTimer);
    }
    this.restartTimer = this.staleTimer = undefined;
  }
}

/**
 * The interned attribute set of a received UPDATE: keyed by its raw attribute bytes when the body is given and
 * decoded without error (no re-encoding), else by the canonical encoding. Not referenced yet.
 */
export function internUpdate(interner: AttrInterner, u: Update, opts: ApplyOptions): AttrSet {
  const nh = u.attributes.mpReach?.nextHop;
  if (opts.body && u.issues.length === 0) {
    const key = rawAttributeKey(opts.body, opts.asn4 ?? true);
    if (key !== undefined)
      return interner.internKey(key, () => ({ attributes: u.attributes, nextHop: nh ? nh.slice() : undefined }));
  }
  return interner.intern(u.attributes, nh);
}

/**
 * Interning key from the raw UPDATE body: every path attribute as received except the NLRI-carrying ones; of
 * MP_REACH_NLRI only AFI, SAFI and next hop count. Undefined when the body does not parse (then the caller
 * falls back to encoding the decoded attributes).
 */
export function rawAttributeKey(body: Uint8Array, asn4: boolean): string | undefined {
  if (body.length < 4) return undefined;
  const wl = (body[0] << 8) | body[1];
  let off = 2 + wl;
  if (off + 2 > body.length) return undefined;
  const al = (body[off] << 8) | body[off + 1];
  off += 2;
  const end = off + al;
  if (end > body.length) return undefined;
  let key = asn4 ? 'R4' : 'R2';
  let runStart = off;
  while (off < end) {
    if (off + 3 > end) return undefined;
    const flags = body[off];
    const code = body[off + 1];
    const ext = (flags & 0x10) !== 0;
    const hl = ext ? 4 : 3;
    if (off + hl > end) return undefined;
    const len = ext ? (body[off + 2] << 8) | body[off + 3] : body[off + 2];
    const next = off + hl + len;
    if (next > end) return undefined;
    if (code === 14 || code === 15) {
      key += bytesKey(body.subarray(runStart, off));
      if (code === 14 && len >= 4) {
        const nhl = body[off + hl + 3];
        const nhEnd = Math.min(off + hl + 4 + nhl, next);
        key += '\u00ff' + bytesKey(body.subarray(off + hl, nhEnd));
      }
      runStart = next;
    }
    off = next;
  }
  key += bytesKey(body.subarray(runStart, end));
  return key;
}
