// The FlowSpec safety guard: rules that would take the network's own control plane down are refused before they
// are announced.
//
// The shape this exists for: on 30 August 2020 a FlowSpec rule with a wildcard reached a tier-1 network's routers,
// matched BGP's own TCP port 179 among others, and its discard action tore down BGP sessions network-wide.
// Routers apply FlowSpec to the control plane too, so a rule that drops, polices or redirects TCP/179 between two
// BGP speakers cuts the very sessions that would carry its withdrawal.
//
// What it protects: the BGP sessions of *protected* addresses (opts.protect: the configuration's neighbor and
// local addresses plus the operator's list of loopbacks and link networks, see config/flow-check.ts), whatever
// the far end. A rule reaches them when it can match TCP port 179 to or from a protected address: its
// destination prefix (every address when it has none) overlaps protected space, or its source prefix does. A
// rule without a source picks its packets by destination only: towards a customer /32 that is not protected it
// goes through whatever its ports, since no BGP session of a protected speaker ends at that address (if one
// does, the customer speaks BGP and its link belongs in the protected list).
//
// Findings with severity 'refuse' (turned into 'warn' with `overridden` by the rule's `allow-unsafe` or by
// opts.mode 'warn'; opts.mode 'off' checks nothing):
//  - no-destination: a rule that acts on traffic has no destination prefix, so it matches traffic to every
//    address; refused unless the limit for its family is 0;
//  - wide-destination: destination prefix shorter than opts.minPrefixV4 (default /8) or opts.minPrefixV6
//    (default /32). Defaults: a /8 is the largest block ever allocated to one organisation in IPv4 and /32 is
//    the standard LIR allocation in IPv6, so anything wider spans several networks' address space. For IPv6
//    patterns with an offset (RFC 8956 §3.1) the matched width is length - offset bits;
//  - matches-bgp: a blocking action (discard, any rate-limit, a redirect that is not a copy: each takes BGP
//    packets off their path or drops them with the flood it polices) whose match can be true for a TCP packet
//    to or from a protected address with port 179 on one side and 179 or an ephemeral port on the other
//    (decided exactly with interval arithmetic over the operator lists, RFC 8955 §4.2.1: terms joined by the AND
//    bit form groups, groups are ORed; prefixes by bitwise overlap, with the IPv6 offset);
//  - never-matches: a component no packet can satisfy (e.g. packet-length >1500&<400, =70000, dscp =64,
//    flow-label above 2^20-1, an IPv6 offset beyond the prefix length, ICMP components with a non-ICMP protocol);
//  - conflicting-actions: accept with discard/rate-limit/redirect, discard with rate-limit, two traffic-rates,
//    two redirects, two different marks;
//  - missing-next-hop: redirect to next hop without a next hop.
// Warned (severity 'warn'): an ORed term that can never be true (dead term), a rule that refuses nothing but has
// no action, rate-limit below 9600 bytes/s (ExaBGP's warning, routers may round it to 0).

import { AFI, afiOf } from '../wire/types';
import { decodeFlowAction, decodeFlowAction6 } from './actions';
import { componentName } from './json';
import { type ProtectedPrefix, reachesProtected } from './protect';
import {
  type FlowAction,
  type FlowComponent,
  type FlowOps,
  type FlowPrefix,
  type FlowRoute,
  isPrefixComponent,
  Op,
} from './rule';

export type { ProtectedPrefix };

export interface Finding {
  severity: 'refuse' | 'warn';
  code:
    | 'no-destination'
    | 'wide-destination'
    | 'matches-bgp'
    | 'never-matches'
    | 'dead-term'
    | 'conflicting-actions'
    | 'missing-next-hop'
    | 'no-action'
    | 'low-rate';
  message: string;
  /** True when the finding would refuse the rule but `allow-unsafe` or the mode 'warn' let it through. */
  overridden?: boolean;
}

/** refuse: a refused rule is not sent; warn: it is sent and its findings are logged; off: no check at all. */
export type GuardMode = 'refuse' | 'warn' | 'off';

