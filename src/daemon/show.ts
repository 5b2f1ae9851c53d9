// Answers to `show neighbor ...` and `show adj-rib ...`: readable at 3 a.m., one line per route or peer,
// in the shape ExaBGP 4.2 prints (neighbor, family, NLRI, then the attributes in route syntax).

import { evpnJson } from '../api/evpn-json';
import { attributesText, labeledJson, labeledText, vplsJson } from '../api/json';
import { flowToString } from '../flowspec/json';
import type { FlowRule } from '../flowspec/rule';
import type { AttrSet } from '../rib/attr-intern';
import { entryOf } from '../rib/rib-query';
import { ipToString, parsePrefix } from '../wire/ip';
import { type EvpnRoute, L2VPN_EVPN } from '../wire/nlri/evpn';
import { isFlowFamily } from '../wire/nlri/flowspec';
import { isLabeledFamily, type LabeledPrefix } from '../wire/nlri/labeled';
import { prefixToString } from '../wire/nlri/prefix';
import { familyCodec, familyName } from '../wire/nlri/registry';
import { L2VPN_VPLS, type Vpls } from '../wire/nlri/vpls';
import { type Attributes, type FamilyKey, IPV4_UNICAST, IPV6_UNICAST, type Prefix, SAFI, safiOf } from '../wire/types';
import type { Daemon } from './daemon';

/** One NLRI entry (no path id) as text. */
export function nlriText(family: FamilyKey, entry: Uint8Array): string {
  const codec = familyCodec(family);
  if (!codec) return `0x${Buffer.from(entry).toString('hex')}`;
  const items = codec.items({ family, addPath: false, data: entry, count: 1 });
  const item = items[0];
  if (item === undefined) return '';
  if (isFlowFamily(family)) return flowToString(item as FlowRule);
  if (isLabeledFamily(family)) return labeledText(item as LabeledPrefix);
  if (family === L2VPN_VPLS) return vplsJson(item as Vpls).text;
  if (family === L2VPN_EVPN) return evpnJson(item as EvpnRoute).text;
  return prefixToString(item as Prefix);
}

function routeLine(peer: string, family: FamilyKey, entry: Uint8Array, pathId: number, set: AttrSet): string {
  const a: Attributes = set.attributes;
  let nh = '';
  const hop = a.nextHop ?? set.nextHop;
  if (hop !== undefined)
    nh = hop.length === 0 ? (safiOf(family) === SAFI.FLOW ? '' : ' next-hop self') : ` next-hop ${ipToString(hop)}`;
  const attrs = attributesText({ ...a, nextHop: undefined });
  if (isLabeledFamily(family)) {
    // ExaBGP's order: prefix, path-information, label, next-hop, rd.
    const item = familyCodec(family)!.items({ family, addPath: false, data: entry, count: 1 })[0] as LabeledPrefix;
    if (pathId !== 0) item.pathId = pathId;
    const t = labeledJson(item);
    return `neighbor ${peer} ${familyName(family)} ${t.text}${nh}${t.afterNextHop}${attrs}`;
  }
  const path =
    pathId !== 0
      ? ` path-information ${pathId >>> 24}.${(pathId >>> 16) & 255}.${(pathId >>> 8) & 255}.${pathId & 255}`
      : '';
  return `neighbor ${peer} ${familyName(family)} ${nlriText(family, entry)}${path}${nh}${attrs}`;
}

/** One route of an Adj-RIB, as held when the answer began. */
interface RouteRef {
  peer: string;
  family: FamilyKey;
  entry: Uint8Array;
  pathId: number;
  attributes: AttrSet;
}

/** Routes per slice of a streamed answer: small enough that a slice costs a few milliseconds to format. */
const SLICE = 2000;

/**
 * `show adj-rib in|out`, a slice of lines at a time. A full table is a million lines: built in one go it held
 * the event loop for seconds (long enough for hold timers to expire) and its text in memory at once. The
 * routes are taken first, in one pass that formats nothing, so the answer is the RIB as it was when asked;
 * then each slice is formatted and handed to `emit`, which waits for the reader, and the loop yields to
 * timers and sockets between slices. Returns the number of routes shown, or -1 when the reader went away.
 */
