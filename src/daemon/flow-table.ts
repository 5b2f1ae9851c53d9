// The FlowSpec rules in force towards one neighbor: what `show adj-rib out flow` lists (age, expiry, source,
// text) and what `expires N` withdraws by itself. An API program can hold a hundred thousand rules, so a rule
// is not an object graph here: its key (family + NLRI bytes) lives in an NlriTable's byte arena, its times,
// path id and source in typed columns indexed by entry number, its text is decoded from the NLRI bytes when
// asked, and expiry is one binary heap (one timer for the whole table, armed by the daemon) instead of a
// setTimeout per rule. About 60 bytes per rule instead of about 1.4 KB of strings, arrays and objects.

import { flowToString } from '../flowspec/json';
import { NlriTable } from '../rib/nlri-table';
import { decodeFlowNlri } from '../wire/nlri/flowspec';
import type { FamilyKey } from '../wire/types';

/** Withdrawn keys are forgotten (the table rebuilt) once this many pile up and they outnumber the rules. */
const REBUILD_DEAD = 1024;

/** A rule taken out of the table (by expiry): enough to withdraw it and to log it. */
export interface ExpiredFlow {
  family: FamilyKey;
  /** The NLRI entry without path identifier (a copy). */
  entry: Uint8Array;
  pathId: number;
  text: string;
}

export class FlowTable {
  /** Key: the family in the table's 32-bit "path id" field, then the NLRI entry; value: index into `sources`. */
  private keys = new NlriTable<number>();
  /** Entries numbered by `keys` so far (present or not): the length in use of every column. */
  private numbered = 0;
  private announced = new Float64Array(64);
  /** ms since the epoch; NaN when the rule does not expire. */
  private expires = new Float64Array(64);
  private pathIds = new Uint32Array(64);
  /** Order of arrival: `show` lists rules as a Map would (a refreshed rule keeps its place, a re-added one goes last). */
  private seq = new Float64Array(64);
  private nextSeq = 0;
  /** True while entry numbers follow `seq` (no withdrawn key was announced again since the last rebuild). */
  private ordered = true;
  /** Sources (`configuration`, `cli`, process names) are few: each is stored once. */
  private readonly sources: string[] = [];
  private readonly sourceIds = new Map<string, number>();
  /** Texts of the rare rules whose text the NLRI bytes do not give back (flowspec/json.ts textSurvivesWire). */
  private texts = new Map<number, string>();
  /** Min-heap of expiries by (time, seq); an item is stale once its entry was withdrawn, re-added or refreshed. */
  private heapAt = new Float64Array(16);
  private heapSeq = new Float64Array(16);
  private heapEntry = new Int32Array(16);
  private heapSize = 0;
  /** Rules in force that expire: bounds the stale heap items. */
  private timed = 0;

  /** Rules in force. */
  get size(): number {
    return this.keys.size;
  }

  /**
   * Announce (or refresh) a rule. A refreshed rule keeps its place in the listing and takes the new time,
   * source, expiry and path id. `text` is the rule's text when its NLRI bytes do not give it back, else undefined.
   */
  set(
    family: FamilyKey,
    entry: Uint8Array,
    pathId: number,
    source: string,
    now: number,
    expiresAt: number | undefined,
    text: string | undefined,
  ): void {
    const e = this.keys.insert(family, entry, 0, entry.length);
    if (e >= this.numbered) {
      this.numbered = e + 1;
      if (e >= this.seq.length) this.grow(this.seq.length * 2);
    }
    const old = this.keys.get(e);
    if (old === undefined) {
      // A key numbered before and withdrawn since sits among older rules: the listing must sort by seq.
      if (e !== this.numbered - 1) this.ordered = false;
      this.seq[e] = this.nextSeq++;
    } else if (!Number.isNaN(this.expires[e]!)) {
      this.timed--;
    }
    this.keys.set(e, this.sourceId(source));
    this.announced[e] = now;
    this.pathIds[e] = pathId;
    if (text === undefined) this.texts.delete(e);
    else this.texts.set(e, text);
    if (expiresAt === undefined) {
      this.expires[e] = NaN;
    } else {
      this.expires[e] = expiresAt;
      this.timed++;
      this.push(expiresAt, this.seq[e]!, e);
      if (this.heapSize > 2 * this.timed + REBUILD_DEAD) this.rebuildHeap();
    }
  }