export interface GuardOptions {
  /** Default 'refuse'. */
  mode?: GuardMode;
  /** Shortest IPv4 destination prefix accepted (default 8); 0 also accepts rules without a destination. */
  minPrefixV4?: number;
  /** Shortest IPv6 destination width accepted, length - offset (default 32); 0 as for IPv4. */
  minPrefixV6?: number;
  /** Ports a blocking rule must not cover to or from a protected address (default [179], BGP). */
  protectedPorts?: number[];
  /**
   * The addresses of BGP speakers whose sessions a rule must not touch. Absent: the guard knows none, so it
   * assumes every address may be one (a rule that can match port 179 anywhere is refused).
   */
  protect?: readonly ProtectedPrefix[];
}

// ------------------------------------------------------------------------------------------- interval sets

/** A set of integers as sorted, disjoint, inclusive [lo, hi] pairs. */
export type Ranges = [number, number][];

function intersect(a: Ranges, b: Ranges): Ranges {
  const out: Ranges = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const lo = Math.max(a[i]![0], b[j]![0]);
    const hi = Math.min(a[i]![1], b[j]![1]);
    if (lo <= hi) out.push([lo, hi]);
    if (a[i]![1] < b[j]![1]) i++;
    else j++;
  }
  return out;
}

/** Merge of two range lists; the inputs are left as they are (one of them is returned when the other is empty). */
function union(a: Ranges, b: Ranges): Ranges {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  // Both are sorted: a merge, with pairs of our own for the output (every API rule passes through here).
  const out: Ranges = [];
  let i = 0;
  let j = 0;
  let cur: [number, number] | undefined;
  while (i < a.length || j < b.length) {
    const next = j >= b.length || (i < a.length && a[i]![0] <= b[j]![0]) ? a[i++]! : b[j++]!;
    if (cur !== undefined && next[0] <= cur[1] + 1) {
      if (next[1] > cur[1]) cur[1] = next[1];
    } else {
      cur = [next[0], next[1]];
      out.push(cur);
    }
  }
  return out;
}

const contains = (r: Ranges, v: number): boolean => r.some(([lo, hi]) => lo <= v && v <= hi);

/** The values in [0, max] one numeric term accepts (RFC 8955 §4.2.1.1: lt, gt, eq bits are ORed). */
function termRanges(op: number, v: number, max: number): Ranges {
  // The three parts come in increasing order: below v, v, above v; touching parts join.
  const r: Ranges = [];
  const add = (lo: number, hi: number): void => {
    // Not r[r.length - 1] on an empty list: reading index -1 is a property lookup up the prototype chain,
    // which was a third of the guard's time for API rules.
    const last = r.length > 0 ? r[r.length - 1]! : undefined;
    if (last !== undefined && lo <= last[1] + 1) last[1] = hi;
    else r.push([lo, hi]);
  };
  if (op & Op.LT && v > 0) add(0, Math.min(v - 1, max));
  if (op & Op.EQ && v <= max) add(v, v);
  if (op & Op.GT && v < max) add(v + 1, max);
  return r;
}

/** The largest value each numeric component can take on a real packet. */
function domainMax(type: number): number {
  switch (type) {
    case 3:
    case 7:
    case 8:
      return 0xff;
    case 11:
      return 0x3f; // DSCP: 6 bits (RFC 8955 §4.2.2.11, RFC 8956 §3.7 for IPv6 traffic class DSCP)
    case 13:
      return 0xfffff; // flow label: 20 bits (RFC 8956 §3.7)
    default:
      return 0xffff; // ports, packet length (an IP packet is at most 65535 bytes)
  }
}

/**
 * Evaluate a numeric component into the set of values it matches, plus the AND-groups that are empty.
 * Terms with the AND bit join the previous term; groups are ORed (RFC 8955 §4.2.1.1).
 */
export function numericRanges(c: FlowOps): { set: Ranges; deadGroups: number } {
  const max = domainMax(c.type);
  const n = c.ops.length;
  let set: Ranges = [];
  let group: Ranges = [];
  let dead = 0;
  for (let i = 0; i < n; i++) {
    const op = c.ops[i]!;
    const r = termRanges(op, c.values[i]!, max);
    if (i > 0 && op & Op.AND) {
      group = intersect(group, r);
      continue;
    }
    if (i > 0) {
      if (group.length === 0) dead++;
      set = union(set, group);
    }
    group = r;
  }
  if (n > 0) {
    if (group.length === 0) dead++;
    set = union(set, group);
  }
  return { set, deadGroups: dead };
}

