// tsbgp as a child process for the interop tests against BIRD, GoBGP and FRR: a configuration generated from
// a few options, a private control socket, an API process that appends every JSON event to a file, and the
// real `tsbgp cli` client. The child is a ManagedProcess (stopped by its PID, killed at exit whatever happens).

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { neighborStates, RECORDER_JS, readJsonLines, TsbgpChild } from '../support/tsbgp';
import {
  allocEndpoint,
  type BgpDaemon,
  type Family,
  makeTempDir,
  type Route,
  type RouteSpec,
  skipReason,
  stopAll,
  tail,
  waitFor,
} from './peers/common';

export interface TsbgpNeighborOpts {
  /** The peer's address and, when tsbgp is active, the port it listens on. */
  peer: string;
  peerPort: number;
  peerAs: number;
  /** tsbgp's own address (also its router id); the listener binds it when passive. */
  local: string;
  localAs: number;
  /** Wait for the peer to connect, on `listenPort`. */
  passive?: boolean;
  listenPort?: number;
  holdTime?: number;
  /** Static routes, in ExaBGP route syntax without the `route` keyword ("10.0.0.0/24 next-hop ..."). */
  routes?: string[];
  ipv6?: boolean;
}

/** One route of `show adj-rib in|out`, attributes as ExaBGP's text form spells them. */
export interface RibLine extends Route {
  peer: string;
  family: string;
  raw: string;
}

export function tsbgpConfig(dir: string, eventsFile: string, ns: TsbgpNeighborOpts[]): string {
  const recorder = path.join(dir, 'recorder.js');
  fs.writeFileSync(recorder, RECORDER_JS);
  const l: string[] = [
    'process recorder {',
    `  run ${process.execPath} ${recorder} ${eventsFile};`,
    '  encoder json;',
    '}',
  ];
  for (const n of ns) {
    l.push(
      `neighbor ${n.peer} {`,
      `  router-id ${n.local};`,
      `  local-address ${n.local};`,
      `  local-as ${n.localAs};`,
      `  peer-as ${n.peerAs};`,
    );
    l.push(`  hold-time ${n.holdTime ?? 30};`);
    if (n.passive) l.push('  passive;', `  listen ${n.listenPort};`);
    else l.push(`  connect ${n.peerPort};`);
    l.push('  family {', '    ipv4 unicast;', ...(n.ipv6 !== false ? ['    ipv6 unicast;'] : []), '  }');
    l.push(
      '  api {',
      '    processes [ recorder ];',
      '    neighbor-changes;',
      '    receive { parsed; update; notification; }',
      '  }',
    );
    if (n.routes && n.routes.length > 0) l.push('  static {', ...n.routes.map((r) => `    route ${r};`), '  }');
    l.push('}');
  }
  return l.join('\n') + '\n';
}

/** The events file (emptied) and the configuration text of a tsbgp child in `dir`. */
function prepare(dir: string, neighbors: TsbgpNeighborOpts[]): string {
  const eventsFile = path.join(dir, 'events.jsonl');
  fs.writeFileSync(eventsFile, '');
  return tsbgpConfig(dir, eventsFile, neighbors);
}

export class TsbgpDaemon extends TsbgpChild {
  readonly eventsFile: string;

  constructor(
    readonly dir: string,
    neighbors: TsbgpNeighborOpts[],
  ) {
    super({ dir, name: 'tsbgp', config: prepare(dir, neighbors), env: { 'exabgp.log.level': 'INFO' } });
    this.eventsFile = path.join(dir, 'events.jsonl');
  }

  /** The real client, `tsbgp cli --socket S COMMAND`: the lines it printed; throws unless the answer is done. */
  async cli(command: string): Promise<string[]> {
    const r = await this.runCli(command, 15_000);
    if (r.code !== 0)
      throw new Error(`tsbgp cli ${command}: exit ${r.code}: ${r.stdout}${r.stderr}\n${tail(this.log(), 1500)}`);
    return r.stdout.split('\n').filter((x) => x !== '');
  }

