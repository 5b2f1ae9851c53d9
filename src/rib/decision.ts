// The BGP decision process (RFC 4271 §9.1.2): which of the paths to one destination is the best. Pure: it
// reads attribute sets and the facts of the sessions they came from, and keeps its scratch in typed arrays
// reused from one call to the next, so choosing among the paths of a prefix allocates nothing.

import { readU32 } from '../wire/bytes';
import { SegmentType } from '../wire/types';
import type { AttrSet } from './attr-intern';

/** How a path reached us: the third tie-breaker of RFC 4271 §9.1.2.2 (d) and RFC 5065 §5.3 rank them. */
export type SourceKind = 'local' | 'ebgp' | 'confed' | 'ibgp';

/** What the decision needs of the session (or the program) a path came from. */
export interface SourceFacts {
  kind: SourceKind;
  /** BGP identifier of the peer as a uint32 (ours for local paths). */
  routerId: number;
  /** Peer address, 4 or 16 bytes (empty for local paths): the last tie-breaker (RFC 4271 §9.1.2.2 g). */
  address: Uint8Array;
}

export interface DecisionOptions {
  /** Compare MED between paths from different neighbor ASes too (RFC 4271 §9.1.2.2 c leaves it to the operator). */
  alwaysCompareMed?: boolean;
}

/**
 * Why the best path won over another: the step of RFC 4271 §9.1.2.2 that decided (RFC 4456 §9 for router-id and
 * cluster-list; local-origin is not in the RFC, see localFirst).
 */
export type Reason =
  | 'local-pref'
  | 'local-origin'
  | 'as-path'
  | 'origin'
  | 'med'
  | 'ebgp-over-ibgp'
  | 'router-id'
  | 'cluster-list'
  | 'peer-address'
  | 'path-id';

/** RFC 4271 §5.1.5: a path without LOCAL_PREF (one learned over eBGP, or given without it) counts as 100. */
export const DEFAULT_LOCAL_PREF = 100;

const KIND_RANK: Record<SourceKind, number> = { local: 0, ebgp: 0, confed: 1, ibgp: 2 };

/**
 * RFC 4271 §9.1.2.2 (a): AS_SET counts 1 whatever its size; RFC 5065 §5.3: confederation segments count 0.
 */
export function asPathLength(set: AttrSet): number {
  const p = set.attributes.asPath;
  if (p === undefined) return 0;
  let n = 0;
  for (const s of p) {
    if (s.type === SegmentType.AS_SEQUENCE) n += s.asns.length;
    else if (s.type === SegmentType.AS_SET) n += 1;
  }
  return n;
}

/**
 * The AS the path came from for the MED rule (RFC 4271 §9.1.2.2 c): the first AS of the path outside the
 * confederation (RFC 5065 §5.3), or -1 for a path with none (learned inside our AS: all those compare).
 */
export function neighborAs(set: AttrSet): number {
  const p = set.attributes.asPath;
  if (p === undefined) return -1;
  for (const s of p) {
    if (s.type === SegmentType.AS_CONFED_SEQUENCE || s.type === SegmentType.AS_CONFED_SET) continue;
    return s.type === SegmentType.AS_SEQUENCE && s.asns.length > 0 ? s.asns[0]! : -1;
  }
  return -1;
}

