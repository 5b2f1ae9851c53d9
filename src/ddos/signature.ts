// What an attack looks like, from the host's counters (protocol mix, amplification ports, average packet size)
// and from the flow records seen record by record once the host went over a threshold (sources, ports, packet
// sizes). The capture is bounded: at most MAX_KEYS sources and ports are counted per host.
//
// Packet sizes in the capture are IP packet lengths (what FlowSpec's packet-length matches, RFC 8955
// §4.2.2.10): an sFlow sample's own length, a NetFlow/IPFIX record's bytes / packets. A flow record only gives
// the average of its packets: one whose bytes are not a whole multiple of its packets had packets of several
// sizes, and the capture then says the lengths are not known exactly.

import { Col, type HostTable } from './hosts';
import { addressText, type FlowRecord } from './record';

const MAX_KEYS = 10_000;

export interface Signature {
  /** The traffic class the attack is made of: what the FlowSpec rule matches. */
  kind: 'amplification' | 'syn' | 'udp' | 'icmp' | 'fragment' | 'tcp' | 'mixed';
  /** Amplification source ports carrying most of the attack (UDP). */
  sourcePorts: number[];
  /** A destination port taking most of the attack, when there is one. */
  destinationPorts: number[];
  packetSize: { average: number; min: number; max: number };
  /**
   * The IP packet lengths the capture saw (the smallest rounded down, the largest up), when it saw packets and
   * every flow record had packets of one size: what a FlowSpec packet-length match may use.
   */
  packetLength?: { min: number; max: number };
  topSources: { address: string; packets: number }[];
}

export class Capture {
  readonly sources = new Map<string, number>();
  readonly dstPorts = new Map<number, number>();
  packets = 0;
  minSize = Infinity;
  maxSize = 0;
  /** A flow record had packets of several sizes (its bytes not a multiple of its packets). */
  uneven = false;

  add(r: FlowRecord): void {
    this.packets += r.packets;
    if (r.packets > 0) {
      const size = r.ipLength > 0 ? r.ipLength : r.bytes / r.packets;
      if (r.ipLength === 0 && r.bytes % r.packets !== 0) this.uneven = true;
      if (size < this.minSize) this.minSize = size;
      if (size > this.maxSize) this.maxSize = size;
    }
    const src = addressText(r.src, r.family);
    const n = this.sources.get(src);
    if (n !== undefined) this.sources.set(src, n + r.packets);
    else if (this.sources.size < MAX_KEYS) this.sources.set(src, r.packets);
    if (r.proto === 6 || r.proto === 17) this.dstPorts.set(r.dstPort, (this.dstPorts.get(r.dstPort) ?? 0) + r.packets);
  }

  top(n: number): { address: string; packets: number }[] {
    return [...this.sources.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([address, packets]) => ({ address, packets: Math.round(packets) }));
  }

  /** A destination port with at least 80% of the captured packets, if any. */
  mainDstPort(): number | undefined {
    for (const [p, n] of this.dstPorts) if (this.packets > 0 && n >= 0.8 * this.packets) return p;
    return undefined;
  }
}

/** The signature of the traffic to `row`, `f` the fraction of the current window gone. */
export function signatureOf(hosts: HostTable, row: number, f: number, capture: Capture, top: number): Signature {
  const c = (col: number) => hosts.windowCount(row, col, f);
  const pkts = c(Col.PKTS) || 1;
  const share = (col: number) => c(col) / pkts;
  let kind: Signature['kind'] = 'mixed';
  const sourcePorts: number[] = [];
  if (share(Col.AMP_PKTS) >= 0.5) {
    kind = 'amplification';
    const amp = c(Col.AMP_PKTS);
    hosts.ampPorts.forEach((p, i) => {
      if (c(Col.AMP_PORT + i) >= 0.1 * amp) sourcePorts.push(p);
    });
  } else if (share(Col.FRAG_PKTS) >= 0.5) kind = 'fragment';
  else if (share(Col.SYN_PKTS) >= 0.5) kind = 'syn';
  else if (share(Col.UDP_PKTS) >= 0.5) kind = 'udp';
  else if (share(Col.ICMP_PKTS) >= 0.5) kind = 'icmp';
  else if (share(Col.TCP_PKTS) >= 0.5) kind = 'tcp';
  const dport = kind === 'syn' || kind === 'udp' || kind === 'tcp' ? capture.mainDstPort() : undefined;
  const average = Math.round(c(Col.BYTES) / pkts);
  const captured = capture.packets > 0 && Number.isFinite(capture.minSize);
  const sig: Signature = {
    kind,
    sourcePorts,
    destinationPorts: dport === undefined ? [] : [dport],
    packetSize: {
      average,
      min: captured ? Math.round(capture.minSize) : average,
      max: captured ? Math.round(capture.maxSize) : average,
    },
    topSources: capture.top(top),
  };
  if (captured && !capture.uneven)
    sig.packetLength = { min: Math.floor(capture.minSize), max: Math.ceil(capture.maxSize) };
  return sig;
}
