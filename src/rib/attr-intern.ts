// Attribute interning: routes that share path attributes share one AttrSet, found by the attribute bytes.
// A full table holds a few hundred thousand distinct sets at most, so a million routes cost one reference each.
//
// Sets interned from typed attributes are identified by their canonical encoding (4-octet AS numbers, type code
// order), kept in byte chunks and found through a hash of those bytes: no key string and no Map entry per set,
// which is what a million distinct sets (a med or a community per route) would otherwise cost the garbage
// collector. The encoding is also what export (adj-rib-out.ts) sends from, so a set is encoded once, not once
// per UPDATE. Sets interned by a caller's own key (internKey: raw bytes of a received UPDATE) live in a Map.

import type { Attributes } from '../wire/types';
import { type ByteSink, encodeAttributesInto } from '../wire/update';

const CANONICAL_CTX = { asn4: true, addPath: new Set<number>(), maxMessage: 65535 };

/** First identity byte of a set without a next hop (an MP next hop is at most 32 bytes, RFC 4760 §3). */
const NO_NEXT_HOP = 0xff;
/** Identity bytes are copied into chunks of this size (a larger identity gets a buffer of its own). */
const CHUNK = 32768;

export class AttrSet {
  /** Number of routes referring to this set; at 0 the interner forgets it. */
  refs = 0;
  /** Scratch for the Adj-RIB-Out's grouping of a batch: the batch that last saw the set, its group there. */
  mark = 0;
  group = 0;
  /** Next set in the same hash bucket of the interner. */
  chain: AttrSet | undefined = undefined;
  private full: Attributes | undefined = undefined;

  constructor(
    /** Small unique number, handy for grouping and as a Map key. */
    readonly id: number,
    /** Attributes as given; `attributes` adds `folded` as the NEXT_HOP attribute when there is one. */
    private readonly base: Attributes,
    /** An IPv4 next hop that is part of the attributes (NEXT_HOP, RFC 4271 §5.1.3) without being in `base`. */
    private readonly folded: Uint8Array | undefined,
    /** Next hop of MP_REACH_NLRI (RFC 4760) when the routes came in one; undefined for IPv4 body NLRI. */
    readonly nextHop: Uint8Array | undefined,
    /** The caller's key for sets interned by internKey, else undefined. */
    private readonly text: string | undefined,
    /** Hash of the identity bytes (0 for keyed sets). */
    readonly hash: number,
    /** Identity bytes at [idOff, wireEnd): next hop marker, next hop, then the canonical encoding from wireOff. */
    private readonly bytes: Uint8Array | null,
    private readonly idOff: number,
    private readonly wireOff: number,
    private readonly wireEnd: number,
  ) {}

  /** Never carries mpReach/mpUnreach: NLRI live in the tables, not here. Made on first use when folded. */
  get attributes(): Attributes {
    if (this.folded === undefined) return this.base;
    return (this.full ??= { ...this.base, nextHop: this.folded });
  }

  /** True when the attributes hold hand-written (`other`) attributes, which export cannot handle as bytes. */
  get hasOther(): boolean {
    return this.base.other !== undefined;
  }

  /** Canonical path attributes (4-octet AS numbers, no MP_REACH), or null for a keyed set. A view: do not change. */
  get wire(): Uint8Array | null {
    return this.bytes === null ? null : this.bytes.subarray(this.wireOff, this.wireEnd);
  }

  /** The identity: the caller's key, or a latin1 string of the identity bytes for a set interned from attributes. */
  get key(): string {
    if (this.text !== undefined) return this.text;
    return (
      'T' +
      Buffer.from(this.bytes!.buffer, this.bytes!.byteOffset + this.idOff, this.wireEnd - this.idOff).toString('latin1')
    );
  }

  /** True when this set's identity bytes are sink[0, len). */
  matches(b: Uint8Array, len: number): boolean {
    const a = this.bytes;
    if (a === null || this.wireEnd - this.idOff !== len) return false;
    for (let i = 0, j = this.idOff; i < len; i++, j++) if (a[j] !== b[i]) return false;
    return true;
  }
}

export const bytesKey = (b: Uint8Array): string => {
  // NLRI keys are short (a prefix is 1 to 17 bytes): building the string directly is several times cheaper
  // than a Buffer view plus latin1 decode per call, which showed at the top of the 1M static-route profile.
  const n = b.length;
  if (n <= 32) {
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCharCode(b[i]!);
    return s;
  }
  return Buffer.from(b.buffer, b.byteOffset, n).toString('latin1');
};

/** Attributes without the NLRI-carrying attributes (which would pin the received message in memory). */
function stripMp(a: Attributes): Attributes {
  if (a.mpReach === undefined && a.mpUnreach === undefined) return a;
  const { mpReach: _r, mpUnreach: _u, ...rest } = a;
  return rest;
}

/** FNV-1a then MurmurHash3's finaliser, so that the low bits used as a bucket number spread well. */
function hashBytes(b: Uint8Array, len: number): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < len; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  h ^= len;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

