// Every route one route-server client sent, with the import filters' verdict, kept for the looking glass (`show
// rib filtered|accepted`), for judging again (a reload, a VRP change, a blackhole's covering route) and for the
// client's own space (RFC 7999 blackholes). Prefixes are keys of typed-array PrefixMaps (one per family and path
// id) whose value is a slot number; a slot's attribute set, reason and RPKI state are columns. A million routes
// cost about 40 bytes each, where a Map of `{ set, rpki, reason }` objects under latin1 keys cost 150.
import { FILTER_REASONS, type FilterReason } from '../../policy/import';
import type { AttrSet } from '../../rib/attr-intern';
import { type PrefixKey, PrefixMap, prefixKeyFrom, prefixKeyWrite } from '../../rib/prefix-map';
import type { OriginState } from '../../rpki/vrp-table';
import { AFI, afiOf, type FamilyKey } from '../../wire/types';

/** A reason's code in the column: 0 for an accepted route, else its place in FILTER_REASONS + 1. */
const reasonCode = new Map<FilterReason, number>(FILTER_REASONS.map((r, i) => [r, i + 1]));

interface FamilyRoutes {
  words: 1 | 4;
  /** Path id → prefix → slot. */
  byPath: Map<number, PrefixMap<number>>;
  count: number;
  accepted: number;
}

/** One stored route, as the slow paths (display, tests) read it. */
export interface StoredRoute {
  family: FamilyKey;
  pathId: number;
  /** The NLRI entry: length octet then the prefix's octets. */
  entry: Uint8Array;
  set: AttrSet;
  /** Undefined: accepted. */
  reason: FilterReason | undefined;
  rpki: OriginState;
}

export class ClientRoutes {
  private readonly fams = new Map<FamilyKey, FamilyRoutes>();
  private sets: (AttrSet | undefined)[] = [];
  private reasons = new Uint8Array(256);
  private states = new Uint8Array(256);
  private free: number[] = [];
  private readonly key4: PrefixKey = new Uint32Array(2);
  private readonly key16: PrefixKey = new Uint32Array(5);
  private readonly out = new Uint8Array(17);

  private fam(f: FamilyKey): FamilyRoutes {
    let t = this.fams.get(f);
    if (!t) this.fams.set(f, (t = { words: afiOf(f) === AFI.IPV6 ? 4 : 1, byPath: new Map(), count: 0, accepted: 0 }));
    return t;
  }

  private keyOf(t: FamilyRoutes, buf: Uint8Array, off: number): PrefixKey {
    const k = t.words === 1 ? this.key4 : this.key16;
    prefixKeyFrom(k, t.words, buf[off]!, buf, off + 1);
    return k;
  }

  /** The slot of the route for the NLRI entry at buf[off] with that path id, -1 when none. */
  find(f: FamilyKey, pathId: number, buf: Uint8Array, off: number): number {
    const t = this.fams.get(f);
    const m = t?.byPath.get(pathId);
    return m === undefined ? -1 : (m.get(this.keyOf(t!, buf, off)) ?? -1);
  }

  /** A new route (not held before): its slot, accepted until told otherwise. */
  add(f: FamilyKey, pathId: number, buf: Uint8Array, off: number, set: AttrSet, rpki: OriginState): number {
    const t = this.fam(f);
    let m = t.byPath.get(pathId);
    if (!m) t.byPath.set(pathId, (m = new PrefixMap<number>(t.words)));
    let s = this.free.pop();
    if (s === undefined) {
      s = this.sets.length;
      this.sets.push(undefined);
      if (s === this.reasons.length) {
        const r = new Uint8Array(s * 2);
        r.set(this.reasons);
        this.reasons = r;
        const p = new Uint8Array(s * 2);
        p.set(this.states);
        this.states = p;
      }
    }
    this.sets[s] = set;
    this.reasons[s] = 0;
    this.states[s] = rpki;
    m.set(this.keyOf(t, buf, off), s);
    t.count++;
    t.accepted++;
    return s;
  }

  /** The route leaves; its slot is free for the next one. */
  remove(f: FamilyKey, pathId: number, buf: Uint8Array, off: number, slot: number): void {
    const t = this.fams.get(f)!;
    t.byPath.get(pathId)!.delete(this.keyOf(t, buf, off));
    t.count--;
    if (this.reasons[slot] === 0) t.accepted--;
    this.sets[slot] = undefined;
    this.free.push(slot);
  }

  set(slot: number): AttrSet {
    return this.sets[slot]!;
  }

  replaceSet(slot: number, set: AttrSet): void {
    this.sets[slot] = set;
  }

  reason(slot: number): FilterReason | undefined {
    const r = this.reasons[slot]!;
    return r === 0 ? undefined : FILTER_REASONS[r - 1];
  }

  accepted(slot: number): boolean {
    return this.reasons[slot] === 0;
  }

  rpki(slot: number): OriginState {
    return this.states[slot] as OriginState;
  }

  /** Record a verdict. */
  judged(f: FamilyKey, slot: number, reason: FilterReason | undefined, rpki: OriginState): void {
    const code = reason === undefined ? 0 : reasonCode.get(reason)!;
    const t = this.fams.get(f)!;
    if (this.reasons[slot] === 0 && code !== 0) t.accepted--;
    else if (this.reasons[slot] !== 0 && code === 0) t.accepted++;
    this.reasons[slot] = code;
    this.states[slot] = rpki;
  }

  /** How many routes of the family are accepted. */
  acceptedIn(f: FamilyKey): number {
    return this.fams.get(f)?.accepted ?? 0;
  }

  /** Families with routes, with how many and how many accepted (for metrics: no walk). */
  counts(): Map<FamilyKey, { count: number; accepted: number }> {
    const out = new Map<FamilyKey, { count: number; accepted: number }>();
    for (const [f, t] of this.fams) out.set(f, { count: t.count, accepted: t.accepted });
    return out;
  }

  /** Path ids the family has routes under (more than one only from an ADD-PATH client). */
  pathIds(f: FamilyKey): number[] {
    return [...(this.fams.get(f)?.byPath.keys() ?? [])];
  }

  /**
   * Call fn for every route: its family, path id, NLRI entry (a view of a buffer reused between calls: copy to
   * keep) and slot. fn may change verdicts and sets, not add or remove routes.
   */
  each(fn: (f: FamilyKey, pathId: number, entry: Uint8Array, slot: number) => void): void {
    const out = this.out;
    for (const [f, t] of this.fams) {
      const k = t.words === 1 ? this.key4 : this.key16;
      for (const [pathId, m] of t.byPath)
        for (let i = 0; i < m.slots; i++) {
          if (!m.keyAt(i, k)) continue;
          const n = prefixKeyWrite(k, out);
          fn(f, pathId, out.subarray(0, n), m.valueAt(i)!);
        }
    }
  }

  /** Every route, as objects (display and tests). */
  all(): StoredRoute[] {
    const rows: StoredRoute[] = [];
    this.each((family, pathId, entry, s) =>
      rows.push({
        family,
        pathId,
        entry: entry.slice(),
        set: this.sets[s]!,
        reason: this.reason(s),
        rpki: this.rpki(s),
      }),
    );
    return rows;
  }

  /** Forget everything (the sets' references are the caller's to release first). */
  clear(): void {
    this.fams.clear();
    this.sets = [];
    this.reasons = new Uint8Array(256);
    this.states = new Uint8Array(256);
    this.free = [];
  }
}
