// BGP capabilities (RFC 5492): each one is code (1 octet), length (1 octet), value.
// A capability tsbgp has no model for is kept as {code, unknown: true, value} and never fails the session.
// A known capability whose value cannot carry its fields fails the OPEN with "Unspecific" (RFC 4271 §6.2:
// a recognized but malformed optional parameter), since the session would otherwise act on garbage; the purely
// informational ones (hostname, software version) and the valueless ones are kept as unknown instead.

import { DecodeError, ErrorCode } from './errors';
import { Cap, type Capability } from './types';

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { ignoreBOM: true });

const CAPABILITY_NAMES: Record<number, string> = {
  1: 'Multiprotocol Extensions',
  2: 'Route Refresh',
  3: 'Outbound Route Filtering',
  5: 'Extended Next Hop Encoding',
  6: 'Extended Message',
  7: 'BGPsec',
  8: 'Multiple Labels',
  9: 'BGP Role',
  64: 'Graceful Restart',
  65: '4-octet AS number',
  67: 'Dynamic Capability',
  68: 'Multisession',
  69: 'ADD-PATH',
  70: 'Enhanced Route Refresh',
  71: 'Long-Lived Graceful Restart',
  73: 'FQDN',
  75: 'Software Version',
  128: 'Route Refresh (Cisco)',
};

/** IANA "Capability Codes" name, or "capability N". */
export const capabilityName = (code: number): string => CAPABILITY_NAMES[code] ?? `capability ${code}`;

const malformed = (code: number, why: string): DecodeError =>
  new DecodeError(ErrorCode.OPEN_MESSAGE, 0, `malformed ${capabilityName(code)} capability: ${why}`);

const isUnknown = (c: Capability): c is { code: number; unknown: true; value: Uint8Array } =>
  'unknown' in c && c.unknown === true;

/** AFI (2), SAFI (1) and one more octet per family, after `head` bytes left for the caller. */
function packTriples<F extends { afi: number; safi: number }>(fams: F[], last: (f: F) => number, head = 0): Uint8Array {
  const v = new Uint8Array(head + fams.length * 4);
  fams.forEach((f, i) => {
    const o = head + i * 4;
    v[o] = f.afi >>> 8;
    v[o + 1] = f.afi & 0xff;
    v[o + 2] = f.safi & 0xff;
    v[o + 3] = last(f) & 0xff;
  });
  return v;
}

/** The AFI (2), SAFI (1), octet triples of `v` from `start` on (the length is checked by the caller). */
function readTriples(v: Uint8Array, start = 0): { afi: number; safi: number; last: number }[] {
  const out: { afi: number; safi: number; last: number }[] = [];
  for (let o = start; o < v.length; o += 4)
    out.push({ afi: (v[o]! << 8) | v[o + 1]!, safi: v[o + 2]!, last: v[o + 3]! });
  return out;
}

