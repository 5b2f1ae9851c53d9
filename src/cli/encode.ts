// `tsbgp encode [--family F] [--local-as N] [--peer-as N] [--path-information] [--no-asn4]
//               [--local-address IP] ["route ..."]`: the UPDATE(s) ExaBGP would send for a route written as in a
// `static` block, in uppercase hex, one message per line. No route argument: one route per stdin line.

import * as readline from 'node:readline';
import { ipBytes } from '../config/addr';
import { type EvpnConfigRoute, parseEvpn } from '../config/evpn';
import { FAMILY_NAMES } from '../config/parser';
import { expandSplit, parseRoute, type RouteSpec, withSendDefaults } from '../config/route';
import { ConfigError } from '../config/tokenizer';
import { parseVpls, type VplsRoute } from '../config/vpls';
import { evpnEntry, flowEntry, type RibEntry, vplsEntry } from '../daemon/routes';
import { parseFlowCommand } from '../flowspec/parse';
import type { FlowRoute } from '../flowspec/rule';
import { l2vpnEvpn } from '../wire/nlri/evpn';
import { isFlowFamily } from '../wire/nlri/flowspec';
import { isLabeledFamily, vpnNextHop } from '../wire/nlri/labeled';
import { familyCodec, familyName } from '../wire/nlri/registry';
import {
  AFI,
  type Attributes,
  afiOf,
  type CodecContext,
  type FamilyKey,
  HEADER_LENGTH,
  IPV4_UNICAST,
  MAX_MESSAGE,
  SAFI,
  safiOf,
} from '../wire/types';
import { encodeAttributes } from '../wire/update';

export interface EncodeOptions {
  localAs: number;
  peerAs: number;
  /** RFC 6793: 4-octet AS numbers in AS_PATH (ExaBGP's default: asn4 enabled). */
  asn4: boolean;
  /** RFC 7911: encode a path identifier before each prefix. */
  addPath: boolean;
  /** Address used for `next-hop self`, per AFI. */
  selfV4: Uint8Array;
  selfV6: Uint8Array;
  maxMessage?: number;
}

const frame = (body: Uint8Array[]): Uint8Array => {
  let len = HEADER_LENGTH;
  for (const b of body) len += b.length;
  const out = new Uint8Array(len);
  out.fill(0xff, 0, 16);
  out[16] = len >> 8;
  out[17] = len & 0xff;
  out[18] = 2;
  let o = HEADER_LENGTH;
  for (const b of body) {
    out.set(b, o);
    o += b.length;
  }
  return out;
};

const u16 = (n: number): Uint8Array => Uint8Array.of(n >> 8, n & 0xff);

/**
 * The UPDATE messages (header included) ExaBGP 4.2 sends for one configured route: its attribute defaults
 * (withSendDefaults), path attributes by type code, and (as ExaBGP does) MP_REACH_NLRI after all others.
 */
export function encodeRoute(r: RouteSpec, o: EncodeOptions): Uint8Array[] {
  const ctx: CodecContext = {
    asn4: o.asn4,
    addPath: o.addPath ? new Set([r.family]) : new Set(),
    maxMessage: o.maxMessage ?? MAX_MESSAGE,
  };
  const codec = familyCodec(r.family);
  const labeled = isLabeledFamily(r.family);
  if (!codec || (!labeled && (r.labels || r.rd)))
    throw new Error(`tsbgp encode does not encode ${familyName(r.family)} routes`);
  const out: Uint8Array[] = [];
  for (const one of expandSplit(r)) {
    if (one.nextHop === undefined) throw new Error(`route ${one.pos?.line ?? ''} has no next-hop`);
    const v6 = afiOf(one.family) === AFI.IPV6;
    let nh = one.nextHop === 'self' ? (v6 ? o.selfV6 : o.selfV4) : one.nextHop;
    if (safiOf(one.family) === SAFI.MPLS_VPN) nh = vpnNextHop(nh);
    const attrs: Attributes = withSendDefaults(one.attributes, o.localAs, o.peerAs);
    const nlri = codec.encode(
      labeled ? { ...one.prefix, labels: one.labels ?? [], rd: one.rd } : one.prefix,
      o.addPath,
    );
    if (one.family === IPV4_UNICAST && nh.length === 4) {
      attrs.nextHop = nh;
      const pa = encodeAttributes(attrs, ctx);
      out.push(frame([u16(0), u16(pa.length), pa, nlri]));
    } else {
      const pa = encodeAttributes(attrs, ctx);
      const mp = encodeAttributes(
        {
          mpReach: {
            family: one.family,
            nextHop: nh,
            nlri: { family: one.family, addPath: o.addPath, data: nlri, count: 1 },
          },
        },
        ctx,
      );
      out.push(frame([u16(0), u16(pa.length + mp.length), pa, mp]));
    }
  }
  return out;
}

