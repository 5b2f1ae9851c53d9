// Adj-RIB-In (RFC 4271 §3.2): what one peer announced, per family, with graceful restart receiver behaviour
// (RFC 4724 §4.2). Keys are compact: an IPv4 prefix is one number (address * 64 + length); other families use
// the latin1 string of the NLRI bytes. Values are interned attribute sets, so a full table is a few Maps of
// references plus one AttrSet per distinct attribute combination.

import { AFI, IPV4_UNICAST, SAFI, afiOf, safiOf, type FamilyKey, type NlriBlock, type Update } from '../wire/types';
import { familyCodec } from '../wire/nlri/registry';
import { AttrInterner, bytesKey, type AttrSet } from './attr-intern';

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
  onPurge?: (family: FamilyKey, count: number, why: 'end-of-rib' | 'restart-timer' | 'stale-timer' | 'not-preserved') => void;
}

/** The part of Map a table uses; Map<string, AttrSet> and V4Map both are one. */
interface KeyMap<K> {
  readonly size: number;
  get(key: K): AttrSet | undefined;
  has(key: K): boolean;
  set(key: K, value: AttrSet): unknown;
  delete(key: K): boolean;
  [Symbol.iterator](): Iterator<[K, AttrSet]>;
}

/**
 * IPv4 keys (address * 64 + length) need 38 bits, and V8 stores a Map key above 2^30 as a heap number: one
 * allocation per prefix and a slow hash. Two levels keyed by the top 16 and the low 22 bits of the key keep
 * every key a small integer: about 5x faster inserts and less than half the memory at a million prefixes.
 */
const LOW = 0x400000; // 2^22: 16 address bits * 64 lengths
class V4Map implements KeyMap<number> {
  private readonly hi = new Map<number, Map<number, AttrSet>>();
  size = 0;

  get(key: number): AttrSet | undefined {
    return this.hi.get(Math.floor(key / LOW))?.get(key % LOW);
  }

  has(key: number): boolean {
    return this.get(key) !== undefined;
  }

  set(key: number, value: AttrSet): this {
    const h = Math.floor(key / LOW);
    let m = this.hi.get(h);
    if (m === undefined) this.hi.set(h, (m = new Map()));
    const before = m.size;
    m.set(key % LOW, value);
    this.size += m.size - before;
    return this;
  }

  delete(key: number): boolean {
    const h = Math.floor(key / LOW);
    const m = this.hi.get(h);
    if (m === undefined || !m.delete(key % LOW)) return false;
    this.size--;
    if (m.size === 0) this.hi.delete(h);
    return true;
  }

  *[Symbol.iterator](): Iterator<[number, AttrSet]> {
    for (const [h, m] of this.hi) for (const [l, v] of m) yield [h * LOW + l, v];
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

interface V4Family {
  kind: 'v4';
  byPath: Map<number, Table<number>>;
}
interface BytesFamily {
  kind: 'bytes';
  /** Key: 4-byte path id + NLRI bytes (labels removed for labelled families, see labelled()). */
  table: Table<string>;
  /** Labelled families: key → full entry (with the label) as received, to give it back. */
  full: Map<string, string> | null;
}
type FamilyRib = V4Family | BytesFamily;


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
    for (const t of r.kind === 'v4' ? r.byPath.values() : [r.table]) n += t.live.size + (t.stale?.size ?? 0);
    return n;
  }