/** RFC 4456 §9: a reflected path's ORIGINATOR_ID stands in for the BGP identifier of who advertised it. */
function routerIdOf(set: AttrSet, src: SourceFacts): number {
  const o = set.attributes.originatorId;
  return o !== undefined && o.length === 4 ? readU32(o, 0) : src.routerId;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return a.length - b.length;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

/** One path as the decision sees it: its attributes, where it came from, its ADD-PATH identifier. */
export interface Candidate {
  set: AttrSet;
  source: SourceFacts;
  pathId: number;
}

/**
 * Chooses among the paths of one destination. One instance holds the scratch arrays; `best` is called with
 * the paths through `at(i)`, so callers keep their own storage (the Loc-RIB's typed path table) and may
 * return the same object refilled each time.
 */
export class Decision {
  private lp = new Float64Array(8);
  private loc = new Int32Array(8);
  private len = new Int32Array(8);
  private org = new Int32Array(8);
  private med = new Float64Array(8);
  private nas = new Float64Array(8);
  private rank = new Int32Array(8);
  private rid = new Float64Array(8);
  private clen = new Int32Array(8);
  private alive = new Uint8Array(8);

  constructor(readonly opts: DecisionOptions = {}) {}

  private grow(n: number): void {
    if (n <= this.alive.length) return;
    let c = this.alive.length;
    while (c < n) c *= 2;
    this.lp = new Float64Array(c);
    this.loc = new Int32Array(c);
    this.len = new Int32Array(c);
    this.org = new Int32Array(c);
    this.med = new Float64Array(c);
    this.nas = new Float64Array(c);
    this.rank = new Int32Array(c);
    this.rid = new Float64Array(c);
    this.clen = new Int32Array(c);
    this.alive = new Uint8Array(c);
  }

  /**
   * The index (0..n-1) of the best of n paths, -1 when n is 0. The elimination of RFC 4271 §9.1.2.2: keep
   * the highest LOCAL_PREF, then the paths the speaker originates (see localFirst), then the shortest AS_PATH, the lowest ORIGIN, drop every path beaten on MED by a
   * path from the same neighbor AS (any path with always-compare-med), prefer eBGP over confederation eBGP
   * over iBGP (RFC 5065 §5.3), then the lowest BGP identifier or ORIGINATOR_ID, the shortest CLUSTER_LIST
   * (RFC 4456 §9), the lowest peer address, and the lowest path identifier, so that the result never depends
   * on the order the paths arrived in.
   */
  best(n: number, at: (i: number) => Candidate): number {
    if (n <= 1) return n - 1;
    this.grow(n);
    const { lp, loc, len, org, med, nas, rank, rid, clen, alive } = this;
    let top = -Infinity;
    for (let i = 0; i < n; i++) {
      const c = at(i);
      const a = c.set.attributes;
      lp[i] = a.localPref ?? DEFAULT_LOCAL_PREF;
      if (lp[i]! > top) top = lp[i]!;
    }
    for (let i = 0; i < n; i++) alive[i] = lp[i] === top ? 1 : 0;
    // Later keys are read only for the survivors of the first step (usually all, often one).
    for (let i = 0; i < n; i++) {
      if (!alive[i]) continue;
      const c = at(i);
      const a = c.set.attributes;
      loc[i] = localFirst(c.source);
      len[i] = asPathLength(c.set);
      org[i] = a.origin ?? 0;
      // RFC 4271 §9.1.2.2 (c): a missing MED is the lowest value.
      med[i] = a.med ?? 0;
      nas[i] = neighborAs(c.set);
      rank[i] = KIND_RANK[c.source.kind];
      rid[i] = routerIdOf(c.set, c.source);
      clen[i] = a.clusterList?.length ?? 0;
    }
    keepMin(loc, alive, n);
    keepMin(len, alive, n);
    keepMin(org, alive, n);
    if (this.opts.alwaysCompareMed) keepMin(med, alive, n);
    else {
      // Mark first, remove after: a path beaten on MED still beats the others from its AS in this round.
      for (let i = 0; i < n; i++) {
        if (alive[i] !== 1) continue;
        for (let j = 0; j < n; j++) {
          if (alive[j] !== 0 && j !== i && nas[j] === nas[i] && med[j]! < med[i]!) {
            alive[i] = 2;
            break;
          }
        }
      }
      for (let i = 0; i < n; i++) if (alive[i] === 2) alive[i] = 0;
    }
    keepMin(rank, alive, n);
    keepMin(rid, alive, n);
    keepMin(clen, alive, n);
    // at() may hand back one object refilled each call: what is kept of the leader is copied out.
    let b = -1;
    let bAddr: Uint8Array | undefined;
    let bPath = 0;
    for (let i = 0; i < n; i++) {
      if (!alive[i]) continue;
      const c = at(i);
      const d = bAddr === undefined ? -1 : compareBytes(c.source.address, bAddr);
      if (d < 0 || (d === 0 && c.pathId < bPath)) {
        b = i;
        bAddr = c.source.address;
        bPath = c.pathId;
      }
    }
    return b;
  }
}

/**
 * RFC 4271 §9.1.2.2 has no step for a path the speaker originates itself (its configuration's routes, a
 * program's): tsbgp prefers it right after LOCAL_PREF, before AS_PATH length, as GoBGP (its "local origin"
 * comparison) and FRR (its "local route" step, weight aside) do. LOCAL_PREF still comes first, so an operator
 * can let a learned path win by giving it a higher one (or the originated route a lower one).
 */
const localFirst = (s: SourceFacts): number => (s.kind === 'local' ? 0 : 1);

/** Clear `alive` for every path whose value is above the lowest among the living. */
function keepMin(v: Int32Array | Float64Array, alive: Uint8Array, n: number): void {
  let lo = Infinity;
  for (let i = 0; i < n; i++) if (alive[i] && v[i]! < lo) lo = v[i]!;
  for (let i = 0; i < n; i++) if (alive[i] && v[i]! > lo) alive[i] = 0;
}

/**
 * The step of the decision that puts `best` ahead of `other`, for `show rib`: the first that differs, in the
 * order of Decision.best. MED counts only between paths from the same neighbor AS unless always-compare-med.
 */
export function whyBetter(best: Candidate, other: Candidate, opts: DecisionOptions = {}): Reason {
  const a = best.set.attributes;
  const o = other.set.attributes;
  if ((a.localPref ?? DEFAULT_LOCAL_PREF) !== (o.localPref ?? DEFAULT_LOCAL_PREF)) return 'local-pref';
  if (localFirst(best.source) !== localFirst(other.source)) return 'local-origin';
  if (asPathLength(best.set) !== asPathLength(other.set)) return 'as-path';
  if ((a.origin ?? 0) !== (o.origin ?? 0)) return 'origin';
  if ((a.med ?? 0) !== (o.med ?? 0) && (opts.alwaysCompareMed || neighborAs(best.set) === neighborAs(other.set)))
    return 'med';
  if (KIND_RANK[best.source.kind] !== KIND_RANK[other.source.kind]) return 'ebgp-over-ibgp';
  if (routerIdOf(best.set, best.source) !== routerIdOf(other.set, other.source)) return 'router-id';
  if ((a.clusterList?.length ?? 0) !== (o.clusterList?.length ?? 0)) return 'cluster-list';
  if (compareBytes(best.source.address, other.source.address) !== 0) return 'peer-address';
  return 'path-id';
}
