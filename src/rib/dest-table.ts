// What the peers of a role that exports from one Loc-RIB (the route server's clients, the route reflector's
// members) are to be sent, kept compact: every destination the role holds gets a number shared by all its peers
// (DestTable, one per family), and each peer has one 16-bit cell per destination saying which source's path it
// is to have (0: none) and whether the destination waits in its send queue. The attribute set itself is looked up in the Loc-RIB when the client's
// session pulls the route (ClientView.get), so nothing per client and destination refers to an object: 50 clients
// of 510,000 destinations cost 2 bytes a cell (51 MB) instead of an NlriTable entry each (37 bytes, 912 MB).

import { AFI, afiOf, type FamilyKey } from '../wire/types';
import type { ExportView } from './adj-rib-out';
import type { AttrSet } from './attr-intern';
import { queueWithRoom } from './nlri-table';
import { type PrefixKey, PrefixMap, prefixKeyFrom } from './prefix-map';

/** A client's cell: this bit while the destination waits in its send queue ... */
export const QUEUED = 0x8000;
/** ... and in the other 15 bits the source id + 1 of the path it is to have, 0 for none. */
export const SOURCE = 0x7fff;
/** In DestTable.best: some path of the destination carries action communities, so each client's choice differs. */
export const MIXED = 0x8000;
/** The most sources a 15-bit cell can name (source ids are never reused). */
export const MAX_SOURCES = SOURCE - 1;

const KEY_HEAD = 4;
/** Cells come in pages of 4,096 destinations: the table grows a page at a time, with no copy and no slack. */
const PAGE_BITS = 12;
const PAGE = 1 << PAGE_BITS;
const PAGE_MASK = PAGE - 1;

/** A role's destinations of one family, numbered, with its peers' cells. */
export class DestTable {
  readonly words: 1 | 4;
  /** Bytes per destination in `keys`: a 4-byte path id (always 0: what an ADD-PATH peer is sent) and the NLRI. */
  readonly stride: number;
  private readonly index: PrefixMap<number>;
  private readonly key: PrefixKey;
  keys: Uint8Array;
  /** Destinations numbered so far (freed numbers included). */
  n = 0;
  private cap = 0;
  private readonly free: number[] = [];
  /** Source id + 1 of the best path (0: no path), with MIXED. */
  best = new Uint16Array(0);
  /** The best path's set (a Loc-RIB reference, replaced whenever the destination changes). */
  readonly bestSet: (AttrSet | undefined)[] = [];
  /**
   * Clients' cells, destination-major: destination d's run of `width` cells starts at at(d, 0) in page(d). A change
   * touches one run of memory.
   */
  private pages: Uint16Array[] = [];
  width = 0;
  /** The clients' views, by slot. */
  readonly views: (ClientView | undefined)[] = [];
  /** Destinations left without a path: their numbers are freed once no client holds or queues them. */
  private readonly limbo: number[] = [];
  private inLimbo = new Uint8Array(0);
  private limboMin = 1024;

  constructor(readonly family: FamilyKey) {
    this.words = afiOf(family) === AFI.IPV6 ? 4 : 1;
    this.stride = KEY_HEAD + 1 + 4 * this.words;
    this.index = new PrefixMap<number>(this.words);
    this.key = this.index.newKey();
    this.keys = new Uint8Array(0);
    this.grow();
  }

  /** The number of the destination given as NLRI bytes buf[off, off + len), -1 when it has none. */
  lookup(buf: Uint8Array, off: number, len: number): number {
    if (len > this.stride - KEY_HEAD) return -1;
    prefixKeyFrom(this.key, this.words, buf[off]!, buf, off + 1);
    return this.index.get(this.key) ?? -1;
  }

  /** The number of a destination, given one when new. */
  number(buf: Uint8Array, off: number, len: number): number {
    prefixKeyFrom(this.key, this.words, buf[off]!, buf, off + 1);
    const had = this.index.get(this.key);
    if (had !== undefined) return had;
    let d = this.free.pop();
    if (d === undefined) {
      if (this.n === this.cap) this.grow();
      d = this.n++;
      this.bestSet.push(undefined);
      if (d >>> PAGE_BITS === this.pages.length) this.pages.push(new Uint16Array(PAGE * this.width));
    }
    const k = this.keys;
    const o = d * this.stride + KEY_HEAD;
    for (let i = 0; i < len; i++) k[o + i] = buf[off + i]!;
    this.index.set(this.key, d);
    return d;
  }

