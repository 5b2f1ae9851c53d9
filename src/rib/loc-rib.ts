// Loc-RIB (RFC 4271 §3.2, §9.1): every path the speaker knows for each destination, from the neighbors that
// take part and from what the speaker originates, with the best one chosen again on every change of that
// destination (incremental: one prefix's paths at a time, RFC 4271 §9.1.2).
//
// Storage is typed tables, as in the Adj-RIB-In: IPv4/IPv6 unicast and multicast prefixes are keys of a
// PrefixMap whose value is a number, the first slot of the prefix's path list; FlowSpec rules (RFC 8955) are
// keyed by the latin1 string of their NLRI bytes. Paths live in one pool of slots (source, path id, next
// slot in typed arrays, the interned attribute set in a plain array): no object per prefix nor per path. The
// best path of a destination is always the head of its list.

import { readU32, writeU32 } from '../wire/bytes';
import { AFI, afiOf, type FamilyKey, type NlriBlock, SAFI, safiOf } from '../wire/types';
import { type AttrInterner, type AttrSet, bytesKey } from './attr-intern';
import { type Candidate, Decision, type DecisionOptions, type SourceFacts } from './decision';
import { type PrefixKey, PrefixMap, prefixKeyFrom, prefixKeyWrite } from './prefix-map';

/** A source of paths: a neighbor's session, or the speaker itself (configuration, programs). */
export interface PathSource extends SourceFacts {
  /** For display: the peer address, or `local`. */
  name: string;
}

/** A best-path change, handed to `onBest`. One object reused for every event: read it during the call only. */
export interface BestChange {
  family: FamilyKey;
  /** The NLRI bytes of the destination (a view, valid during the call). */
  entry: Uint8Array;
  /** Source id of the new best path, -1 when the destination has no path left. */
  source: number;
  /** The destination's first path slot (its best), -1 when it has none: for the slot accessors. */
  head: number;
  set: AttrSet | undefined;
  pathId: number;
  /** Source id and attributes of the best path before the change (-1 / undefined: there was none). */
  oldSource: number;
  oldSet: AttrSet | undefined;
}

/** One path of a destination as queries give it back. */
export interface RibPath {
  source: number;
  pathId: number;
  set: AttrSet;
  best: boolean;
}

interface PrefixTable {
  kind: 'prefix';
  words: 1 | 4;
  map: PrefixMap<number>;
  key: PrefixKey;
}
interface BytesTable {
  kind: 'bytes';
  map: Map<string, number>;
}
type FamilyTable = PrefixTable | BytesTable;

/** Address words of the families the Loc-RIB keeps by prefix (unicast and multicast), 0 for FlowSpec, -1 else. */
function layout(f: FamilyKey): 1 | 4 | 0 | -1 {
  const afi = afiOf(f);
  if (afi !== AFI.IPV4 && afi !== AFI.IPV6) return -1;
  const safi = safiOf(f);
  if (safi === SAFI.UNICAST || safi === SAFI.MULTICAST) return afi === AFI.IPV4 ? 1 : 4;
  return safi === SAFI.FLOW ? 0 : -1;
}

/** True for the families a Loc-RIB keeps: IPv4/IPv6 unicast, multicast and FlowSpec. */
export const locRibFamily = (f: FamilyKey): boolean => layout(f) >= 0;

const NONE = -1;

export class LocRib {
  private readonly fams = new Map<FamilyKey, FamilyTable>();
  private readonly sources: PathSource[] = [];
  /** Paths held per source. */
  private held = new Int32Array(8);
  /**
   * Generation per source, raised when its session goes down under graceful restart (RFC 4724 §4.2): a path
   * whose slot generation is older was not refreshed since, it is stale.
   */
  private gen = new Uint32Array(8);
  private readonly decision: Decision;
  // The path pool: slot s is a path of source pSrc[s] with identifier pId[s], next in its list pNext[s].
  private pSrc = new Int32Array(1024);
  private pNext = new Int32Array(1024);
  private pId = new Uint32Array(1024);
  private pGen = new Uint32Array(1024);
  private pSet: (AttrSet | undefined)[] = [];
  private free = NONE;
  private used = 0;
  private total = 0;
  /** The slots of the list being decided, and the object the decision reads them through. */
  private scratch = new Int32Array(64);
  private readonly cand: Candidate = {
    set: undefined as unknown as AttrSet,
    source: undefined as unknown as SourceFacts,
    pathId: 0,
  };
  private readonly change: BestChange = {
    family: 0,
    entry: new Uint8Array(0),
    source: NONE,
    head: NONE,
    set: undefined,
    pathId: 0,
    oldSource: NONE,
    oldSet: undefined,
  };
  private readonly entryOut = new Uint8Array(17);
  /** Told every change of a destination's best path (new, replaced, changed attributes, gone). */
  onBest: ((c: BestChange) => void) | null = null;
  /**
   * Told every other change of a destination's paths (one that is not the best came, changed or left), with
   * its NLRI bytes (a view, valid during the call) and its first slot: an exporter that sends more than the
   * best path to some peer (the routes the speaker originates for it) needs these too.
   */
  onOther: ((f: FamilyKey, entry: Uint8Array, head: number) => void) | null = null;