export async function streamAdjRib(
  d: Daemon,
  dir: 'in' | 'out',
  emit: (lines: string[]) => Promise<boolean>,
  filter?: string,
  ip?: string,
  prefix?: string,
): Promise<number> {
  const refs: RouteRef[] = [];
  // One prefix: hash probes for each of its path ids (RFC 7911), no walk of the table.
  const p = prefix === undefined ? null : parsePrefix(prefix);
  const f = p?.addr.length === 16 ? IPV6_UNICAST : IPV4_UNICAST;
  const entry = p ? entryOf(p.addr, p.len) : new Uint8Array(0);
  const addr = new Uint8Array(p?.addr.length ?? 4);
  addr.set(entry.subarray(1));
  for (const n of d.neighbors) {
    if (ip !== undefined && n.cfg.peerAddress !== ip) continue;
    const it = p
      ? dir === 'in'
        ? n.ribIn?.paths(f, p.len, addr)
        : n.ribOut.paths(f, entry).map((r) => ({ family: f, entry, ...r }))
      : dir === 'in'
        ? n.ribIn?.routes()
        : n.ribOut.routes();
    if (!it) continue;
    const peer = n.cfg.peerAddress;
    for (const r of it) {
      if (filter === 'flow' && !isFlowFamily(r.family)) continue;
      if (filter === 'inet' && isFlowFamily(r.family)) continue;
      refs.push({ peer, family: r.family, entry: r.entry, pathId: r.pathId, attributes: r.attributes });
    }
  }
  for (let i = 0; i < refs.length; i += SLICE) {
    const lines: string[] = [];
    for (let k = i; k < Math.min(refs.length, i + SLICE); k++) {
      const r = refs[k]!;
      lines.push(routeLine(r.peer, r.family, r.entry, r.pathId, r.attributes));
    }
    if (!(await emit(lines))) return -1;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return refs.length;
}

/** The FlowSpec rules in force, with their age and what is left before they expire (tsbgp extension). */
export function showFlows(d: Daemon, ip?: string): string[] {
  const now = Date.now();
  const out: string[] = [];
  for (const n of d.neighbors) {
    if (ip !== undefined && n.cfg.peerAddress !== ip) continue;
    const t = n.flows;
    for (const e of t.list()) {
      const age = Math.round((now - t.announcedAt(e)) / 1000);
      const expiresAt = t.expiresAt(e);
      const left = expiresAt !== undefined ? ` expires-in ${Math.max(0, Math.round((expiresAt - now) / 1000))}s` : '';
      out.push(`neighbor ${n.cfg.peerAddress} ${t.text(e)} age ${age}s${left} source ${t.source(e)}`);
    }
  }
  return out;
}

const uptime = (since: number): string => {
  if (since === 0) return 'never';
  const s = Math.floor((Date.now() - since) / 1000);
  return `${Math.floor(s / 3600)}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
};

/** Seconds as Python's str(timedelta): `H:MM:SS`, with `N day(s), ` in front from a day on. */
export function timedelta(secs: number): string {
  const days = Math.floor(secs / 86400);
  const s = secs % 86400;
  const hms = `${Math.floor(s / 3600)}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  return days === 0 ? hms : `${days} day${days === 1 ? '' : 's'}, ${hms}`;
}

export function showNeighbor(d: Daemon, mode?: string, ip?: string, json = false): string[] {
  const list = d.neighbors.filter((n) => ip === undefined || n.cfg.peerAddress === ip);
  if (json) {
    return [
      JSON.stringify(
        list.map((n) => ({
          'peer-address': n.cfg.peerAddress,
          'local-address': n.localAddressText() ?? '',
          'local-as': n.localAs,
          'peer-as': n.negotiated?.peerAs ?? n.cfg.peerAs,
          state: n.peer.state.toLowerCase(),
          'up-time': uptime(n.peer.state === 'Established' ? n.upSince : 0),
          'routes-in': n.ribIn?.size ?? 0,
          'routes-out': n.ribOut.size,
          'messages-in': n.updatesReceived,
        })),
      ),
    ];
  }
  if (mode === 'summary') {
    // As ExaBGP 4.2 (reactor/api/command/neighbor.py): established peers only, the columns of its header, the
    // time up as Python prints a timedelta ('down' in the first second, as there), UPDATE messages counted.
    const out = ['Peer            AS        up/down state       |     #sent     #recvd'];
    for (const n of list) {
      if (n.peer.state !== 'Established') continue;
      const as = String(n.negotiated?.peerAs ?? n.cfg.peerAs);
      const secs = Math.floor((Date.now() - n.upSince) / 1000);
      out.push(
        `${n.cfg.peerAddress.padEnd(15)} ${as.padEnd(7)} ${(secs > 0 ? timedelta(secs) : 'down').padStart(9)} ${'established'.padEnd(12)} ${String(n.updatesSent).padStart(10)} ${String(n.updatesReceived).padStart(10)}`,
      );
    }
    return out;
  }
  const out: string[] = [];
  for (const n of list) {
    const neg = n.negotiated;
    out.push(`Neighbor ${n.cfg.peerAddress}`);
    out.push(`  Session                        ${n.peer.state.toLowerCase()}`);
    out.push(`  Local address                  ${n.localAddressText() ?? 'auto'}`);
    out.push(`  Local AS / Peer AS             ${n.localAs} / ${neg?.peerAs ?? n.cfg.peerAs}`);
    out.push(`  Up time                        ${n.peer.state === 'Established' ? uptime(n.upSince) : 'down'}`);
    if (neg) {
      out.push(`  Hold time                      ${neg.holdTime}`);
      out.push(`  Families                       ${[...neg.families].map(familyName).join(', ')}`);
      out.push(`  4-octet AS                     ${neg.asn4 ? 'yes' : 'no'}`);
      out.push(
        `  Route refresh                  ${neg.enhancedRouteRefresh ? 'enhanced' : neg.routeRefresh ? 'yes' : 'no'}`,
      );
    }
    out.push(`  Routes received / advertised   ${n.ribIn?.size ?? 0} / ${n.ribOut.size}`);
    if (mode === 'configuration' || mode === 'extensive') {
      out.push(`  Configured at                  ${n.cfg.pos.file}:${n.cfg.pos.line}`);
      out.push(`  Hold time configured           ${n.cfg.holdTime}`);
      out.push(`  Passive                        ${n.cfg.passive}`);
      out.push(`  Flow rules in force            ${n.flows.size}`);
    }
  }
  return out;
}
