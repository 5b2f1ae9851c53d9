// A table keyed by (path id, encoded NLRI entry) without a JavaScript object or string per key.
// Keys live back to back in one byte arena, entries are numbered in insertion order and found through an
// open-addressing hash of entry numbers. A million /24s cost about 30 bytes each (arena, offsets, hashes,
// one value reference, hash slots) instead of a string plus a Map entry, and the garbage collector sees a
// handful of large arrays instead of millions of small objects.
//
// The table also carries the send queue of the Adj-RIB-Out: an entry is "queued" when its current value (or
// its absence: a withdrawal) still has to go to the peer. The queue holds entry numbers, each at most once.

const EMPTY_SLOT = 0;

/** Mixes the bits of a 32-bit value (MurmurHash3's finaliser) so that masking the low bits spreads well. */
const fmix = (h: number): number => {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
};

function hashKey(buf: Uint8Array, off: number, len: number): number {
  // FNV-1a over the entry bytes only: every path id (RFC 7911 ADD-PATH) of a destination hashes alike, so
  // that findAll() finds them all on one probe sequence.
  let h = 0x811c9dc5 | 0;
  for (let i = off, end = off + len; i < end; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
  return fmix(h ^ len);
}

/**
 * A full queue's entries [head, tail) moved to the front of an array with room after them: the same array when
 * at least half of it was consumed (slid down instead of grown), else one twice the size.
 */
export function queueWithRoom(queue: Int32Array<ArrayBuffer>, head: number, tail: number): Int32Array<ArrayBuffer> {
  if (head > 0 && head * 2 >= tail) {
    queue.copyWithin(0, head, tail);
    return queue;
  }
  const q = new Int32Array(queue.length * 2);
  q.set(queue.subarray(head, tail));
  return q;
}

export class NlriTable<V> {
  /** Keys: 4-byte path id (big-endian) then the NLRI entry, for entry i at [start[i], start[i + 1]). */
  private arena = new Uint8Array(4096);
  private start = new Uint32Array(257);
  private hashes = new Int32Array(256);
  private values: (V | undefined)[] = [];
  /** 1 while entry i is in the queue. */
  private queued = new Uint8Array(256);
  /** Hash slots: entry number + 1, 0 for an empty slot. Never more than half full. */
  private slots = new Int32Array(512);
  private mask = 511;
  /** Entries numbered so far (present or not). */
  private n = 0;
  private present = 0;
  private queue = new Int32Array(256);
  private qHead = 0;
  private qTail = 0;

  /** Keys with a value. */
  get size(): number {
    return this.present;
  }

  /** Entries waiting in the send queue. */
  get pending(): number {
    return this.qTail - this.qHead;
  }

  /** Entry number of a key, or -1. */
  find(pathId: number, buf: Uint8Array, off: number, len: number): number {
    const h = hashKey(buf, off, len);
    const slots = this.slots;
    for (let s = h & this.mask; ; s = (s + 1) & this.mask) {
      const e = slots[s]! - 1;
      if (e < 0) return -1;
      if (this.hashes[e] === h && this.equals(e, pathId, buf, off, len)) return e;
    }
  }

  /** Entry numbers of a destination under every path id it is held with (numbered ones, with a value or not). */
  findAll(buf: Uint8Array, off: number, len: number): number[] {
    const h = hashKey(buf, off, len);
    const out: number[] = [];
    const slots = this.slots;
    for (let s = h & this.mask; ; s = (s + 1) & this.mask) {
      const e = slots[s]! - 1;
      if (e < 0) return out;
      if (this.hashes[e] === h && this.sameEntry(e, buf, off, len)) out.push(e);
    }
  }

  /** Entry number of a key, numbering it (without a value) when new. */
  insert(pathId: number, buf: Uint8Array, off: number, len: number): number {
    const h = hashKey(buf, off, len);
    const slots = this.slots;
    let s = h & this.mask;
    for (; ; s = (s + 1) & this.mask) {
      const e = slots[s]! - 1;
      if (e < 0) break;
      if (this.hashes[e] === h && this.equals(e, pathId, buf, off, len)) return e;
    }
    const e = this.append(pathId, buf, off, len, h);
    slots[s] = e + 1;
    // Kept at most half full so that probe sequences stay short.
    if (this.n * 2 > this.mask) this.rehash(this.slots.length * 2);
    return e;
  }

  get(e: number): V | undefined {
    return this.values[e];
  }

  /** Sets (or with undefined, removes) the value of entry e. */
  set(e: number, v: V | undefined): void {
    const old = this.values[e];
    if (old === undefined && v !== undefined) this.present++;
    else if (old !== undefined && v === undefined) this.present--;
    this.values[e] = v;
  }

  /** The path id of entry e. */
  pathId(e: number): number {
    const a = this.arena;
    const o = this.start[e]!;
    return ((a[o]! << 24) | (a[o + 1]! << 16) | (a[o + 2]! << 8) | a[o + 3]!) >>> 0;
  }

  /** The key bytes of entry e: path id (4 bytes) then the NLRI entry. Valid until the table changes. */
  get keys(): Uint8Array {
    return this.arena;
  }

  keyStart(e: number): number {
    return this.start[e]!;
  }

  keyEnd(e: number): number {
    return this.start[e + 1]!;
  }

  /** A copy of the NLRI entry of e (without path id). */
  entry(e: number): Uint8Array {
    return this.arena.slice(this.start[e]! + 4, this.start[e + 1]!);
  }

  /** Entry numbers that have a value, in insertion order. */
  *entries(): Generator<number> {
    for (let e = 0; e < this.n; e++) if (this.values[e] !== undefined) yield e;
  }

  /** Puts entry e in the send queue unless it is there already. */
  enqueue(e: number): void {
    if (this.queued[e]) return;
    this.queued[e] = 1;
    if (this.qTail === this.queue.length) {
      this.queue = queueWithRoom(this.queue, this.qHead, this.qTail);
      this.qTail -= this.qHead;
      this.qHead = 0;
    }
    this.queue[this.qTail++] = e;
  }

  /** Queues every entry that has a value (a full table send), in insertion order. */
  enqueueAll(): void {
    for (let e = 0; e < this.n; e++) if (this.values[e] !== undefined) this.enqueue(e);
  }

  /** Next queued entry number (taken out of the queue), or -1. */
  dequeue(): number {
    if (this.qHead === this.qTail) return -1;
    const e = this.queue[this.qHead++]!;
    if (this.qHead === this.qTail) this.qHead = this.qTail = 0;
    this.queued[e] = 0;
    return e;
  }

  /** Empties the send queue. */
  clearQueue(): void {
    for (let i = this.qHead; i < this.qTail; i++) this.queued[this.queue[i]!] = 0;
    this.qHead = this.qTail = 0;
  }

  /**
   * Forgets entries that have no value and are not queued, once they outnumber the others: withdrawn keys
   * would otherwise keep their arena bytes forever. Entry numbers change (the queue is renumbered with them).
   */
  compact(): void {
    // A lower bound of the entries to forget (a queued entry may also have a value): cheap, and exact once
    // the queue has drained, which is when withdrawals pile up.
    const dead = this.n - this.present - this.pending;
    if (dead < 1024 || dead * 2 < this.n) return;
    const remap = new Int32Array(this.n).fill(-1);
    let w = 0;
    let wOff = 0;
    for (let e = 0; e < this.n; e++) {
      if (this.values[e] === undefined && !this.queued[e]) continue;
      const a = this.start[e]!;
      const b = this.start[e + 1]!;
      this.arena.copyWithin(wOff, a, b);
      this.start[w] = wOff;
      wOff += b - a;
      this.hashes[w] = this.hashes[e]!;
      this.values[w] = this.values[e];
      this.queued[w] = this.queued[e]!;
      remap[e] = w++;
    }
    this.start[w] = wOff;
    this.values.length = w;
    this.queued.fill(0, w, this.n);
    for (let i = this.qHead; i < this.qTail; i++) this.queue[i] = remap[this.queue[i]!]!;
    this.n = w;
    let size = 512;
    while (size < w * 4) size *= 2;
    this.rehash(size);
  }

  private equals(e: number, pathId: number, buf: Uint8Array, off: number, len: number): boolean {
    return this.pathId(e) === pathId >>> 0 && this.sameEntry(e, buf, off, len);
  }

  /** Whether entry e's NLRI bytes (whatever its path id) are buf[off, off + len). */
  private sameEntry(e: number, buf: Uint8Array, off: number, len: number): boolean {
    const a = this.arena;
    const o = this.start[e]!;
    if (this.start[e + 1]! - o !== len + 4) return false;
    for (let i = 0, p = o + 4; i < len; i++, p++) if (a[p] !== buf[off + i]) return false;
    return true;
  }

  private append(pathId: number, buf: Uint8Array, off: number, len: number, h: number): number {
    const e = this.n;
    if (e >= this.hashes.length) {
      // The columns grow together; `start` has one more slot (the end of the last key).
      const cap = this.hashes.length * 2;
      const start = new Uint32Array(cap + 1);
      start.set(this.start);
      this.start = start;
      const hashes = new Int32Array(cap);
      hashes.set(this.hashes);
      this.hashes = hashes;
      const queued = new Uint8Array(cap);
      queued.set(this.queued);
      this.queued = queued;
    }
    let o = this.start[e]!;
    if (o + len + 4 > this.arena.length) {
      let size = this.arena.length * 2;
      while (size < o + len + 4) size *= 2;
      const a = new Uint8Array(size);
      a.set(this.arena.subarray(0, o));
      this.arena = a;
    }
    const a = this.arena;
    a[o++] = pathId >>> 24;
    a[o++] = (pathId >>> 16) & 0xff;
    a[o++] = (pathId >>> 8) & 0xff;
    a[o++] = pathId & 0xff;
    // Prefixes are a few bytes: a loop beats creating a subarray view for set().
    if (len <= 32) for (let i = 0; i < len; i++) a[o + i] = buf[off + i]!;
    else a.set(buf.subarray(off, off + len), o);
    this.start[e + 1] = o + len;
    this.hashes[e] = h;
    this.values.push(undefined);
    this.n = e + 1;
    return e;
  }

  private rehash(size: number): void {
    const slots = new Int32Array(size);
    const mask = size - 1;
    for (let e = 0; e < this.n; e++) {
      let s = this.hashes[e]! & mask;
      while (slots[s] !== EMPTY_SLOT) s = (s + 1) & mask;
      slots[s] = e + 1;
    }
    this.slots = slots;
    this.mask = mask;
  }
}
