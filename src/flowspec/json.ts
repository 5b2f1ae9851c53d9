// A FlowSpec rule as ExaBGP 4.2 prints it: the per-NLRI JSON object of its `announce`/`withdraw` sections
// and the "flow ..." text. Facts taken from ExaBGP's output (`exabgp --decode`, `exabgp -d -t`), own code.
//
// ExaBGP's quirks kept on purpose, because programs parse this output:
//  - each component is a list; terms joined by AND stay in one string (">8080&<8088"), ORed terms are separate;
//  - a bitmask term with several bits becomes one string per bit, each with the operator ("=syn", "=ack");
//  - in JSON, "!is-fragment" is printed as "not-a-fragment";
//  - protocols and ICMP types are printed by name ("=tcp"), unknown ones as "unknown protocol type 99";
//  - in the text form a component with more than one term is bracketed: "port [ =80 =8080 ]".

import { ipv4ToString, ipv6ToString } from '../wire/ip';
import { ipv6OffsetLayout } from '../wire/nlri/flowspec';
import { rdToString } from '../wire/nlri/rd';
import { AFI, afiOf, SAFI, safiOf } from '../wire/types';
import { bitNames, FRAGMENT_BITS, ICMP_TYPE_NAMES, PROTOCOL_NAMES, TCP_FLAG_BITS } from './names';
import { type FlowComponent, type FlowOps, type FlowPrefix, type FlowRule, isPrefixComponent, Op } from './rule';

/** ExaBGP's name for a component type in a family. */
export function componentName(type: number, afi: number, prefixV6 = afi === AFI.IPV6): string {
  const v6 = afi === AFI.IPV6;
  switch (type) {
    case 1:
      return prefixV6 ? 'destination-ipv6' : 'destination-ipv4';
    case 2:
      return prefixV6 ? 'source-ipv6' : 'source-ipv4';
    case 3:
      return v6 ? 'next-header' : 'protocol';
    case 4:
      return 'port';
    case 5:
      return 'destination-port';
    case 6:
      return 'source-port';
    case 7:
      return 'icmp-type';
    case 8:
      return 'icmp-code';
    case 9:
      return 'tcp-flags';
    case 10:
      return 'packet-length';
    case 11:
      return v6 ? 'traffic-class' : 'dscp';
    case 12:
      return 'fragment';
    case 13:
      return 'flow-label';
    default:
      return `type-${type}`;
  }
}

const NUMERIC_OP: Record<number, string> = {
  [Op.LT | Op.GT | Op.EQ]: 'true',
  [Op.LT]: '<',
  [Op.GT]: '>',
  [Op.EQ]: '=',
  [Op.LT | Op.EQ]: '<=',
  [Op.GT | Op.EQ]: '>=',
  [Op.LT | Op.GT]: '!=',
  0: 'false',
};
const BITMASK_OP: Record<number, string> = { 0: '', [Op.NOT]: '!', [Op.MATCH]: '=', [Op.NOT | Op.MATCH]: '!=' };

/** "=", "&>=", ... the operator text of one term. */
function opText(op: number, bitmask: boolean): string {
  const and = op & Op.AND ? '&' : '';
  const base = op & ~Op.AND & 0x0f;
  if (bitmask) return and + (BITMASK_OP[base] ?? base.toString(16).toUpperCase().padStart(2, '0'));
  return and + (NUMERIC_OP[base] ?? (op & 0x4f).toString(16).toUpperCase().padStart(2, '0'));
}

/** The value as ExaBGP prints it for this component type. */
function valueText(type: number, v: number): string {
  switch (type) {
    case 3:
      return PROTOCOL_NAMES.get(v) ?? `unknown protocol type ${v}`;
    case 7:
      return ICMP_TYPE_NAMES.get(v) ?? `unknown icmp type type ${v}`;
    case 9:
      return bitNames(TCP_FLAG_BITS, v, 'tcp flag').join('+');
    case 12:
      return bitNames(FRAGMENT_BITS, v, 'fragment').join('+');
    default:
      return String(v);
  }
}