  constructor(
    private readonly interner: AttrInterner,
    opts: DecisionOptions = {},
  ) {
    this.decision = new Decision(opts);
  }

  get decisionOptions(): DecisionOptions {
    return this.decision.opts;
  }

  /** Register a source; its facts may be changed in place later (a session's router id once it is up). */
  addSource(s: PathSource): number {
    this.sources.push(s);
    if (this.sources.length > this.held.length) {
      const h = new Int32Array(this.held.length * 2);
      h.set(this.held);
      this.held = h;
      const g = new Uint32Array(h.length);
      g.set(this.gen);
      this.gen = g;
    }
    return this.sources.length - 1;
  }

  source(id: number): PathSource {
    return this.sources[id]!;
  }

  get sourceCount(): number {
    return this.sources.length;
  }

  /** Paths held from one source. */
  heldFrom(id: number): number {
    return this.held[id] ?? 0;
  }

  /** Paths held in all. */
  get pathCount(): number {
    return this.total;
  }

  families(): FamilyKey[] {
    return [...this.fams.keys()];
  }

  /** Destinations of a family. */
  size(f: FamilyKey): number {
    return this.fams.get(f)?.map.size ?? 0;
  }

  private table(f: FamilyKey): FamilyTable | undefined {
    let t = this.fams.get(f);
    if (t !== undefined) return t;
    const w = layout(f);
    if (w === -1) return undefined;
    t =
      w === 0
        ? { kind: 'bytes', map: new Map() }
        : { kind: 'prefix', words: w, map: new PrefixMap<number>(w), key: new Uint32Array(1 + w) };
    this.fams.set(f, t);
    return t;
  }

  private head(t: FamilyTable, buf: Uint8Array, off: number, len: number): number {
    if (t.kind === 'bytes') return t.map.get(bytesKey(buf.subarray(off, off + len))) ?? NONE;
    prefixKeyFrom(t.key, t.words, buf[off]!, buf, off + 1);
    return t.map.get(t.key) ?? NONE;
  }

  /** Set the head after head() filled the table's key for the same entry. */
  private setHead(t: FamilyTable, buf: Uint8Array, off: number, len: number, h: number): void {
    if (t.kind === 'bytes') {
      const k = bytesKey(buf.subarray(off, off + len));
      if (h === NONE) t.map.delete(k);
      else t.map.set(k, h);
    } else if (h === NONE) t.map.delete(t.key);
    else t.map.set(t.key, h);
  }

  private alloc(): number {
    let s = this.free;
    if (s !== NONE) {
      this.free = this.pNext[s]!;
      return s;
    }
    s = this.used++;
    if (s === this.pSrc.length) {
      const n = s * 2;
      const src = new Int32Array(n);
      src.set(this.pSrc);
      const next = new Int32Array(n);
      next.set(this.pNext);
      const id = new Uint32Array(n);
      id.set(this.pId);
      const gen = new Uint32Array(n);
      gen.set(this.pGen);
      this.pSrc = src;
      this.pNext = next;
      this.pId = id;
      this.pGen = gen;
    }
    this.pSet.push(undefined);
    return s;
  }

  private release(s: number): void {
    const set = this.pSet[s]!;
    this.pSet[s] = undefined;
    this.interner.release(set);
    this.held[this.pSrc[s]!]!--;
    this.total--;
    this.pNext[s] = this.free;
    this.free = s;
  }

