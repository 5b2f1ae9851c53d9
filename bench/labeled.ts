// MPLS VPN (RFC 4364/4659) and labeled unicast (RFC 8277) NLRI encode/decode throughput on one core.
// Run: node dist/bench/labeled.js

import { ipv4Labeled, ipv4Vpn, ipv6Vpn, type LabeledPrefix } from '../src/wire/nlri/labeled';
import { benchNlri, type NlriBenchResult, printNlri } from './nlri';

/** 10,000 distinct routes: /24s (IPv4) or /48s (IPv6), one label each, RDs 65000:0..99 for VPN families. */
function routes(codec: typeof ipv4Vpn): LabeledPrefix[] {
  const v6 = codec === ipv6Vpn;
  const vpn = codec !== ipv4Labeled;
  const out: LabeledPrefix[] = [];
  for (let i = 0; i < 10_000; i++) {
    const addr = v6
      ? Uint8Array.of(0x20, 0x01, 0x0d, 0xb8, (i >> 8) & 0xff, i & 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
      : Uint8Array.of(10, (i >> 8) & 0xff, i & 0xff, 0);
    const p: LabeledPrefix = { family: codec.family, len: v6 ? 48 : 24, addr, labels: [16 + i] };
    if (vpn) p.rd = Uint8Array.of(0, 0, 0xfd, 0xe8, 0, 0, 0, i % 100);
    out.push(p);
  }
  return out;
}

export async function benchLabeled(
  total = 2_000_000,
): Promise<{ 'ipv4 mpls-vpn': NlriBenchResult; 'ipv6 mpls-vpn': NlriBenchResult; 'ipv4 nlri-mpls': NlriBenchResult }> {
  const run = (c: typeof ipv4Vpn): NlriBenchResult => benchNlri(c, routes(c), (r) => c.encode(r, false), total);
  return { 'ipv4 mpls-vpn': run(ipv4Vpn), 'ipv6 mpls-vpn': run(ipv6Vpn), 'ipv4 nlri-mpls': run(ipv4Labeled) };
}

if (require.main === module) {
  void benchLabeled().then((r) => printNlri('labeled', r));
}