/** One numeric term as text: `true`/`false` alone stand without value (ExaBGP). */
function termText(c: FlowOps, i: number, bitmask: boolean): string {
  const op = c.ops[i]!;
  if (!bitmask && (op === (Op.LT | Op.GT | Op.EQ) || op === 0)) return NUMERIC_OP[op]!;
  return opText(op, bitmask) + valueText(c.type, c.values[i]!);
}

function prefixText(p: FlowPrefix): string {
  if (p.addr.length === 4) return `${ipv4ToString(p.addr)}/${p.len}`;
  return `${ipv6ToString(p.addr)}/${p.len}/${p.offset}`;
}

const sorted = (rule: FlowRule): FlowComponent[] => rule.components.slice().sort((a, b) => a.type - b.type);
const isBitmask = (type: number): boolean => type === 9 || type === 12;
const prefixIsV6 = (rule: FlowRule): boolean =>
  rule.components.some((c) => isPrefixComponent(c) && c.addr.length === 16) || afiOf(rule.family) === AFI.IPV6;

/** ExaBGP's text for a rule: "flow destination-ipv4 10.0.0.0/24 protocol =tcp ... rd 1:1 next-hop 1.2.3.4". */
export function flowToString(rule: FlowRule, nextHop?: Uint8Array): string {
  const afi = afiOf(rule.family);
  const v6p = prefixIsV6(rule);
  let out = 'flow';
  for (const c of sorted(rule)) {
    const name = componentName(c.type, afi, v6p);
    if (isPrefixComponent(c)) {
      out += ` ${name} ${prefixText(c)}`;
      continue;
    }
    const bm = isBitmask(c.type);
    let line = '';
    for (let i = 0; i < c.ops.length; i++) {
      if (i > 0 && !(c.ops[i]! & Op.AND)) line += ' ';
      line += termText(c, i, bm);
    }
    out += c.ops.length > 1 ? ` ${name} [ ${line} ]` : ` ${name} ${line}`;
  }
  if (rule.rd) out += ` rd ${rdToString(rule.rd)}`;
  if (nextHop) out += ` next-hop ${nextHop.length === 4 ? ipv4ToString(nextHop) : ipv6ToString(nextHop)}`;
  return out;
}

/** The JSON list text of one component, built the way ExaBGP builds it (quirks included). */
function componentListText(c: FlowComponent): string {
  if (isPrefixComponent(c)) return `"${prefixText(c)}"`;
  const bm = isBitmask(c.type);
  let raw = '';
  for (let i = 0; i < c.ops.length; i++) {
    const op = c.ops[i]!;
    if (i > 0 && !(op & Op.AND)) raw += ', ';
    if (bm) {
      const flag = opText(op, true);
      const names =
        c.type === 9
          ? bitNames(TCP_FLAG_BITS, c.values[i]!, 'tcp flag')
          : bitNames(FRAGMENT_BITS, c.values[i]!, 'fragment');
      let piece = names.map((n) => `"${flag}${n}"`).join(', ');
      if (c.type === 12 && piece) piece = piece.split('!is-fragment').join('not-a-fragment');
      raw += piece;
    } else {
      raw += `"${termText(c, i, false)}"`;
    }
  }
  // ExaBGP glues an AND term to the previous string by dropping the quotes between them.
  return raw.split('""').join('');
}

/**
 * The rule's JSON object text exactly as ExaBGP 4.2 prints it inside "announce"/"withdraw", e.g.
 * `{ "destination-ipv4": [ "10.0.0.2/32" ], "protocol": [ "=tcp" ], "string": "flow destination-ipv4 ..." }`.
 */