  /**
   * A path for the NLRI entry at buf[off, off + len) from `source` (replacing the one it had with the same
   * path id). Families the Loc-RIB does not keep are ignored. False when nothing changed (the same set again).
   */
  announce(
    f: FamilyKey,
    buf: Uint8Array,
    off: number,
    len: number,
    source: number,
    pathId: number,
    set: AttrSet,
  ): boolean {
    const t = this.table(f);
    if (t === undefined) return false;
    const h = this.head(t, buf, off, len);
    let s = h;
    while (s !== NONE && (this.pSrc[s] !== source || this.pId[s] !== pathId)) s = this.pNext[s]!;
    const oldSet = h === NONE ? undefined : this.pSet[h];
    const oldSource = h === NONE ? NONE : this.pSrc[h]!;
    this.interner.ref(set);
    if (s !== NONE) {
      this.pGen[s] = this.gen[source]!;
      const before = this.pSet[s]!;
      if (before === set) {
        this.interner.release(set);
        return false;
      }
      this.pSet[s] = set;
      this.interner.release(before);
      this.decide(t, f, buf, off, len, h, oldSource, oldSet);
      return true;
    }
    s = this.alloc();
    this.pSrc[s] = source;
    this.pId[s] = pathId;
    this.pGen[s] = this.gen[source]!;
    this.pSet[s] = set;
    this.held[source]!++;
    this.total++;
    // A new path goes after the head, so that the list stays best-first if it loses.
    if (h === NONE) {
      this.pNext[s] = NONE;
      this.setHead(t, buf, off, len, s);
      this.emit(f, buf.subarray(off, off + len), s, NONE, undefined);
      return true;
    }
    this.pNext[s] = this.pNext[h]!;
    this.pNext[h] = s;
    this.decide(t, f, buf, off, len, h, oldSource, oldSet);
    return true;
  }

  /**
   * Every NLRI of a received block announced with `set`, or withdrawn (null), for `source`: how a neighbor's
   * UPDATE reaches the Loc-RIB. Returns the number of entries.
   */
  applyBlock(b: NlriBlock, source: number, set: AttrSet | null): number {
    const w = layout(b.family);
    if (w < 0) return 0;
    const d = b.data;
    let off = 0;
    let n = 0;
    while (off < d.length) {
      let pathId = 0;
      if (b.addPath) {
        pathId = readU32(d, off);
        off += 4;
      }
      // RFC 4271 §4.3 prefix: length in bits then its octets; RFC 8955 §4 rule: length in one or two octets.
      let len: number;
      if (w !== 0) len = 1 + ((d[off]! + 7) >> 3);
      else len = d[off]! < 0xf0 ? 1 + d[off]! : 2 + (((d[off]! & 0x0f) << 8) | d[off + 1]!);
      if (set === null) this.withdraw(b.family, d, off, len, source, pathId);
      else this.announce(b.family, d, off, len, source, pathId, set);
      off += len;
      n++;
    }
    return n;
  }

  /** Take back the path `source` announced for the entry with that path id. False when there was none. */
  withdraw(f: FamilyKey, buf: Uint8Array, off: number, len: number, source: number, pathId: number): boolean {
    const t = this.fams.get(f);
    if (t === undefined) return false;
    const h = this.head(t, buf, off, len);
    let prev = NONE;
    let s = h;
    while (s !== NONE && (this.pSrc[s] !== source || this.pId[s] !== pathId)) {
      prev = s;
      s = this.pNext[s]!;
    }
    if (s === NONE) return false;
    const oldSet = this.pSet[h]!;
    const oldSource = this.pSrc[h]!;
    const next = this.pNext[s]!;
    if (prev !== NONE) {
      // Not the best: the best stays.
      this.pNext[prev] = next;
      this.release(s);
      this.other(f, buf, off, len, h);
      return true;
    }
    this.release(s);
    if (next === NONE) {
      this.setHead(t, buf, off, len, NONE);
      this.emit(f, buf.subarray(off, off + len), NONE, oldSource, oldSet);
      return true;
    }
    this.setHead(t, buf, off, len, next);
    this.decide(t, f, buf, off, len, next, oldSource, oldSet);
    return true;
  }

  /**
   * The source's session went down with graceful restart (RFC 4724 §4.2): its paths stay, used as before, but
   * are stale until announced again; withdrawSource(source, family, true) then takes those never refreshed.
   */
  markStale(source: number): void {
    this.gen[source] = (this.gen[source]! + 1) >>> 0;
  }

