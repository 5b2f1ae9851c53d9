// SR Policy routes (RFC 9830) as ExaBGP's main branch prints them, the only ExaBGP that decodes them: the NLRI
// ({"distinguisher", "color", "endpoint"}) and the Tunnel Encapsulation attribute (23, RFC 9012) of their
// UPDATEs, "tunnel-encap": {"sr-policy": {...}} with the SR Policy sub-TLVs. ExaBGP 4.2 shows attribute 23 in its
// generic form, and tsbgp does too in UPDATEs of other families (docs/API.md).

import { readU16, readU32 } from '../wire/bytes';
import type { SrPolicy } from '../wire/nlri/srpolicy';
import { hexUpper, ipString } from './json';
import { pyJsonString } from './python-repr';

export function srPolicyJson(p: SrPolicy): { json: string; text: string } {
  const ep = ipString(p.endpoint);
  return {
    json: `{"distinguisher": ${p.distinguisher}, "color": ${p.color}, "endpoint": "${ep}"}`,
    text: `sr-policy distinguisher ${p.distinguisher} color ${p.color} endpoint ${ep}`,
  };
}

/** RFC 9830 §2.4.4.2.2 SRv6 endpoint behavior and SID structure. */
function endpointBehavior(v: Uint8Array, o: number): string {
  return (
    `"endpoint-behavior": {"behavior": ${readU16(v, o)}, "lb-length": ${v[o + 4]}, "ln-length": ${v[o + 5]}, ` +
    `"fun-length": ${v[o + 6]}, "arg-length": ${v[o + 7]}}`
  );
}

/** An MPLS label stack entry (RFC 3032) as label, traffic class, bottom of stack and TTL. */
const labelEntry = (v: Uint8Array, o: number): { label: number; tc: number; s: boolean; ttl: number } => {
  const e = readU32(v, o);
  return { label: e >>> 12, tc: (e >> 9) & 7, s: (e & 0x100) !== 0, ttl: e & 0xff };
};

/** The fields of segment types E to K (RFC 9830 §2.4.4.2.5 to §2.4.4.2.11): name, kind and offset. */
type Field = [string, 'u32' | 'v4' | 'v6' | 'alg', number];
const SEGMENTS: Record<number, { name: string; base: number; fields: Field[]; sid: 'mpls' | 'srv6'; at: number }> = {
  5: {
    name: 'E',
    base: 10,
    fields: [
      ['local_if_id', 'u32', 2],
      ['ipv4_node', 'v4', 6],
    ],
    sid: 'mpls',
    at: 10,
  },
  6: {
    name: 'F',
    base: 10,
    fields: [
      ['local_ipv4', 'v4', 2],
      ['remote_ipv4', 'v4', 6],
    ],
    sid: 'mpls',
    at: 10,
  },
  7: {
    name: 'G',
    base: 42,
    fields: [
      ['local_if_id', 'u32', 2],
      ['local_ipv6', 'v6', 6],
      ['remote_if_id', 'u32', 22],
      ['remote_ipv6', 'v6', 26],
    ],
    sid: 'mpls',
    at: 42,
  },
  8: {
    name: 'H',
    base: 34,
    fields: [
      ['local_ipv6', 'v6', 2],
      ['remote_ipv6', 'v6', 18],
    ],
    sid: 'mpls',
    at: 34,
  },
  14: {
    name: 'I',
    base: 18,
    fields: [
      ['ipv6_node', 'v6', 2],
      ['algorithm', 'alg', 1],
    ],
    sid: 'srv6',
    at: 18,
  },
  15: {
    name: 'J',
    base: 42,
    fields: [
      ['local_if_id', 'u32', 2],
      ['local_ipv6', 'v6', 6],
      ['remote_if_id', 'u32', 22],
      ['remote_ipv6', 'v6', 26],
      ['algorithm', 'alg', 1],
    ],
    sid: 'srv6',
    at: 42,
  },
  16: {
    name: 'K',
    base: 34,
    fields: [
      ['local_ipv6', 'v6', 2],
      ['remote_ipv6', 'v6', 18],
      ['algorithm', 'alg', 1],
    ],
    sid: 'srv6',
    at: 34,
  },
};

/** Segment types E to K; a value too short for the fixed fields shows them zero, as ExaBGP does. */
function otherSegment(type: number, v: Uint8Array): string | undefined {
  const spec = SEGMENTS[type];
  if (spec === undefined) return undefined;
  const short = v.length < spec.base;
  const parts = [`"type": "${spec.name}"`];
  for (const [name, kind, at] of spec.fields) {
    if (kind === 'u32' || kind === 'alg')
      parts.push(`"${name}": ${short ? 0 : kind === 'alg' ? v[at] : readU32(v, at)}`);
    else
      parts.push(
        `"${name}": "${short ? (kind === 'v4' ? '0.0.0.0' : '::') : ipString(v, at, kind === 'v4' ? 4 : 16)}"`,
      );
  }
  if (!short && spec.sid === 'mpls' && v.length >= spec.at + 4) parts.push(`"sid": ${labelEntry(v, spec.at).label}`);
  if (!short && spec.sid === 'srv6' && v.length >= spec.at + 16) {
    parts.push(`"sid": "${ipString(v, spec.at, 16)}"`);
    if (v[0]! & 0x10 && v.length >= spec.at + 24) parts.push(endpointBehavior(v, spec.at + 16));
  }
  return `{${parts.join(', ')}}`;
}

