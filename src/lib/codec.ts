// The codec of the library: UPDATE messages and FlowSpec rules to typed values and back, without a session.
// Routes and rules are read by the parsers the configuration and the API use (lib/text.ts) and packed by the
// encoder the daemon sends with (wire/update.ts packUpdates), so bytes made here are the daemon's bytes.

import { parseRoute } from '../config/route';
import { flowParts, routeEntry } from '../daemon/routes';
import { REFUSED_HINT } from '../flowspec/guard';
import { flowToString } from '../flowspec/json';
import { parseFlowCommand } from '../flowspec/parse';
import type { FlowRoute } from '../flowspec/rule';
import { checkHeader } from '../wire/framer';
import { decodeFlowNlri, encodeFlowRule, isFlowFamily } from '../wire/nlri/flowspec';
import { familyName, parseFamily } from '../wire/nlri/registry';
import {
  type Attributes,
  type CodecContext,
  type FamilyKey,
  HEADER_LENGTH,
  MAX_EXTENDED_MESSAGE,
  MAX_MESSAGE,
  MessageType,
} from '../wire/types';
import { decodeUpdate as decodeUpdateBody, packUpdates } from '../wire/update';
import { decodedUpdate, flowMatch } from './decode';
import { TsbgpError } from './errors';
import { flowText, parseError, routeText } from './text';
import type { DecodedUpdate, Family, FlowSpec, ReceivedFlow, Route } from './types';

export { REFUSED_HINT };

/** What the two ends of a session agreed that changes the bytes (RFC 6793, RFC 7911, RFC 8654). */
export interface CodecOptions {
  /** 4-octet AS numbers in AS_PATH (default true: every current speaker negotiates it). */
  asn4?: boolean;
  /** Families whose NLRI carry a path identifier (ADD-PATH). */
  addPath?: Family[];
  /** RFC 8654 extended messages: UPDATEs up to 65535 bytes instead of 4096. */
  extendedMessage?: boolean;
}

function context(o: CodecOptions = {}): CodecContext {
  const addPath = new Set<FamilyKey>();
  for (const f of o.addPath ?? []) addPath.add(familyOf(f));
  return { asn4: o.asn4 ?? true, addPath, maxMessage: o.extendedMessage ? MAX_EXTENDED_MESSAGE : MAX_MESSAGE };
}

/** A family name as a key; TsbgpError when tsbgp does not know it. */
export function familyOf(name: string): FamilyKey {
  const [afi, safi, more] = String(name).trim().split(/\s+/);
  const k = afi && safi && more === undefined ? parseFamily(afi, safi) : undefined;
  if (k === undefined) throw new TsbgpError(`'${name}' is not a family tsbgp knows (such as 'ipv4 unicast')`);
  return k;
}

/**
 * One whole BGP UPDATE message (19-byte header included) as typed routes, rules and attributes. Throws a
 * TsbgpError for what is not an UPDATE or cannot be read at all; what RFC 7606 lets a session survive is in
 * `errors`, the routes concerned withdrawn.
 */
export function decodeUpdate(message: Uint8Array, options?: CodecOptions): DecodedUpdate {
  const ctx = context(options);
  try {
    const len = checkHeader(message, 0, ctx.maxMessage);
    if (len !== message.length) throw new Error(`the header says ${len} bytes, the message has ${message.length}`);
    if (message[18] !== MessageType.UPDATE) throw new Error(`message type ${message[18]} is not UPDATE (2)`);
    return decodedUpdate(decodeUpdateBody(message.subarray(HEADER_LENGTH), ctx));
  } catch (e) {
    if (e instanceof TsbgpError) throw e;
    throw new TsbgpError(`not a valid UPDATE: ${(e as Error).message}`);
  }
}

/** What encodeUpdate() sends: routes to announce and withdraw, FlowSpec rules to announce and withdraw. */
export interface UpdateInput {
  announce?: Route[];
  /** Routes or bare prefixes. */
  withdraw?: (Route | string)[];
  flows?: { announce?: FlowSpec[]; withdraw?: FlowSpec[] };
}

/**
 * UPDATE messages (headers included) for routes and rules, packed as the daemon packs them: one attribute set
 * per message, as many NLRI as fit. ORIGIN IGP and an empty AS_PATH are added when not given (RFC 4271 §5.1.1,
 * §5.1.2 make them mandatory); nothing else is added. `nextHop: 'self'` needs a session: it is refused here.
 */
