// ExaBGP 4.2 text encoder: the line-oriented events an API process with `encoder text` receives, in
// ExaBGP 4.2.21's words and spacing. Each method returns the full text including the final newline, or
// null for events ExaBGP's text encoder does not report (negotiated, fsm, signal).

import type { Capability, Notification, Open, RouteRefresh, Update } from '../wire/types';
import { afiOf, safiOf } from '../wire/types';
import {
  ADDPATH_MODE,
  afiName,
  attributesText,
  type Direction,
  familyRenderer,
  hexUpper,
  ipv4At,
  type NeighborContext,
  type OperationalEvent,
  type RawParts,
  REFRESH_SUBTYPE,
  safiName,
  updateParts,
} from './json';

function headerBody(raw?: RawParts): string {
  const h = raw?.header?.length ? ` header ${hexUpper(raw.header)}` : '';
  const b = raw?.body?.length ? ` body ${hexUpper(raw.body)}` : '';
  return h + b;
}

export interface TextEncoderOptions {
  /** See JsonEncoderOptions.aigp. */
  aigp?: boolean;
  pid?: number;
  ppid?: number;
}

export class ExabgpTextEncoder {
  private readonly aigp: boolean;
  private readonly pid: number;
  private readonly ppid: number;

  constructor(opts: TextEncoderOptions = {}) {
    this.aigp = opts.aigp ?? false;
    this.pid = opts.pid ?? process.pid;
    this.ppid = opts.ppid ?? process.ppid;
  }

  up(n: NeighborContext): string {
    return `neighbor ${n.peerAddress} up\n`;
  }
  connected(n: NeighborContext): string {
    return `neighbor ${n.peerAddress} connected\n`;
  }
  down(n: NeighborContext, reason = ''): string {
    return `neighbor ${n.peerAddress} down - ${oneLine(reason)}\n`;
  }
  shutdown(): string {
    return `shutdown ${this.pid} ${this.ppid}\n`;
  }
  negotiated(): null {
    return null;
  }
  fsm(): null {
    return null;
  }
  signal(): null {
    return null;
  }

  notification(n: NeighborContext, direction: Direction, m: Notification, raw?: RawParts): string {
    return `neighbor ${n.peerAddress} ${direction} notification code ${m.code} subcode ${m.subcode} data ${hexUpper(m.data)}${headerBody(raw)}\n`;
  }

  packets(n: NeighborContext, direction: Direction, category: number, raw: RawParts): string {
    return `neighbor ${n.peerAddress} ${direction} ${category}${headerBody(raw)}\n`;
  }

  keepalive(n: NeighborContext, direction: Direction, raw?: RawParts): string {
    return `neighbor ${n.peerAddress} ${direction} keepalive${headerBody(raw)}\n`;
  }

  open(n: NeighborContext, direction: Direction, o: Open, raw?: RawParts): string {
    return (
      `neighbor ${n.peerAddress} ${direction} open version ${o.version} asn ${o.myAs} hold_time ${o.holdTime} ` +
      `router_id ${ipv4At(o.routerId, 0)} capabilities [${capabilitiesText(o.capabilities)}]${headerBody(raw)}\n`
    );
  }

  refresh(n: NeighborContext, direction: Direction, r: RouteRefresh, raw?: RawParts): string {
    return `neighbor ${n.peerAddress} ${direction} route-refresh afi ${afiName(r.afi)} safi ${safiName(r.safi)} ${REFRESH_SUBTYPE[r.subtype] ?? String(r.subtype)}${headerBody(raw)}\n`;
  }

  update(n: NeighborContext, direction: Direction, u: Update, raw?: RawParts): string {
    const prefix = `neighbor ${n.peerAddress} ${direction} update`;
    let r = `${prefix} start\n`;
    const parts = updateParts(u);
    if (parts.eor !== undefined) {
      const afi = afiOf(parts.eor);
      const safi = safiOf(parts.eor);
      r += `${prefix} route eor ${afi}/${safi} (${afiName(afi)} ${safiName(safi)})\n`;
    } else {
      const attrs = attributesText(u.attributes, { aigp: this.aigp });
      // ExaBGP's order: body withdrawn, body announced, MP_UNREACH, MP_REACH (see updateParts).
      const bodyWithdrawn = parts.withdrawn.filter((b) => b === u.withdrawn);
      const mpWithdrawn = parts.withdrawn.filter((b) => b !== u.withdrawn);
      const emitWithdrawn = (blocks: typeof parts.withdrawn): void => {
        for (const b of blocks)
          familyRenderer(b.family).forEach(b, false, (_j, t, after = '') => {
            r += `${prefix} withdrawn ${t}${after}\n`;
          });
      };
      emitWithdrawn(bodyWithdrawn);
      const bodyAnn = parts.announced.filter((x) => x.block === u.nlri);
      const mpAnn = parts.announced.filter((x) => x.block !== u.nlri);
      const emitAnnounced = (list: typeof parts.announced): void => {
        for (const { block, nextHops } of list)
          familyRenderer(block.family).forEach(block, false, (_j, t, after = '') => {
            for (const nh of nextHops)
              r += `${prefix} announced ${t}${nh === 'no-nexthop' ? '' : ` next-hop ${nh}`}${after}${attrs}\n`;
          });
      };
      emitAnnounced(bodyAnn);
      emitWithdrawn(mpWithdrawn);
      emitAnnounced(mpAnn);
    }
    const hb = headerBody(raw);
    if (hb) r += `${hb}\n`;
    return r + `${prefix} end\n`;
  }