export function flowToJSONText(rule: FlowRule, nextHop?: Uint8Array): string {
  const afi = afiOf(rule.family);
  const v6p = prefixIsV6(rule);
  // Members joined by one separator: a rule without components (a zero-length NLRI, which ExaBGP 4.2 prints
  // as the invalid `{, "string": "flow" }`) is `{ "string": "flow" }`, never a stray comma.
  const members: string[] = [];
  for (const c of sorted(rule)) members.push(`"${componentName(c.type, afi, v6p)}": [ ${componentListText(c)} ]`);
  if (rule.rd) members.push(`"rd": "${rdToString(rule.rd)}"`);
  if (nextHop) members.push(`"next-hop": "${nextHop.length === 4 ? ipv4ToString(nextHop) : ipv6ToString(nextHop)}"`);
  members.push(`"string": "${flowToString(rule, nextHop)}"`);
  return `{ ${members.join(', ')} }`;
}

/** The per-rule JSON value (same content and key order as flowToJSONText): component lists, rd, next-hop, string. */
export function flowToJSON(rule: FlowRule, nextHop?: Uint8Array): Record<string, string[] | string> {
  const afi = afiOf(rule.family);
  const v6p = prefixIsV6(rule);
  const out: Record<string, string[] | string> = {};
  for (const c of sorted(rule)) {
    const text = componentListText(c);
    out[componentName(c.type, afi, v6p)] = Array.from(text.matchAll(/"([^"]*)"/g), (m) => m[1]!);
  }
  if (rule.rd) out.rd = rdToString(rule.rd);
  if (nextHop) out['next-hop'] = nextHop.length === 4 ? ipv4ToString(nextHop) : ipv6ToString(nextHop);
  out.string = flowToString(rule, nextHop);
  return out;
}

/**
 * True when flowToString() of the rule as decoded from its own NLRI bytes (encodeFlowRule, decodeFlowNlri) is
 * the rule's text. Holders of many rules (the daemon's list of rules in force) then keep only the bytes and
 * make the text when asked; the rare rule whose text the wire would change keeps its text. The wire drops:
 * address bits outside the bytes sent (IPv4 past the last byte of the prefix, RFC 8955 §4.2.2.1; IPv6
 * before the offset or past the pattern, RFC 8956 §3.1), operator bits other than AND and the comparison
 * bits, components without terms, and a route distinguisher outside the VPN families (RFC 8955 §8); and
 * a rule the decoder would refuse keeps its text too.
 */
export function textSurvivesWire(rule: FlowRule): boolean {
  const v6 = afiOf(rule.family) === AFI.IPV6;
  if ((rule.rd !== undefined) !== (safiOf(rule.family) === SAFI.FLOW_VPN)) return false;
  for (const c of rule.components) {
    // What the decoder refuses (RFC 8955 §4.2.2, RFC 8956 §3): unknown types, impossible lengths and offsets.
    if (c.type < 1 || c.type > (v6 ? 13 : 12)) return false;
    if (isPrefixComponent(c)) {
      const a = c.addr;
      if (a.length !== (v6 ? 16 : 4) || c.len > a.length * 8 || c.offset > c.len) return false;
      // Bits kept: from the offset in RFC 8956's layout, from bit 0 in ExaBGP's (and IPv4), to the last byte sent.
      const from = v6 && ipv6OffsetLayout() === 'rfc8956' ? c.offset : 0;
      const to = Math.min(a.length * 8, from + 8 * Math.max(0, (c.len - from + 7) >> 3));
      for (let bit = 0; bit < a.length * 8; bit += 8) {
        // Mask of this byte's bits outside [from, to), which must be zero.
        let outside = 0;
        for (let k = 0; k < 8; k++) if (bit + k < from || bit + k >= to) outside |= 0x80 >> k;
        if (a[bit >> 3]! & outside) return false;
      }
      continue;
    }
    if (c.ops.length === 0 || c.ops.length !== c.values.length) return false;
    const keep = isBitmask(c.type) ? Op.AND | Op.NOT | Op.MATCH : Op.AND | Op.LT | Op.GT | Op.EQ;
    for (let i = 0; i < c.ops.length; i++) {
      const v = c.values[i]!;
      if (c.ops[i]! & ~keep || !Number.isSafeInteger(v) || v < 0) return false;
    }
  }
  return true;
}
