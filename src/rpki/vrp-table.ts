// Validated ROA Payloads (prefix, max length, origin AS) and route origin validation (RFC 6811 §2).
//
// Kept in typed arrays, no object per VRP: half a million VRPs cost ~20 MB. VRPs with the same prefix share a
// "key" (family, length, address words) in an open-addressing hash table; the key heads a chain of entries
// (max length, ASN). Validating a route looks the route's prefix up at each VRP prefix length that exists and is
// not longer than the route's: a dozen hash probes for the lengths real ROAs use.

export const NOT_FOUND = 0;
export const VALID = 1;
export const INVALID = 2;
export type OriginState = typeof NOT_FOUND | typeof VALID | typeof INVALID;

export const STATE_NAMES = ['not-found', 'valid', 'invalid'] as const;

/** Origin AS of a route whose AS_PATH ends in an AS_SET: RFC 6811 §2 calls it NONE, it matches no VRP. */
export const ORIGIN_NONE = -1;

const EMPTY = -1;

/** One VRP as text-free values, for callers that list or compare. */
export interface Vrp {
  v6: boolean;
  prefix: Uint8Array;
  len: number;
  maxLen: number;
  asn: number;
}

export class VrpTable {
  // keys: 4 words each (IPv4 uses the first), meta = v6 << 8 | length, head of the entry chain
  private keyWords = new Uint32Array(4 * 1024);
  private keyMeta = new Uint16Array(1024);
  private keyHead = new Int32Array(1024);
  private keyCount = 0;
  private slots = new Int32Array(2048).fill(EMPTY);
  // entries
  private eAsn = new Uint32Array(1024);
  private eMax = new Uint8Array(1024);
  private eNext = new Int32Array(1024);
  /** Reset generation an entry was last seen in (see beginReset). */
  private eGen = new Uint32Array(1024);
  private entryTop = 0;
  private freeEntry = EMPTY;
  private gen = 0;
  private resetting = false;
  /** Entries per prefix length, per family: which lengths a lookup must probe. */
  private readonly perLen = [new Uint32Array(33), new Uint32Array(129)];
  private lengths: [number[], number[]] = [[], []];
  private lengthsStale = false;
  /** Number of VRPs held. */
  size = 0;
  /** Keys (VRP prefixes) added to or removed from since the last takeChanges(). */
  private changed: VrpTable | undefined;
  private readonly tmp = new Uint32Array(4);

  constructor(private readonly trackChanges = true) {}

  // ------------------------------------------------------------------ hashing

  private static hash(w: Uint32Array, meta: number): number {
    let h = Math.imul(meta + 0x9e3779b9, 0x85ebca6b);
    for (let i = 0; i < 4; i++) {
      h ^= w[i]!;
      h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
    }
    return (h ^ (h >>> 13)) >>> 0;
  }

  /** Loads `tmp` with the address masked to `len` bits. */
  private loadMasked(v6: boolean, addr: Uint8Array, off: number, len: number): void {
    const t = this.tmp;
    const words = v6 ? 4 : 1;
    for (let i = 0; i < 4; i++) {
      if (i >= words) {
        t[i] = 0;
        continue;
      }
      const o = off + 4 * i;
      const w = ((addr[o]! << 24) | (addr[o + 1]! << 16) | (addr[o + 2]! << 8) | addr[o + 3]!) >>> 0;
      const bits = len - 32 * i;
      t[i] = bits >= 32 ? w : bits <= 0 ? 0 : (w & ~(0xffffffff >>> bits)) >>> 0;
    }
  }

  /** Key index of `tmp` + meta, or EMPTY; `lastSlot` = the empty slot where it would go. */
  private findKey(meta: number): number {
    const t = this.tmp;
    const mask = this.slots.length - 1;
    let s = VrpTable.hash(t, meta) & mask;
    for (;;) {
      const k = this.slots[s]!;
      if (k === EMPTY) {
        this.lastSlot = s;
        return EMPTY;
      }
      if (this.keyMeta[k] === meta) {
        const b = 4 * k;
        const kw = this.keyWords;
        if (kw[b] === t[0] && kw[b + 1] === t[1] && kw[b + 2] === t[2] && kw[b + 3] === t[3]) return k;
      }
      s = (s + 1) & mask;
    }
  }
  private lastSlot = 0;

  private addKey(meta: number): number {
    if (this.keyCount === this.keyMeta.length) this.growKeys();
    if ((this.keyCount + 1) * 2 > this.slots.length) {
      this.rehash(this.slots.length * 2);
      this.findKey(meta);
    }
    const k = this.keyCount++;
    this.keyWords.set(this.tmp, 4 * k);
    this.keyMeta[k] = meta;
    this.keyHead[k] = EMPTY;
    this.slots[this.lastSlot] = k;
    return k;
  }

