// FlowSpec NLRI encode/decode throughput on one core. Run: node dist/bench/flowspec.js
// Target: >= 2 million rules/s each way (decode = scan + items, i.e. validated and materialized).

import type { FlowRule } from '../src/flowspec/rule';
import { encodeFlowRule, IPV4_FLOW, IPV6_FLOW, ipv4Flow, ipv6Flow } from '../src/wire/nlri/flowspec';

export interface FlowspecBenchResult {
  rules: number;
  encodePerSec: number;
  decodePerSec: number;
  scanPerSec: number;
}

function makeRules(n: number, v6: boolean): FlowRule[] {
  const out: FlowRule[] = [];
  for (let i = 0; i < n; i++) {
    const addr = v6
      ? new Uint8Array([0x20, 0x01, 0x0d, 0xb8, (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0])
      : new Uint8Array([10, (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff]);
    out.push({
      family: v6 ? IPV6_FLOW : IPV4_FLOW,
      components: [
        { type: 1, len: v6 ? 64 : 32, offset: 0, addr },
        { type: 3, ops: [0x01], values: [i & 1 ? 6 : 17] },
        { type: 5, ops: [0x01, 0x02, 0x44], values: [80, 1024, 2000 + (i & 0xff)] },
        { type: 10, ops: [0x02], values: [1400] },
      ],
    });
  }
  return out;
}

function run(v6: boolean, total: number): FlowspecBenchResult {
  // A working set of 10,000 distinct rules, encoded and decoded over and over: steady-state throughput of the
  // codec, not of the garbage collector promoting a million retained rules.
  const n = 10_000;
  const rules = makeRules(n, v6);
  const codec = v6 ? ipv6Flow : ipv4Flow;
  const parts: Uint8Array[] = rules.map((r) => encodeFlowRule(r));
  const data = new Uint8Array(Buffer.concat(parts));
  // UPDATE-sized blocks of ~4 KB, as they come off the wire.
  const blocks: { data: Uint8Array; count: number }[] = [];
  let start = 0;
  let off = 0;
  let count = 0;
  for (const p of parts) {
    if (off + p.length - start > 4000) {
      blocks.push({ data: data.subarray(start, off), count });
      start = off;
      count = 0;
    }
    off += p.length;
    count++;
  }
  blocks.push({ data: data.subarray(start, off), count });
  const rounds = Math.max(1, Math.round(total / n));
  const time = (f: () => number): number => {
    f(); // warm up
    const t = process.hrtime.bigint();
    let done = 0;
    for (let r = 0; r < rounds; r++) done += f();
    return (done / Number(process.hrtime.bigint() - t)) * 1e9;
  };
  let sink = 0;
  const encodePerSec = time(() => {
    for (let i = 0; i < n; i++) sink += encodeFlowRule(rules[i]!).length;
    return n;
  });
  const scanPerSec = time(() => {
    let c = 0;
    for (const b of blocks) c += codec.scan(b.data, false);
    return c;
  });
  const decodePerSec = time(() => {
    let c = 0;
    for (const b of blocks)
      c += codec.items({ family: codec.family, addPath: false, data: b.data, count: codec.scan(b.data, false) }).length;
    return c;
  });
  if (sink === 0) throw new Error('bench: nothing encoded');
  return { rules: rounds * n, encodePerSec, decodePerSec, scanPerSec };
}

export async function benchFlowspec(n = 2_000_000): Promise<{ ipv4: FlowspecBenchResult; ipv6: FlowspecBenchResult }> {
  return { ipv4: run(false, n), ipv6: run(true, n) };
}

if (require.main === module) {
  void benchFlowspec().then((r) => {
    for (const [name, x] of Object.entries(r)) {
      const m = (v: number): string => `${(v / 1e6).toFixed(2)} M/s`;
      console.log(
        `flowspec ${name}: ${x.rules} rules  encode ${m(x.encodePerSec)}  decode (scan+items) ${m(x.decodePerSec)}  scan only ${m(x.scanPerSec)}`,
      );
    }
  });
}