export function encodeUpdate(input: UpdateInput, options?: CodecOptions): Uint8Array[] {
  const ctx = context(options);
  const out: Uint8Array[] = [];
  const groups = new Map<
    string,
    { family: FamilyKey; attributes: Attributes; nextHop?: Uint8Array; nlri: Uint8Array[] }
  >();
  for (const r of input.announce ?? []) {
    if (r?.nextHop === 'self')
      throw new TsbgpError(`route ${r.prefix}: next-hop self needs a session (give an address)`);
    const e = routeEntry(parsedRoute(r, false));
    const key = `${e.family} ${routeText({ ...r, prefix: '0.0.0.0/0', pathId: undefined })}`;
    let g = groups.get(key);
    if (!g) {
      const attributes: Attributes = { origin: 0, asPath: [], ...e.attributes };
      g = { family: e.family, attributes, nextHop: e.nextHop === 'self' ? undefined : e.nextHop, nlri: [] };
      groups.set(key, g);
    }
    g.nlri.push(withPathId(e.entry, e.pathId, ctx.addPath.has(e.family)));
  }
  const withdrawn = new Map<FamilyKey, Uint8Array[]>();
  for (const w of input.withdraw ?? []) {
    const e = routeEntry(parsedRoute(typeof w === 'string' ? { prefix: w } : { ...w, nextHop: undefined }, true), true);
    const list = withdrawn.get(e.family) ?? [];
    withdrawn.set(e.family, list);
    list.push(withPathId(e.entry, e.pathId, ctx.addPath.has(e.family)));
  }
  for (const [family, list] of withdrawn)
    out.push(...packUpdates({ family, attributes: {}, announce: [], withdraw: list }, ctx));
  for (const g of groups.values())
    out.push(
      ...packUpdates(
        { family: g.family, attributes: g.attributes, nextHop: g.nextHop, announce: g.nlri, withdraw: [] },
        ctx,
      ),
    );
  for (const f of input.flows?.withdraw ?? []) {
    const route = parsedFlow(f);
    const entry = withPathId(encodeFlowRule(route.rule, false), route.rule.pathId, ctx.addPath.has(route.rule.family));
    out.push(...packUpdates({ family: route.rule.family, attributes: {}, announce: [], withdraw: [entry] }, ctx));
  }
  for (const f of input.flows?.announce ?? []) {
    const p = flowParts(parsedFlow(f));
    const entry = withPathId(p.entry, p.pathId, ctx.addPath.has(p.family));
    // RFC 8955 §4: a rule without a redirect next hop has an empty next hop field.
    const nextHop = p.nextHop === 'self' || p.nextHop === undefined ? new Uint8Array(0) : p.nextHop;
    const attributes: Attributes = { asPath: [], ...p.attributes };
    out.push(...packUpdates({ family: p.family, attributes, nextHop, announce: [entry], withdraw: [] }, ctx));
  }
  return out;
}

function withPathId(entry: Uint8Array, pathId: number | undefined, addPath: boolean): Uint8Array {
  if (!addPath) return entry;
  const out = new Uint8Array(entry.length + 4);
  new DataView(out.buffer).setUint32(0, pathId ?? 0);
  out.set(entry, 4);
  return out;
}

/** A typed route read by the API's route parser; TsbgpError with the reason otherwise. */
export function parsedRoute(r: Route, withdraw: boolean): ReturnType<typeof parseRoute> {
  const text = routeText(r);
  try {
    return parseRoute(text, { file: 'route', requireNextHop: !withdraw });
  } catch (e) {
    throw parseError(e, text);
  }
}

/** A typed (or ExaBGP text) FlowSpec rule read by the API's flow parser; TsbgpError with the reason otherwise. */
export function parsedFlow(f: FlowSpec | string): FlowRoute {
  const text = typeof f === 'string' ? f : flowText(f);
  let route: FlowRoute;
  try {
    route = parseFlowCommand(`route ${text}`);
  } catch (e) {
    throw parseError(e, text);
  }
  if (typeof f !== 'string' && f.family !== undefined && familyOf(f.family) !== route.rule.family)
    throw new TsbgpError(
      `flow rule: its match makes it ${familyName(route.rule.family)}, not ${f.family} (in: ${text})`,
    );
  return route;
}

/** A FlowSpec rule's NLRI bytes (RFC 8955 §4, its length prefix included, no path identifier), its family and ExaBGP's text for it. */
export function encodeFlowSpec(f: FlowSpec | string): { family: Family; nlri: Uint8Array; text: string } {
  const route = parsedFlow(f);
  const nlri = encodeFlowRule(route.rule, false);
  return { family: familyName(route.rule.family), nlri, text: flowToString(route.rule, route.nextHop) };
}

/** One FlowSpec NLRI (length prefix included, no path identifier) of a family as a typed rule; TsbgpError when it is malformed. */
export function decodeFlowSpec(family: Family | FamilyKey, nlri: Uint8Array): ReceivedFlow {
  const k = typeof family === 'number' ? family : familyOf(family);
  if (!isFlowFamily(k)) throw new TsbgpError(`${family} is not a FlowSpec family`);
  try {
    // The bytes include the NLRI's own length prefix (RFC 8955 §4.1).
    const rule = decodeFlowNlri(k, nlri);
    return { family: familyName(k) as ReceivedFlow['family'], match: flowMatch(rule), text: flowToString(rule) };
  } catch (e) {
    throw new TsbgpError(
      `not a valid ${typeof family === 'number' ? 'FlowSpec' : family} NLRI: ${(e as Error).message}`,
    );
  }
}