  /** Where the destination's NLRI entry starts in `keys`, and its length. */
  entryOff(d: number): number {
    return d * this.stride + KEY_HEAD;
  }

  entryLen(d: number): number {
    return 1 + ((this.keys[d * this.stride + KEY_HEAD]! + 7) >> 3);
  }

  keyStart(d: number): number {
    return d * this.stride;
  }

  keyEnd(d: number): number {
    return d * this.stride + KEY_HEAD + this.entryLen(d);
  }

  /** The page holding destination d's cells ... */
  page(d: number): Uint16Array {
    return this.pages[d >>> PAGE_BITS]!;
  }

  /** ... and where the cell of `slot` is in it. */
  at(d: number, slot: number): number {
    return (d & PAGE_MASK) * this.width + slot;
  }

  entry(d: number): Uint8Array {
    const o = this.entryOff(d);
    return this.keys.slice(o, o + this.entryLen(d));
  }

  private grow(): void {
    const cap = Math.max(1024, Math.ceil(this.cap * 1.5));
    const keys = new Uint8Array(cap * this.stride);
    keys.set(this.keys);
    this.keys = keys;
    const best = new Uint16Array(cap);
    best.set(this.best);
    this.best = best;
    const lim = new Uint8Array(cap);
    lim.set(this.inLimbo);
    this.inLimbo = lim;
    this.cap = cap;
  }

  /** A client's column, at `slot` (widening every destination's run of cells when needed). */
  addView(slot: number, v: ClientView): void {
    if (slot >= this.width) {
      const w = (slot + 4) & ~3;
      this.pages = this.pages.map((old) => {
        const p = new Uint16Array(PAGE * w);
        for (let r = 0; r < PAGE; r++) p.set(old.subarray(r * this.width, (r + 1) * this.width), r * w);
        return p;
      });
      this.width = w;
    }
    this.views[slot] = v;
  }

  /** The client at `slot` left: its column is cleared for the next one. */
  dropView(slot: number): void {
    const v = this.views[slot];
    if (!v) return;
    v.attach(false);
    for (const p of this.pages) for (let i = slot; i < p.length; i += this.width) p[i] = 0;
    this.views[slot] = undefined;
  }

  /** The destination has no path left. */
  toLimbo(d: number): void {
    if (this.inLimbo[d]) return;
    this.inLimbo[d] = 1;
    this.limbo.push(d);
  }

  /**
   * Free the numbers of destinations without a path that no client holds or queues any more. Runs once enough
   * have gathered (twice as many as were kept the last time), so that its cost stays in proportion.
   */
  reclaim(): void {
    if (this.limbo.length < this.limboMin) return;
    const w = this.width;
    let kept = 0;
    for (const d of this.limbo) {
      if (this.best[d] !== 0) {
        this.inLimbo[d] = 0;
        continue;
      }
      let busy = false;
      const p = this.page(d);
      for (let i = this.at(d, 0), end = i + w; i < end; i++) if (p[i] !== 0) busy = true;
      if (busy) {
        this.limbo[kept++] = d;
        continue;
      }
      this.inLimbo[d] = 0;
      const o = this.entryOff(d);
      prefixKeyFrom(this.key, this.words, this.keys[o]!, this.keys, o + 1);
      this.index.delete(this.key);
      this.keys.fill(0, o, o + this.stride - KEY_HEAD);
      this.free.push(d);
    }
    this.limbo.length = kept;
    this.limboMin = Math.max(1024, 2 * kept);
  }
}

/**
 * One client's routes of one family as its Adj-RIB-Out reads them (an ExportView): its column of cells in the
 * DestTable, and its send queue of destination numbers.
 */
export class ClientView implements ExportView {
  onWork: (() => void) | null = null;
  /** Session up with the family: changes are queued. */
  attached = false;
  /** Destinations whose cell names a source. */
  count = 0;
  /** Something was queued since the owner last woke the session. */
  woke = false;
  private queue = new Int32Array(1024);
  private qHead = 0;
  private qTail = 0;

  constructor(
    readonly t: DestTable,
    readonly slot: number,
    /** The set to send for destination d, whose cell names source `src`. */
    private readonly resolve: (d: number, src: number) => AttrSet | undefined,
  ) {}

  get size(): number {
    return this.count;
  }

  get pending(): number {
    return this.qTail - this.qHead;
  }