  /** Take a rule out; returns whether it was in force. */
  delete(family: FamilyKey, entry: Uint8Array): boolean {
    const e = this.keys.find(family, entry, 0, entry.length);
    if (e < 0 || this.keys.get(e) === undefined) return false;
    this.drop(e);
    this.maybeRebuild();
    return true;
  }

  has(family: FamilyKey, entry: Uint8Array): boolean {
    const e = this.keys.find(family, entry, 0, entry.length);
    return e >= 0 && this.keys.get(e) !== undefined;
  }

  /** Entry numbers of the rules in force, in order of arrival. Valid until the table changes. */
  list(): number[] {
    const out: number[] = [];
    for (let e = 0; e < this.numbered; e++) if (this.keys.get(e) !== undefined) out.push(e);
    if (!this.ordered) out.sort((a, b) => this.seq[a]! - this.seq[b]!);
    return out;
  }

  family(e: number): FamilyKey {
    return this.keys.pathId(e);
  }

  pathId(e: number): number {
    return this.pathIds[e]!;
  }

  /** The NLRI entry (without path identifier) of entry e, a copy. */
  entry(e: number): Uint8Array {
    return this.keys.entry(e);
  }

  announcedAt(e: number): number {
    return this.announced[e]!;
  }

  /** When the rule expires (ms since the epoch), or undefined. */
  expiresAt(e: number): number | undefined {
    const t = this.expires[e]!;
    return Number.isNaN(t) ? undefined : t;
  }

  source(e: number): string {
    return this.sources[this.keys.get(e)!]!;
  }

  /** The rule's text as flowToString() gives it ("flow destination-ipv4 ..."). */
  text(e: number): string {
    return this.texts.get(e) ?? flowToString(decodeFlowNlri(this.family(e), this.entry(e)));
  }

  /** When the next rule expires (ms since the epoch), or Infinity. */
  nextExpiry(): number {
    while (this.heapSize > 0 && !this.live(0)) this.pop();
    return this.heapSize > 0 ? this.heapAt[0]! : Infinity;
  }

  /** Take out every rule whose expiry is at or before `now`, soonest first, and return them. */
  expire(now: number): ExpiredFlow[] {
    const out: ExpiredFlow[] = [];
    while (this.heapSize > 0 && this.heapAt[0]! <= now) {
      const fresh = this.live(0);
      const e = this.heapEntry[0]!;
      this.pop();
      if (!fresh) continue;
      out.push({ family: this.family(e), entry: this.entry(e), pathId: this.pathIds[e]!, text: this.text(e) });
      this.drop(e);
    }
    if (out.length > 0) this.maybeRebuild();
    return out;
  }

  /** Every rule in force whose source is `source` (a copy of each key), in order of arrival. */
  bySource(source: string): { family: FamilyKey; entry: Uint8Array; pathId: number }[] {
    const id = this.sourceIds.get(source);
    if (id === undefined) return [];
    return this.list()
      .filter((e) => this.keys.get(e) === id)
      .map((e) => ({ family: this.family(e), entry: this.entry(e), pathId: this.pathIds[e]! }));
  }

  private sourceId(source: string): number {
    let id = this.sourceIds.get(source);
    if (id === undefined) {
      id = this.sources.length;
      this.sources.push(source);
      this.sourceIds.set(source, id);
    }
    return id;
  }

  private drop(e: number): void {
    this.keys.set(e, undefined);
    this.texts.delete(e);
    if (!Number.isNaN(this.expires[e]!)) this.timed--;
    this.expires[e] = NaN;
  }

  /** Heap item i still stands for its entry's current expiry. */
  private live(i: number): boolean {
    const e = this.heapEntry[i]!;
    return this.keys.get(e) !== undefined && this.seq[e] === this.heapSeq[i] && this.expires[e] === this.heapAt[i];
  }

