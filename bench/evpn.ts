// EVPN (RFC 7432, RFC 9136) NLRI encode/decode throughput on one core: MAC/IP Advertisement and IP Prefix routes.
// Run: node dist/bench/evpn.js

import { type EvpnRoute, l2vpnEvpn } from '../src/wire/nlri/evpn';
import { benchNlri, type NlriBenchResult, printNlri } from './nlri';

/** 10,000 distinct routes of one type: RDs 65000:0..99, one label each; MAC/IP with an IPv4 address. */
function routes(code: 2 | 5): EvpnRoute[] {
  const out: EvpnRoute[] = [];
  const esi = new Uint8Array(10);
  for (let i = 0; i < 10_000; i++) {
    const rd = Uint8Array.of(0, 0, 0xfd, 0xe8, 0, 0, 0, i % 100);
    const label = ((16 + i) << 4) | 1;
    if (code === 2)
      out.push({
        code,
        rd,
        esi,
        etag: 0,
        macLen: 48,
        mac: Uint8Array.of(0x02, 0, 0, 0, (i >> 8) & 0xff, i & 0xff),
        ip: Uint8Array.of(10, 0, (i >> 8) & 0xff, i & 0xff),
        labels: [label],
      });
    else
      out.push({
        code,
        rd,
        esi,
        etag: 0,
        prefixLen: 24,
        prefix: Uint8Array.of(10, (i >> 8) & 0xff, i & 0xff, 0),
        gateway: new Uint8Array(4),
        label,
      });
  }
  return out;
}

export async function benchEvpn(
  total = 2_000_000,
): Promise<{ 'l2vpn evpn mac-ip': NlriBenchResult; 'l2vpn evpn prefix': NlriBenchResult }> {
  const run = (code: 2 | 5): NlriBenchResult =>
    benchNlri(l2vpnEvpn, routes(code), (r) => l2vpnEvpn.encode(r, false), total);
  return { 'l2vpn evpn mac-ip': run(2), 'l2vpn evpn prefix': run(5) };
}

if (require.main === module) {
  void benchEvpn().then((r) => printNlri('evpn', r));
}
