// IP address text <-> bytes. Pure, allocation-light: used by the API/JSON layers, not on the decode hot path.

export function ipv4ToString(b: Uint8Array, off = 0): string {
  return `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`;
}

/**
 * RFC 5952 §4: lowercase hex, leading zeros dropped, the longest run (>= 2) of zero groups compressed to "::".
 * `dotted` false leaves out RFC 5952 §5's dotted quad for IPv4-mapped addresses (Python's ipaddress form).
 */
export function ipv6ToString(b: Uint8Array, off = 0, dotted = true): string {
  const g: number[] = new Array(8);
  for (let i = 0; i < 8; i++) g[i] = (b[off + 2 * i]! << 8) | b[off + 2 * i + 1]!;
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    // RFC 5952 §4.2.3: the first of equally long runs wins, hence strictly greater.
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  // RFC 5952 §4.2.2: a single zero group is not compressed.
  if (bestLen < 2) bestStart = -1;
  // RFC 5952 §5: IPv4-mapped addresses keep the dotted quad.
  if (dotted && bestStart === 0 && bestLen === 5 && g[5] === 0xffff) return `::ffff:${ipv4ToString(b, off + 12)}`;
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      s += '::';
      i += bestLen - 1;
      continue;
    }
    if (s !== '' && !s.endsWith(':')) s += ':';
    s += g[i]!.toString(16);
  }
  return s;
}

/** An IPv4 or IPv6 address; of a 32-byte next hop (global + link-local, RFC 2545 §3) the global address. */
export function ipToString(b: Uint8Array): string {
  return b.length >= 16 ? ipv6ToString(b, 0) : ipv4ToString(b, 0);
}

/**
 * Four groups of 1-3 decimal digits, each at most 255, joined by dots (leading zeros allowed, as before).
 * One pass over the characters: this runs for every prefix and next hop of the configuration and the API,
 * where split('.') and a regular expression per group cost about a microsecond an address.
 */
function parseIpv4(s: string, out: Uint8Array, off: number): boolean {
  const n = s.length;
  let i = 0;
  for (let g = 0; g < 4; g++) {
    if (g > 0) {
      if (i >= n || s.charCodeAt(i) !== 0x2e) return false;
      i++;
    }
    let v = 0;
    let digits = 0;
    while (i < n) {
      const c = s.charCodeAt(i) - 0x30;
      if (c < 0 || c > 9) break;
      v = v * 10 + c;
      i++;
      if (++digits > 3) return false;
    }
    if (digits === 0 || v > 255) return false;
    out[off + g] = v;
  }
  return i === n;
}

function parseIpv6(s: string): Uint8Array | null {
  const out = new Uint8Array(16);
  const dbl = s.indexOf('::');
  if (dbl !== -1 && s.indexOf('::', dbl + 1) !== -1) return null;
  const head = dbl === -1 ? s : s.slice(0, dbl);
  const tail = dbl === -1 ? '' : s.slice(dbl + 2);
  const headParts = head === '' ? [] : head.split(':');
  const tailParts = tail === '' ? [] : tail.split(':');
  // Groups as 16-bit words; a trailing dotted quad counts as two.
  const words: number[] = [];
  const tailWords: number[] = [];
  const push = (parts: string[], dst: number[], isLast: boolean): boolean => {
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (isLast && i === parts.length - 1 && p.includes('.')) {
        const q = new Uint8Array(4);
        if (!parseIpv4(p, q, 0)) return false;
        dst.push((q[0]! << 8) | q[1]!, (q[2]! << 8) | q[3]!);
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return false;
      dst.push(parseInt(p, 16));
    }
    return true;
  };
  if (!push(headParts, words, dbl === -1)) return null;
  if (!push(tailParts, tailWords, true)) return null;
  if (dbl === -1) {
    if (words.length !== 8) return null;
  } else if (words.length + tailWords.length > 7) {
    return null;
  }
  for (let i = 0; i < words.length; i++) {
    out[2 * i] = words[i]! >> 8;
    out[2 * i + 1] = words[i]! & 0xff;
  }
  const start = 8 - tailWords.length;
  for (let i = 0; i < tailWords.length; i++) {
    out[2 * (start + i)] = tailWords[i]! >> 8;
    out[2 * (start + i) + 1] = tailWords[i]! & 0xff;
  }
  return out;
}

/** "192.0.2.1" -> 4 bytes, "2001:db8::1" -> 16 bytes, anything else -> null. */
export function parseIp(s: string): Uint8Array | null {
  if (s.includes(':')) return parseIpv6(s);
  const out = new Uint8Array(4);
  return parseIpv4(s, out, 0) ? out : null;
}

/** "10.0.0.0/24" -> address bytes and length; host bits are kept as given. A bare address is a host route. */
export function parsePrefix(s: string): { addr: Uint8Array; len: number } | null {
  const slash = s.indexOf('/');
  const addr = parseIp(slash === -1 ? s : s.slice(0, slash));
  if (!addr) return null;
  const max = addr.length * 8;
  if (slash === -1) return { addr, len: max };
  const ls = s.slice(slash + 1);
  if (!/^\d{1,3}$/.test(ls)) return null;
  const len = Number(ls);
  if (len > max) return null;
  return { addr, len };
}
