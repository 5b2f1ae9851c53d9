// Values as Python prints them, for the JSON members ExaBGP builds with str(), repr() and json.dumps() rather
// than with its own formatting (BGP-LS attribute TLVs, PMSI): a process written against ExaBGP parses these.

import { ipv6ToString } from '../wire/ip';

/**
 * repr() of a float: the shortest digits that read back, ".0" on whole numbers, exponent below 1e-4 or from 1e16.
 * A NaN or an infinity (a peer's float32 bandwidth can be either) is null: Python's nan and inf are not JSON.
 */
export function pyFloat(x: number): string {
  if (!Number.isFinite(x)) return 'null';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mant = '', exp = '0'] = x.toExponential().split('e');
  const e = Number(exp);
  if (e < -4 || e >= 16) return `${mant}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  const s = String(x);
  return s.includes('.') ? s : `${s}.0`;
}

/** json.dumps() of a string (ensure_ascii: every character beyond ASCII as a \u escape of four hex digits). */
export function pyJsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c === 0x08) out += '\\b';
    else if (c === 0x0c) out += '\\f';
    else if (c < 0x20 || c > 0x7e) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += s[i];
  }
  return `${out}"`;
}

/** Python's ipaddress compressed form of an IPv6 address given as up to 16 octets (the rest zero): no dotted quad. */
export function pyIpv6(b: Uint8Array): string {
  const full = new Uint8Array(16);
  full.set(b.subarray(0, 16));
  return ipv6ToString(full, 0, false);
}

/** A dict of single-bit flags as json.dumps prints it; a name used twice (Python dict) keeps its first place and last value. */
export function pyFlags(byte: number, names: readonly string[]): string {
  const m = new Map<string, number>();
  names.forEach((n, i) => {
    m.set(n, (byte >> (7 - i)) & 1);
  });
  return `{${[...m].map(([k, v]) => `"${k}": ${v}`).join(', ')}}`;
}
