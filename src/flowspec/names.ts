// Names FlowSpec values may be written with (ExaBGP 4.2 spelling; values are IANA's). Used by the parser and
// by the JSON/text output, which prints protocols, ICMP types, TCP flags and fragment bits by name.

/** IANA protocol numbers ExaBGP names (its output prints these names, e.g. "=tcp"). */
export const PROTOCOL_NAMES: ReadonlyMap<number, string> = new Map([
  [1, 'icmp'],
  [2, 'igmp'],
  [6, 'tcp'],
  [8, 'egp'],
  [17, 'udp'],
  [46, 'rsvp'],
  [47, 'gre'],
  [50, 'esp'],
  [51, 'ah'],
  [89, 'ospf'],
  [94, 'ipip'],
  [103, 'pim'],
  [132, 'sctp'],
]);

/** ICMP types ExaBGP names (RFC 792 and IANA "ICMP Type Numbers"). */
export const ICMP_TYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [0, 'echo-reply'],
  [3, 'unreachable'],
  [4, 'source-quench'],
  [5, 'redirect'],
  [8, 'echo-request'],
  [9, 'router-advertisement'],
  [10, 'router-solicit'],
  [11, 'time-exceeded'],
  [12, 'parameter-problem'],
  [13, 'timestamp'],
  [14, 'timestamp-reply'],
  [15, 'info-request'],
  [16, 'info-reply'],
  [17, 'mask-request'],
  [18, 'mask-reply'],
  [30, 'traceroute'],
  [41, 'experimental-mobility'],
  [42, 'extended-echo-request'],
  [43, 'extended-echo-reply'],
  [253, 'experimental-one'],
  [254, 'experimental-two'],
]);

/** ICMP code names accepted on input (output prints codes as numbers, as ExaBGP does: names are not unique). */
export const ICMP_CODES: ReadonlyMap<string, number> = new Map([
  ['network-unreachable', 0],
  ['host-unreachable', 1],
  ['protocol-unreachable', 2],
  ['port-unreachable', 3],
  ['fragmentation-needed', 4],
  ['source-route-failed', 5],
  ['destination-network-unknown', 6],
  ['destination-host-unknown', 7],
  ['source-host-isolated', 8],
  ['destination-network-prohibited', 9],
  ['destination-host-prohibited', 10],
  ['network-unreachable-for-tos', 11],
  ['host-unreachable-for-tos', 12],
  ['communication-prohibited-by-filtering', 13],
  ['host-precedence-violation', 14],
  ['precedence-cutoff-in-effect', 15],
  ['redirect-for-network', 0],
  ['redirect-for-host', 1],
  ['redirect-for-tos-and-net', 2],
  ['redirect-for-tos-and-host', 3],
  ['ttl-eq-zero-during-transit', 0],
  ['ttl-eq-zero-during-reassembly', 1],
  ['required-option-missing', 1],
  ['ip-header-bad', 2],
]);

/** TCP flag bits (RFC 8955 §4.2.2.9: the low byte of the TCP header's flags; ExaBGP adds NS as 0x100). Output order. */
export const TCP_FLAG_BITS: ReadonlyArray<readonly [number, string]> = [
  [0x01, 'fin'],
  [0x02, 'syn'],
  [0x04, 'rst'],
  [0x08, 'push'],
  [0x10, 'ack'],
  [0x20, 'urg'],
  [0x40, 'ece'],
  [0x80, 'cwr'],
  [0x100, 'ns'],
];
const TCP_FLAG_INPUT = new Map<string, number>([
  ...TCP_FLAG_BITS.map(([v, n]) => [n, v] as [string, number]),
  ['urgent', 0x20],
]);

/** Fragment bits, RFC 8955 §4.2.2.12 (DF, IsF, FF, LF); "not-a-fragment" is the value 0. Output order. */
export const FRAGMENT_BITS: ReadonlyArray<readonly [number, string]> = [
  [0x00, 'not-a-fragment'],
  [0x01, 'dont-fragment'],
  [0x02, 'is-fragment'],
  [0x04, 'first-fragment'],
  [0x08, 'last-fragment'],
];
const FRAGMENT_INPUT = new Map<string, number>(FRAGMENT_BITS.map(([v, n]) => [n, v] as [string, number]));

