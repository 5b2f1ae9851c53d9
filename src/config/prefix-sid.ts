// `bgp-prefix-sid` and `bgp-prefix-sid-srv6` route keywords (RFC 8669 / RFC 9252 attribute 40). Grammar from
// ExaBGP 4.2's behaviour (configuration/static/mpls.py) and, for the RFC 9252 service TLVs, ExaBGP 5.0's; own code.
//   bgp-prefix-sid [ INDEX ]  |  [ INDEX, [ ( BASE,RANGE ), ... ] ]  (or a bare INDEX)
//   bgp-prefix-sid-srv6 ( ipv6|vpn|l3vpn SID )                        ExaBGP 4.2's draft TLVs 2, 4, 5
//   bgp-prefix-sid-srv6 ( l3-service|l2-service SID [BEHAVIOR [ [B,N,F,A,TL,TO] ]] )   RFC 9252 TLVs 5, 6

import { type PrefixSidTlv, type Srv6SidInformation, sidStructure } from '../wire/attributes/prefixsid';
import { ipBytes } from './addr';
import type { Cursor } from './route';
import { expected, isPunct, type Token } from './tokenizer';

/** A decimal (or 0x hexadecimal when `hex`) integer no greater than `max`. */
function number(t: Token, max: number, what: string, hex = false): number {
  const ok = hex ? /^(0x[0-9a-f]+|[0-9]+)$/i : /^[0-9]+$/;
  if (!ok.test(t.text) || t.text.length > 12) throw expected(t, what);
  const n = Number(t.text);
  if (n > max) throw expected(t, what);
  return n;
}

/** Skips one optional ',' (ExaBGP ignores the commas in these lists). */
function comma(c: Cursor): void {
  if (isPunct(c.peek(), ',')) c.i++;
}

export function parsePrefixSid(c: Cursor): PrefixSidTlv[] {
  const indexWhat = 'a label index (32 bits)';
  if (!isPunct(c.peek(), '['))
    return [{ kind: 'label-index', index: number(c.word(indexWhat), 0xffffffff, indexWhat) }];
  c.i++;
  const tlvs: PrefixSidTlv[] = [{ kind: 'label-index', index: number(c.word(indexWhat), 0xffffffff, indexWhat) }];
  comma(c);
  if (isPunct(c.peek(), '[')) {
    c.i++;
    const ranges: [number, number][] = [];
    const what = 'an SRGB ( BASE,RANGE ) of 24-bit numbers';
    while (!isPunct(c.peek(), ']')) {
      c.expectPunct('(', `'(' (${what}) or ']'`);
      const base = number(c.word(what), 0xffffff, what);
      c.expectPunct(',');
      const range = number(c.word(what), 0xffffff, what);
      c.expectPunct(')');
      ranges.push([base, range]);
      comma(c);
    }
    c.i++;
    if (ranges.length > 0) tlvs.push({ kind: 'srgb', ranges });
  }
  c.expectPunct(']');
  return tlvs;
}

export function parsePrefixSidSrv6(c: Cursor): PrefixSidTlv[] {
  c.expectPunct('(', "'(' (bgp-prefix-sid-srv6 ( l3-service SID ))");
  const kinds = 'ipv6, vpn, l3vpn, l3-service or l2-service';
  const k = c.word(kinds);
  const sidWhat = 'an IPv6 SID';
  const sidOf = (t: Token): Uint8Array => {
    const b = ipBytes(t.text);
    if (b?.length !== 16) throw expected(t, sidWhat);
    return b;
  };
  let tlv: PrefixSidTlv;
  switch (k.text) {
    case 'ipv6':
      tlv = { kind: 'ipv6-sid', sid: sidOf(c.word(sidWhat)) };
      break;
    case 'vpn':
      tlv = { kind: 'srv6-vpn-sid', sid: sidOf(c.word(sidWhat)) };
      break;
    case 'l3vpn':
      tlv = { kind: 'srv6-l3vpn-sid', sid: sidOf(c.word(sidWhat)) };
      break;
    case 'l3-service':
    case 'l2-service': {
      // RFC 9252 §3.1: behavior 0xFFFF is "opaque", ExaBGP 5.0's default.
      const info: Srv6SidInformation = { sid: sidOf(c.word(sidWhat)), flags: 0, behavior: 0xffff };
      const t = c.peek();
      if (t !== undefined && !t.punct) {
        info.behavior = number(c.word('an endpoint behavior'), 0xffff, 'an endpoint behavior (16 bits)', true);
        if (isPunct(c.peek(), '[')) {
          c.i++;
          const what = 'a SID structure length (8 bits)';
          const v: number[] = [];
          for (let i = 0; i < 6; i++) {
            if (i > 0) c.expectPunct(',');
            v.push(number(c.word(what), 0xff, what, true));
          }
          c.expectPunct(']');
          info.structure = sidStructure(v);
        }
      }
      tlv = { kind: k.text, sids: [info] };
      break;
    }
    default:
      throw expected(k, kinds);
  }
  c.expectPunct(')');
  return [tlv];
}
