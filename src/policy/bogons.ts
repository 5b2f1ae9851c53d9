// Bogons: prefixes and AS numbers that must never be announced on the Internet, as IX route servers refuse them
// (RFC 7948 §4.6 recommends filtering them). The lists follow the IANA special-purpose registries.
import { parsePrefix } from '../wire/ip';
import { PrefixSet } from './prefix-set';

/** IANA IPv4 Special-Purpose Address Registry (RFC 6890) and other never-routed IPv4 space. */
const BOGON_V4 = [
  '0.0.0.0/8', // RFC 1122 "this network"
  '10.0.0.0/8', // RFC 1918
  '100.64.0.0/10', // RFC 6598 shared address space
  '127.0.0.0/8', // RFC 1122 loopback
  '169.254.0.0/16', // RFC 3927 link local
  '172.16.0.0/12', // RFC 1918
  '192.0.0.0/24', // RFC 6890 IETF protocol assignments
  '192.0.2.0/24', // RFC 5737 TEST-NET-1
  '192.88.99.0/24', // RFC 7526 deprecated 6to4 relay anycast
  '192.168.0.0/16', // RFC 1918
  '198.18.0.0/15', // RFC 2544 benchmarking
  '198.51.100.0/24', // RFC 5737 TEST-NET-2
  '203.0.113.0/24', // RFC 5737 TEST-NET-3
  '224.0.0.0/4', // RFC 5771 multicast
  '240.0.0.0/4', // RFC 1112 reserved (255.255.255.255/32 included)
];

/** IANA IPv6 Special-Purpose Address Registry (RFC 6890) and space outside 2000::/3 in use. */
const BOGON_V6 = [
  '::/8', // RFC 4291 loopback, unspecified, IPv4-mapped, IPv4-compatible
  '100::/64', // RFC 6666 discard-only
  '2001:2::/48', // RFC 5180 benchmarking
  '2001:10::/28', // RFC 4843 ORCHID
  '2001:db8::/32', // RFC 3849 documentation
  '2002::/16', // RFC 7526 6to4 (its relays deprecated)
  '3ffe::/16', // RFC 3701 old 6bone
  '3fff::/20', // RFC 9637 documentation
  '5f00::/16', // RFC 9602 SRv6 SIDs (never global)
  'fc00::/7', // RFC 4193 unique local
  'fe80::/10', // RFC 4291 link local
  'fec0::/10', // RFC 3879 site local
  'ff00::/8', // RFC 4291 multicast
];

let bogonSet: PrefixSet | undefined;

/** The bogon prefixes as one set; a route is a bogon when one of them covers it (or equals it). */
export function bogonPrefixes(): PrefixSet {
  if (bogonSet) return bogonSet;
  const s = new PrefixSet();
  for (const p of [...BOGON_V4, ...BOGON_V6]) {
    const x = parsePrefix(p)!;
    s.add(x.addr, x.len, x.len, x.addr.length * 8);
  }
  bogonSet = s;
  return s;
}

/**
 * Bogon AS numbers (IANA Special-Purpose AS Numbers registry): AS 0 (RFC 7607), AS_TRANS 23456 (RFC 6793),
 * documentation 64496-64511 and 65536-65551 (RFC 5398), private use 64512-65534 and 4200000000-4294967294
 * (RFC 6996), and the last ones 65535 and 4294967295 (RFC 7300), and the IANA-reserved 65552-131071.
 */
export function isBogonAsn(asn: number): boolean {
  return asn === 0 || asn === 23456 || (asn >= 64496 && asn <= 131071) || (asn >= 4200000000 && asn <= 4294967295);
}