  /**
   * Every path of a source gone (its session went down), in one family or all; with `staleOnly`, only those
   * not announced again since markStale. Returns how many; onBest is told of each destination whose best
   * changes.
   */
  withdrawSource(
    source: number,
    family?: FamilyKey,
    staleOnly = false,
    /** Told of each path taken, after the Loc-RIB changed (the entry is a view, valid during the call). */
    taken?: (f: FamilyKey, entry: Uint8Array, pathId: number) => void,
  ): number {
    const current = this.gen[source]!;
    let n = 0;
    for (const [f, t] of this.fams) {
      if (family !== undefined && f !== family) continue;
      // Collect first (withdrawing changes the tables being walked), back to back in one buffer: entry
      // length (two octets: a FlowSpec rule may pass 255), entry, path id.
      let buf = new Uint8Array(4096);
      let used = 0;
      this.scan(f, (entry, h) => {
        for (let s = h; s !== NONE; s = this.pNext[s]!) {
          if (this.pSrc[s] !== source || (staleOnly && this.pGen[s] === current)) continue;
          if (used + entry.length + 6 > buf.length) {
            const g = new Uint8Array(Math.max(buf.length * 2, used + entry.length + 6));
            g.set(buf.subarray(0, used));
            buf = g;
          }
          buf[used] = entry.length >> 8;
          buf[used + 1] = entry.length & 0xff;
          buf.set(entry, used + 2);
          used += 2 + entry.length;
          writeU32(buf, used, this.pId[s]!);
          used += 4;
        }
      });
      for (let o = 0; o < used; ) {
        const len = (buf[o]! << 8) | buf[o + 1]!;
        const pathId = readU32(buf, o + 2 + len);
        if (this.withdraw(f, buf, o + 2, len, source, pathId)) {
          n++;
          taken?.(f, buf.subarray(o + 2, o + 2 + len), pathId);
        }
        o += 6 + len;
      }
      if (t.map.size === 0) this.fams.delete(f);
    }
    return n;
  }

  /** Choose again among the list starting at h, make the best its head, tell onBest if the best changed. */
  private decide(
    t: FamilyTable,
    f: FamilyKey,
    buf: Uint8Array,
    off: number,
    len: number,
    h: number,
    oldSource: number,
    oldSet: AttrSet | undefined,
  ): void {
    const i = this.decision.best(this.gather(h, null), this.at);
    const b = this.scratch[i]!;
    if (b !== h) {
      // Unlink the winner and put it first.
      const prev = this.scratch[i - 1]!;
      this.pNext[prev] = this.pNext[b]!;
      this.pNext[b] = h;
      this.setHead(t, buf, off, len, b);
    }
    if (oldSet === this.pSet[b] && oldSource === this.pSrc[b]) {
      this.other(f, buf, off, len, b);
      return;
    }
    this.emit(f, buf.subarray(off, off + len), b, oldSource, oldSet);
  }

  private readonly at = (i: number): Candidate => {
    const s = this.scratch[i]!;
    const c = this.cand;
    c.set = this.pSet[s]!;
    c.source = this.sources[this.pSrc[s]!]!;
    c.pathId = this.pId[s]!;
    return c;
  };

  private other(f: FamilyKey, buf: Uint8Array, off: number, len: number, head: number): void {
    if (this.onOther !== null) this.onOther(f, buf.subarray(off, off + len), head);
  }

  private emit(f: FamilyKey, entry: Uint8Array, best: number, oldSource: number, oldSet: AttrSet | undefined): void {
    const cb = this.onBest;
    if (cb === null) return;
    const c = this.change;
    c.family = f;
    c.entry = entry;
    c.source = best === NONE ? NONE : this.pSrc[best]!;
    c.head = best;
    c.set = best === NONE ? undefined : this.pSet[best];
    c.pathId = best === NONE ? 0 : this.pId[best]!;
    c.oldSource = oldSource;
    c.oldSet = oldSet;
    cb(c);
  }

