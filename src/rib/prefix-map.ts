// A map keyed by IP prefixes (length + address), stored in typed arrays. An Adj-RIB-In holds up to millions of
// prefixes; a JS Map needs a heap key per prefix (a string, or a heap number above 2^30) plus about 24 bytes of
// entry, and every key is hashed as a string. Here a prefix costs its address words, one length byte, a chain
// link and a bucket, with no allocation per insert and no key for the garbage collector to trace.
//
// Entries are kept dense in insertion order (like V8's own Map), chained from a bucket array. A delete unlinks
// the entry and leaves a hole; holes are squeezed out when the arrays are rebuilt (growth, or shrinking once
// three quarters are empty), so iteration order is insertion order, as with a Map.

/** A key: [prefix length, address word 0, ...], the words big-endian, bytes past the prefix's octets zero. */
export type PrefixKey = Uint32Array;

/** Marks a deleted entry (prefix lengths stop at 128). */
const HOLE = 0xff;
const MIN_CAPACITY = 8;

export class PrefixMap<V> {
  /** 32-bit words per address: 1 for IPv4, 4 for IPv6. */
  readonly words: number;
  private cap = 0;
  private mask = 0;
  private keys = new Uint32Array(0);
  private lens = new Uint8Array(0);
  /** Values by entry; its length is always `used`. */
  private vals: (V | undefined)[] = [];
  /** Each entry's full hash (before masking): rebuilding needs no key re-read, and lookups skip most compares. */
  private hashes = new Uint32Array(0);
  private chain = new Int32Array(0);
  private buckets = new Int32Array(0);
  /** Entries used so far, holes included. */
  private used = 0;
  size = 0;

  constructor(words: 1 | 4) {
    this.words = words;
    this.rebuild(MIN_CAPACITY);
  }

  /** An empty key of this map's width, to fill and pass to get/set/delete. */
  newKey(): PrefixKey {
    return new Uint32Array(1 + this.words);
  }

  /** The full hash; its bucket is `& mask`. */
  private hash(k: PrefixKey): number {
    // The last octet of the prefix is added to the hash of the rest instead of mixed into it: prefixes that
    // differ only there (neighbours in a table sent in order: the /24s of a /16, the /48s of a /40) land in
    // neighbouring buckets, and the bucket array is walked nearly in sequence instead of one cache miss per
    // prefix. The rest goes through multiply-xorshift and the murmur3 finalizer to spread the groups.
    const len = k[0]!;
    const nb = (len + 7) >> 3;
    let lastWord = 0;
    let keep = -1;
    let lo = 0;
    if (nb > 0) {
      const shift = 24 - 8 * ((nb - 1) & 3);
      lastWord = 1 + ((nb - 1) >> 2);
      lo = (k[lastWord]! >>> shift) & 0xff;
      keep = ~(0xff << shift);
    }
    let h = Math.imul(len + 1, 0x9e3779b1);
    for (let i = 1; i <= this.words; i++) {
      h = Math.imul(h ^ (i === lastWord ? k[i]! & keep : k[i]!), 0x85ebca6b);
      h ^= h >>> 15;
    }
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    return (h + lo) >>> 0;
  }

  private find(k: PrefixKey, h: number): number {
    const len = k[0]!;
    const w = this.words;
    const keys = this.keys;
    const lens = this.lens;
    const hashes = this.hashes;
    const chain = this.chain;
    let i = this.buckets[h & this.mask]!;
    if (w === 1) {
      const a = k[1]!;
      while (i >= 0) {
        if (keys[i] === a && lens[i] === len) return i;
        i = chain[i]!;
      }
      return -1;
    }
    while (i >= 0) {
      if (hashes[i] === h && lens[i] === len) {
        const o = i * w;
        let j = 0;
        while (j < w && keys[o + j] === k[1 + j]) j++;
        if (j === w) return i;
      }
      i = chain[i]!;
    }
    return -1;
  }

  get(k: PrefixKey): V | undefined {
    const i = this.find(k, this.hash(k));
    return i < 0 ? undefined : this.vals[i];
  }

  has(k: PrefixKey): boolean {
    return this.find(k, this.hash(k)) >= 0;
  }

  set(k: PrefixKey, v: V): this {
    this.swap(k, v);
    return this;
  }

  /** Set and return the previous value: one lookup where get + set would take two. */
  swap(k: PrefixKey, v: V): V | undefined {
    const h = this.hash(k);
    const i = this.find(k, h);
    if (i >= 0) {
      const old = this.vals[i];
      this.vals[i] = v;
      return old;
    }
    // Full of entries: double when at least half are live, else squeeze the holes out at the same size.
    if (this.used === this.cap) this.rebuild(this.size >= this.cap >> 1 ? this.cap * 2 : this.cap);
    const n = this.used++;
    const w = this.words;
    if (w === 1) this.keys[n] = k[1]!;
    else for (let j = 0; j < w; j++) this.keys[n * w + j] = k[1 + j]!;
    this.lens[n] = k[0]!;
    this.hashes[n] = h;
    this.vals.push(v);
    const b = h & this.mask;
    this.chain[n] = this.buckets[b]!;
    this.buckets[b] = n;
    this.size++;
    return undefined;
  }

  delete(k: PrefixKey): boolean {
    const h = this.hash(k);
    const i = this.find(k, h);
    if (i < 0) return false;
    // Unlink from the bucket chain so lookups never walk holes.
    const b = h & this.mask;
    let p = this.buckets[b]!;
    if (p === i) this.buckets[b] = this.chain[i]!;
    else {
      while (this.chain[p] !== i) p = this.chain[p]!;
      this.chain[p] = this.chain[i]!;
    }
    this.lens[i] = HOLE;
    this.vals[i] = undefined;
    this.size--;
    if (this.size === 0) this.clear();
    else if (this.cap > MIN_CAPACITY && this.size < this.cap >> 2) this.rebuild(this.cap >> 1);
    return true;
  }