  /** The same over the socket in-process: cheap enough to poll. */
  async command(command: string): Promise<string[]> {
    const r = await this.send(command, 10_000);
    if (r.answer !== 'done') throw new Error(`${command}: ${r.answer} ${r.lines.join(' | ')}`);
    return r.lines;
  }

  async state(peer: string): Promise<string> {
    const list = neighborStates(await this.command('show neighbor json'));
    return list.find((n) => n['peer-address'] === peer)?.state ?? 'unknown';
  }

  override async established(peer: string): Promise<boolean> {
    return (await this.state(peer)) === 'established';
  }

  /** `show adj-rib in` (or out) through the real client, parsed. */
  async adjRib(dir: 'in' | 'out', viaCli = false): Promise<RibLine[]> {
    const lines = viaCli ? await this.cli(`show adj-rib ${dir}`) : await this.command(`show adj-rib ${dir}`);
    return lines.filter((x) => x.startsWith('neighbor ')).map(parseRibLine);
  }

  /** Every JSON event the API process has written so far. */
  events(): Record<string, any>[] {
    return readJsonLines(this.eventsFile);
  }
}

export async function startTsbgp(dir: string, neighbors: TsbgpNeighborOpts[]): Promise<TsbgpDaemon> {
  const t = new TsbgpDaemon(dir, neighbors);
  await t.ready();
  return t;
}

/** "neighbor P ipv4 unicast 10.0.0.0/24 next-hop 192.0.2.1 origin igp as-path [ 1 2 ] med 5 community 65000:1 ..." */
export function parseRibLine(raw: string): RibLine {
  const w = raw.split(/\s+/);
  const r: RibLine = {
    peer: w[1] ?? '',
    family: `${w[2]} ${w[3]}`,
    prefix: w[4] ?? '',
    nextHop: '',
    asPath: [],
    communities: [],
    largeCommunities: [],
    raw,
  };
  // One value or a bracketed list after the keyword.
  const list = (i: number): [string[], number] => {
    if (w[i] !== '[') return [[w[i] ?? ''], i + 1];
    const end = w.indexOf(']', i);
    return [w.slice(i + 1, end), end + 1];
  };
  for (let i = 5; i < w.length; ) {
    const k = w[i++];
    let v: string[];
    [v, i] = list(i);
    if (k === 'next-hop') r.nextHop = v[0]!;
    else if (k === 'as-path') r.asPath = v.filter((x) => /^\d+$/.test(x)).map(Number);
    else if (k === 'med') r.med = Number(v[0]);
    else if (k === 'local-preference') r.localPref = Number(v[0]);
    else if (k === 'community') r.communities = v;
    else if (k === 'large-community') r.largeCommunities = v;
  }
  return r;
}

/** The update events' announced NLRI of `family` with the attributes that came with them. */
export function announced(
  events: Record<string, any>[],
  family: string,
): { prefix: string; nextHop: string; attribute: Record<string, any> }[] {
  const out: { prefix: string; nextHop: string; attribute: Record<string, any> }[] = [];
  for (const e of events) {
    const u = e.type === 'update' ? e.neighbor?.message?.update : undefined;
    const a = u?.announce?.[family] as Record<string, { nlri: string }[]> | undefined;
    if (!a) continue;
    for (const [nh, list] of Object.entries(a))
      for (const x of list) out.push({ prefix: x.nlri, nextHop: nh, attribute: u.attribute ?? {} });
  }
  return out;
}