  /**
   * Call fn for every destination of a family with its NLRI bytes (a view reused between calls: copy to
   * keep) and the head of its path list, to read with pathsAt(). Do not change the Loc-RIB from fn.
   */
  scan(f: FamilyKey, fn: (entry: Uint8Array, head: number) => void): void {
    const t = this.fams.get(f);
    if (t === undefined) return;
    if (t.kind === 'bytes') {
      for (const [k, h] of t.map) fn(Buffer.from(k, 'latin1'), h);
      return;
    }
    const key = new Uint32Array(1 + t.words);
    const out = this.entryOut;
    for (let i = 0; i < t.map.slots; i++) {
      if (!t.map.keyAt(i, key)) continue;
      const n = prefixKeyWrite(key, out);
      fn(out.subarray(0, n), t.map.valueAt(i)!);
    }
  }

  // Reading a destination's paths without allocating (the route server's export, once per client and change):
  // headAt() gives its first slot, the best path, and slotNext() the others, in no particular order.

  /** The first slot of the destination at buf[off, off + len), the best path; -1 when it has none. */
  headAt(f: FamilyKey, buf: Uint8Array, off: number, len: number): number {
    const t = this.fams.get(f);
    return t === undefined ? NONE : this.head(t, buf, off, len);
  }

  slotNext(s: number): number {
    return this.pNext[s]!;
  }

  slotSource(s: number): number {
    return this.pSrc[s]!;
  }

  slotSet(s: number): AttrSet {
    return this.pSet[s]!;
  }

  slotPathId(s: number): number {
    return this.pId[s]!;
  }

  /** The best of the n paths whose slots are slots[0, n) (RFC 4271 §9.1.2.2): its index there, -1 when n is 0. */
  bestOf(slots: Int32Array, n: number): number {
    const c = this.cand;
    return this.decision.best(n, (i) => {
      const s = slots[i]!;
      c.set = this.pSet[s]!;
      c.source = this.sources[this.pSrc[s]!]!;
      c.pathId = this.pId[s]!;
      return c;
    });
  }

  /** The paths of a list, best first (allocates: for display). */
  pathsAt(head: number): RibPath[] {
    const out: RibPath[] = [];
    for (let s = head; s !== NONE; s = this.pNext[s]!)
      out.push({ source: this.pSrc[s]!, pathId: this.pId[s]!, set: this.pSet[s]!, best: s === head });
    return out;
  }

  /** The best path of a list (its head). */
  bestAt(head: number): RibPath {
    return { source: this.pSrc[head]!, pathId: this.pId[head]!, set: this.pSet[head]!, best: true };
  }

  /** The paths of one destination given by its NLRI bytes, best first; empty when there is none. */
  paths(f: FamilyKey, entry: Uint8Array): RibPath[] {
    const t = this.fams.get(f);
    if (t === undefined) return [];
    return this.pathsAt(this.head(t, entry, 0, entry.length));
  }

  /** The best path of a destination, or undefined. */
  best(f: FamilyKey, entry: Uint8Array): RibPath | undefined {
    const t = this.fams.get(f);
    if (t === undefined) return undefined;
    const h = this.head(t, entry, 0, entry.length);
    return h === NONE ? undefined : this.bestAt(h);
  }

  /**
   * The best of the paths of a list whose source `keep` accepts, -1 when there is none: the decision run again
   * over that subset (the MED rule makes it no ranking, so the list's order cannot tell).
   */
  bestWhere(head: number, keep: (source: number) => boolean): number {
    const i = this.decision.best(this.gather(head, keep), this.at);
    return i < 0 ? NONE : this.scratch[i]!;
  }

  /** The slots of the list at `head` (those whose source `keep` accepts, or all) into scratch, in list order. */
  private gather(head: number, keep: ((source: number) => boolean) | null): number {
    let n = 0;
    for (let s = head; s !== NONE; s = this.pNext[s]!) {
      if (keep !== null && !keep(this.pSrc[s]!)) continue;
      if (n === this.scratch.length) {
        const g = new Int32Array(n * 2);
        g.set(this.scratch);
        this.scratch = g;
      }
      this.scratch[n++] = s;
    }
    return n;
  }

  /** The better of two path slots by the decision. */
  better(a: number, b: number): number {
    this.scratch[0] = a;
    this.scratch[1] = b;
    return this.scratch[this.decision.best(2, this.at)]!;
  }

  /** The facts of a source for the decision, as a Candidate of the path (for whyBetter). */
  candidate(p: RibPath): Candidate {
    return { set: p.set, source: this.sources[p.source]!, pathId: p.pathId };
  }
}