/** One segment sub-sub-TLV of a segment list (RFC 9830 §2.4.4.2); undefined for a type it does not define. */
function segment(type: number, v: Uint8Array): string | undefined {
  switch (type) {
    case 1: {
      const e = v.length >= 6 ? labelEntry(v, 2) : { label: 0, tc: 0, s: false, ttl: 0 };
      return `{"type": "A", "label": ${e.label}, "tc": ${e.tc}, "s": ${e.s}, "ttl": ${e.ttl}}`;
    }
    case 13: {
      if (v.length < 18) return '{"type": "B", "sid": "::"}';
      const eb = v[0]! & 0x10 && v.length >= 26 ? `, ${endpointBehavior(v, 18)}` : '';
      return `{"type": "B", "sid": "${ipString(v, 2, 16)}"${eb}}`;
    }
    case 3: {
      if (v.length < 6) return '{"type": "C", "ipv4_node": "0.0.0.0", "algorithm": 0}';
      let s = `{"type": "C", "ipv4_node": "${ipString(v, 2, 4)}", "algorithm": ${v[1]}`;
      if (v.length >= 10) {
        const e = labelEntry(v, 6);
        s += `, "sid": ${e.label}, "tc": ${e.tc}, "s": ${e.s}, "ttl": ${e.ttl}`;
      }
      return `${s}}`;
    }
    case 4: {
      if (v.length < 18) return '{"type": "D", "ipv6_node": "::", "algorithm": 0}';
      const sid = v.length >= 22 ? `, "sid": ${labelEntry(v, 18).label}` : '';
      return `{"type": "D", "ipv6_node": "${ipString(v, 2, 16)}", "algorithm": ${v[1]}${sid}}`;
    }
  }
  return otherSegment(type, v);
}

/** Walks sub-TLVs whose length is 1 octet, or 2 from `wideFrom` on (RFC 9012 §2); false if one overruns. */
function eachSub(d: Uint8Array, wideFrom: number, cb: (type: number, v: Uint8Array) => void): boolean {
  for (let o = 0; o < d.length; ) {
    const t = d[o]!;
    const h = t >= wideFrom ? 3 : 2;
    if (o + h > d.length) return false;
    const len = h === 3 ? readU16(d, o + 1) : d[o + 1]!;
    if (o + h + len > d.length) return false;
    cb(t, d.subarray(o + h, o + h + len));
    o += h + len;
  }
  return true;
}

function segmentList(v: Uint8Array): string | undefined {
  let weight = 1;
  const segs: string[] = [];
  const ok = eachSub(v.subarray(1), 256, (t, sv) => {
    if (t === 9) weight = sv.length >= 6 ? readU32(sv, 2) : 1;
    else {
      const s = segment(t, sv);
      if (s !== undefined) segs.push(s);
    }
  });
  return ok ? `{"weight": ${weight}, "segments": [${segs.join(', ')}]}` : undefined;
}

const name = (v: Uint8Array): string => pyJsonString(new TextDecoder().decode(v.subarray(1)));

/** The SR Policy tunnel (type 15) value: its sub-TLVs, the segment lists gathered last. */
function srPolicyTunnel(v: Uint8Array): string | undefined {
  const parts: string[] = [];
  const lists: string[] = [];
  let ok = true;
  ok &&= eachSub(v, 128, (t, sv) => {
    if (t === 12) parts.push(`"preference": ${sv.length >= 6 ? readU32(sv, 2) : 0}`);
    else if (t === 13)
      parts.push(
        sv.length >= 6 ? `"binding-sid": {"type": "mpls", "label": ${readU32(sv, 2) >>> 12}}` : '"binding-sid": null',
      );
    else if (t === 15) parts.push(`"priority": ${sv[0] ?? 0}`);
    else if (t === 20) {
      if (sv.length < 18) parts.push('"srv6-binding-sid": "::"');
      else {
        const sid = ipString(sv, 2, 16);
        parts.push(
          sv[0]! & 0x20 && sv.length >= 26
            ? `"srv6-binding-sid": {"sid": "${sid}", ${endpointBehavior(sv, 18).slice('"endpoint-behavior": {'.length, -1)}}`
            : `"srv6-binding-sid": "${sid}"`,
        );
      }
    } else if (t === 128) {
      const l = segmentList(sv);
      if (l === undefined) ok = false;
      else lists.push(l);
    } else if (t === 129) parts.push(`"candidate-path-name": ${sv.length ? name(sv) : '""'}`);
    else if (t === 130) parts.push(`"policy-name": ${sv.length ? name(sv) : '""'}`);
    else parts.push(`"unknown-subtlv-${t}": "${hexUpper(sv)}"`);
  });
  if (!ok) return undefined;
  if (lists.length) parts.push(`"segment-lists": [${lists.join(', ')}]`);
  return `"sr-policy": {${parts.join(', ')}}`;
}

/** The "tunnel-encap" member (RFC 9012 §2: tunnel TLVs of type 2, length 2), or undefined when malformed. */
export function tunnelEncapJson(value: Uint8Array): { json: string; text: string } | undefined {
  const tlvs: string[] = [];
  for (let o = 0; o < value.length; ) {
    if (o + 4 > value.length) return undefined;
    const type = readU16(value, o);
    const len = readU16(value, o + 2);
    if (o + 4 + len > value.length) return undefined;
    const v = value.subarray(o + 4, o + 4 + len);
    const s = type === 15 ? srPolicyTunnel(v) : `"tunnel-type-${type}": "${hexUpper(v)}"`;
    if (s === undefined) return undefined;
    tlvs.push(s);
    o += 4 + len;
  }
  const json = `"tunnel-encap": {${tlvs.join(', ')}}`;
  return { json, text: ` tunnel-encap {${tlvs.join(', ')}}` };
}
