// What goes on to other peers of the attributes tsbgp does not recognize (RFC 4271 §5, §9.1.3). Recognized means
// modelled: a typed field of Attributes. The decoder keeps every other optional attribute raw in `other`, for the
// API (the BGP-LS attribute, 29, among them: only rendered for display, and meaningless on the families the
// Loc-RIB holds). An unrecognized optional non-transitive attribute is quietly ignored and not passed on; an
// unrecognized optional transitive one is passed on with the Partial bit set.

import { AttrFlag } from '../wire/attributes/codes';
import type { Attributes } from '../wire/types';
import type { AttrInterner, AttrSet } from './attr-intern';

/** `a` as passed on to another peer: `a` itself when nothing in `other` must change. */
export function passOnAttributes(a: Attributes): Attributes {
  const other = a.other;
  if (other === undefined) return a;
  const ok = (f: number) => (f & AttrFlag.TRANSITIVE) !== 0 && (f & AttrFlag.PARTIAL) !== 0;
  if (other.every((o) => ok(o.flags))) return a;
  const kept = other
    .filter((o) => (o.flags & AttrFlag.TRANSITIVE) !== 0)
    .map((o) => ({ ...o, flags: o.flags | AttrFlag.PARTIAL }));
  const out: Attributes = { ...a, other: kept };
  if (kept.length === 0) delete out.other;
  return out;
}

/** Interned copies without what may not go on, by the set received (sets belong to one interner each). */
const passed = new WeakMap<AttrSet, AttrSet>();

/** The set as passed on to another peer: `set` itself when it holds nothing unrecognized that must change. */
export function passOnSet(interner: AttrInterner, set: AttrSet): AttrSet {
  if (!set.hasOther) return set;
  let out = passed.get(set);
  if (out === undefined) {
    const a = set.attributes;
    const p = passOnAttributes(a);
    out = p === a ? set : interner.intern(p, set.nextHop);
    passed.set(set, out);
  }
  return out;
}
