// A set of prefix ranges (prefix, then the lengths of more specifics allowed: `ge`..`le`), as prefix lists have
// them. A route matches when an entry's prefix covers it and its length is within the entry's range. Looked up
// by the entry lengths present: one map probe per length, a string key of the masked address bytes.

export class PrefixSet {
  /** Per family (0 IPv4, 1 IPv6), per entry length: masked address (latin1) -> [ge, le] pairs, flattened. */
  private readonly byLen: Map<string, number[]>[][] = [[], []];
  private readonly lens: number[][] = [[], []];
  size = 0;

  /** Adds `addr/len` with more specifics from `ge` to `le` (both inclusive; exact match: ge = le = len). */
  add(addr: Uint8Array, len: number, ge: number, le: number): void {
    const fam = addr.length === 16 ? 1 : 0;
    let m = this.byLen[fam]![len];
    if (!m) {
      m = this.byLen[fam]![len] = new Map();
      const l = this.lens[fam]!;
      l.push(len);
      l.sort((a, b) => a - b);
    }
    const k = maskedKey(addr, 0, addr.length, len);
    const r = m.get(k);
    if (r) r.push(ge, le);
    else m.set(k, [ge, le]);
    this.size++;
  }

  /** True when an entry covers `addr/len` (address at buf[off], 4 or 16 bytes) with len in its range. */
  matches(v6: boolean, buf: Uint8Array, off: number, len: number): boolean {
    const fam = v6 ? 1 : 0;
    const lens = this.lens[fam]!;
    for (const l of lens) {
      if (l > len) break;
      const r = this.byLen[fam]![l]!.get(maskedKey(buf, off, v6 ? 16 : 4, l));
      if (!r) continue;
      for (let i = 0; i < r.length; i += 2) if (len >= r[i]! && len <= r[i + 1]!) return true;
    }
    return false;
  }

  /** True when an entry's prefix covers `addr/len`, whatever its length range (the route is inside the space). */
  covers(v6: boolean, buf: Uint8Array, off: number, len: number): boolean {
    const fam = v6 ? 1 : 0;
    for (const l of this.lens[fam]!) {
      if (l > len) break;
      if (this.byLen[fam]![l]!.has(maskedKey(buf, off, v6 ? 16 : 4, l))) return true;
    }
    return false;
  }
}

/** The first ceil(len / 8) bytes of the address with the bits after `len` cleared, as a latin1 string. */
function maskedKey(buf: Uint8Array, off: number, size: number, len: number): string {
  const n = Math.min(size, (len + 7) >> 3);
  let s = '';
  for (let i = 0; i < n; i++) {
    let b = buf[off + i]!;
    const bits = len - 8 * i;
    if (bits < 8) b &= (0xff << (8 - bits)) & 0xff;
    s += String.fromCharCode(b);
  }
  return s;
}