  private growKeys(): void {
    const n = this.keyMeta.length * 2;
    const w = new Uint32Array(4 * n);
    w.set(this.keyWords);
    this.keyWords = w;
    const m = new Uint16Array(n);
    m.set(this.keyMeta);
    this.keyMeta = m;
    const h = new Int32Array(n);
    h.set(this.keyHead);
    this.keyHead = h;
  }

  private rehash(n: number): void {
    const slots = new Int32Array(n).fill(EMPTY);
    const mask = n - 1;
    const w = new Uint32Array(4);
    for (let k = 0; k < this.keyCount; k++) {
      w.set(this.keyWords.subarray(4 * k, 4 * k + 4));
      let s = VrpTable.hash(w, this.keyMeta[k]!) & mask;
      while (slots[s] !== EMPTY) s = (s + 1) & mask;
      slots[s] = k;
    }
    this.slots = slots;
  }

  private newEntry(): number {
    if (this.freeEntry !== EMPTY) {
      const e = this.freeEntry;
      this.freeEntry = this.eNext[e]!;
      return e;
    }
    if (this.entryTop === this.eAsn.length) {
      const n = this.eAsn.length * 2;
      const grow = <T extends Uint32Array | Uint8Array | Int32Array>(a: T, make: (n: number) => T): T => {
        const b = make(n);
        b.set(a);
        return b;
      };
      this.eAsn = grow(this.eAsn, (x) => new Uint32Array(x));
      this.eMax = grow(this.eMax, (x) => new Uint8Array(x));
      this.eNext = grow(this.eNext, (x) => new Int32Array(x));
      this.eGen = grow(this.eGen, (x) => new Uint32Array(x));
    }
    return this.entryTop++;
  }

  private noteChange(v6: boolean, addr: Uint8Array, off: number, len: number): void {
    if (!this.trackChanges) return;
    this.changed ??= new VrpTable(false);
    this.changed.add(v6, addr, off, len, len, 0);
  }

  // ------------------------------------------------------------------ changes

  /**
   * Adds a VRP; false when it was already there (RFC 8210 §5.6: a duplicate announcement). During a reset an
   * existing VRP is only marked as seen.
   */
  add(v6: boolean, addr: Uint8Array, off: number, len: number, maxLen: number, asn: number): boolean {
    this.loadMasked(v6, addr, off, len);
    const meta = (v6 ? 0x100 : 0) | len;
    let k = this.findKey(meta);
    if (k === EMPTY) k = this.addKey(meta);
    for (let e = this.keyHead[k]!; e !== EMPTY; e = this.eNext[e]!) {
      if (this.eAsn[e] === asn >>> 0 && this.eMax[e] === maxLen) {
        if (this.resetting && this.eGen[e] !== this.gen) {
          this.eGen[e] = this.gen;
          return true;
        }
        return false;
      }
    }
    const e = this.newEntry();
    this.eAsn[e] = asn >>> 0;
    this.eMax[e] = maxLen;
    this.eGen[e] = this.gen;
    this.eNext[e] = this.keyHead[k]!;
    this.keyHead[k] = e;
    if (this.perLen[v6 ? 1 : 0]![len]!++ === 0) this.lengthsStale = true;
    this.size++;
    this.noteChange(v6, addr, off, len);
    return true;
  }

  /** Removes a VRP; false when it was not there (RFC 8210 §5.6: withdrawal of an unknown record). */
  remove(v6: boolean, addr: Uint8Array, off: number, len: number, maxLen: number, asn: number): boolean {
    this.loadMasked(v6, addr, off, len);
    const meta = (v6 ? 0x100 : 0) | len;
    const k = this.findKey(meta);
    if (k === EMPTY) return false;
    let prev = EMPTY;
    for (let e = this.keyHead[k]!; e !== EMPTY; prev = e, e = this.eNext[e]!) {
      if (this.eAsn[e] !== asn >>> 0 || this.eMax[e] !== maxLen) continue;
      this.unlink(k, prev, e);
      this.noteChange(v6, addr, off, len);
      return true;
    }
    return false;
  }

  private unlink(k: number, prev: number, e: number): void {
    const next = this.eNext[e]!;
    if (prev === EMPTY) this.keyHead[k] = next;
    else this.eNext[prev] = next;
    this.eNext[e] = this.freeEntry;
    this.freeEntry = e;
    const meta = this.keyMeta[k]!;
    if (--this.perLen[meta >> 8]![meta & 0xff]! === 0) this.lengthsStale = true;
    this.size--;
  }

  /** Starts a full reload (RFC 8210 §5.4 Reset Query answer): VRPs not added again before endReset() go. */
  beginReset(): void {
    this.gen = (this.gen + 1) >>> 0;
    this.resetting = true;
  }