/** The value bytes of one capability (without code and length). Throws RangeError when it cannot be encoded. */
export function capabilityValue(c: Capability): Uint8Array {
  if (isUnknown(c)) return c.value;
  switch (c.code) {
    case Cap.MULTIPROTOCOL: {
      const m = c as { afi: number; safi: number };
      // RFC 4760 §8: AFI, reserved octet, SAFI.
      return Uint8Array.of(m.afi >>> 8, m.afi & 0xff, 0, m.safi & 0xff);
    }
    case Cap.ROUTE_REFRESH:
    case Cap.ROUTE_REFRESH_CISCO:
    case Cap.EXTENDED_MESSAGE:
    case Cap.ENHANCED_ROUTE_REFRESH:
      return new Uint8Array(0);
    case Cap.EXTENDED_NEXT_HOP: {
      // RFC 8950 §3: NLRI AFI (2), NLRI SAFI (2), Nexthop AFI (2), repeated.
      const e = (c as Extract<Capability, { code: 5 }>).entries;
      const v = new Uint8Array(e.length * 6);
      e.forEach((x, i) => {
        const o = i * 6;
        v[o] = x.afi >>> 8;
        v[o + 1] = x.afi & 0xff;
        v[o + 2] = x.safi >>> 8;
        v[o + 3] = x.safi & 0xff;
        v[o + 4] = x.nextHopAfi >>> 8;
        v[o + 5] = x.nextHopAfi & 0xff;
      });
      return v;
    }
    case Cap.MULTIPLE_LABELS:
      // RFC 8277 §2.1: AFI (2), SAFI (1), Count (1), repeated.
      return packTriples((c as Extract<Capability, { code: 8 }>).families, (f) => f.count);
    case Cap.GRACEFUL_RESTART: {
      // RFC 4724 §3: 4 flag bits + 12-bit restart time, then AFI (2), SAFI (1), flags (1) per family.
      const g = c as Extract<Capability, { code: 64 }>;
      const v = packTriples(g.families, (f) => f.flags, 2);
      const word = ((g.restartFlags & 0xf) << 12) | (g.restartTime & 0xfff);
      v[0] = word >>> 8;
      v[1] = word & 0xff;
      return v;
    }
    case Cap.AS4: {
      const a = (c as { asn: number }).asn >>> 0;
      return Uint8Array.of(a >>> 24, (a >>> 16) & 0xff, (a >>> 8) & 0xff, a & 0xff);
    }
    case Cap.ADD_PATH: {
      // RFC 7911 §4: AFI (2), SAFI (1), Send/Receive (1), repeated.
      return packTriples((c as Extract<Capability, { code: 69 }>).families, (f) => f.mode);
    }
    case Cap.HOSTNAME: {
      // draft-walton-bgp-hostname-capability §3: hostname length + hostname, domain length + domain.
      const h = c as Extract<Capability, { code: 73 }>;
      const hb = utf8.encode(h.hostname);
      const db = utf8.encode(h.domain);
      if (2 + hb.length + db.length > 255)
        throw new RangeError('hostname and domain name exceed the 255-byte capability');
      const v = new Uint8Array(2 + hb.length + db.length);
      v[0] = hb.length;
      v.set(hb, 1);
      v[1 + hb.length] = db.length;
      v.set(db, 2 + hb.length);
      return v;
    }
    case Cap.SOFTWARE_VERSION: {
      // draft-abraitis-bgp-version-capability §3: version length + UTF-8 version string.
      const vb = utf8.encode((c as Extract<Capability, { code: 75 }>).version);
      if (vb.length > 254) throw new RangeError('software version exceeds the 255-byte capability');
      const v = new Uint8Array(1 + vb.length);
      v[0] = vb.length;
      v.set(vb, 1);
      return v;
    }
    default:
      throw new RangeError(`capability ${(c as Capability).code} has no value to encode`);
  }
}

/** One capability as code, length, value (RFC 5492 §4). */
export function encodeCapability(c: Capability): Uint8Array {
  const v = capabilityValue(c);
  if (v.length > 255)
    throw new RangeError(`${capabilityName(c.code)} capability value of ${v.length} bytes exceeds 255`);
  const out = new Uint8Array(2 + v.length);
  out[0] = c.code;
  out[1] = v.length;
  out.set(v, 2);
  return out;
}

/** A copy, so that a decoded OPEN never pins the receive buffer. */
const unknown = (code: number, value: Uint8Array): Capability => ({ code, unknown: true, value: value.slice() });