/**
 * The UPDATE ExaBGP 4.2 sends for one FlowSpec route (RFC 8955 §4): its actions as extended communities, the
 * send defaults of withSendDefaults, and MP_REACH_NLRI last with the redirect next hop or an empty one.
 */
export function encodeFlow(f: FlowRoute, o: EncodeOptions): Uint8Array {
  return mpUpdate(flowEntry(f), f.nextHop ?? new Uint8Array(0), o);
}

/**
 * The UPDATE ExaBGP 4.2 sends for one VPLS route (RFC 4761 §3.2.2): the send defaults of withSendDefaults, then
 * MP_REACH_NLRI with the next hop (`self`: the local IPv4 address).
 */
export function encodeVpls(v: VplsRoute, o: EncodeOptions): Uint8Array {
  if (v.nextHop === undefined) throw new Error(`vpls route ${v.pos.line} has no next-hop`);
  return mpUpdate(vplsEntry(v), v.nextHop === 'self' ? o.selfV4 : v.nextHop, o);
}

/**
 * The UPDATE for one EVPN route (tsbgp's syntax, config/evpn.ts): as for VPLS, with the route's path id when
 * `--path-information` is given (RFC 7911).
 */
export function encodeEvpn(v: EvpnConfigRoute, o: EncodeOptions): Uint8Array {
  if (v.nextHop === undefined) throw new Error(`evpn route ${v.pos.line} has no next-hop`);
  const e = evpnEntry(v);
  if (o.addPath) e.entry = l2vpnEvpn.encode({ ...v.evpn, pathId: v.evpn.pathId ?? 0 }, true);
  return mpUpdate(e, v.nextHop === 'self' ? o.selfV4 : v.nextHop, o, o.addPath);
}

/** One UPDATE for one entry: its attributes with the send defaults, MP_REACH_NLRI last (as ExaBGP orders them). */
function mpUpdate(e: RibEntry, nextHop: Uint8Array, o: EncodeOptions, addPath = false): Uint8Array {
  const ctx: CodecContext = { asn4: o.asn4, addPath: new Set(), maxMessage: o.maxMessage ?? MAX_MESSAGE };
  const pa = encodeAttributes(withSendDefaults(e.attributes, o.localAs, o.peerAs), ctx);
  const mp = encodeAttributes(
    { mpReach: { family: e.family, nextHop, nlri: { family: e.family, addPath, data: e.entry, count: 1 } } },
    ctx,
  );
  return frame([u16(0), u16(pa.length + mp.length), pa, mp]);
}

export const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();

const USAGE =
  'usage: tsbgp encode [--family "AFI SAFI"] [--local-as N] [--peer-as N] [--path-information] [--no-asn4]\n' +
  '                    [--local-address IP] ["route PREFIX next-hop IP ..." | "vpls rd RD endpoint N ..." |\n' +
  '                    "evpn TYPE rd RD ..."]\n' +
  'Prints the UPDATE messages ExaBGP would send for the route, in hex, one per line.\n' +
  'Without a route, reads one route per line from standard input.\n';

function parseFamilyArg(s: string): FamilyKey | 'multicast' | 'unicast' | undefined {
  const w = s.trim().split(/\s+/);
  if (w.length === 1 && (w[0] === 'multicast' || w[0] === 'unicast')) return w[0];
  if (w.length === 2) return FAMILY_NAMES[w[0]]?.[w[1]];
  return undefined;
}

