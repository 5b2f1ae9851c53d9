// One line of the ExaBGP process API, parsed into a typed command. Nothing here executes anything:
// the daemon matches the neighbor selector against its peers and carries the command out.
//
// The command set is ExaBGP 4.2's (reactor/api/command/*.py), plus the family-explicit forms and the
// ack switches of ExaBGP 5.0. Route, flow and VPLS attribute text is kept as text: the configuration's
// route parser and the FlowSpec parser own that grammar, so the API and the configuration file cannot
// drift apart.

import { parsePrefix } from '../wire/ip';
import { type FamilyKey, familyKey } from '../wire/types';

/** One `neighbor IP [local-ip IP] [local-as N] [peer-as N] [router-id IP] [family-allowed F]` clause. */
export interface NeighborFilter {
  /** Peer address in canonical text form, or '*' (ExaBGP 5.0: every neighbor). */
  ip: string;
  localIp?: string;
  localAs?: number;
  peerAs?: number;
  routerId?: string;
  /** ExaBGP spells it 'in-open' or 'ipv4-unicast/ipv6-unicast' (multi-session). */
  familyAllowed?: string;
}

/** Comma-separated clauses; a peer matches when any clause matches. Empty: every peer. */
export type NeighborSelector = NeighborFilter[];

/** What the daemon knows of one peer, for selector matching. */
export interface NeighborFacts {
  peerAddress: string;
  localAddress?: string;
  localAs?: number;
  peerAs?: number;
  routerId?: string;
  /** Defaults to 'in-open' as in ExaBGP when the session is not multi-session. */
  familyAllowed?: string;
}

export type SimpleKind =
  | 'shutdown'
  | 'restart'
  | 'reload'
  | 'reset'
  | 'version'
  | 'help'
  | 'enable-ack'
  | 'disable-ack'
  | 'silence-ack';

export type ApiCommand =
  | {
      kind: 'announce-route' | 'withdraw-route';
      neighbors: NeighborSelector;
      /** Set by the ExaBGP 5.0 form `announce ipv4 unicast PREFIX ...`: "ipv4 unicast", "ipv6 nlri-mpls", ... */
      family?: string;
      /** Route text without the leading `route`: `10.0.0.0/24 next-hop 192.0.2.1 med 10`. */
      text: string;
    }
  | {
      kind: 'announce-attributes' | 'withdraw-attributes';
      neighbors: NeighborSelector;
      /** Attribute text before `nlri`: `next-hop 192.0.2.1 med 10`. */
      attributes: string;
      /** Prefixes after `nlri`, each sharing the attributes. */
      nlri: string[];
    }
  | {
      kind: 'announce-flow' | 'withdraw-flow';
      neighbors: NeighborSelector;
      /** "ipv4 flow", "ipv6 flow-vpn", ... for the ExaBGP 5.0 form; absent for `announce flow route`. */
      family?: string;
      /** The flow definition, without `flow` and without a leading `route`. */
      text: string;
    }
  | { kind: 'announce-vpls' | 'withdraw-vpls'; neighbors: NeighborSelector; text: string }
  /** tsbgp's `announce evpn TYPE KEYWORDS` (config/evpn.ts; ExaBGP has no EVPN command): `text` from TYPE on. */
  | { kind: 'announce-evpn' | 'withdraw-evpn'; neighbors: NeighborSelector; text: string }
  | {
      kind: 'announce-watchdog' | 'withdraw-watchdog';
      /** Absent: ExaBGP uses the name of the process that sent the command. */
      name?: string;
    }
  | {
      kind: 'announce-eor' | 'announce-route-refresh';
      neighbors: NeighborSelector;
      afi: string;
      safi: string;
      family: FamilyKey;
    }
  | {
      kind: 'announce-operational';
      neighbors: NeighborSelector;
      /** asm, adm, rpcq, rpcp, apcq, apcp, lpcq, lpcp (draft-ietf-idr-operational-message). */
      what: string;
      text: string;
    }
  | { kind: 'teardown'; neighbors: NeighborSelector; code: number }
  | {
      kind: 'show-neighbor';
      mode?: 'summary' | 'extensive' | 'configuration';
      /** Only the neighbor with this address (ExaBGP: the last word). */
      ip?: string;
      json: boolean;
    }
  | {
      /**
       * tsbgp: the Loc-RIB's looking glass (docs/API.md): `show rib` (summary), `show rib PREFIX`, `show rib
       * longest IP`, `show rib origin-as N | as-path N | community A:B[:C]`, `show rib neighbors`; `show rib PREFIX
       * client IP` (and `longest IP client IP`): what a route server sends that client.
       */
      kind: 'show-rib';
      query: 'summary' | 'prefix' | 'longest' | 'neighbors' | 'origin-as' | 'as-path' | 'community';
      value?: string;
      /** The route server client whose export is asked for. */
      client?: string;
      json: boolean;
    }
  | {
      /** tsbgp: the route server's looking glass (`show rib filtered|accepted [IP]`, `show route-server`, `show rpki`). */
      kind: 'show-route-server';
      what: 'filtered' | 'accepted' | 'clients' | 'rpki';
      ip?: string;
      json: boolean;
    }
  | {
      /** tsbgp: the DDoS detector's attacks, top talkers and collector counters (docs/DDOS.md). */
      kind: 'show-ddos';
      json: boolean;
    }
  | {
      kind: 'show-adj-rib';
      direction: 'in' | 'out';
      extensive: boolean;
      /** ExaBGP's filter words: inet (unicast/multicast), flow, l2vpn (vpls + evpn). */
      filter?: 'inet' | 'flow' | 'l2vpn';
      /** Only routes of the neighbor with this address. */
      ip?: string;
      /** tsbgp: only the routes of this unicast prefix (`10.0.0.0/24`), every ADD-PATH path id of it. */
      prefix?: string;
      json: boolean;
    }
  | { kind: 'flush-adj-rib-out'; neighbors: NeighborSelector }
  | { kind: 'clear-adj-rib'; direction: 'in' | 'out'; neighbors: NeighborSelector }
  | { kind: 'comment'; text: string }
  | { kind: SimpleKind };