  get keys(): Uint8Array {
    return this.t.keys;
  }

  keyStart(d: number): number {
    return this.t.keyStart(d);
  }

  keyEnd(d: number): number {
    return this.t.keyEnd(d);
  }

  /**
   * Cell of d is to name `want` (source id + 1, 0: nothing); queued when that is news, or when `changed` (the
   * source id + 1 whose path changed) is what it names and the set to send may differ.
   */
  put(d: number, want: number, changed: number): void {
    const page = this.t.page(d);
    const i = this.t.at(d, this.slot);
    const cell = page[i]!;
    const cur = cell & SOURCE;
    if (want === cur && (want === 0 || want !== changed)) return;
    if (cur === 0) this.count++;
    else if (want === 0) this.count--;
    page[i] = (cell & QUEUED) | want;
    if (this.attached && cell < QUEUED) this.push(d);
  }

  /** Queue d, whose QUEUED bit the caller found clear. */
  push(d: number): void {
    this.t.page(d)[this.t.at(d, this.slot)]! |= QUEUED;
    if (this.qTail === this.queue.length) {
      this.queue = queueWithRoom(this.queue, this.qHead, this.qTail);
      this.qTail -= this.qHead;
      this.qHead = 0;
    }
    this.queue[this.qTail++] = d;
    this.woke = true;
  }

  dequeue(): number {
    if (this.qHead === this.qTail) return -1;
    const d = this.queue[this.qHead++]!;
    if (this.qHead === this.qTail) {
      this.qHead = this.qTail = 0;
      // A full table's queue is not kept once sent (50 clients × 510,000 destinations would hold 100 MB).
      if (this.queue.length > 16384) this.queue = new Int32Array(1024);
    }
    this.t.page(d)[this.t.at(d, this.slot)]! &= SOURCE;
    return d;
  }

  get(d: number): AttrSet | undefined {
    const src = this.t.page(d)[this.t.at(d, this.slot)]! & SOURCE;
    return src === 0 ? undefined : this.resolve(d, src - 1);
  }

  compact(): void {
    this.t.reclaim();
  }

  private clearQueue(): void {
    const t = this.t;
    for (let i = this.qHead; i < this.qTail; i++) {
      const d = this.queue[i]!;
      t.page(d)[t.at(d, this.slot)]! &= SOURCE;
    }
    this.qHead = this.qTail = 0;
    if (this.queue.length > 16384) this.queue = new Int32Array(1024);
  }

  attach(on: boolean): void {
    this.clearQueue();
    this.attached = on;
    if (on) this.enqueueAll();
  }

  enqueueAll(): void {
    if (!this.attached) return;
    const t = this.t;
    // Stops at the last destination the client holds (a session coming up early sees few of them).
    for (let d = 0, seen = 0; d < t.n && seen < this.count; d++) {
      const cell = t.page(d)[t.at(d, this.slot)]!;
      if ((cell & SOURCE) !== 0) seen++;
      // Naming a source and not queued yet: non-zero and below the QUEUED bit.
      if (cell !== 0 && cell < QUEUED) this.push(d);
    }
    if (this.woke) this.wake();
  }

  withdrawAll(): number {
    const t = this.t;
    let k = 0;
    for (let d = 0; d < t.n; d++) {
      const p = t.page(d);
      const i = t.at(d, this.slot);
      const cell = p[i]!;
      if ((cell & SOURCE) === 0) continue;
      p[i] = cell & QUEUED;
      k++;
      if (this.attached && cell < QUEUED) this.push(d);
    }
    this.count -= k;
    if (this.woke) this.wake();
    return k;
  }

  /** Tell the session there is something to pull, once per batch of changes. */
  wake(): void {
    this.woke = false;
    this.onWork?.();
  }

  *routes(): Generator<{ entry: Uint8Array; pathId: number; attributes: AttrSet }> {
    const t = this.t;
    for (let d = 0; d < t.n; d++) {
      const src = t.page(d)[t.at(d, this.slot)]! & SOURCE;
      if (src === 0) continue;
      const attributes = this.resolve(d, src - 1);
      if (attributes) yield { entry: t.entry(d), pathId: 0, attributes };
    }
  }

  find(entry: Uint8Array, pathId: number): AttrSet | undefined {
    if (pathId !== 0) return undefined;
    const d = this.t.lookup(entry, 0, entry.length);
    return d < 0 ? undefined : this.get(d);
  }
}