/** Service names accepted for ports (the common subset of the IANA service registry that ExaBGP also knows). */
export const PORT_NAMES: ReadonlyMap<string, number> = new Map([
  ['echo', 7],
  ['discard', 9],
  ['daytime', 13],
  ['qotd', 17],
  ['chargen', 19],
  ['ftp-data', 20],
  ['ftp', 21],
  ['ssh', 22],
  ['telnet', 23],
  ['smtp', 25],
  ['time', 37],
  ['tacacs', 49],
  ['domain', 53],
  ['bootps', 67],
  ['bootpc', 68],
  ['tftp', 69],
  ['gopher', 70],
  ['finger', 79],
  ['http', 80],
  ['kerberos', 88],
  ['pop3', 110],
  ['sunrpc', 111],
  ['ntp', 123],
  ['netbios-ns', 137],
  ['netbios-dgm', 138],
  ['netbios-ssn', 139],
  ['imap', 143],
  ['snmp', 161],
  ['snmptrap', 162],
  ['bgp', 179],
  ['irc', 194],
  ['ldap', 389],
  ['https', 443],
  ['microsoft-ds', 445],
  ['isakmp', 500],
  ['syslog', 514],
  ['printer', 515],
  ['rtsp', 554],
  ['submission', 587],
  ['ipp', 631],
  ['ldaps', 636],
  ['rsync', 873],
  ['imaps', 993],
  ['pop3s', 995],
  ['socks', 1080],
  ['openvpn', 1194],
  ['ms-sql-s', 1433],
  ['ms-sql-m', 1434],
  ['pptp', 1723],
  ['radius', 1812],
  ['ssdp', 1900],
  ['mysql', 3306],
  ['ms-wbt-server', 3389],
  ['sip', 5060],
  ['mdns', 5353],
  ['postgresql', 5432],
  ['http-alt', 8080],
]);

const PROTOCOL_INPUT = new Map<string, number>([...PROTOCOL_NAMES].map(([v, n]) => [n, v] as [string, number]));
const ICMP_TYPE_INPUT = new Map<string, number>([...ICMP_TYPE_NAMES].map(([v, n]) => [n, v] as [string, number]));

/** A plain number: decimal, or 0x hexadecimal. */
export function parseNumber(s: string): number | undefined {
  if (/^\d+$/.test(s)) return Number(s);
  if (/^0x[0-9a-f]+$/i.test(s)) return parseInt(s.slice(2), 16);
  return undefined;
}

/** One name or number, case-insensitive, `_` written as `-` (as ExaBGP). */
function named(table: ReadonlyMap<string, number>, s: string): number | undefined {
  // Names as usually written (lower case, with `-`) are found without making a normalised copy.
  const exact = table.get(s);
  if (exact !== undefined) return exact;
  const v = table.get(s.toLowerCase().replace(/_/g, '-'));
  return v !== undefined ? v : parseNumber(s);
}
/** Names joined by `+` add up (ExaBGP: `syn+ack`). */
function summed(table: ReadonlyMap<string, number>, s: string): number | undefined {
  if (!s.includes('+')) return named(table, s);
  let total = 0;
  for (const part of s.split('+')) {
    const v = named(table, part);
    if (v === undefined) return undefined;
    total += v;
  }
  return total;
}

export const protocolValue = (s: string): number | undefined => summed(PROTOCOL_INPUT, s);
export const icmpTypeValue = (s: string): number | undefined => summed(ICMP_TYPE_INPUT, s);
export const icmpCodeValue = (s: string): number | undefined => summed(ICMP_CODES, s);
export const tcpFlagValue = (s: string): number | undefined => summed(TCP_FLAG_INPUT, s);
export const fragmentValue = (s: string): number | undefined => summed(FRAGMENT_INPUT, s);
export const portValue = (s: string): number | undefined => summed(PORT_NAMES, s);

/**
 * The names of the bits set in `value`, in table order, as ExaBGP lists them. A table entry of 0 matches only
 * when nothing is left (fragment "not-a-fragment"); leftover unknown bits give ExaBGP's "unknown ..." text.
 */
export function bitNames(table: ReadonlyArray<readonly [number, string]>, value: number, what: string): string[] {
  const out: string[] = [];
  let left = value;
  for (const [bit, name] of table) {
    if (left & bit || left === bit) {
      out.push(name);
      left -= bit;
    }
  }
  if (left) out.push(`unknown ${what} type ${value}`);
  return out;
}
