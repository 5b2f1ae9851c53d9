// The static routes of a neighbor, stored by columns: a million routes are a few typed arrays and one
// reference each to their (shared) RouteTail, not a million RouteSpec objects with their Prefix, address
// and position objects. RouteSpec objects are made on demand (get(), iteration) for the code that wants
// them; the daemon's bulk load reads the columns (family, nlri(), tail()) instead.

import { AFI, type FamilyKey, type Prefix } from '../wire/types';
import type { RouteSpec, RouteTail } from './route';

const grow32 = (a: Uint32Array<ArrayBuffer>, n: number): Uint32Array<ArrayBuffer> => {
  const b = new Uint32Array(n);
  b.set(a);
  return b;
};

export class RouteList implements Iterable<RouteSpec> {
  private n = 0;
  private fam = new Uint32Array(64);
  private line = new Uint32Array(64);
  private col = new Uint32Array(64);
  /** NLRI entry of route i (RFC 4271 §4.3 form: length byte then the prefix's significant bytes) at [off[i], off[i + 1]). */
  private off = new Uint32Array(65);
  private bytes = new Uint8Array(512);
  private tails: RouteTail[] = [];
  /** The RouteSpec fields push() last turned into a tail, to share the tail between routes written alike. */
  private lastSpec: RouteSpec | undefined;
  private lastTail: RouteTail | undefined;

  constructor(
    /** Where the routes were written (every route of a list comes from one file). */
    readonly file: string,
  ) {}

  get length(): number {
    return this.n;
  }

  /**
   * Adds a route: `addr` holds the address at `addrOff` (4 or 16 bytes by family; only the first
   * ceil(len / 8) bytes are read), `line`/`col` where its prefix was written.
   */
  add(
    family: FamilyKey,
    len: number,
    addr: Uint8Array,
    addrOff: number,
    tail: RouteTail,
    line: number,
    col: number,
  ): void {
    const i = this.n;
    if (i >= this.fam.length) {
      // The columns grow together; `off` has one more slot (the end of the last entry).
      const cap = Math.max(64, this.fam.length * 2);
      this.fam = grow32(this.fam, cap);
      this.line = grow32(this.line, cap);
      this.col = grow32(this.col, cap);
      this.off = grow32(this.off, cap + 1);
    }
    const size = (len + 7) >> 3;
    let o = this.off[i]!;
    if (o + 1 + size > this.bytes.length) {
      const b = new Uint8Array(Math.max(this.bytes.length * 2, o + 1 + size));
      b.set(this.bytes.subarray(0, o));
      this.bytes = b;
    }
    const bytes = this.bytes;
    bytes[o++] = len;
    for (let k = 0; k < size; k++) bytes[o++] = addr[addrOff + k]!;
    this.off[i + 1] = o;
    this.fam[i] = family;
    this.line[i] = line;
    this.col[i] = col;
    this.tails.push(tail);
    this.n = i + 1;
  }

  /** Adds a route given as a RouteSpec (its fields become, or share, a tail). */
  push(r: RouteSpec): void {
    const l = this.lastSpec;
    let tail = this.lastTail;
    if (
      tail === undefined ||
      l === undefined ||
      l.attributes !== r.attributes ||
      l.nextHop !== r.nextHop ||
      l.prefix.pathId !== r.prefix.pathId ||
      l.split !== r.split ||
      l.watchdog !== r.watchdog ||
      l.withdraw !== r.withdraw ||
      l.name !== r.name ||
      l.labels !== r.labels ||
      l.rd !== r.rd
    ) {
      tail = { attributes: r.attributes };
      if (r.nextHop !== undefined) tail.nextHop = r.nextHop;
      if (r.prefix.pathId !== undefined) tail.pathId = r.prefix.pathId;
      if (r.split !== undefined) tail.split = r.split;
      if (r.watchdog !== undefined) tail.watchdog = r.watchdog;
      if (r.withdraw) tail.withdraw = true;
      if (r.name !== undefined) tail.name = r.name;
      if (r.labels !== undefined) tail.labels = r.labels;
      if (r.rd !== undefined) tail.rd = r.rd;
      this.lastSpec = r;
      this.lastTail = tail;
    }
    this.add(r.family, r.prefix.len, r.prefix.addr, 0, tail, r.pos?.line ?? 0, r.pos?.col ?? 0);
  }

  /** Appends every route of another list (a template's routes into a neighbor). */
  append(other: RouteList): void {
    for (let i = 0; i < other.n; i++) {
      const o = other.off[i]!;
      this.add(other.fam[i]!, other.bytes[o]!, other.bytes, o + 1, other.tails[i]!, other.line[i]!, other.col[i]!);
    }
  }

  family(i: number): FamilyKey {
    return this.fam[i]!;
  }

  tail(i: number): RouteTail {
    return this.tails[i]!;
  }

  /** The bytes holding the NLRI entries: route i's is [nlriStart(i), nlriEnd(i)). Valid until the next add. */
  get nlriBytes(): Uint8Array {
    return this.bytes;
  }

  nlriStart(i: number): number {
    return this.off[i]!;
  }

  nlriEnd(i: number): number {
    return this.off[i + 1]!;
  }

  /** Route i as a RouteSpec (a new object each time; its attributes are shared with routes written alike). */
  get(i: number): RouteSpec {
    if (i < 0 || i >= this.n) throw new RangeError(`route ${i} of ${this.n}`);
    const family = this.fam[i]!;
    const o = this.off[i]!;
    const len = this.bytes[o]!;
    const addr = new Uint8Array(family >>> 8 === AFI.IPV6 ? 16 : 4);
    addr.set(this.bytes.subarray(o + 1, this.off[i + 1]!));
    const t = this.tails[i]!;
    const prefix: Prefix = { family, len, addr };
    if (t.pathId !== undefined) prefix.pathId = t.pathId;
    const r: RouteSpec = {
      family,
      prefix,
      attributes: t.attributes,
      pos: { file: this.file, line: this.line[i]!, col: this.col[i]! },
    };
    if (t.nextHop !== undefined) r.nextHop = t.nextHop;
    if (t.split !== undefined) r.split = t.split;
    if (t.watchdog !== undefined) r.watchdog = t.watchdog;
    if (t.withdraw) r.withdraw = true;
    if (t.name !== undefined) r.name = t.name;
    if (t.labels !== undefined) r.labels = t.labels;
    if (t.rd !== undefined) r.rd = t.rd;
    return r;
  }

  *[Symbol.iterator](): Iterator<RouteSpec> {
    for (let i = 0; i < this.n; i++) yield this.get(i);
  }

  /** Frees the spare room of the columns once the list is complete. */
  trim(): void {
    const n = this.n;
    this.fam = this.fam.slice(0, n);
    this.line = this.line.slice(0, n);
    this.col = this.col.slice(0, n);
    this.off = this.off.slice(0, n + 1);
    this.bytes = this.bytes.slice(0, this.off[n]!);
    this.lastSpec = undefined;
    this.lastTail = undefined;
  }
}