/** The prefixes withdrawn by update events of `family`. */
export function withdrawn(events: Record<string, any>[], family: string): string[] {
  const out: string[] = [];
  for (const e of events) {
    const w =
      e.type === 'update'
        ? (e.neighbor?.message?.update?.withdraw?.[family] as { nlri: string }[] | undefined)
        : undefined;
    if (w) for (const x of w) out.push(x.nlri);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// The scenario every tsbgp-<daemon>.test.ts runs, against one real daemon:
//  A. tsbgp active, eBGP, hold time 3: Established; configured and `tsbgp cli`-announced IPv4/IPv6 routes reach
//     the peer with AS path, MED, communities and large communities; withdrawals follow; the peer's routes reach
//     `show adj-rib in` and the API process's JSON with the same attributes, and their withdrawals too; the peer
//     frozen with SIGSTOP is dropped when the hold timer expires and the session comes back after SIGCONT.
//  B. tsbgp passive, iBGP: the same both ways with LOCAL_PREF; the peer shuts the session down with a
//     NOTIFICATION carrying a message (RFC 9003), which tsbgp logs and reports as a JSON `state down` event.
// The two cases run side by side, each with its own peer daemon, addresses and ports.
// ---------------------------------------------------------------------------------------------------------

export interface PeerHooks<D extends BgpDaemon> {
  kind: 'bird' | 'gobgp' | 'frr';
  create(): D;
  /** Make the peer send Cease / Administrative Shutdown with `message` to tsbgp (session stays down). */
  shutdown(d: D, tsbgpAddress: string, message: string): Promise<void>;
  /** Undo shutdown(): the peer brings the session up again. */
  enable(d: D, tsbgpAddress: string): Promise<void>;
  /** The routes the peer holds from tsbgp on `family` (BIRD: its table; GoBGP: the session's adj-in; FRR: best paths). */
  received(d: D, family: Family, tsbgpAddress: string): Promise<Route[]>;
}

const AS_TSBGP = 65480;
const AS_PEER = 65481;

const msSince = (t0: number): string => `${((Date.now() - t0) / 1000).toFixed(1)} s`;

export function interopSuite<D extends BgpDaemon>(h: PeerHooks<D>): void {
  const skip = skipReason(h.kind);
  const timings: string[] = [];
  after(async () => {
    if (timings.length > 0) process.stdout.write(`tsbgp-${h.kind} timings: ${timings.join(', ')}\n`);
    await stopAll();
  });

  describe(`tsbgp <-> ${h.kind}`, { skip, concurrency: true }, () => {
    describe('tsbgp active, eBGP, hold time 3', { concurrency: 1 }, () => caseActive(h, timings));
    describe('tsbgp passive, iBGP', { concurrency: 1 }, () => casePassive(h, timings));
  });
}

interface Setup<D> {
  t: TsbgpDaemon;
  peer: D;
  et: { address: string; port: number };
  ep: { address: string; port: number };
}

/** Start the peer and tsbgp, wait for Established on both sides; logs of both on failure. */
async function setup<D extends BgpDaemon>(
  h: PeerHooks<D>,
  o: { passive: boolean; ibgp: boolean; hold: number; routes: string[] },
): Promise<Setup<D>> {
  const [et, ep] = await Promise.all([allocEndpoint(), allocEndpoint()]);
  const peerAs = o.ibgp ? AS_TSBGP : AS_PEER;
  const peer = h.create();
  // tsbgp passive = the peer connects to tsbgp's listen port; tsbgp active = the peer only waits.
  await peer.start({
    ...ep,
    as: peerAs,
    holdTime: o.hold,
    neighbors: [{ ...et, as: AS_TSBGP, passive: !o.passive, families: ['ipv4', 'ipv6'] }],
  });
  const dir = makeTempDir(`tsbgp-${h.kind}`);
  const t = await startTsbgp(dir, [
    {
      peer: ep.address,
      peerPort: ep.port,
      peerAs,
      local: et.address,
      localAs: AS_TSBGP,
      passive: o.passive,
      listenPort: et.port,
      holdTime: o.hold,
      routes: o.routes,
    },
  ]);
  await waitEstablished(h, { t, peer, et, ep }, 20_000);
  return { t, peer, et, ep };
}

async function waitEstablished<D extends BgpDaemon>(h: PeerHooks<D>, s: Setup<D>, ms: number): Promise<void> {
  try {
    await waitFor(
      async () => (await s.t.established(s.ep.address)) && (await s.peer.sessionState(s.et.address)) === 'established',
      ms,
      `tsbgp <-> ${h.kind} Established`,
      200,
    );
  } catch (e) {
    throw new Error(
      `${(e as Error).message}\n--- tsbgp ---\n${tail(s.t.log(), 3000)}\n--- ${h.kind} ---\n${tail(s.peer.logText(), 3000)}`,
    );
  }
}

/** Wait until the peer holds `prefix` from tsbgp (or, with gone, no longer does). */
async function peerHas<D extends BgpDaemon>(
  h: PeerHooks<D>,
  s: Setup<D>,
  family: Family,
  prefix: string,
  gone = false,
): Promise<Route | undefined> {
  let last: Route[] = [];
  try {
    return await waitFor(
      async () => {
        last = await h.received(s.peer, family, s.et.address);
        const r = last.find((x) => x.prefix === prefix);
        return gone ? (r ? undefined : ({} as Route)) : r;
      },
      10_000,
      `${prefix} ${gone ? 'withdrawn at' : 'received by'} ${h.kind}`,
      200,
    );
  } catch (e) {
    throw new Error(
      `${(e as Error).message}\n${h.kind} has: ${JSON.stringify(last)}\n--- tsbgp ---\n${tail(s.t.log(), 1500)}`,
    );
  }
}

interface Expect {
  nextHop: string;
  asPath: number[];
  med: number;
  localPref?: number;
  communities: string[];
  largeCommunities: string[];
}

function assertRoute(
  r: {
    nextHop: string;
    asPath: number[];
    med?: number;
    localPref?: number;
    communities: string[];
    largeCommunities: string[];
  },
  x: Expect,
  what: string,
): void {
  assert.equal(r.nextHop, x.nextHop, `${what}: next hop`);
  assert.deepEqual(r.asPath, x.asPath, `${what}: AS path`);
  assert.equal(r.med, x.med, `${what}: MED`);
  if (x.localPref !== undefined) assert.equal(r.localPref, x.localPref, `${what}: LOCAL_PREF`);
  assert.deepEqual(r.communities.map(wellKnown).sort(), [...x.communities].sort(), `${what}: communities`);
  assert.deepEqual([...r.largeCommunities].sort(), [...x.largeCommunities].sort(), `${what}: large communities`);
}

/** FRR prints RFC 1997 well-known communities by name. */
const wellKnown = (c: string): string =>
  ({ noExport: '65535:65281', noAdvertise: '65535:65282', 'no-export': '65535:65281' })[c] ?? c;

/** ExaBGP JSON attributes -> the same shape as Route. */
function jsonAttrs(a: Record<string, any>, nextHop: string): Expect {
  return {
    nextHop,
    asPath: (a['as-path'] ?? []) as number[],
    med: a.med as number,
    localPref: a['local-preference'] as number | undefined,
    communities: ((a.community ?? []) as number[][]).map((c) => c.join(':')),
    largeCommunities: ((a['large-community'] ?? []) as number[][]).map((c) => c.join(':')),
  };
}

/** tsbgp -> peer: configured routes, then `tsbgp cli` announce and withdraw, IPv4 and IPv6. */
async function tsbgpToPeer<D extends BgpDaemon>(
  h: PeerHooks<D>,
  s: Setup<D>,
  ibgp: boolean,
  tag: number,
): Promise<void> {
  // As ExaBGP, tsbgp sends a configured AS path as written (so on eBGP it starts with tsbgp's AS, RFC 4271
  // §5.1.2, or FRR's enforce-first-as drops the route); without one it sends [local AS] on eBGP, [] on iBGP.
  const path = (p: number[]): number[] => (ibgp ? p : [AS_TSBGP, ...p]);
  const lp = ibgp ? 100 + tag : undefined;
  const v4 = await peerHas(h, s, 'ipv4', `10.${tag}.1.0/24`);
  assertRoute(
    v4!,
    {
      nextHop: `192.0.2.${tag}`,
      asPath: path([64601, 64602]),
      med: tag,
      localPref: lp,
      communities: [`65000:${tag}`, '65000:2'],
      largeCommunities: [`65000:${tag}:1`],
    },
    `${h.kind}: configured IPv4 route`,
  );
  const v6 = await peerHas(h, s, 'ipv6', `2001:db8:${tag}::/48`);
  assertRoute(
    v6!,
    {
      nextHop: `2001:db8::${tag}`,
      asPath: path([64603]),
      med: tag + 1,
      localPref: lp,
      communities: [`65000:${tag}`],
      largeCommunities: [`65000:${tag}:6`],
    },
    `${h.kind}: configured IPv6 route`,
  );

  const lpText = ibgp ? ` local-preference ${lp! + 1}` : '';
  await s.t.cli(
    `announce route 10.${tag}.2.0/24 next-hop 192.0.2.${tag + 1} as-path [ ${path([64604]).join(' ')} ] med ${tag + 2}${lpText} community [ 65000:${tag + 2} ] large-community [ 65000:${tag}:2 65000:${tag}:3 ]`,
  );
  await s.t.cli(
    `announce route 2001:db8:${tag + 1}::/48 next-hop 2001:db8::${tag + 1} med ${tag + 3}${lpText} community [ 65000:${tag + 3} no-export ] large-community [ 65000:${tag}:7 ]`,
  );
  const a4 = await peerHas(h, s, 'ipv4', `10.${tag}.2.0/24`);
  assertRoute(
    a4!,
    {
      nextHop: `192.0.2.${tag + 1}`,
      asPath: path([64604]),
      med: tag + 2,
      localPref: ibgp ? lp! + 1 : undefined,
      communities: [`65000:${tag + 2}`],
      largeCommunities: [`65000:${tag}:2`, `65000:${tag}:3`],
    },
    `${h.kind}: announced IPv4 route`,
  );
  const a6 = await peerHas(h, s, 'ipv6', `2001:db8:${tag + 1}::/48`);
  assertRoute(
    a6!,
    {
      nextHop: `2001:db8::${tag + 1}`,
      asPath: path([]),
      med: tag + 3,
      localPref: ibgp ? lp! + 1 : undefined,
      communities: [`65000:${tag + 3}`, '65535:65281'],
      largeCommunities: [`65000:${tag}:7`],
    },
    `${h.kind}: announced IPv6 route`,
  );

  await s.t.cli(`withdraw route 10.${tag}.2.0/24`);
  await s.t.cli(`withdraw route 2001:db8:${tag + 1}::/48`);
  await peerHas(h, s, 'ipv4', `10.${tag}.2.0/24`, true);
  await peerHas(h, s, 'ipv6', `2001:db8:${tag + 1}::/48`, true);
  // The configured routes stay.
  await peerHas(h, s, 'ipv4', `10.${tag}.1.0/24`);
}

/** peer -> tsbgp: `show adj-rib in` (through `tsbgp cli`) and the API process's JSON, announce then withdraw. */
async function peerToTsbgp<D extends BgpDaemon>(
  h: PeerHooks<D>,
  s: Setup<D>,
  ibgp: boolean,
  tag: number,
): Promise<void> {
  const peerAs = ibgp ? AS_TSBGP : AS_PEER;
  const lp = ibgp ? 200 + tag : undefined;
  const spec4: RouteSpec = {
    prefix: `10.${tag}.9.0/24`,
    nextHop: `192.0.2.${tag + 50}`,
    asPath: [64701, 64702],
    med: tag + 50,
    localPref: lp,
    communities: [`65001:${tag}`, '65001:9'],
    largeCommunities: [`65001:${tag}:9`],
  };
  const spec6: RouteSpec = {
    prefix: `2001:db8:${tag + 50}::/48`,
    nextHop: `2001:db8::${tag + 50}`,
    asPath: [64703],
    med: tag + 51,
    localPref: lp,
    communities: [`65001:${tag + 1}`],
    largeCommunities: [`65001:${tag}:6`, `65001:${tag}:7`],
  };
  await s.peer.addRoute('ipv4', spec4);
  await s.peer.addRoute('ipv6', spec6);
  const want = (sp: RouteSpec): Expect => ({
    nextHop: sp.nextHop,
    // The peer prepends its own AS on eBGP.
    asPath: ibgp ? sp.asPath! : [peerAs, ...sp.asPath!],
    med: sp.med!,
    localPref: lp,
    communities: sp.communities!,
    largeCommunities: sp.largeCommunities!,
  });

  let rib: RibLine[] = [];
  try {
    await waitFor(
      async () => {
        rib = await s.t.adjRib('in', true);
        return rib.some((r) => r.prefix === spec4.prefix) && rib.some((r) => r.prefix === spec6.prefix);
      },
      10_000,
      `${h.kind} routes in tsbgp's adj-rib in`,
      200,
    );
  } catch (e) {
    throw new Error(
      `${(e as Error).message}\nadj-rib in: ${rib.map((r) => r.raw).join('\n')}\n--- ${h.kind} ---\n${tail(s.peer.logText(), 1500)}`,
    );
  }
  const in4 = rib.find((r) => r.prefix === spec4.prefix)!;
  const in6 = rib.find((r) => r.prefix === spec6.prefix)!;
  assert.equal(in4.family, 'ipv4 unicast');
  assert.equal(in6.family, 'ipv6 unicast');
  assertRoute(in4, want(spec4), `adj-rib in ${in4.raw}`);
  assertRoute(in6, want(spec6), `adj-rib in ${in6.raw}`);

  const ev4 = await waitFor(
    () => announced(s.t.events(), 'ipv4 unicast').find((x) => x.prefix === spec4.prefix),
    5000,
    'JSON ipv4 update',
  );
  const ev6 = await waitFor(
    () => announced(s.t.events(), 'ipv6 unicast').find((x) => x.prefix === spec6.prefix),
    5000,
    'JSON ipv6 update',
  );
  assertRoute(jsonAttrs(ev4.attribute, ev4.nextHop), want(spec4), `JSON ${JSON.stringify(ev4)}`);
  assertRoute(jsonAttrs(ev6.attribute, ev6.nextHop), want(spec6), `JSON ${JSON.stringify(ev6)}`);
  assert.equal(ev4.attribute.origin, 'igp');

  await s.peer.withdrawRoute('ipv4', spec4.prefix);
  await s.peer.withdrawRoute('ipv6', spec6.prefix);
  await waitFor(() => withdrawn(s.t.events(), 'ipv4 unicast').includes(spec4.prefix), 10_000, 'JSON ipv4 withdraw');
  await waitFor(() => withdrawn(s.t.events(), 'ipv6 unicast').includes(spec6.prefix), 10_000, 'JSON ipv6 withdraw');
  const left = await s.t.adjRib('in', true);
  assert.ok(
    !left.some((r) => r.prefix === spec4.prefix || r.prefix === spec6.prefix),
    `withdrawn routes still in adj-rib in: ${left.map((r) => r.raw).join(' | ')}`,
  );
}

const staticRoutes = (tag: number, ibgp: boolean): string[] => {
  const lp = ibgp ? ` local-preference ${100 + tag}` : '';
  const first = ibgp ? '' : `${AS_TSBGP} `;
  return [
    `10.${tag}.1.0/24 next-hop 192.0.2.${tag} as-path [ ${first}64601 64602 ] med ${tag}${lp} community [ 65000:${tag} 65000:2 ] large-community [ 65000:${tag}:1 ]`,
    `2001:db8:${tag}::/48 next-hop 2001:db8::${tag} as-path [ ${first}64603 ] med ${tag + 1}${lp} community [ 65000:${tag} ] large-community [ 65000:${tag}:6 ]`,
  ];
};

function caseActive<D extends BgpDaemon>(h: PeerHooks<D>, timings: string[]): void {
  const tag = 21;
  let setupDone: Setup<D> | undefined;
  // Later steps need the session of the first one; say so instead of failing on undefined.
  const need = (): Setup<D> => {
    if (!setupDone) throw new Error('no session: the Established step failed');
    return setupDone;
  };
  it('reaches Established (tsbgp connects)', { timeout: 30_000 }, async () => {
    const t0 = Date.now();
    setupDone = await setup(h, { passive: false, ibgp: false, hold: 3, routes: staticRoutes(tag, false) });
    timings.push(`active established ${msSince(t0)}`);
  });
  it('IPv4/IPv6 routes and withdrawals tsbgp -> peer (config and cli)', { timeout: 30_000 }, async () => {
    await tsbgpToPeer(h, need(), false, tag);
  });
  it('IPv4/IPv6 routes and withdrawals peer -> tsbgp (adj-rib in, JSON)', { timeout: 30_000 }, async () => {
    await peerToTsbgp(h, need(), false, tag);
  });
  it('a peer frozen by SIGSTOP is dropped at hold timer expiry; back after SIGCONT', { timeout: 40_000 }, async () => {
    const s = need();
    const downsBefore = s.t.events().filter((e) => e.type === 'state' && e.neighbor?.state === 'down').length;
    const t0 = Date.now();
    s.peer.pause();
    try {
      await waitFor(async () => !(await s.t.established(s.ep.address)), 8000, 'tsbgp to drop the frozen peer', 100);
      const dropped = Date.now() - t0;
      timings.push(`hold-timer drop ${(dropped / 1000).toFixed(1)} s`);
      // Hold time 3: not before it expires, and not much after (keepalives stopped at most 1 s before SIGSTOP).
      assert.ok(dropped >= 1900 && dropped <= 5000, `dropped after ${dropped} ms`);
    } finally {
      s.peer.resume();
    }
    assert.match(s.t.log(), /hold timer expired/, 'tsbgp log names the hold timer');
    const down = await waitFor(
      () =>
        s.t
          .events()
          .filter((e) => e.type === 'state' && e.neighbor?.state === 'down')
          .slice(downsBefore)[0],
      3000,
      'JSON state down',
    );
    assert.match(String(down.neighbor.reason), /hold timer expired/);
    const t1 = Date.now();
    await waitEstablished(h, s, 25_000);
    timings.push(`re-established after SIGCONT ${msSince(t1)}`);
    // The configured routes are sent again on the new session.
    await peerHas(h, s, 'ipv4', `10.${tag}.1.0/24`);
  });
}

function casePassive<D extends BgpDaemon>(h: PeerHooks<D>, timings: string[]): void {
  const tag = 41;
  let setupDone: Setup<D> | undefined;
  // Later steps need the session of the first one; say so instead of failing on undefined.
  const need = (): Setup<D> => {
    if (!setupDone) throw new Error('no session: the Established step failed');
    return setupDone;
  };
  it('reaches Established (the peer connects)', { timeout: 30_000 }, async () => {
    const t0 = Date.now();
    setupDone = await setup(h, { passive: true, ibgp: true, hold: 30, routes: staticRoutes(tag, true) });
    timings.push(`passive established ${msSince(t0)}`);
  });
  it('IPv4/IPv6 routes with LOCAL_PREF tsbgp -> peer over iBGP (config and cli)', { timeout: 30_000 }, async () => {
    await tsbgpToPeer(h, need(), true, tag);
  });
  it('IPv4/IPv6 routes with LOCAL_PREF peer -> tsbgp over iBGP (adj-rib in, JSON)', { timeout: 30_000 }, async () => {
    await peerToTsbgp(h, need(), true, tag);
  });
  it('a NOTIFICATION from the peer is logged with its reason and reported as state down', {
    timeout: 30_000,
  }, async () => {
    const s = need();
    const message = `tsbgp interop maintenance ${h.kind}`;
    await h.shutdown(s.peer, s.et.address, message);
    const down = await waitFor(
      () => s.t.events().find((e) => e.type === 'state' && e.neighbor?.state === 'down'),
      10_000,
      'JSON state down',
    );
    assert.match(String(down.neighbor.reason), new RegExp(`Cease / Administrative Shutdown: ${message}`));
    const notif = s.t.events().find((e) => e.type === 'notification' && e.neighbor?.direction === 'receive');
    assert.ok(notif, 'JSON notification event');
    // ExaBGP 4.2 puts "notification" directly in "neighbor"; the data is the RFC 9003 length and message.
    assert.equal(notif.neighbor.notification.code, 6);
    assert.equal(notif.neighbor.notification.subcode, 2);
    const data = Buffer.from(String(notif.neighbor.notification.data).replace(/^0x/, ''), 'hex');
    assert.equal(data.subarray(1, 1 + data[0]!).toString('utf8'), message);
    assert.match(s.t.log(), new RegExp(`notification received: Cease / Administrative Shutdown: ${message}`));
    assert.notEqual(await s.t.state(s.ep.address), 'established');
    const t0 = Date.now();
    await h.enable(s.peer, s.et.address);
    await waitEstablished(h, s, 20_000);
    timings.push(`re-established after shutdown ${msSince(t0)}`);
  });
}