export async function run(args: string[]): Promise<number> {
  let localAs: number | undefined;
  let peerAs: number | undefined;
  let addPath = false;
  let asn4 = true;
  let family: FamilyKey | 'multicast' | 'unicast' | undefined;
  let selfV4: Uint8Array = Uint8Array.of(127, 0, 0, 1);
  let selfV6: Uint8Array = ipBytes('::1')!;
  const words: string[] = [];
  const asn = (v: string | undefined, name: string): number => {
    if (v === undefined || !/^\d+$/.test(v) || Number(v) > 0xffffffff) throw new Error(`${name} needs an AS number`);
    return Number(v);
  };
  try {
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      if (a === '--local-as') localAs = asn(args[++i], a);
      else if (a === '--peer-as') peerAs = asn(args[++i], a);
      else if (a === '--path-information') addPath = true;
      else if (a === '--no-asn4') asn4 = false;
      else if (a === '--family') {
        const f = args[++i];
        family = f === undefined ? undefined : parseFamilyArg(f);
        if (family === undefined)
          throw new Error(`--family needs "ipv4 unicast", "ipv6 multicast", ... (got ${f ?? 'nothing'})`);
      } else if (a === '--local-address') {
        const ip = ipBytes(args[++i] ?? '');
        if (!ip) throw new Error('--local-address needs an IP address');
        if (ip.length === 4) selfV4 = ip;
        else selfV6 = ip;
      } else if (a === '-h' || a === '--help') {
        process.stdout.write(USAGE);
        return 0;
      } else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
      else words.push(a);
    }
  } catch (e) {
    process.stderr.write(`tsbgp encode: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  // ExaBGP's single-AS default: with one ASN given, the session is iBGP.
  const la = localAs ?? peerAs ?? 65000;
  const opts: EncodeOptions = { localAs: la, peerAs: peerAs ?? la, asn4, addPath, selfV4, selfV6 };
  const one = (line: string, file: string, lineNo: number): boolean => {
    const text = line.trim();
    if (!text || text.startsWith('#')) return true;
    try {
      if ((typeof family === 'number' && isFlowFamily(family)) || /^(flow\s+)?route\b[^{]*\{/.test(text)) {
        const flow = parseFlowCommand(text.replace(/^flow\s+/, ''));
        if (typeof family === 'number' && flow.rule.family !== family)
          throw new ConfigError(
            file,
            lineNo,
            1,
            `--family ${familyName(family)} does not match the rule's family ${familyName(flow.rule.family)}`,
          );
        process.stdout.write(`${toHex(encodeFlow(flow, opts))}\n`);
        return true;
      }
      if (/^evpn\b/.test(text)) {
        process.stdout.write(`${toHex(encodeEvpn(parseEvpn(text, { file }, 1), opts))}\n`);
        return true;
      }
      if (/^vpls\b/.test(text)) {
        process.stdout.write(`${toHex(encodeVpls(parseVpls(text, { file }, 1), opts))}\n`);
        return true;
      }
      const r = parseRoute(text, { file, family });
      const prefixAfi = r.prefix.addr.length === 16 ? AFI.IPV6 : AFI.IPV4;
      if (typeof family === 'number' && afiOf(family) !== prefixAfi)
        throw new ConfigError(
          file,
          lineNo,
          1,
          `--family ${familyName(family)} does not match the prefix's address family`,
        );
      for (const m of encodeRoute(r, opts)) process.stdout.write(`${toHex(m)}\n`);
      return true;
    } catch (e) {
      const msg =
        e instanceof ConfigError
          ? e.message.replace(/^<[^>]*>:1:/, `${file}:${lineNo}:`)
          : `${file}:${lineNo}: ${(e as Error).message}`;
      process.stderr.write(`${msg}\n`);
      return false;
    }
  };
  if (words.length) return one(words.join(' '), '<argument>', 1) ? 0 : 1;
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  let ok = true;
  let n = 0;
  for await (const line of rl) ok = one(line, '<stdin>', ++n) && ok;
  return ok ? 0 : 1;
}