export type ParsedCommand = { ok: true; command: ApiCommand } | { ok: false; error: string };

// ---------------------------------------------------------------------------------------------------
// Normalisation

/**
 * ExaBGP normalises every API line before matching (configuration/core/format.py `formated`): tabs become
 * spaces, brackets, parentheses and commas get spaces around them, runs of spaces collapse. Doing the same
 * makes `community [65000:1]` and `neighbor 192.0.2.1,neighbor 192.0.2.2` mean what they mean to ExaBGP.
 */
export function normaliseLine(line: string): string {
  let s = line.trim();
  if (s.length === 0) return s;
  // Fast path: most generated lines already have single spaces and no punctuation to pad.
  if (!/[\t[\](),]| {2}/.test(s)) return s;
  s = s
    .replace(/\t/g, ' ')
    .replace(/\]/g, ' ]')
    .replace(/\[/g, '[ ')
    .replace(/\)/g, ' )')
    .replace(/\(/g, '( ')
    .replace(/,/g, ' , ')
    .replace(/ {2,}/g, ' ');
  return s.trim();
}

// ---------------------------------------------------------------------------------------------------
// Addresses (canonical text, so selectors and peers compare as equal strings)

const IPV4_RE = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** Canonical text of an IPv4 or IPv6 address (IPv6 as RFC 5952 via the WHATWG URL parser), or null. */
export function canonicalIp(s: string): string | null {
  if (IPV4_RE.test(s)) return s;
  if (!s.includes(':') || !/^[0-9a-fA-F:.]+$/.test(s)) return null;
  try {
    const host = new URL(`http://[${s}]/`).hostname;
    return host.slice(1, -1);
  } catch {
    return null;
  }
}

