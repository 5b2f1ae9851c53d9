// Address text to bytes for the configuration parser. Kept here (not only in src/wire/ip.ts) so that the
// hot loop of a million-route static block does no regex and no intermediate arrays.

/** Dotted quad to 4 bytes written into `out` at `off`; false when not a valid IPv4 address. */
export function parseIpv4Into(s: string, from: number, to: number, out: Uint8Array, off: number): boolean {
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || part === 3) return false;
      out[off + part++] = value;
      value = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      // Leading zeros are accepted, as inet_aton-style parsers (and ExaBGP) do, but bound the length.
      if (++digits > 3) return false;
      value = value * 10 + (c - 48);
      if (value > 255) return false;
    } else {
      return false;
    }
  }
  if (digits === 0 || part !== 3) return false;
  out[off + 3] = value;
  return true;
}

const hexValue = (c: number): number =>
  c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;

/** RFC 4291 §2.2 text forms (with `::` and a trailing dotted quad) to 16 bytes; false if invalid. */
export function parseIpv6Into(s: string, from: number, to: number, out: Uint8Array, off: number): boolean {
  const groups = new Array<number>(8);
  let n = 0;
  let gap = -1;
  let i = from;
  if (to - from < 2) return false;
  if (s.charCodeAt(i) === 58) {
    if (s.charCodeAt(i + 1) !== 58) return false;
    gap = 0;
    i += 2;
    if (i === to) {
      out.fill(0, off, off + 16);
      return true;
    }
  }
  while (i < to) {
    if (n === 8) return false;
    let j = i;
    let v = 0;
    while (j < to && j - i < 5) {
      const h = hexValue(s.charCodeAt(j));
      if (h < 0) break;
      v = v * 16 + h;
      j++;
    }
    if (j < to && s.charCodeAt(j) === 46) {
      // Embedded IPv4 in the last 32 bits.
      if (n > 6) return false;
      const tmp = new Uint8Array(4);
      if (!parseIpv4Into(s, i, to, tmp, 0)) return false;
      groups[n++] = (tmp[0] << 8) | tmp[1];
      groups[n++] = (tmp[2] << 8) | tmp[3];
      i = to;
      break;
    }
    if (j === i || j - i > 4) return false;
    groups[n++] = v;
    if (j === to) {
      i = to;
      break;
    }
    if (s.charCodeAt(j) !== 58) return false;
    j++;
    if (j < to && s.charCodeAt(j) === 58) {
      if (gap >= 0) return false;
      gap = n;
      j++;
      if (j === to) {
        i = to;
        break;
      }
    } else if (j === to) {
      return false;
    }
    i = j;
  }
  if (gap < 0 ? n !== 8 : n > 7) return false;
  let o = off;
  const zeros = gap < 0 ? 0 : 8 - n;
  for (let g = 0; g < n; g++) {
    if (g === gap) for (let z = 0; z < zeros; z++, o += 2) out[o] = out[o + 1] = 0;
    out[o++] = groups[g] >> 8;
    out[o++] = groups[g] & 0xff;
  }
  if (gap === n) for (let z = 0; z < zeros; z++, o += 2) out[o] = out[o + 1] = 0;
  return true;
}

/** An IPv4 or IPv6 address as 4 or 16 bytes, or null. */
export function ipBytes(s: string): Uint8Array | null {
  if (s.indexOf(':') >= 0) {
    const b = new Uint8Array(16);
    return parseIpv6Into(s, 0, s.length, b, 0) ? b : null;
  }
  const b = new Uint8Array(4);
  return parseIpv4Into(s, 0, s.length, b, 0) ? b : null;
}