  private grow(cap: number): void {
    const f64 = (a: Float64Array): Float64Array<ArrayBuffer> => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    this.announced = f64(this.announced);
    this.expires = f64(this.expires);
    this.seq = f64(this.seq);
    const p = new Uint32Array(cap);
    p.set(this.pathIds);
    this.pathIds = p;
  }

  /**
   * Withdrawn keys keep their arena bytes and entry numbers: once they are the majority, the rules in force
   * move to a fresh table in order of arrival (so the listing needs no sort), and the heap is made again.
   */
  private maybeRebuild(): void {
    const dead = this.numbered - this.keys.size;
    if (dead < REBUILD_DEAD || dead * 2 < this.numbered) return;
    const order = this.list();
    const keys = new NlriTable<number>();
    let cap = 64;
    while (cap < order.length) cap *= 2;
    const announced = new Float64Array(cap);
    const expires = new Float64Array(cap);
    const seq = new Float64Array(cap);
    const pathIds = new Uint32Array(cap);
    const texts = new Map<number, string>();
    const arena = this.keys.keys;
    for (const old of order) {
      const start = this.keys.keyStart(old) + 4;
      const e = keys.insert(this.family(old), arena, start, this.keys.keyEnd(old) - start);
      keys.set(e, this.keys.get(old));
      announced[e] = this.announced[old]!;
      expires[e] = this.expires[old]!;
      seq[e] = this.seq[old]!;
      pathIds[e] = this.pathIds[old]!;
      const t = this.texts.get(old);
      if (t !== undefined) texts.set(e, t);
    }
    this.keys = keys;
    this.numbered = order.length;
    this.announced = announced;
    this.expires = expires;
    this.seq = seq;
    this.pathIds = pathIds;
    this.texts = texts;
    this.ordered = true;
    this.rebuildHeap();
  }

  /** The heap from the columns: one item per rule in force that expires, none stale. */
  private rebuildHeap(): void {
    this.heapSize = 0;
    for (let e = 0; e < this.numbered; e++) {
      if (this.keys.get(e) !== undefined && !Number.isNaN(this.expires[e]!))
        this.push(this.expires[e]!, this.seq[e]!, e);
    }
  }

  private before(i: number, j: number): boolean {
    const a = this.heapAt[i]!;
    const b = this.heapAt[j]!;
    return a < b || (a === b && this.heapSeq[i]! < this.heapSeq[j]!);
  }

  private swap(i: number, j: number): void {
    const at = this.heapAt[i]!;
    const s = this.heapSeq[i]!;
    const e = this.heapEntry[i]!;
    this.heapAt[i] = this.heapAt[j]!;
    this.heapSeq[i] = this.heapSeq[j]!;
    this.heapEntry[i] = this.heapEntry[j]!;
    this.heapAt[j] = at;
    this.heapSeq[j] = s;
    this.heapEntry[j] = e;
  }

  private push(at: number, seq: number, e: number): void {
    if (this.heapSize === this.heapAt.length) {
      const n = this.heapSize * 2;
      const a = new Float64Array(n);
      a.set(this.heapAt);
      this.heapAt = a;
      const s = new Float64Array(n);
      s.set(this.heapSeq);
      this.heapSeq = s;
      const x = new Int32Array(n);
      x.set(this.heapEntry);
      this.heapEntry = x;
    }
    let i = this.heapSize++;
    this.heapAt[i] = at;
    this.heapSeq[i] = seq;
    this.heapEntry[i] = e;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.before(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }

  private pop(): void {
    const last = --this.heapSize;
    if (last > 0) {
      this.heapAt[0] = this.heapAt[last]!;
      this.heapSeq[0] = this.heapSeq[last]!;
      this.heapEntry[0] = this.heapEntry[last]!;
    }
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= this.heapSize) break;
      const r = l + 1;
      const m = r < this.heapSize && this.before(r, l) ? r : l;
      if (!this.before(m, i)) break;
      this.swap(i, m);
      i = m;
    }
  }
}