function parseAsn(s: string): number | null {
  // ExaBGP accepts plain numbers and the asdot "1.10" form for 4-octet ASNs (RFC 5396).
  let m = /^(\d+)$/.exec(s);
  if (m) {
    const n = Number(m[1]);
    return n <= 0xffffffff ? n : null;
  }
  m = /^(\d+)\.(\d+)$/.exec(s);
  if (m) {
    const hi = Number(m[1]);
    const lo = Number(m[2]);
    return hi <= 0xffff && lo <= 0xffff ? hi * 65536 + lo : null;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------
// Families

const AFI_NAMES: Record<string, number> = { ipv4: 1, ipv6: 2, l2vpn: 25, 'bgp-ls': 16388 };
const SAFI_NAMES: Record<string, number> = {
  unicast: 1,
  multicast: 2,
  'nlri-mpls': 4,
  'labeled-unicast': 4,
  vpls: 65,
  evpn: 70,
  'bgp-ls': 71,
  'bgp-ls-vpn': 72,
  'mpls-vpn': 128,
  'mcast-vpn': 5,
  rtc: 132,
  flow: 133,
  'flow-vpn': 134,
};

/** (afi, safi) names as ExaBGP spells them in `announce eor` / `route-refresh`; undefined if unknown. */
export function familyFromNames(afi: string, safi: string): FamilyKey | undefined {
  const a = AFI_NAMES[afi.toLowerCase()];
  const s = SAFI_NAMES[safi.toLowerCase()];
  if (a === undefined || s === undefined) return undefined;
  return familyKey(a, s);
}

// SAFIs accepted after `announce ipv4|ipv6` (ExaBGP 5.0): which of them are flow families.
const ROUTE_SAFIS = new Set(['unicast', 'multicast', 'nlri-mpls', 'labeled-unicast', 'mpls-vpn']);
const FLOW_SAFIS = new Set(['flow', 'flow-vpn']);

// ---------------------------------------------------------------------------------------------------
// Neighbor selectors (ExaBGP reactor/api/command/limit.py semantics)

const FILTER_KEYS = new Set(['neighbor', 'local-ip', 'local-as', 'peer-as', 'router-id', 'family-allowed']);

interface SelectorResult {
  neighbors: NeighborSelector;
  rest: number;
}

function parseSelector(words: string[]): SelectorResult | string {
  const neighbors: NeighborSelector = [];
  let i = 0;
  if (words[0] !== 'neighbor') return { neighbors, rest: 0 };
  let current: NeighborFilter | null = null;
  while (i < words.length) {
    const key = words[i];
    if (key === ',') {
      if (current === null) return 'empty neighbor clause before ","';
      neighbors.push(current);
      current = null;
      i++;
      continue;
    }
    if (!FILTER_KEYS.has(key)) break;
    const value = words[i + 1];
    if (value === undefined) return `missing value after "${key}"`;
    if (key === 'neighbor') {
      if (current !== null) neighbors.push(current);
      const ip = value === '*' ? '*' : canonicalIp(value);
      if (ip === null) return `invalid neighbor address "${value}"`;
      current = { ip };
    } else {
      if (current === null) return `"${key}" must follow "neighbor IP"`;
      switch (key) {
        case 'local-ip': {
          const ip = canonicalIp(value);
          if (ip === null) return `invalid local-ip "${value}"`;
          current.localIp = ip;
          break;
        }
        case 'router-id': {
          if (!IPV4_RE.test(value)) return `invalid router-id "${value}"`;
          current.routerId = value;
          break;
        }
        case 'local-as':
        case 'peer-as': {
          const asn = parseAsn(value);
          if (asn === null) return `invalid ${key} "${value}"`;
          if (key === 'local-as') current.localAs = asn;
          else current.peerAs = asn;
          break;
        }
        default:
          current.familyAllowed = value;
      }
    }
    i += 2;
  }
  if (current === null) return 'neighbor list ends with ","';
  neighbors.push(current);
  return { neighbors, rest: i };
}

/**
 * Does this peer match the selector? Empty selector: yes. Otherwise any clause whose every given field
 * equals the peer's (ExaBGP matches each `key value` as a whole word of the peer's name).
 */
export function matchSelector(sel: NeighborSelector, n: NeighborFacts): boolean {
  if (sel.length === 0) return true;
  const peer = canonicalIp(n.peerAddress) ?? n.peerAddress;
  for (const f of sel) {
    if (f.ip !== '*' && f.ip !== peer) continue;
    if (
      f.localIp !== undefined &&
      (n.localAddress === undefined || (canonicalIp(n.localAddress) ?? n.localAddress) !== f.localIp)
    )
      continue;
    if (f.localAs !== undefined && n.localAs !== f.localAs) continue;
    if (f.peerAs !== undefined && n.peerAs !== f.peerAs) continue;
    if (f.routerId !== undefined && n.routerId !== f.routerId) continue;
    if (f.familyAllowed !== undefined && (n.familyAllowed ?? 'in-open') !== f.familyAllowed) continue;
    return true;
  }
  return false;
}

/** ExaBGP's text form of a selector clause, for logs: "neighbor 192.0.2.1 peer-as 65000". */
export function selectorText(sel: NeighborSelector): string {
  return sel
    .map((f) => {
      let s = `neighbor ${f.ip}`;
      if (f.localIp !== undefined) s += ` local-ip ${f.localIp}`;
      if (f.localAs !== undefined) s += ` local-as ${f.localAs}`;
      if (f.peerAs !== undefined) s += ` peer-as ${f.peerAs}`;
      if (f.routerId !== undefined) s += ` router-id ${f.routerId}`;
      if (f.familyAllowed !== undefined) s += ` family-allowed ${f.familyAllowed}`;
      return s;
    })
    .join(', ');
}

// ---------------------------------------------------------------------------------------------------
// The parser

const ok = (command: ApiCommand): ParsedCommand => ({ ok: true, command });
const fail = (error: string): ParsedCommand => ({ ok: false, error });

const SIMPLE: ReadonlySet<string> = new Set<SimpleKind>([
  'shutdown',
  'restart',
  'reload',
  'reset',
  'version',
  'help',
  'enable-ack',
  'disable-ack',
  'silence-ack',
]);

/** Commands that take no neighbor selector (ExaBGP registers them with neighbor=False). */
const NO_SELECTOR: ReadonlySet<string> = new Set([...SIMPLE, 'show']);

/** Parse one API line. Never throws; a line that is not a valid command comes back with the reason. */
export function parseCommand(line: string): ParsedCommand {
  const norm = normaliseLine(line);
  if (norm.length === 0) return fail('empty command');
  if (norm[0] === '#') return ok({ kind: 'comment', text: norm.replace(/^#+/, '').trim() });
  const fast = announceText(norm);
  if (fast !== null) return fast;

  const all = norm.split(' ');
  const sel = parseSelector(all);
  if (typeof sel === 'string') return fail(sel);
  const words = sel.rest === 0 ? all : all.slice(sel.rest);
  const neighbors = sel.neighbors;
  if (words.length === 0) return fail('neighbor selector without a command');
  const verb = words[0];

  if (neighbors.length > 0 && NO_SELECTOR.has(verb)) {
    return fail(`"${verb}" does not take a neighbor selector`);
  }
  if (SIMPLE.has(verb)) {
    if (words.length !== 1) return fail(`"${verb}" takes no argument`);
    return ok({ kind: verb as SimpleKind });
  }

  switch (verb) {
    case 'announce':
    case 'withdraw':
      return parseAnnounce(verb, words, neighbors);
    case 'teardown':
      return parseTeardown(words, neighbors);
    case 'show':
      return parseShow(words);
    case 'flush':
      if (words[1] === 'adj-rib' && words[2] === 'out' && words.length === 3)
        return ok({ kind: 'flush-adj-rib-out', neighbors });
      if (words[1] === 'adj-rib-out' && words.length === 2) return ok({ kind: 'flush-adj-rib-out', neighbors });
      return fail('usage: flush adj-rib out');
    case 'clear': {
      if (words[1] === 'adj-rib' && (words[2] === 'in' || words[2] === 'out') && words.length === 3)
        return ok({ kind: 'clear-adj-rib', direction: words[2], neighbors });
      if ((words[1] === 'adj-rib-in' || words[1] === 'adj-rib-out') && words.length === 2)
        return ok({ kind: 'clear-adj-rib', direction: words[1] === 'adj-rib-in' ? 'in' : 'out', neighbors });
      return fail('usage: clear adj-rib in|out');
    }
    default:
      // The reason does not repeat the line: whoever reports the refusal shows the line once, next to it.
      return fail('command not understood');
  }
}

/**
 * `announce|withdraw route|flow|vpls TEXT` without a neighbor selector, the bulk of what programs write: the
 * text is cut from the normalised line (single spaces) instead of being split into words and joined again.
 * The same command as the general path gives; null (use that path) for anything else.
 */
function announceText(norm: string): ParsedCommand | null {
  const a = norm.indexOf(' ');
  if (a < 0) return null;
  const verb = norm.slice(0, a);
  if (verb !== 'announce' && verb !== 'withdraw') return null;
  const b = norm.indexOf(' ', a + 1);
  if (b < 0) return null;
  const what = norm.slice(a + 1, b);
  let text = norm.slice(b + 1);
  const announce = verb === 'announce';
  switch (what) {
    case 'route':
      return ok({ kind: announce ? 'announce-route' : 'withdraw-route', neighbors: [], text });
    case 'flow':
      if (text.startsWith('route ')) text = text.slice(6);
      else if (text === 'route') return null;
      return ok({ kind: announce ? 'announce-flow' : 'withdraw-flow', neighbors: [], text });
    case 'vpls':
      return ok({ kind: announce ? 'announce-vpls' : 'withdraw-vpls', neighbors: [], text });
    case 'evpn':
      return ok({ kind: announce ? 'announce-evpn' : 'withdraw-evpn', neighbors: [], text });
    default:
      return null;
  }
}

function parseAnnounce(verb: 'announce' | 'withdraw', words: string[], neighbors: NeighborSelector): ParsedCommand {
  const what = words[1];
  const rest = words.slice(2);
  if (what === undefined)
    return fail(`"${verb}" needs what to ${verb}: route, attributes, flow, vpls, watchdog, eor, ...`);
  switch (what) {
    case 'route': {
      if (rest.length === 0) return fail(`${verb} route: missing prefix`);
      return ok({ kind: verb === 'announce' ? 'announce-route' : 'withdraw-route', neighbors, text: rest.join(' ') });
    }
    case 'attributes':
    case 'attribute': {
      const at = rest.indexOf('nlri');
      if (at < 0) return fail(`${verb} attributes: missing "nlri"`);
      const nlri = rest.slice(at + 1);
      if (nlri.length === 0) return fail(`${verb} attributes: no prefix after "nlri"`);
      return ok({
        kind: verb === 'announce' ? 'announce-attributes' : 'withdraw-attributes',
        neighbors,
        attributes: rest.slice(0, at).join(' '),
        nlri,
      });
    }
    case 'flow': {
      const body = rest[0] === 'route' ? rest.slice(1) : rest;
      if (body.length === 0) return fail(`${verb} flow: missing flow definition`);
      return ok({ kind: verb === 'announce' ? 'announce-flow' : 'withdraw-flow', neighbors, text: body.join(' ') });
    }
    case 'vpls': {
      if (rest.length === 0) return fail(`${verb} vpls: missing definition`);
      return ok({ kind: verb === 'announce' ? 'announce-vpls' : 'withdraw-vpls', neighbors, text: rest.join(' ') });
    }
    case 'evpn': {
      if (rest.length === 0) return fail(`${verb} evpn: missing definition`);
      return ok({ kind: verb === 'announce' ? 'announce-evpn' : 'withdraw-evpn', neighbors, text: rest.join(' ') });
    }
    case 'watchdog': {
      // ExaBGP reads the third word of the line; with no name the process name is used.
      if (rest.length > 1) return fail(`${verb} watchdog: takes one name`);
      const kind = verb === 'announce' ? 'announce-watchdog' : 'withdraw-watchdog';
      return ok(rest.length === 1 ? { kind, name: rest[0] } : { kind });
    }
    case 'eor':
    case 'route-refresh': {
      if (verb !== 'announce') return fail(`"withdraw ${what}" does not exist`);
      let afi: string;
      let safi: string;
      if (rest.length === 0 && what === 'eor') {
        // ExaBGP: a bare `announce eor` is IPv4 unicast.
        afi = 'ipv4';
        safi = 'unicast';
      } else if (rest.length === 2) {
        [afi, safi] = rest;
      } else {
        return fail(`announce ${what}: expected AFI SAFI (e.g. "ipv4 unicast")`);
      }
      const family = familyFromNames(afi, safi);
      if (family === undefined) return fail(`announce ${what}: unknown family "${afi} ${safi}"`);
      return ok({ kind: what === 'eor' ? 'announce-eor' : 'announce-route-refresh', neighbors, afi, safi, family });
    }
    case 'operational': {
      if (verb !== 'announce') return fail('"withdraw operational" does not exist');
      const kind = (rest[0] ?? '').toLowerCase();
      if (!['asm', 'adm', 'rpcq', 'rpcp', 'apcq', 'apcp', 'lpcq', 'lpcp'].includes(kind))
        return fail(
          `announce operational: unknown message "${rest[0] ?? ''}" (asm, adm, rpcq, rpcp, apcq, apcp, lpcq, lpcp)`,
        );
      return ok({ kind: 'announce-operational', neighbors, what: kind, text: rest.slice(1).join(' ') });
    }
    case 'ipv4':
    case 'ipv6':
    case 'l2vpn': {
      // ExaBGP 5.0 family-explicit forms: `announce ipv4 unicast 10.0.0.0/24 next-hop ...`.
      const safi = rest[0];
      if (safi === undefined) return fail(`${verb} ${what}: missing SAFI`);
      const body = rest.slice(1);
      const family = `${what} ${safi}`;
      if (what === 'l2vpn') {
        if (safi !== 'vpls' && safi !== 'evpn') return fail(`${verb} ${family}: unsupported family`);
        if (body.length === 0) return fail(`${verb} ${family}: missing definition`);
        return ok({ kind: `${verb}-${safi}`, neighbors, text: body.join(' ') });
      }
      if (FLOW_SAFIS.has(safi)) {
        const def = body[0] === 'route' ? body.slice(1) : body;
        if (def.length === 0) return fail(`${verb} ${family}: missing flow definition`);
        return ok({
          kind: verb === 'announce' ? 'announce-flow' : 'withdraw-flow',
          neighbors,
          family,
          text: def.join(' '),
        });
      }
      if (ROUTE_SAFIS.has(safi)) {
        const def = body[0] === 'route' ? body.slice(1) : body;
        if (def.length === 0) return fail(`${verb} ${family}: missing prefix`);
        const prefix = def[0];
        const isV6 = prefix.includes(':');
        if ((what === 'ipv6') !== isV6) return fail(`${verb} ${family}: "${prefix}" is not an ${what} prefix`);
        return ok({
          kind: verb === 'announce' ? 'announce-route' : 'withdraw-route',
          neighbors,
          family,
          text: def.join(' '),
        });
      }
      return fail(`${verb} ${family}: unsupported family`);
    }
    default:
      return fail(
        `${verb}: unknown "${what}" (route, attributes, flow, vpls, watchdog, eor, route-refresh, operational)`,
      );
  }
}

function parseTeardown(words: string[], neighbors: NeighborSelector): ParsedCommand {
  // ExaBGP 4.2 (reactor/api/command/neighbor.py): `neighbor IP teardown CODE`, CODE the Cease subcode (RFC 4486)
  // and nothing after it; 0 does nothing (see daemon/commands.ts).
  if (neighbors.length === 0) return fail('teardown: needs a neighbor selector ("neighbor IP teardown CODE")');
  const code = words[1];
  if (code === undefined || !/^\d+$/.test(code) || words.length > 2)
    return fail('teardown: expected one number after teardown');
  const n = Number(code);
  if (n > 255) return fail('teardown: subcode out of range (0-255)');
  return ok({ kind: 'teardown', neighbors, code: n });
}

function parseShow(words: string[]): ParsedCommand {
  let json = false;
  const w = words.slice(1).filter((x) => {
    if (x === 'json') {
      json = true;
      return false;
    }
    if (x === 'text') return false;
    return true;
  });
  const what = w[0];
  if (what === 'neighbor' || what === 'neighbors') {
    let mode: 'summary' | 'extensive' | 'configuration' | undefined;
    let ip: string | undefined;
    for (const x of w.slice(1)) {
      if (x === 'summary' || x === 'extensive' || x === 'configuration') {
        if (mode !== undefined && mode !== x) return fail(`show neighbor: "${mode}" and "${x}" are exclusive`);
        mode = x;
        continue;
      }
      const c = canonicalIp(x);
      if (c === null || ip !== undefined) return fail(`show neighbor: unexpected "${x}"`);
      ip = c;
    }
    const cmd: ApiCommand = { kind: 'show-neighbor', json };
    if (mode !== undefined) cmd.mode = mode;
    if (ip !== undefined) cmd.ip = ip;
    return ok(cmd);
  }
  if (what === 'route-server' || what === 'rpki' || (what === 'rib' && (w[1] === 'filtered' || w[1] === 'accepted'))) {
    const kind = what === 'rib' ? (w[1] as 'filtered' | 'accepted') : what === 'rpki' ? 'rpki' : 'clients';
    const rest = w.slice(what === 'rib' ? 2 : 1);
    const cmd: ApiCommand = { kind: 'show-route-server', what: kind, json };
    if (rest.length > 0) {
      const c = what === 'rib' && rest.length === 1 ? canonicalIp(rest[0]!) : null;
      if (c === null) return fail(`show ${w.slice(0, what === 'rib' ? 2 : 1).join(' ')}: unexpected "${rest[0]}"`);
      cmd.ip = c;
    }
    return ok(cmd);
  }
  if (what === 'rib') return parseShowRib(w.slice(1), json);
  if (what === 'ddos') return w.length > 1 ? fail(`show ddos: unexpected "${w[1]}"`) : ok({ kind: 'show-ddos', json });
  let direction: 'in' | 'out' | undefined;
  let i = 1;
  if (what === 'adj-rib') {
    const d = w[1];
    if (d !== 'in' && d !== 'out') return fail('show adj-rib: expected "in" or "out"');
    direction = d;
    i = 2;
  } else if (what === 'adj-rib-in' || what === 'adj-rib-out') {
    direction = what === 'adj-rib-in' ? 'in' : 'out';
  } else {
    return fail(
      `show: unknown "${what ?? ''}" (neighbor, adj-rib, rib, rib filtered, rib accepted, route-server, rpki, ddos)`,
    );
  }
  let extensive = false;
  let filter: 'inet' | 'flow' | 'l2vpn' | undefined;
  let ip: string | undefined;
  let prefix: string | undefined;
  for (const x of w.slice(i)) {
    if (x === 'extensive') extensive = true;
    else if (x === 'inet' || x === 'flow' || x === 'l2vpn') filter = x;
    else if (x.includes('/') && prefix === undefined && parsePrefix(x) !== null) prefix = x;
    else {
      const c = canonicalIp(x);
      if (c === null || ip !== undefined) return fail(`show adj-rib: unexpected "${x}"`);
      ip = c;
    }
  }
  const cmd: ApiCommand = { kind: 'show-adj-rib', direction, extensive, json };
  if (filter !== undefined) cmd.filter = filter;
  if (ip !== undefined) cmd.ip = ip;
  if (prefix !== undefined) cmd.prefix = prefix;
  return ok(cmd);
}

/** The words after `show rib` (json/text already taken out). */
function parseShowRib(w: string[], json: boolean): ParsedCommand {
  // `... client IP` after a prefix or `longest IP`: the route server's export to that client.
  const at = w.indexOf('client');
  if (at >= 1 && (at === 1 || (at === 2 && w[0] === 'longest'))) {
    const ip = w[at + 1] === undefined ? null : canonicalIp(w[at + 1]!);
    if (ip === null || w.length > at + 2) return fail('show rib: expected "client IP" after the prefix');
    const r = parseShowRib(w.slice(0, at), json);
    if (r.ok && r.command.kind === 'show-rib') r.command.client = ip;
    return r;
  }
  const [what, value, extra] = w;
  if (what === undefined) return ok({ kind: 'show-rib', query: 'summary', json });
  if (what === 'neighbors' || what === 'neighbor') {
    if (value !== undefined) return fail(`show rib neighbors: unexpected "${value}"`);
    return ok({ kind: 'show-rib', query: 'neighbors', json });
  }
  if (what === 'longest' || what === 'origin-as' || what === 'as-path' || what === 'community') {
    if (value === undefined) return fail(`show rib ${what}: a value is missing`);
    if (extra !== undefined) return fail(`show rib ${what}: unexpected "${extra}"`);
    return ok({ kind: 'show-rib', query: what, value, json });
  }
  if (value !== undefined) return fail(`show rib: unexpected "${value}"`);
  return ok({ kind: 'show-rib', query: 'prefix', value: what, json });
}

/**
 * The `help` answer in ExaBGP 4.2's layout (reactor/api/command/reactor.py): a preamble, then one line per
 * command sorted as text, those taking a neighbor selector behind `[neighbor <ip> [filters]] `, the others
 * with a trailing space. ExaBGP's list as 4.2.21 prints it, without `crash` (tsbgp has no such command) and
 * with the ack controls tsbgp also accepts.
 */
export const HELP_LINES: readonly string[] = [
  '',
  'available API commands are listed here:',
  '=======================================',
  '',
  'filter can be: [local-ip <ip>][local-as <asn>][peer-as <asn>][router-id <router-id>]',
  '',
  'command are:',
  '------------',
  '',
  ...[
    '# ',
    ...[
      'announce attribute',
      'announce attributes',
      'announce eor',
      'announce flow',
      'announce operational',
      'announce route',
      'announce route-refresh',
      'announce vpls',
      'announce watchdog',
      'clear adj-rib',
      'flush adj-rib out',
      'teardown',
      'withdraw attributes',
      'withdraw flow',
      'withdraw route',
      'withdraw vpls',
      'withdraw watchdog',
    ].map((c) => `[neighbor <ip> [filters]] ${c}`),
    'disable-ack ',
    'enable-ack ',
    'help ',
    'reload ',
    'reset ',
    'restart ',
    'show adj-rib in [ extensive ] ',
    'show adj-rib out [ extensive ] ',
    'show neighbor [ summary | extensive | configuration ] ',
    'shutdown ',
    'silence-ack ',
    'version ',
  ].sort(),
  '',
];

// ---------------------------------------------------------------------------------------------------
// Route text to routes

/** The commands that carry unicast-style routes. */
export type RouteCommand = Extract<ApiCommand, { neighbors: NeighborSelector; text: string } | { nlri: string[] }> & {
  kind: 'announce-route' | 'withdraw-route' | 'announce-attributes' | 'withdraw-attributes';
};

/**
 * The route texts a route command stands for, each in the configuration's route syntax
 * (`PREFIX attributes...`): one for `announce route`, one per prefix for `announce attributes ... nlri ...`.
 */
export function routeTexts(cmd: RouteCommand): string[] {
  if ('text' in cmd) return [cmd.text];
  return cmd.nlri.map((p) => (cmd.attributes ? `${p} ${cmd.attributes}` : p));
}

/**
 * Turn a route command into routes with the configuration's route parser (src/config/route.ts `parseRoute`,
 * passed in so the API does not fix its signature). The parser throws on bad text; that becomes an error
 * answer carrying the parser's reason. `withdraw` tells the parser a next-hop is optional (ExaBGP: 0.0.0.0).
 */
export function parseRoutes<R>(
  cmd: RouteCommand,
  parse: (text: string, withdraw: boolean) => R,
): { ok: true; routes: R[] } | { ok: false; error: string } {
  const withdraw = cmd.kind === 'withdraw-route' || cmd.kind === 'withdraw-attributes';
  const routes: R[] = [];
  const texts = routeTexts(cmd);
  for (let i = 0; i < texts.length; i++) {
    try {
      routes.push(parse(texts[i]!, withdraw));
    } catch (err) {
      // The reason names the prefix of an `nlri` list that failed, not the text: the command line is shown
      // next to it by whoever reports the refusal, once.
      const which = 'nlri' in cmd ? ` ${cmd.nlri[i]}` : '';
      return { ok: false, error: `could not parse route${which}: ${err instanceof Error ? err.message : String(err)}` };
    }
  }
  return { ok: true, routes };
}