/** Does one bitmask term accept `data`? RFC 8955 §4.2.1.2: m = all bits set, else any bit set; not negates. */
function bitTerm(op: number, v: number, data: number): boolean {
  const hit = op & Op.MATCH ? (data & v) === v : (data & v) !== 0;
  return op & Op.NOT ? !hit : hit;
}

/** Whether a bitmask component accepts some value, and how many AND-groups accept none. Exhaustive over the field. */
export function bitmaskSatisfiable(c: FlowOps): { any: boolean; deadGroups: number } {
  const max = c.type === 9 ? 0xffff : 0xff;
  const groups: [number, number][][] = [];
  for (let i = 0; i < c.ops.length; i++) {
    const t: [number, number] = [c.ops[i]!, c.values[i]!];
    if (i > 0 && c.ops[i]! & Op.AND) groups[groups.length - 1]!.push(t);
    else groups.push([t]);
  }
  let any = false;
  let dead = 0;
  for (const g of groups) {
    let ok = false;
    for (let d = 0; d <= max && !ok; d++) ok = g.every(([op, v]) => bitTerm(op, v, d));
    if (ok) any = true;
    else dead++;
  }
  return { any, deadGroups: dead };
}

// ------------------------------------------------------------------------------------------- the checks

const REDIRECTS = new Set(['redirect', 'redirect-ip', 'redirect-to-nexthop', 'redirect-to-nexthop-ietf']);

/** The actions the UPDATE will really carry: decoded from the communities (so raw extended-community counts). */
function effectiveActions(route: FlowRoute): FlowAction[] {
  const out: FlowAction[] = route.actions.filter((a) => a.kind === 'accept');
  for (const c of route.extendedCommunities) {
    const a = decodeFlowAction(c);
    if (a) out.push(a);
  }
  for (const c of route.ipv6ExtendedCommunities) {
    const a = decodeFlowAction6(c);
    if (a) out.push(a);
  }
  return out;
}

const isBlocking = (a: FlowAction): boolean =>
  a.kind === 'discard' ||
  a.kind === 'rate-limit' ||
  a.kind === 'rate-limit-packets' ||
  ((a.kind === 'redirect-to-nexthop' || a.kind === 'redirect-to-nexthop-ietf') && !a.copy) ||
  a.kind === 'redirect' ||
  a.kind === 'redirect-ip';

const isRedirect = (a: FlowAction): boolean => REDIRECTS.has(a.kind) && !('copy' in a && a.copy);

const ALL: Ranges = [[0, 0xffff]];
/** The far end of a session: an ephemeral port (anywhere in 1024-65535, RFC 6335 §6) or 179 itself. */
const PEER_PORTS: Ranges = [
  [179, 179],
  [1024, 0xffff],
];

/**
 * Can the rule match a TCP packet with `port` as source or destination port? Exact over the port components:
 * type 4 matches when either port is in its set, 5 and 6 constrain one side each (RFC 8955 §4.2.2.4-6).
 */
function coversTcpPort(byType: Map<number, FlowComponent>, port: number): boolean {
  const proto = byType.get(3) as FlowOps | undefined;
  if (proto && !contains(numericRanges(proto).set, 6)) return false;
  // ICMP type/code only match ICMP packets.
  if (byType.has(7) || byType.has(8)) return false;
  const set = (t: number): Ranges | undefined => {
    const c = byType.get(t) as FlowOps | undefined;
    return c ? numericRanges(c).set : undefined;
  };
  const any = set(4);
  const dst = set(5) ?? ALL;
  const src = set(6) ?? ALL;
  // Other components (packet length, flags, DSCP, fragment, flow label, prefixes) can all hold for a BGP packet
  // as long as they are satisfiable, which the never-matches check covers.
  // A session packet has `port` on one side and the peer's port on the other: the rule covers BGP if some such
  // packet satisfies every port component.
  const sideOk = (fixed: Ranges, other: Ranges): boolean => {
    if (!contains(fixed, port)) return false;
    let cand = intersect(other, PEER_PORTS);
    if (any && !contains(any, port)) cand = intersect(cand, any);
    return cand.length > 0;
  };
  return sideOk(dst, src) || sideOk(src, dst);
}

