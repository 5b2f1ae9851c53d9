// FlowSpec NLRI encode/decode throughput on one core. Run: node dist/bench/flowspec.js
// Target: >= 2 million rules/s each way (decode = scan + items, i.e. validated and materialized).

import type { FlowRule } from '../src/flowspec/rule';
import { encodeFlowRule, IPV4_FLOW, IPV6_FLOW, ipv4Flow, ipv6Flow } from '../src/wire/nlri/flowspec';
import { benchNlri, type NlriBenchResult, printNlri } from './nlri';

/** `entries` counts rules. */
export type FlowspecBenchResult = NlriBenchResult;

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
  // 10,000 distinct rules.
  return benchNlri(v6 ? ipv6Flow : ipv4Flow, makeRules(10_000, v6), (r) => encodeFlowRule(r), total);
}

export async function benchFlowspec(n = 2_000_000): Promise<{ ipv4: FlowspecBenchResult; ipv6: FlowspecBenchResult }> {
  return { ipv4: run(false, n), ipv6: run(true, n) };
}

if (require.main === module) {
  void benchFlowspec().then((r) => printNlri('flowspec', r));
}
