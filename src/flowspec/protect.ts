// The protected addresses of the FlowSpec guard (guard.ts) and the one question it asks of them: can an address
// match both a rule's prefix component and a protected prefix? Indexed, because the set holds every neighbor of
// the configuration (a thousand neighbors make two thousand prefixes) and the question is asked for API rules
// at tens of thousands a second: per family, the protected prefixes masked to their length in a sorted array (a
// rule's prefix that contains one of them) and in one set per length (a protected prefix that contains the rule's).

import type { FlowPrefix } from './rule';

/** An address or prefix of a BGP speaker: 4 or 16 bytes, bits past `len` ignored. */
export interface ProtectedPrefix {
  addr: Uint8Array;
  len: number;
}

/** The address with the bits from `len` on set to `fill`, as fixed-width hex (ordered as the numbers are). */
function maskedHex(addr: Uint8Array, len: number, fill: 0 | 1): string {
  let out = '';
  for (let i = 0; i < addr.length; i++) {
    const keep = len >= (i + 1) * 8 ? 0xff : len <= i * 8 ? 0 : (0xff << (8 - (len - i * 8))) & 0xff;
    const b = (addr[i]! & keep) | (fill ? ~keep & 0xff : 0);
    out += b < 16 ? `0${b.toString(16)}` : b.toString(16);
  }
  return out;
}

/** Do the bits [from, to) of two addresses agree? */
function sameBits(a: Uint8Array, b: Uint8Array, from: number, to: number): boolean {
  for (let i = from >> 3; i * 8 < to; i++) {
    const lo = i * 8;
    let mask = 0xff;
    if (from > lo) mask &= 0xff >> (from - lo);
    if (to < lo + 8) mask &= (0xff << (lo + 8 - to)) & 0xff;
    if ((a[i]! ^ b[i]!) & mask) return false;
  }
  return true;
}

interface FamilyIndex {
  prefixes: ProtectedPrefix[];
  /** Each prefix's first address, sorted. */
  starts: string[];
  /** Prefix length -> the prefixes of that length, masked. */
  byLength: Map<number, Set<string>>;
}

const indexes = new WeakMap<readonly ProtectedPrefix[], Map<number, FamilyIndex>>();

function familyIndex(protect: readonly ProtectedPrefix[], bytes: number): FamilyIndex {
  let byFamily = indexes.get(protect);
  if (!byFamily) indexes.set(protect, (byFamily = new Map()));
  let ix = byFamily.get(bytes);
  if (!ix) {
    const prefixes = protect.filter((p) => p.addr.length === bytes);
    const byLength = new Map<number, Set<string>>();
    for (const p of prefixes) {
      let set = byLength.get(p.len);
      if (!set) byLength.set(p.len, (set = new Set()));
      set.add(maskedHex(p.addr, p.len, 0));
    }
    const starts = prefixes.map((p) => maskedHex(p.addr, p.len, 0)).sort();
    ix = { prefixes, starts, byLength };
    byFamily.set(bytes, ix);
  }
  return ix;
}

/**
 * Can an address match both the rule's prefix component (every address when absent) and a protected prefix of
 * the family (`bytes` 4 or 16)? The component fixes bits [offset, len) (RFC 8956 §3.1), a protected prefix bits
 * [0, len): they overlap when the bits both fix agree. `protect` absent: every address is protected.
 */
export function reachesProtected(
  c: FlowPrefix | undefined,
  protect: readonly ProtectedPrefix[] | undefined,
  bytes: number,
): boolean {
  if (protect === undefined) return true;
  const ix = familyIndex(protect, bytes);
  if (c === undefined) return ix.prefixes.length > 0;
  // An IPv6 pattern with an offset (rare) leaves its first bits free: compared with each prefix.
  if (c.offset > 0) return ix.prefixes.some((p) => sameBits(c.addr, p.addr, c.offset, Math.min(c.len, p.len)));
  // A protected prefix inside the rule's: a start between the rule prefix's first and last address.
  const lo = maskedHex(c.addr, c.len, 0);
  const hi = maskedHex(c.addr, c.len, 1);
  let a = 0;
  let b = ix.starts.length;
  while (a < b) {
    const m = (a + b) >> 1;
    if (ix.starts[m]! < lo) a = m + 1;
    else b = m;
  }
  if (a < ix.starts.length && ix.starts[a]! <= hi) return true;
  // A protected prefix as long as the rule's or shorter that contains it.
  for (const [len, set] of ix.byLength) if (len <= c.len && set.has(maskedHex(c.addr, len, 0))) return true;
  return false;
}