/**
 * Check one route. Findings that would refuse it come back as 'warn' with `overridden` when it has
 * `allow-unsafe` or the mode is 'warn'; the mode 'off' finds nothing.
 */
export function checkRule(route: FlowRoute, opts: GuardOptions = {}): Finding[] {
  if (opts.mode === 'off') return [];
  const minV4 = opts.minPrefixV4 ?? 8;
  const minV6 = opts.minPrefixV6 ?? 32;
  const ports = opts.protectedPorts ?? [179];
  const rule = route.rule;
  const v6 = afiOf(rule.family) === AFI.IPV6;
  const out: Finding[] = [];
  const override = route.allowUnsafe ? 'allow-unsafe' : opts.mode === 'warn' ? 'tsbgp.flowspec.guard=warn' : '';
  const refuse = (code: Finding['code'], message: string): void => {
    out.push(
      override
        ? { severity: 'warn', code, message: `${message} (sent anyway: ${override})`, overridden: true }
        : { severity: 'refuse', code, message },
    );
  };
  const warn = (code: Finding['code'], message: string): void => {
    out.push({ severity: 'warn', code, message });
  };

  const actions = effectiveActions(route);
  const blocking = actions.filter(isBlocking);
  const affectsTraffic = actions.some((a) => a.kind !== 'accept');
  const byType = new Map<number, FlowComponent>();
  for (const c of rule.components) byType.set(c.type, c);

  // Destination prefix width.
  const dest = byType.get(1) as FlowPrefix | undefined;
  const scope = affectsTraffic ? refuse : warn;
  if (!dest) {
    if ((v6 ? minV6 : minV4) > 0)
      scope('no-destination', 'the rule has no destination prefix, so it matches traffic to every address');
  } else {
    const width = dest.addr.length === 16 ? dest.len - dest.offset : dest.len;
    const min = dest.addr.length === 16 ? minV6 : minV4;
    if (width < min) {
      scope(
        'wide-destination',
        `destination prefix /${dest.len}${dest.offset ? ` offset ${dest.offset}` : ''} matches ${width} bits, shorter than the limit /${min}`,
      );
    }
  }

  // Components no packet can satisfy.
  let never = false;
  for (const c of rule.components) {
    if (isPrefixComponent(c)) {
      const bits = c.addr.length * 8;
      if (c.len > bits || c.offset > c.len) {
        refuse(
          'never-matches',
          `prefix component type ${c.type} has offset ${c.offset} and length ${c.len}: no address matches`,
        );
        never = true;
      }
      continue;
    }
    if (c.ops.length === 0) continue;
    if (c.type === 9 || c.type === 12) {
      const r = bitmaskSatisfiable(c);
      if (!r.any) {
        const hint =
          c.type === 12 && c.values.includes(0)
            ? ' (fragment value 0, "not-a-fragment", never matches under RFC 8955 §4.2.1.2; write !is-fragment)'
            : '';
        refuse('never-matches', `${c.type === 9 ? 'tcp-flags' : 'fragment'} can never be true${hint}`);
        never = true;
      } else if (r.deadGroups > 0) {
        warn(
          'dead-term',
          `${r.deadGroups} alternative(s) of ${c.type === 9 ? 'tcp-flags' : 'fragment'} can never be true`,
        );
      }
      continue;
    }
    const r = numericRanges(c);
    const name = componentName(c.type, v6 ? AFI.IPV6 : AFI.IPV4);
    if (r.set.length === 0) {
      refuse('never-matches', `${name} can never be true (no value in 0-${domainMax(c.type)} satisfies it)`);
      never = true;
    } else if (r.deadGroups > 0) {
      warn('dead-term', `${r.deadGroups} alternative(s) of ${name} can never be true`);
    }
  }
  const proto = byType.get(3) as FlowOps | undefined;
  if ((byType.has(7) || byType.has(8)) && proto) {
    const icmp = v6 ? 58 : 1;
    if (!contains(numericRanges(proto).set, icmp)) {
      refuse(
        'never-matches',
        `icmp-type/icmp-code only match ICMP, but ${v6 ? 'next-header' : 'protocol'} excludes ${icmp}`,
      );
      never = true;
    }
  }

  // BGP itself: a packet of a protected address's session, ports checked first (the cheap test that clears most
  // mitigation rules: UDP, ICMP, TCP to a service port).
  if (blocking.length > 0 && !never) {
    const bytes = v6 ? 16 : 4;
    const src = byType.get(2) as FlowPrefix | undefined;
    for (const port of ports) {
      if (
        coversTcpPort(byType, port) &&
        (reachesProtected(dest, opts.protect, bytes) ||
          (src !== undefined && reachesProtected(src, opts.protect, bytes)))
      ) {
        const what = blocking.map((a) => a.kind).join(', ');
        const where = opts.protect === undefined ? '' : ' to or from a protected address';
        refuse(
          'matches-bgp',
          `${what} would apply to TCP port ${port}${where} (BGP sessions): narrow the destination, restrict the protocol, or exclude the port (destination-port !=${port} and source-port !=${port})`,
        );
      }
    }
  }

  // Contradictory actions.
  // One counting pass: every API rule comes through here, and most carry a single action.
  let accepts = 0;
  let discards = 0;
  let rateLimits = 0;
  let packetRates = 0;
  let trafficActions = 0;
  let marked = 0;
  for (const a of actions) {
    if (a.kind === 'accept') accepts++;
    else if (a.kind === 'discard') discards++;
    else if (a.kind === 'rate-limit') rateLimits++;
    else if (a.kind === 'rate-limit-packets') packetRates++;
    else if (a.kind === 'action') trafficActions++;
    else if (a.kind === 'mark') marked++;
  }
  if (accepts > 0 && blocking.length > 0)
    refuse('conflicting-actions', `accept together with ${blocking.map((a) => a.kind).join(', ')}`);
  if (discards + rateLimits > 1)
    refuse(
      'conflicting-actions',
      discards && rateLimits ? 'discard together with rate-limit' : 'more than one traffic-rate (discard/rate-limit)',
    );
  if (packetRates > 1) refuse('conflicting-actions', 'more than one rate-limit-packets');
  const redirects = actions.filter(isRedirect);
  if (redirects.length > 1)
    refuse('conflicting-actions', `more than one redirect (${redirects.map((a) => a.kind).join(', ')})`);
  if (discards > 0 && redirects.length > 0) refuse('conflicting-actions', 'discard together with redirect');
  if (marked > 1) {
    const marks = new Set(actions.filter((a) => a.kind === 'mark').map((a) => (a as { dscp: number }).dscp));
    if (marks.size > 1) refuse('conflicting-actions', `several DSCP marks (${[...marks].join(', ')})`);
  }
  if (trafficActions > 1) warn('conflicting-actions', 'more than one traffic-action (sample/terminal)');
  if (actions.some((a) => a.kind === 'redirect-to-nexthop') && !route.nextHop) {
    refuse('missing-next-hop', 'redirect-to-nexthop needs a next hop (next-hop statement, or redirect/copy IP)');
  }
  for (const a of actions)
    if (a.kind === 'rate-limit' && a.rate < 9600)
      warn('low-rate', `rate-limit ${a.rate} bytes/s is below 9600; some routers do not police that low`);
  if (actions.length === 0) warn('no-action', 'the rule has no action: it is announced with an implicit accept');
  return out;
}

/** Appended to a refusal: how an operator who means the rule sends it (docs/FLOWSPEC.md). */
export const REFUSED_HINT = 'to send it anyway: tsbgp.flowspec.guard=warn, or allow-unsafe on the rule';

/** True when the findings forbid announcing the rule. */
export const mustRefuse = (findings: Finding[]): boolean => findings.some((f) => f.severity === 'refuse');
