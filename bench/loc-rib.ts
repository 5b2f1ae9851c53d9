// `node --expose-gc dist/bench/loc-rib.js [PREFIXES]`: the Loc-RIB's decision process on a full table from two
// peers (also `npm run bench -- loc-rib`, bench/scenarios/loc-rib.ts, which forks this file and takes its steps). Peer 1 sends PREFIXES distinct IPv4 prefixes (default 1,000,000) in UPDATE-sized NLRI blocks, 64
// prefixes per attribute set; peer 2 sends the same prefixes with other attributes, winning on LOCAL_PREF for
// every other block, so that half the prefixes change their best path. Then peer 1's session goes down (every
// path of it withdrawn, peer 2's become best). Each step's time and the heap after it are printed. Then the same
// with route reflection (RFC 4456): three clients and a non-client, each best change exported to the members'
// Adj-RIBs-Out. Run it on an idle machine: numbers vary with the load.

import { parseConfig } from '../src/config/parser';
import { AdjRibOut } from '../src/rib/adj-rib-out';
import { AttrInterner } from '../src/rib/attr-intern';
import { LocRib } from '../src/rib/loc-rib';
import { type ReflectorNeighbor, RouteReflector } from '../src/roles/route-reflector/reflector';
import { type Attributes, IPV4_UNICAST, type NlriBlock, SegmentType, type Update } from '../src/wire/types';

const PER_SET = 64;

function blocks(count: number): NlriBlock[] {
  const out: NlriBlock[] = [];
  for (let i = 0; i < count; i += PER_SET) {
    const n = Math.min(PER_SET, count - i);
    const d = new Uint8Array(n * 4);
    for (let j = 0; j < n; j++) {
      // Distinct /24s from 1.0.0.0 up.
      const v = 0x01000000 + (i + j) * 256;
      d[j * 4] = 24;
      d[j * 4 + 1] = v >>> 24;
      d[j * 4 + 2] = (v >>> 16) & 255;
      d[j * 4 + 3] = (v >>> 8) & 255;
    }
    out.push({ family: IPV4_UNICAST, addPath: false, data: d, count: n });
  }
  return out;
}

function heapMiB(): number {
  global.gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

/** One timed step: wall and CPU seconds, the heap's growth since the bench began, and what the step left. */
export interface LocRibStep {
  name: string;
  seconds: number;
  cpuSeconds: number;
  heapMiB: number;
  after: string;
}

export interface LocRibResult {
  prefixes: number;
  steps: LocRibStep[];
  /** The process's peak RSS (getrusage maxrss), KiB. */
  peakRssKiB: number;
}

/** Time one step and record it with the heap growth since `base`. */
function timed(steps: LocRibStep[], name: string, base: number, fn: () => void, after: () => string): void {
  // CPU time beside wall time: on a shared machine the wall time says more about the others' load.
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  fn();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = process.cpuUsage(c0);
  steps.push({ name, seconds, cpuSeconds: (c.user + c.system) / 1e6, heapMiB: heapMiB() - base, after: after() });
}

/** Attributes of block i from peer 1 or 2: peer 2 wins every other block on LOCAL_PREF. */
function attrs(peer: 1 | 2, i: number): Attributes {
  return {
    origin: 0,
    asPath: [{ type: SegmentType.AS_SEQUENCE, asns: [65000 + peer, 64500 + (i % 500)] }],
    nextHop: Uint8Array.of(192, 0, 2, peer),
    localPref: peer === 1 ? 100 : i % 2 === 0 ? 200 : 50,
    med: i % 1000,
  };
}

function decision(steps: LocRibStep[], bs: NlriBlock[]): void {
  const interner = new AttrInterner();
  const rib = new LocRib(interner);
  let changes = 0;
  rib.onBest = () => changes++;
  const peer = (n: number) =>
    rib.addSource({ name: `192.0.2.${n}`, kind: 'ibgp', routerId: n, address: Uint8Array.of(192, 0, 2, n) });
  const a = peer(1);
  const b = peer(2);
  const base = heapMiB();
  const step = (name: string, fn: () => void): void => {
    changes = 0;
    timed(steps, name, base, fn, () => `${changes} best changes, ${rib.pathCount} paths`);
  };
  step('peer 1 announces', () => {
    for (let i = 0; i < bs.length; i++) rib.applyBlock(bs[i]!, a, interner.intern(attrs(1, i)));
  });
  step('peer 2 announces the same prefixes', () => {
    for (let i = 0; i < bs.length; i++) rib.applyBlock(bs[i]!, b, interner.intern(attrs(2, i)));
  });
  step('peer 1 goes down (withdrawSource)', () => rib.withdrawSource(a));
}

function reflection(steps: LocRibStep[], bs: NlriBlock[]): void {
  const member = (ip: string, client: boolean) =>
    `neighbor ${ip} { router-id 10.0.0.1; local-address 192.0.2.254; local-as 65000; peer-as 65000; ${client ? 'route-reflector-client;' : ''} }\n`;
  const config = parseConfig(
    member('192.0.2.1', true) + member('192.0.2.2', true) + member('192.0.2.3', true) + member('192.0.2.4', false),
    'bench.conf',
  );
  const interner = new AttrInterner();
  const ns: ReflectorNeighbor[] = config.neighbors.map((cfg) => ({
    cfg,
    ribOut: new AdjRibOut(interner),
    localAs: 65000,
  }));
  const rr = new RouteReflector(interner);
  rr.sync(ns, undefined);
  for (const [i, n] of ns.entries()) rr.up(n, Uint8Array.of(10, 0, 0, 11 + i));
  const empty: NlriBlock = { family: IPV4_UNICAST, addPath: false, data: new Uint8Array(0), count: 0 };
  const send = (peer: 1 | 2) => {
    for (let i = 0; i < bs.length; i++) {
      const a = attrs(peer, i);
      const u: Update = { withdrawn: empty, attributes: a, nlri: bs[i]!, issues: [] };
      rr.receive(ns[peer - 1]!, u, interner.intern(a));
    }
  };
  const base = heapMiB();
  const outs = () => `Adj-RIBs-Out ${ns.map((n) => n.ribOut.size).join('/')}`;
  timed(steps, 'reflection: client 1 announces, reflected to 3 members', base, () => send(1), outs);
  timed(steps, 'reflection: client 2 the same prefixes (half win)', base, () => send(2), outs);
  timed(steps, 'reflection: client 1 goes down', base, () => rr.down(ns[0]!), outs);
}

export function benchLocRib(prefixes: number): LocRibResult {
  const bs = blocks(prefixes);
  const steps: LocRibStep[] = [];
  decision(steps, bs);
  reflection(steps, bs);
  return { prefixes, steps, peakRssKiB: process.resourceUsage().maxRSS };
}

if (require.main === module) {
  const r = benchLocRib(Number(process.argv[2] ?? 1_000_000));
  // Forked by bench/scenarios/loc-rib.ts: the result goes back to it; run by hand: printed.
  if (process.send) process.send(r, () => process.exit(0));
  else {
    for (const s of r.steps)
      console.log(
        `${s.name}: ${s.seconds.toFixed(3)} s (cpu ${s.cpuSeconds.toFixed(3)} s, ${(r.prefixes / s.seconds / 1e6).toFixed(2)} M prefixes/s), heap +${s.heapMiB.toFixed(1)} MiB, ${s.after}`,
      );
    console.log(`peak RSS ${(r.peakRssKiB / 1024).toFixed(0)} MiB`);
  }
}
