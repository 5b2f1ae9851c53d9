// EVPN routes (RFC 7432, RFC 9136) in the configuration (`l2vpn { evpn TYPE KEYWORDS; }`, `announce { l2vpn {
// evpn ...; } }`) and the API (`announce evpn TYPE KEYWORDS`). ExaBGP 4.2 and 5.0 decode EVPN but have no syntax
// to announce it, so this one is tsbgp's (docs/CONFIGURATION.md "EVPN"): the route type, then the fields under
// the names ExaBGP's JSON gives them (rd, esi, etag, mac, ip, gateway, label), then the attributes of `route`.
//
//   evpn ethernet-ad rd RD esi ESI etag N label L next-hop IP ...
//   evpn mac-ip rd RD [esi ESI] [etag N] mac MAC [ip IP] (label L | label [ L1 L2 ] | vni V) next-hop IP ...
//   evpn multicast rd RD [etag N] ip IP next-hop IP ...
//   evpn segment rd RD esi ESI ip IP next-hop IP ...
//   evpn prefix rd RD [esi ESI] [etag N] ip PREFIX/LEN [gateway IP] (label L | vni V) next-hop IP ...
//
// ExaBGP's short names (ethernetad, macadv, multicast, segment, prfxadv, as its text output prints them) are
// taken for the types too. `label L` is a 20-bit MPLS label (sent with the bottom-of-stack bit); `vni V` fills
// the whole 24-bit field, as VXLAN does (RFC 8365 §5.1.3). An ESI is `-` (zero) or ten hex bytes with colons.

import { ESI_LENGTH, type EvpnRoute, MAC_LENGTH } from '../wire/nlri/evpn';
import { ipBytes } from './addr';
import { parsePrefixToken, parseRouteTail, parseUint, type RouteTail, statementCursor } from './route';
import { errorAt, expected, type Location, type Token } from './tokenizer';

/** One EVPN route as written: the NLRI, then what `route` tails hold (no labels, rd or split: they are NLRI). */
export interface EvpnConfigRoute extends Omit<RouteTail, 'labels' | 'rd' | 'pathId' | 'split'> {
  evpn: EvpnRoute;
  pos: Location;
}

export interface EvpnParseOptions {
  file?: string;
  /** Default true: an announcement needs `next-hop`. */
  requireNextHop?: boolean;
  /** Where errors about the route as a whole point (the `evpn` keyword); default the first token. */
  at?: Token;
}

/** The route type words and their codes (RFC 7432 §7, RFC 9136 §3). */
const TYPES: Record<string, 1 | 2 | 3 | 4 | 5> = {
  'ethernet-ad': 1,
  ethernetad: 1,
  'mac-ip': 2,
  macadv: 2,
  multicast: 3,
  segment: 4,
  prefix: 5,
  prfxadv: 5,
};
const TYPE_WORDS = 'ethernet-ad, mac-ip, multicast, segment or prefix';

/** `xx:xx:xx:xx:xx:xx` (or with '-'), as bytes. */
export function parseMac(t: Token): Uint8Array {
  const parts = t.text.split(/[:-]/);
  if (parts.length !== MAC_LENGTH || !parts.every((p) => /^[0-9a-f]{1,2}$/i.test(p)))
    throw expected(t, 'a MAC address (six hex bytes, 00:11:22:33:44:55)');
  return Uint8Array.from(parts, (p) => parseInt(p, 16));
}

/** `-` or `0` (the zero ESI of a single-homed site, RFC 7432 §5), ten hex bytes with colons, or 0x + 20 digits. */
function parseEsi(t: Token): Uint8Array {
  const s = t.text;
  if (s === '-' || s === '0') return new Uint8Array(ESI_LENGTH);
  const parts = /^0x[0-9a-f]{20}$/i.test(s) ? (s.slice(2).match(/../g) ?? []) : s.split(':');
  if (parts.length !== ESI_LENGTH || !parts.every((p) => /^[0-9a-f]{1,2}$/i.test(p)))
    throw expected(t, "an ESI ('-' or ten hex bytes, 00:11:22:33:44:55:66:77:88:99)");
  return Uint8Array.from(parts, (p) => parseInt(p, 16));
}

function parseAddress(t: Token, what: string): Uint8Array {
  const b = ipBytes(t.text);
  if (!b) throw expected(t, what);
  return b;
}