  /** Ends a full reload: removes every VRP not seen since beginReset(). */
  endReset(): void {
    this.resetting = false;
    this.dropWhere((e) => this.eGen[e] !== this.gen);
  }

  /** Empties the table (RFC 8210 §6: data older than the Expire interval must not be used). */
  clear(): void {
    this.resetting = false;
    this.dropWhere(() => true);
  }

  private dropWhere(drop: (e: number) => boolean): void {
    const addr = new Uint8Array(16);
    for (let k = 0; k < this.keyCount; k++) {
      let prev = EMPTY;
      for (let e = this.keyHead[k]!; e !== EMPTY; ) {
        const next = this.eNext[e]!;
        if (drop(e)) {
          this.unlink(k, prev, e);
          if (this.trackChanges) {
            const meta = this.keyMeta[k]!;
            this.keyAddress(k, addr);
            this.noteChange(meta >= 0x100, addr, 0, meta & 0xff);
          }
        } else prev = e;
        e = next;
      }
    }
  }

  private keyAddress(k: number, out: Uint8Array): void {
    const v = new DataView(out.buffer, out.byteOffset);
    for (let i = 0; i < 4; i++) v.setUint32(4 * i, this.keyWords[4 * k + i]!);
  }

  /**
   * The VRP prefixes that gained or lost a VRP since the last call, as a table of their own: a route is affected
   * by the change when `affected.covers(...)` (RFC 6811 validates against every covering VRP). Undefined when
   * nothing changed.
   */
  takeChanges(): VrpTable | undefined {
    const c = this.changed;
    this.changed = undefined;
    return c;
  }

  // ------------------------------------------------------------------ lookups

  private presentLengths(fam: number): number[] {
    if (this.lengthsStale) {
      for (let f = 0; f < 2; f++) {
        const out: number[] = [];
        this.perLen[f]!.forEach((n, l) => {
          if (n > 0) out.push(l);
        });
        this.lengths[f] = out;
      }
      this.lengthsStale = false;
    }
    return this.lengths[fam]!;
  }

  /**
   * RFC 6811 §2: NOT_FOUND when no VRP covers the route's prefix; VALID when a covering VRP has the route's origin
   * AS and a max length >= the route's length; INVALID otherwise. `origin` ORIGIN_NONE (AS_SET last) never matches;
   * a VRP for AS 0 (RFC 6483 §4) never matches either.
   */
  validate(v6: boolean, addr: Uint8Array, off: number, len: number, origin: number): OriginState {
    const lens = this.presentLengths(v6 ? 1 : 0);
    let covered = false;
    for (let i = 0; i < lens.length; i++) {
      const l = lens[i]!;
      if (l > len) break;
      this.loadMasked(v6, addr, off, l);
      const k = this.findKey((v6 ? 0x100 : 0) | l);
      if (k === EMPTY) continue;
      for (let e = this.keyHead[k]!; e !== EMPTY; e = this.eNext[e]!) {
        covered = true;
        const asn = this.eAsn[e]!;
        if (origin >= 0 && asn !== 0 && asn === origin >>> 0 && len <= this.eMax[e]!) return VALID;
      }
    }
    return covered ? INVALID : NOT_FOUND;
  }

  /** True when some VRP prefix here covers (is equal to or shorter than and contains) the given prefix. */
  covers(v6: boolean, addr: Uint8Array, off: number, len: number): boolean {
    const lens = this.presentLengths(v6 ? 1 : 0);
    for (let i = 0; i < lens.length; i++) {
      const l = lens[i]!;
      if (l > len) break;
      this.loadMasked(v6, addr, off, l);
      const k = this.findKey((v6 ? 0x100 : 0) | l);
      if (k !== EMPTY && this.keyHead[k] !== EMPTY) return true;
    }
    return false;
  }

  /** Every VRP, for display and tests (allocates one object each: not for the hot path). */
  *entries(): IterableIterator<Vrp> {
    for (let k = 0; k < this.keyCount; k++) {
      const meta = this.keyMeta[k]!;
      for (let e = this.keyHead[k]!; e !== EMPTY; e = this.eNext[e]!) {
        const a = new Uint8Array(16);
        this.keyAddress(k, a);
        const v6 = meta >= 0x100;
        yield { v6, prefix: v6 ? a : a.slice(0, 4), len: meta & 0xff, maxLen: this.eMax[e]!, asn: this.eAsn[e]! };
      }
    }
  }

  /** Bytes held by the typed arrays (for `show rpki` and the bench). */
  get bytes(): number {
    return (
      this.keyWords.byteLength +
      this.keyMeta.byteLength +
      this.keyHead.byteLength +
      this.slots.byteLength +
      this.eAsn.byteLength +
      this.eMax.byteLength +
      this.eNext.byteLength +
      this.eGen.byteLength
    );
  }
}