  staleCount(f?: FamilyKey): number {
    let n = 0;
    for (const [k, r] of this.fams) {
      if (f !== undefined && k !== f) continue;
      for (const t of r.kind === 'v4' ? r.byPath.values() : [r.table]) n += t.stale?.size ?? 0;
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
    const nh = u.attributes.mpReach?.nextHop;
    if (opts.body && u.issues.length === 0) {
      const key = rawAttributeKey(opts.body, opts.asn4 ?? true);
      if (key !== undefined) return this.interner.internKey(key, () => ({ attributes: u.attributes, nextHop: nh ? nh.slice() : undefined }));
    }
    return this.interner.intern(u.attributes, nh);
  }

  private fam(f: FamilyKey): FamilyRib {
    let r = this.fams.get(f);
    if (!r) {
      r = f === IPV4_UNICAST ? { kind: 'v4', byPath: new Map() } : { kind: 'bytes', table: new Table<string>(() => new Map<string, AttrSet>()), full: labelled(f) ? new Map() : null };
      this.fams.set(f, r);
    }
    return r;
  }

  /** Announce (set given) or withdraw (null) every entry of a block. Returns the number of entries. */
  private walk(b: NlriBlock, set: AttrSet | null): number {
    const r = this.fam(b.family);
    return r.kind === 'v4' ? this.walkV4(r, b, set) : this.walkBytes(r, b, set);
  }

  private walkV4(r: V4Family, b: NlriBlock, set: AttrSet | null): number {
    const d = b.data;
    const end = d.length;
    const ap = b.addPath;
    let off = 0;
    let n = 0;
    let lastPath = -1;
    let t: Table<number> | undefined;
    while (off < end) {
      let pathId = 0;
      if (ap) {
        pathId = ((d[off] << 24) | (d[off + 1] << 16) | (d[off + 2] << 8) | d[off + 3]) >>> 0;
        off += 4;
      }
      if (pathId !== lastPath) {
        t = r.byPath.get(pathId);
        if (!t) r.byPath.set(pathId, (t = new Table<number>(() => new V4Map())));
        lastPath = pathId;
      }
      const len = d[off++];
      const nb = (len + 7) >> 3;
      let addr = 0;
      if (nb > 0) addr = d[off] << 24;
      if (nb > 1) addr |= d[off + 1] << 16;
      if (nb > 2) addr |= d[off + 2] << 8;
      if (nb > 3) addr |= d[off + 3];
      off += nb;
      const key = (addr >>> 0) * 64 + len;
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
      if (lab && entry.length >= 4 && entry[0] >= 24) {
        // Key without the 3-byte label: bit length minus 24, then the rest (RFC 8277 §2.4).
        key = pfx + String.fromCharCode(entry[0] - 24) + bytesKey(entry.subarray(4));
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
    const old = t.live.get(key);
    if (old === set) return;
    t.live.set(key, set);
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
    const r = this.fams.get(IPV4_UNICAST);
    if (!r || r.kind !== 'v4') return undefined;
    const t = r.byPath.get(pathId);
    if (!t) return undefined;
    const a = typeof addr === 'number' ? addr >>> 0 : ((addr[0] << 24) | (addr[1] << 16) | (addr[2] << 8) | addr[3]) >>> 0;
    // Host bits beyond the prefix length are not on the wire: mask them like the walk does.
    const nb = (len + 7) >> 3;
    const masked = nb >= 4 ? a : nb === 0 ? 0 : (a & ~((1 << (32 - nb * 8)) - 1)) >>> 0;
    const key = masked * 64 + len;
    const live = t.live.get(key);
    if (live) return { attributes: live, stale: false };
    const st = t.stale?.get(key);
    return st ? { attributes: st, stale: true } : undefined;
  }

  /** Every route of a family (or all families). Allocates per route: for display and dumps, not hot paths. */
  *routes(f?: FamilyKey): Generator<RibRoute> {
    for (const [family, r] of this.fams) {
      if (f !== undefined && family !== f) continue;
      if (r.kind === 'v4') {
        for (const [pathId, t] of r.byPath) {
          for (const [stale, m] of [[false, t.live], [true, t.stale]] as const) {
            if (!m) continue;
            for (const [key, attributes] of m) {
              const len = key % 64;
              const addr = (key - len) / 64;
              const nb = (len + 7) >> 3;
              const entry = new Uint8Array(1 + nb);
              entry[0] = len;
              for (let i = 0; i < nb; i++) entry[1 + i] = (addr >>> (24 - 8 * i)) & 0xff;
              yield { family, entry, pathId, attributes, stale };
            }
          }
        }
      } else {
        for (const [stale, m] of [[false, r.table.live], [true, r.table.stale]] as const) {
          if (!m) continue;
          for (const [key, attributes] of m) {
            const pathId = ((key.charCodeAt(0) << 24) | (key.charCodeAt(1) << 16) | (key.charCodeAt(2) << 8) | key.charCodeAt(3)) >>> 0;
            const full = r.full?.get(key) ?? key.slice(4);
            yield { family, entry: Uint8Array.from(Buffer.from(full, 'latin1')), pathId, attributes, stale };
          }
        }
      }
    }
  }

  private tables(f?: FamilyKey): [FamilyKey, Table<number | string>][] {
    const out: [FamilyKey, Table<number | string>][] = [];
    for (const [k, r] of this.fams) {
      if (f !== undefined && k !== f) continue;
      if (r.kind === 'v4') for (const t of r.byPath.values()) out.push([k, t as Table<number | string>]);
      else out.push([k, r.table as Table<number | string>]);
    }
    return out;
  }

  private dropMap(f: FamilyKey, m: KeyMap<number | string>): number {
    const r = this.fams.get(f);
    const full = r && r.kind === 'bytes' ? r.full : null;
    for (const [k, s] of m) {
      this.interner.release(s);
      if (full && typeof k === 'string' && !this.has(f, k)) full.delete(k);
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
  purgeStale(f?: FamilyKey, why: 'end-of-rib' | 'restart-timer' | 'stale-timer' | 'not-preserved' = 'end-of-rib'): number {
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
      if (!preserved || !preserved.get(f)) {
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