/** Parses the keywords of one EVPN route (tokens [from, to), from at the type word; `;` ignored). */
export function parseEvpn(
  input: Token[] | string,
  opts: EvpnParseOptions = {},
  from = 0,
  to?: number,
): EvpnConfigRoute {
  const { c, where } = statementCursor(input, opts, from, to);
  const fail = (why: string): never => {
    throw errorAt(where, why);
  };
  const typeTok = c.word(`an EVPN route type (${TYPE_WORDS})`);
  const code = TYPES[typeTok.text.toLowerCase()];
  if (code === undefined) throw expected(typeTok, `an EVPN route type (${TYPE_WORDS})`);
  let esi: Uint8Array | undefined;
  let etag: number | undefined;
  let mac: Uint8Array | undefined;
  let ipTok: Token | undefined;
  let gateway: Uint8Array | undefined;
  let vni: number[] | undefined;
  const tail = parseRouteTail(c, (kw, cur) => {
    switch (kw.text) {
      case 'esi':
        esi ??= parseEsi(cur.word('an ESI'));
        return true;
      case 'etag':
      case 'ethernet-tag':
        etag ??= parseUint(cur.word('an Ethernet Tag ID'), 0xffffffff, 'an Ethernet Tag ID (32 bits)');
        return true;
      case 'mac':
        mac ??= parseMac(cur.word('a MAC address'));
        return true;
      case 'ip':
        ipTok ??= cur.word('an IP address');
        return true;
      case 'gateway':
        gateway ??= parseAddress(cur.word('a gateway IP address'), 'a gateway IP address');
        return true;
      case 'vni':
        vni ??= cur.list('a VNI').map((t) => parseUint(t, 0xffffff, 'a VNI (24 bits)'));
        return true;
      default:
        return false;
    }
  });
  if (tail.split !== undefined) fail("evpn: 'split' applies to prefixes, not to EVPN routes");
  if (tail.nextHop === undefined && !tail.withdraw && opts.requireNextHop !== false) fail('evpn nlri next-hop missing');
  if (tail.rd === undefined) fail('evpn nlri route-distinguisher missing');
  if (tail.labels !== undefined && vni !== undefined) fail("evpn: give 'label' or 'vni', not both");
  // RFC 8277 §2.2 form for a label (bottom of stack set); a VNI is the field itself.
  const fields = vni ?? tail.labels?.map((l) => (l << 4) | 1) ?? [0];
  const maxFields = code === 2 ? 2 : 1;
  const need = (what: string, v: unknown): void => {
    if (v === undefined) fail(`evpn ${typeTok.text} nlri ${what} missing`);
  };
  const refuse = (what: string, v: unknown): void => {
    if (v !== undefined) fail(`evpn: '${what}' is not a field of ${typeTok.text} routes`);
  };
  if (code === 3 || code === 4) {
    refuse('label', tail.labels);
    refuse('vni', vni);
  } else if (fields.length > maxFields) fail(`evpn: ${typeTok.text} routes have ${maxFields} label field`);
  if (code !== 2) refuse('mac', mac);
  if (code !== 5) refuse('gateway', gateway);
  if (code === 3) refuse('esi', esi);
  if (code === 4) refuse('etag', etag);
  const rd = tail.rd!;
  const zeroEsi = new Uint8Array(ESI_LENGTH);
  let evpn: EvpnRoute;
  switch (code) {
    case 1:
      need('esi', esi);
      refuse('ip', ipTok);
      evpn = { code, rd, esi: esi!, etag: etag ?? 0, label: fields[0]! };
      break;
    case 2: {
      need('mac', mac);
      evpn = { code, rd, esi: esi ?? zeroEsi, etag: etag ?? 0, macLen: 48, mac: mac!, labels: fields };
      if (ipTok) evpn.ip = parseAddress(ipTok, 'an IP address');
      break;
    }
    case 3:
      need('ip', ipTok);
      evpn = { code, rd, etag: etag ?? 0, ip: parseAddress(ipTok!, "the originating router's IP address") };
      break;
    case 4:
      need('esi', esi);
      need('ip', ipTok);
      evpn = { code, rd, esi: esi!, ip: parseAddress(ipTok!, "the originating router's IP address") };
      break;
    case 5: {
      need('ip', ipTok);
      const p = parsePrefixToken(ipTok!);
      const gw = gateway ?? new Uint8Array(p.addr.length);
      if (gw.length !== p.addr.length) fail('evpn prefix: the gateway and the prefix must be of the same family');
      evpn = {
        code,
        rd,
        esi: esi ?? zeroEsi,
        etag: etag ?? 0,
        prefixLen: p.len,
        prefix: p.addr.slice(),
        gateway: gw,
        label: fields[0]!,
      };
      break;
    }
  }
  if (tail.pathId !== undefined) evpn.pathId = tail.pathId;
  const r: EvpnConfigRoute = { attributes: tail.attributes, evpn, pos: where };
  if (tail.nextHop !== undefined) r.nextHop = tail.nextHop;
  if (tail.watchdog !== undefined) r.watchdog = tail.watchdog;
  if (tail.withdraw) r.withdraw = true;
  if (tail.name !== undefined) r.name = tail.name;
  return r;
}
