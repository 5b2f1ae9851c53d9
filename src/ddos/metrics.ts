// The rates a host group can put a threshold on: packets/s and bits/s per traffic class, and flow records/s,
// each read from a column of the host table (hosts.ts). Bits are bytes times 8.

import { Col } from './hosts';

export interface Metric {
  col: number;
  /** Multiplier from the counted unit to the threshold's unit. */
  factor: number;
}

export const METRICS: Readonly<Record<string, Metric>> = {
  pps: { col: Col.PKTS, factor: 1 },
  bps: { col: Col.BYTES, factor: 8 },
  flows: { col: Col.FLOWS, factor: 1 },
  'tcp-pps': { col: Col.TCP_PKTS, factor: 1 },
  'tcp-bps': { col: Col.TCP_BYTES, factor: 8 },
  'syn-pps': { col: Col.SYN_PKTS, factor: 1 },
  'syn-bps': { col: Col.SYN_BYTES, factor: 8 },
  'udp-pps': { col: Col.UDP_PKTS, factor: 1 },
  'udp-bps': { col: Col.UDP_BYTES, factor: 8 },
  'icmp-pps': { col: Col.ICMP_PKTS, factor: 1 },
  'icmp-bps': { col: Col.ICMP_BYTES, factor: 8 },
  'fragment-pps': { col: Col.FRAG_PKTS, factor: 1 },
  'fragment-bps': { col: Col.FRAG_BYTES, factor: 8 },
  'amplification-pps': { col: Col.AMP_PKTS, factor: 1 },
  'amplification-bps': { col: Col.AMP_BYTES, factor: 8 },
};

export const METRIC_NAMES = Object.keys(METRICS);
