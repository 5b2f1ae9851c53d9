// The BGP Prefix-SID attribute as ExaBGP prints it: 4.2's JSON names for RFC 8669's TLVs and the drafts' SRv6
// forms, 5.0's for RFC 9252's SRv6 Service TLVs (4.2 has none). The text form is the configuration syntax that
// reads back into the same attribute (ExaBGP 4.2 prints "[ None ]" for the SRv6 ones).

import type { PrefixSidTlv, Srv6SidInformation } from '../wire/attributes/prefixsid';
import { ipv6ToString } from '../wire/ip';

function sidInformationJson(s: Srv6SidInformation): string {
  let j = `{ "sid": "${ipv6ToString(s.sid)}", "flags": ${s.flags}, "endpoint_behavior": ${s.behavior}`;
  const st = s.structure;
  if (st) {
    j +=
      `, "structure": {"locator-block-length": ${st.locatorBlock}, "locator-node-length": ${st.locatorNode}, ` +
      `"function-length": ${st.func}, "argument-length": ${st.argument}, ` +
      `"transposition-length": ${st.transpositionLength}, "transposition-offset": ${st.transpositionOffset}}`;
  }
  return `${j} }`;
}

function tlvJson(t: PrefixSidTlv): string {
  switch (t.kind) {
    case 'label-index':
      return `"sr-label-index": ${t.index}`;
    case 'srgb':
      return `"sr-srgbs": [${t.ranges.map(([b, r]) => `[${b}, ${r}]`).join(', ')}]`;
    case 'ipv6-sid':
      return `"sr-v6-sid": "${ipv6ToString(t.sid)}"`;
    case 'srv6-vpn-sid':
    case 'srv6-l3vpn-sid':
      return `"${t.kind}": "${ipv6ToString(t.sid)}"`;
    case 'l3-service':
    case 'l2-service':
      return `"${t.kind}": [ ${t.sids.map(sidInformationJson).join(', ')} ]`;
    case 'unknown':
      return `"attribute-not-implemented": "${t.type}"`;
  }
}

/** `"bgp-prefix-sid": { ... }`. */
export function prefixSidJson(tlvs: readonly PrefixSidTlv[]): string {
  return `"bgp-prefix-sid": { ${tlvs.map(tlvJson).join(', ')} }`;
}

function srv6Text(t: PrefixSidTlv): string | undefined {
  switch (t.kind) {
    case 'ipv6-sid':
      return `ipv6 ${ipv6ToString(t.sid)}`;
    case 'srv6-vpn-sid':
      return `vpn ${ipv6ToString(t.sid)}`;
    case 'srv6-l3vpn-sid':
      return `l3vpn ${ipv6ToString(t.sid)}`;
    case 'l3-service':
    case 'l2-service': {
      const s = t.sids[0];
      if (s === undefined) return undefined;
      let x = `${t.kind} ${ipv6ToString(s.sid)} 0x${s.behavior.toString(16)}`;
      const st = s.structure;
      if (st) {
        const v = [st.locatorBlock, st.locatorNode, st.func, st.argument];
        x += ` [${[...v, st.transpositionLength, st.transpositionOffset].join(',')}]`;
      }
      return x;
    }
    default:
      return undefined;
  }
}

/**
 * ` bgp-prefix-sid [ 300, [ ( 800000,4096 ) ] ]` as ExaBGP 4.2 prints RFC 8669's TLVs, then
 * ` bgp-prefix-sid-srv6 ( vpn 2001:db8::1 )` for each SRv6 TLV (the configuration syntax).
 */
export function prefixSidText(tlvs: readonly PrefixSidTlv[]): string {
  let out = '';
  type Of<K> = Extract<PrefixSidTlv, { kind: K }>;
  const index = tlvs.find((t): t is Of<'label-index'> => t.kind === 'label-index');
  const srgb = tlvs.find((t): t is Of<'srgb'> => t.kind === 'srgb');
  if (index) {
    const ranges = srgb ? `, [ ${srgb.ranges.map(([b, r]) => `( ${b},${r} )`).join(', ')} ]` : '';
    out += ` bgp-prefix-sid [ ${index.index}${ranges} ]`;
  }
  for (const t of tlvs) {
    const s = srv6Text(t);
    if (s !== undefined) out += ` bgp-prefix-sid-srv6 ( ${s} )`;
  }
  return out;
}