  clear(): void {
    this.size = 0;
    this.used = 0;
    this.vals = [];
    this.rebuild(MIN_CAPACITY);
  }

  /** New arrays of `cap` entries holding the live entries in order; buckets rebuilt. */
  private rebuild(cap: number): void {
    const w = this.words;
    const keys = new Uint32Array(cap * w);
    const lens = new Uint8Array(cap);
    const hashes = new Uint32Array(cap);
    let vals: (V | undefined)[];
    let n = 0;
    if (this.size === this.used) {
      // No holes (plain growth): block copies, and the value array is kept (it is grown by push, never
      // preallocated: `new Array(n)` for a large n gives V8 a slow dictionary-mode array).
      n = this.used;
      keys.set(this.keys.subarray(0, n * w));
      lens.set(this.lens.subarray(0, n));
      hashes.set(this.hashes.subarray(0, n));
      vals = this.vals;
    } else {
      vals = [];
      for (let i = 0; i < this.used; i++) {
        if (this.lens[i] === HOLE) continue;
        for (let j = 0; j < w; j++) keys[n * w + j] = this.keys[i * w + j]!;
        lens[n] = this.lens[i]!;
        hashes[n] = this.hashes[i]!;
        vals.push(this.vals[i]);
        n++;
      }
    }
    const chain = new Int32Array(cap);
    const buckets = new Int32Array(cap).fill(-1);
    const mask = cap - 1;
    for (let i = 0; i < n; i++) {
      const b = hashes[i]! & mask;
      chain[i] = buckets[b]!;
      buckets[b] = i;
    }
    this.keys = keys;
    this.lens = lens;
    this.hashes = hashes;
    this.vals = vals;
    this.chain = chain;
    this.buckets = buckets;
    this.cap = cap;
    this.mask = mask;
    this.used = n;
  }

  /**
   * Entry slots, holes included, for a walk without allocation: `for (i = 0; i < m.slots; i++) if (m.keyAt(i,
   * k)) use(k, m.valueAt(i))`. A set or delete during the walk may move entries: collect first, then change.
   */
  get slots(): number {
    return this.used;
  }

  /** Fill `k` with the key of slot i; false (k untouched) for a hole. */
  keyAt(i: number, k: PrefixKey): boolean {
    const len = this.lens[i]!;
    if (len === HOLE) return false;
    k[0] = len;
    const w = this.words;
    for (let j = 0; j < w; j++) k[1 + j] = this.keys[i * w + j]!;
    return true;
  }

  valueAt(i: number): V | undefined {
    return this.vals[i];
  }

  /** Every entry in insertion order; each key is a fresh array (not for hot paths). */
  entries(): Generator<[PrefixKey, V]> {
    return this.entriesWhere(() => true);
  }

  /** The entries whose value passes `keep`, in insertion order; a key is made only for those (a filtered scan). */
  *entriesWhere(keep: (v: V) => boolean): Generator<[PrefixKey, V]> {
    const w = this.words;
    for (let i = 0; i < this.used; i++) {
      if (this.lens[i] === HOLE || !keep(this.vals[i] as V)) continue;
      const k = this.newKey();
      k[0] = this.lens[i]!;
      for (let j = 0; j < w; j++) k[1 + j] = this.keys[i * w + j]!;
      yield [k, this.vals[i] as V];
    }
  }

  *values(): Generator<V> {
    for (let i = 0; i < this.used; i++) if (this.lens[i] !== HOLE) yield this.vals[i] as V;
  }

  [Symbol.iterator](): Generator<[PrefixKey, V]> {
    return this.entries();
  }
}

/**
 * Fill `k` (a key of `words` address words) from a prefix on the wire: `len` bits whose octets start at
 * `data[off]`. Octets past the prefix are taken as zero; bits past `len` in its last octet are kept as received,
 * so a key stands for exactly the NLRI bytes.
 */
export function prefixKeyFrom(k: PrefixKey, words: number, len: number, data: Uint8Array, off: number): void {
  const nb = (len + 7) >> 3;
  k[0] = len;
  for (let j = 0; j < words; j++) {
    const o = off + j * 4;
    const left = nb - j * 4;
    k[1 + j] =
      left >= 4
        ? (data[o]! << 24) | (data[o + 1]! << 16) | (data[o + 2]! << 8) | data[o + 3]!
        : left <= 0
          ? 0
          : (data[o]! << 24) | (left > 1 ? data[o + 1]! << 16 : 0) | (left > 2 ? data[o + 2]! << 8 : 0);
  }
}

/** The NLRI bytes (length octet, then the prefix's octets) a key stands for. */
export function prefixKeyEntry(k: PrefixKey): Uint8Array {
  const out = new Uint8Array(1 + ((k[0]! + 7) >> 3));
  prefixKeyWrite(k, out);
  return out;
}

/** Write the NLRI bytes of a key at the start of `out` (17 bytes hold any); returns their length. */
export function prefixKeyWrite(k: PrefixKey, out: Uint8Array): number {
  const len = k[0]!;
  const nb = (len + 7) >> 3;
  out[0] = len;
  for (let i = 0; i < nb; i++) out[1 + i] = (k[1 + (i >> 2)]! >>> (24 - 8 * (i & 3))) & 0xff;
  return 1 + nb;
}