  operational(n: NeighborContext, direction: Direction, op: OperationalEvent, raw?: RawParts): string {
    // ExaBGP's text operational lines have no trailing newline; the process writer adds one.
    let s = `neighbor ${n.peerAddress} ${direction} operational ${op.name} afi ${afiName(op.afi)} safi ${safiName(op.safi)}`;
    if (op.what === 'advisory') s += ` advisory "${oneLine(op.advisory)}"`;
    if (op.what === 'counter') s += ` router-id ${op.routerId} sequence ${op.sequence} counter ${op.counter}`;
    return s + headerBody(raw) + '\n';
  }
}

/** A reason or advisory must not break the line protocol. */
// Control characters and Unicode line/paragraph separators: a peer's text (a hostname, a shutdown reason) must not
// break or garble the one-line event.
const oneLine = (s: string): string => s.replace(/[\u0000-\u001f\u007f\u0085\u2028\u2029]+/g, ' ');

const fam = (afi: number, safi: number): string => `${afiName(afi)} ${safiName(safi)}`;

/** ExaBGP's str(capabilities).lower(): by code ascending, repeated capabilities merged. */
export function capabilitiesText(caps: Capability[]): string {
  const merged = new Map<number, Capability[]>();
  let refreshCisco = false;
  for (const c of caps) {
    if (!merged.has(c.code)) merged.set(c.code, []);
    merged.get(c.code)!.push(c);
    if (c.code === 2) refreshCisco = false;
    if (c.code === 128) refreshCisco = true;
  }
  const out: string[] = [];
  for (const code of [...merged.keys()].sort((a, b) => a - b)) {
    const list = merged.get(code)!;
    const c = list[list.length - 1]!;
    let s: string;
    if ('unknown' in c && c.unknown) s = unknownText(code);
    else if (c.code === 1)
      s = `Multiprotocol(${(list as { afi: number; safi: number }[]).map((x) => fam(x.afi, x.safi)).join(',')})`;
    else if (c.code === 2 || c.code === 128) s = refreshCisco ? 'Cisco Route Refresh' : 'Route Refresh';
    else if (c.code === 70) s = 'Enhanced Route Refresh';
    else if (c.code === 6) s = 'Extended Message(65535)';
    else if (c.code === 65 && 'asn' in c) s = `ASN4(${c.asn})`;
    else if (c.code === 5 && 'entries' in c)
      s = `NextHop(${list
        .flatMap((x) => ('entries' in x ? x.entries : []))
        .map((e) => `${fam(e.afi, e.safi)} ${afiName(e.nextHopAfi)}`)
        .join(',')})`;
    else if (c.code === 69 && 'families' in c) {
      const m = new Map<string, number>();
      for (const x of list)
        if ('families' in x)
          for (const f of x.families as { afi: number; safi: number; mode: number }[])
            m.set(fam(f.afi, f.safi), f.mode);
      s = `AddPath(${[...m].map(([k, mode]) => `${ADDPATH_MODE[mode] ?? String(mode)} ${k}`).join(',')})`;
    } else if (c.code === 64 && 'restartTime' in c) {
      const f = c.families.map((x) => `${afiName(x.afi)}/${safiName(x.safi)}=0x${x.flags.toString(16)}`).join(' ');
      s = `Graceful Restart Flags 0x${c.restartFlags.toString(16)} Time ${c.restartTime} ${f}`;
    } else if (c.code === 73 && 'hostname' in c) s = `Hostname(${oneLine(c.hostname)} ${oneLine(c.domain)})`;
    // ExaBGP 5.0's str() for codes 73 and 75, which 4.2 shows as unassigned.
    else if (c.code === 75 && 'version' in c) s = `Software(${oneLine(c.version)})`;
    else s = unknownText(code);
    out.push(s);
  }
  return out.join(', ').toLowerCase();
}

function unknownText(code: number): string {
  if (code >= 128) return `Reserved ${code}`;
  if (code >= 70) return `Unassigned ${code}`;
  return `Unknown ${code}`;
}