export class AttrInterner {
  private readonly keyed = new Map<string, AttrSet>();
  /** Hash buckets of the sets interned from attributes, chained through AttrSet.chain. */
  private buckets: (AttrSet | undefined)[] = new Array<AttrSet | undefined>(1024).fill(undefined);
  private wired = 0;
  private nextId = 1;
  /** Where the identity of the set being interned is built. */
  private readonly scratch: ByteSink = { bytes: new Uint8Array(512), length: 0 };
  private chunk = new Uint8Array(CHUNK);
  private chunkUsed = 0;

  /** Distinct attribute sets held. */
  get size(): number {
    return this.keyed.size + this.wired;
  }

  /**
   * Intern by an identifying key (e.g. the raw attribute bytes of a received UPDATE, prefixed with whatever
   * changes their meaning such as the AS4 flag). `make` runs only for a key not seen before.
   * The returned set is not yet referenced: call ref() for each route that keeps it.
   */
  internKey(key: string, make: () => { attributes: Attributes; nextHop?: Uint8Array }): AttrSet {
    let s = this.keyed.get(key);
    if (s === undefined) {
      const m = make();
      s = new AttrSet(this.nextId++, stripMp(m.attributes), undefined, m.nextHop, key, 0, null, 0, 0, 0);
      this.keyed.set(key, s);
    }
    return s;
  }

  /** Intern typed attributes: the key is their canonical encoding (4-octet AS numbers), plus the next hop. */
  intern(attributes: Attributes, nextHop?: Uint8Array): AttrSet {
    return this.find(stripMp(attributes), undefined, nextHop, true);
  }

  /**
   * intern({ ...attributes, nextHop: folded }, nextHop) without making that object (it is made if someone asks
   * for the set's attributes): the static routes' way, one call per distinct route tail. `attributes` (without
   * mpReach/mpUnreach) and `nextHop` are kept as they are, so they must not change afterwards.
   */
  internShaped(attributes: Attributes, folded: Uint8Array | undefined, nextHop: Uint8Array | undefined): AttrSet {
    return this.find(attributes, folded, nextHop, false);
  }

  private find(
    a: Attributes,
    folded: Uint8Array | undefined,
    nextHop: Uint8Array | undefined,
    copyNextHop: boolean,
  ): AttrSet {
    const s = this.scratch;
    s.length = 0;
    if (nextHop === undefined) {
      s.bytes[0] = NO_NEXT_HOP;
      s.length = 1;
    } else {
      s.bytes[0] = nextHop.length;
      s.bytes.set(nextHop, 1);
      s.length = 1 + nextHop.length;
    }
    const wireStart = s.length;
    const len = encodeAttributesInto(a, CANONICAL_CTX, s, folded);
    const b = s.bytes;
    const h = hashBytes(b, len);
    const slot = h & (this.buckets.length - 1);
    for (let x = this.buckets[slot]; x !== undefined; x = x.chain) if (x.hash === h && x.matches(b, len)) return x;
    // New: the identity bytes move to a chunk, where the set's encoding stays for export.
    let dst: Uint8Array;
    let off: number;
    if (len > CHUNK >> 3) {
      dst = b.slice(0, len);
      off = 0;
    } else {
      if (this.chunkUsed + len > this.chunk.length) {
        this.chunk = new Uint8Array(CHUNK);
        this.chunkUsed = 0;
      }
      dst = this.chunk;
      off = this.chunkUsed;
      dst.set(b.subarray(0, len), off);
      this.chunkUsed += len;
    }
    const nh = nextHop === undefined ? undefined : copyNextHop ? nextHop.slice() : nextHop;
    const set = new AttrSet(this.nextId++, a, folded, nh, undefined, h, dst, off, off + wireStart, off + len);
    set.chain = this.buckets[slot];
    this.buckets[slot] = set;
    // Buckets grow with the sets, so that chains stay about one long.
    if (++this.wired > this.buckets.length) this.rehash(this.buckets.length * 2);
    return set;
  }

  private rehash(n: number): void {
    const old = this.buckets;
    const next = new Array<AttrSet | undefined>(n).fill(undefined);
    for (let x of old) {
      while (x !== undefined) {
        const following: AttrSet | undefined = x.chain;
        const slot = x.hash & (n - 1);
        x.chain = next[slot];
        next[slot] = x;
        x = following;
      }
    }
    this.buckets = next;
  }

  ref(s: AttrSet): void {
    s.refs++;
  }

  release(s: AttrSet): void {
    if (--s.refs <= 0) this.forget(s);
  }

  private forget(s: AttrSet): void {
    if (s.wire === null) {
      if (this.keyed.get(s.key) === s) this.keyed.delete(s.key);
      return;
    }
    const slot = s.hash & (this.buckets.length - 1);
    let prev: AttrSet | undefined;
    for (let x = this.buckets[slot]; x !== undefined; prev = x, x = x.chain) {
      if (x !== s) continue;
      if (prev === undefined) this.buckets[slot] = x.chain;
      else prev.chain = x.chain;
      x.chain = undefined;
      this.wired--;
      return;
    }
  }

  /** Forget every set that no route refers to (sets interned but never referenced). */
  sweep(): void {
    for (const [k, s] of this.keyed) if (s.refs <= 0) this.keyed.delete(k);
    const dead: AttrSet[] = [];
    for (let x of this.buckets) for (; x !== undefined; x = x.chain) if (x.refs <= 0) dead.push(x);
    for (const s of dead) this.forget(s);
  }
}
