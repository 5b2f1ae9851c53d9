// Packet headers as sFlow samples them (the first bytes of a frame): Ethernet with any number of 802.1Q /
// 802.1ad tags, then IPv4 (RFC 791) or IPv6 (RFC 8200 with its extension headers), then the TCP, UDP or ICMP
// header as far as it was captured. Decoded straight into the shared FlowRecord.

import { type FlowRecord, half, word } from './record';

const ETH_IPV4 = 0x0800;
const ETH_IPV6 = 0x86dd;
const VLAN_TAGS = new Set([0x8100, 0x88a8, 0x9100]);

/** sFlow header_protocol values (sFlow v5 §"header_protocol"): 1 Ethernet, 11 IPv4, 12 IPv6. */
export const HeaderProtocol = { ETHERNET: 1, IPV4: 11, IPV6: 12 } as const;

/**
 * Decode the header at buf[at, end) into r (addresses, protocol, ports, TCP flags, fragment). False when no
 * IP header could be read (another ethertype, or captured too short).
 */
export function decodeHeader(buf: Uint8Array, at: number, end: number, protocol: number, r: FlowRecord): boolean {
  let p = at;
  let ipVersion = 0;
  if (protocol === HeaderProtocol.ETHERNET) {
    p += 12;
    if (p + 2 > end) return false;
    let type = half(buf, p);
    p += 2;
    while (VLAN_TAGS.has(type)) {
      if (p + 4 > end) return false;
      type = half(buf, p + 2);
      p += 4;
    }
    if (type === ETH_IPV4) ipVersion = 4;
    else if (type === ETH_IPV6) ipVersion = 6;
    else return false;
  } else if (protocol === HeaderProtocol.IPV4) {
    ipVersion = 4;
  } else if (protocol === HeaderProtocol.IPV6) {
    ipVersion = 6;
  } else {
    return false;
  }
  r.srcPort = 0;
  r.dstPort = 0;
  r.tcpFlags = 0;
  r.fragment = 0;
  r.ipLength = 0;
  let later = false;
  if (ipVersion === 4) {
    if (p + 20 > end || buf[p]! >> 4 !== 4) return false;
    const ihl = (buf[p]! & 0x0f) * 4;
    if (ihl < 20) return false;
    r.setV4(word(buf, p + 12), word(buf, p + 16));
    r.proto = buf[p + 9]!;
    r.ipLength = half(buf, p + 2);
    // Flags and fragment offset (RFC 791 §3.1): MF bit 0x2000, offset in the low 13 bits.
    const frag = half(buf, p + 6);
    if ((frag & 0x3fff) !== 0) r.fragment = 1;
    later = (frag & 0x1fff) !== 0;
    p += ihl;
  } else {
    if (p + 40 > end || buf[p]! >> 4 !== 6) return false;
    r.setV6(buf, p + 8, p + 24);
    // Payload length 0: a jumbogram (RFC 2675), its length in an option: left unknown.
    const payload = half(buf, p + 4);
    r.ipLength = payload === 0 ? 0 : payload + 40;
    let next = buf[p + 6]!;
    p += 40;
    // Extension headers (RFC 8200 §4): hop-by-hop 0, routing 43, destination options 60 (length in 8-byte units
    // after the first 8), fragment 44 (8 bytes), authentication 51 (length in 4-byte units after the first 8).
    for (;;) {
      if (next === 0 || next === 43 || next === 60) {
        if (p + 2 > end) break;
        next = buf[p]!;
        p += (buf[p + 1]! + 1) * 8;
      } else if (next === 44) {
        if (p + 8 > end) break;
        r.fragment = 1;
        later = half(buf, p + 2) >> 3 !== 0;
        next = buf[p]!;
        p += 8;
      } else if (next === 51) {
        if (p + 2 > end) break;
        next = buf[p]!;
        p += (buf[p + 1]! + 2) * 4;
      } else {
        break;
      }
    }
    r.proto = next;
  }
  // A later fragment carries no transport header.
  if (later) return true;
  const proto = r.proto;
  if ((proto === 6 || proto === 17 || proto === 132) && p + 4 <= end) {
    r.srcPort = half(buf, p);
    r.dstPort = half(buf, p + 2);
    if (proto === 6 && p + 14 <= end) r.tcpFlags = buf[p + 13]!;
  }
  return true;
}