/** Decode one capability value. Throws DecodeError 2/0 for a known capability that is malformed. */
export function decodeCapability(code: number, v: Uint8Array): Capability {
  switch (code) {
    case Cap.MULTIPROTOCOL:
      if (v.length !== 4) throw malformed(code, `length ${v.length}, expected 4`);
      return { code, afi: (v[0]! << 8) | v[1]!, safi: v[3]! };
    case Cap.ROUTE_REFRESH:
    case Cap.ROUTE_REFRESH_CISCO:
    case Cap.EXTENDED_MESSAGE:
    case Cap.ENHANCED_ROUTE_REFRESH:
      // These carry no value; one with a value is still an announcement of the capability, kept verbatim.
      return v.length === 0 ? { code } : unknown(code, v);
    case Cap.EXTENDED_NEXT_HOP: {
      if (v.length % 6 !== 0) throw malformed(code, `length ${v.length} is not a multiple of 6`);
      const entries: { afi: number; safi: number; nextHopAfi: number }[] = [];
      for (let o = 0; o < v.length; o += 6) {
        entries.push({
          afi: (v[o]! << 8) | v[o + 1]!,
          safi: (v[o + 2]! << 8) | v[o + 3]!,
          nextHopAfi: (v[o + 4]! << 8) | v[o + 5]!,
        });
      }
      return { code, entries };
    }
    case Cap.MULTIPLE_LABELS: {
      // RFC 8277 §2.1: the value is whole triples; the triples are kept as sent (negotiate.ts applies the rules).
      if (v.length % 4 !== 0) throw malformed(code, `length ${v.length} is not a multiple of 4`);
      return { code, families: readTriples(v).map((t) => ({ afi: t.afi, safi: t.safi, count: t.last })) };
    }
    case Cap.GRACEFUL_RESTART: {
      if (v.length < 2 || (v.length - 2) % 4 !== 0) throw malformed(code, `length ${v.length}`);
      const families = readTriples(v, 2).map((t) => ({ afi: t.afi, safi: t.safi, flags: t.last }));
      return { code, restartFlags: v[0]! >>> 4, restartTime: ((v[0]! & 0xf) << 8) | v[1]!, families };
    }
    case Cap.AS4:
      if (v.length !== 4) throw malformed(code, `length ${v.length}, expected 4`);
      return { code, asn: ((v[0]! << 24) >>> 0) + ((v[1]! << 16) | (v[2]! << 8) | v[3]!) };
    case Cap.ADD_PATH: {
      if (v.length % 4 !== 0) throw malformed(code, `length ${v.length} is not a multiple of 4`);
      return { code, families: readTriples(v).map((t) => ({ afi: t.afi, safi: t.safi, mode: t.last })) };
    }
    case Cap.HOSTNAME: {
      if (v.length < 1) return unknown(code, v);
      const hl = v[0]!;
      if (1 + hl > v.length) return unknown(code, v);
      const hostname = utf8Decoder.decode(v.subarray(1, 1 + hl));
      // Some speakers leave out the domain part altogether; an empty domain is what they mean.
      if (1 + hl === v.length) return { code, hostname, domain: '' };
      const dl = v[1 + hl]!;
      if (2 + hl + dl !== v.length) return unknown(code, v);
      return { code, hostname, domain: utf8Decoder.decode(v.subarray(2 + hl, 2 + hl + dl)) };
    }
    case Cap.SOFTWARE_VERSION: {
      if (v.length < 1 || 1 + v[0]! !== v.length) return unknown(code, v);
      return { code, version: utf8Decoder.decode(v.subarray(1)) };
    }
    default:
      return unknown(code, v);
  }
}

/**
 * Decode the value of one Capabilities optional parameter (type 2): any number of capabilities back to back
 * (RFC 5492 §4). Appends to `out` when given, so several parameters collect into one list.
 */
export function decodeCapabilities(value: Uint8Array, out: Capability[] = []): Capability[] {
  let o = 0;
  while (o < value.length) {
    if (o + 2 > value.length) throw new DecodeError(ErrorCode.OPEN_MESSAGE, 0, 'truncated capability header');
    const code = value[o]!;
    const len = value[o + 1]!;
    if (o + 2 + len > value.length) {
      throw new DecodeError(
        ErrorCode.OPEN_MESSAGE,
        0,
        `${capabilityName(code)} capability length ${len} overruns its parameter`,
      );
    }
    out.push(decodeCapability(code, value.subarray(o + 2, o + 2 + len)));
    o += 2 + len;
  }
  return out;
}
