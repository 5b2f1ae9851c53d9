// `node dist/bench/loc-rib.js [PREFIXES]`: the Loc-RIB's decision process on a full table from two peers.
// Peer A sends PREFIXES distinct IPv4 prefixes (default 1,000,000) in UPDATE-sized NLRI blocks, 64 prefixes per
// attribute set; peer B sends the same prefixes with other attributes, winning on LOCAL_PREF for every other
// block, so that half the prefixes change their best path. Then A's session goes down (every path of A is
// withdrawn, B's paths become best). Each step's time and the heap after it are printed; onBest counts the
// best-path changes a reflector would export. Run it on an idle machine: numbers vary with the load.

import { AttrInterner } from '../src/rib/attr-intern';
import { LocRib } from '../src/rib/loc-rib';
import { IPV4_UNICAST, type NlriBlock, SegmentType } from '../src/wire/types';

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

function main(): void {
  const count = Number(process.argv[2] ?? 1_000_000);
  const bs = blocks(count);
  const interner = new AttrInterner();
  const rib = new LocRib(interner);
  let changes = 0;
  rib.onBest = () => changes++;
  const peer = (n: number, ip: number[]) =>
    rib.addSource({ name: ip.join('.'), kind: 'ibgp', routerId: n, address: Uint8Array.from(ip) });
  const a = peer(1, [192, 0, 2, 1]);
  const b = peer(2, [192, 0, 2, 2]);
  const base = heapMiB();
  const step = (name: string, fn: () => void): void => {
    changes = 0;
    const t0 = process.hrtime.bigint();
    fn();
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    console.log(
      `${name}: ${s.toFixed(3)} s (${(count / s / 1e6).toFixed(2)} M prefixes/s), ${changes} best changes, heap +${(heapMiB() - base).toFixed(1)} MiB, ${rib.pathCount} paths`,
    );
  };
  step('peer A announces', () => {
    for (let i = 0; i < bs.length; i++) {
      const set = interner.intern({
        origin: 0,
        asPath: [{ type: SegmentType.AS_SEQUENCE, asns: [65001, 64500 + (i % 500)] }],
        nextHop: Uint8Array.of(192, 0, 2, 1),
        med: i % 1000,
      });
      rib.applyBlock(bs[i]!, a, set);
    }
  });
  step('peer B announces the same prefixes', () => {
    for (let i = 0; i < bs.length; i++) {
      const set = interner.intern({
        origin: 0,
        asPath: [{ type: SegmentType.AS_SEQUENCE, asns: [65002, 64500 + (i % 500)] }],
        nextHop: Uint8Array.of(192, 0, 2, 2),
        localPref: i % 2 === 0 ? 200 : 50,
      });
      rib.applyBlock(bs[i]!, b, set);
    }
  });
  step('peer A goes down (withdrawSource)', () => rib.withdrawSource(a));
  const rss = process.memoryUsage().rss / 2 ** 20;
  console.log(`${rib.size(IPV4_UNICAST)} prefixes left; RSS ${rss.toFixed(0)} MiB; ${interner.size} attribute sets`);
}

main();
