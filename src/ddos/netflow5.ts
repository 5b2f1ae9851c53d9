// NetFlow version 5: a 24-byte header and fixed 48-byte records (Cisco's NetFlow v5 export format; no RFC).
// Header: version, count, sysUptime, unix_secs, unix_nsecs, flow_sequence, engine_type, engine_id,
// sampling_interval (top 2 bits the mode, low 14 bits the interval). Record: srcaddr, dstaddr, nexthop, input,
// output, dPkts, dOctets, first, last, srcport, dstport, pad, tcp_flags, prot, tos, src_as, dst_as, masks, pad.

import { type FlowRecord, type FlowSink, half, Malformed, word } from './record';

const HEADER = 24;
const RECORD = 48;
/** Cisco caps a v5 datagram at 30 records. */
const MAX_RECORDS = 30;

/**
 * Decode one NetFlow v5 datagram into `sink`; returns the number of records. Throws Malformed (nothing passed
 * to the sink) when the count does not match the length. `sampling` overrides the header's interval when > 0.
 */
export function decodeNetflow5(buf: Uint8Array, r: FlowRecord, sink: FlowSink, sampling = 0): number {
  if (buf.length < HEADER) throw new Malformed(`netflow v5: ${buf.length} bytes, shorter than the header`);
  if (half(buf, 0) !== 5) throw new Malformed(`netflow v5: version ${half(buf, 0)}`);
  const count = half(buf, 2);
  if (count === 0 || count > MAX_RECORDS) throw new Malformed(`netflow v5: record count ${count}`);
  if (buf.length < HEADER + count * RECORD)
    throw new Malformed(`netflow v5: ${count} records need ${HEADER + count * RECORD} bytes, got ${buf.length}`);
  const interval = half(buf, 22) & 0x3fff;
  const rate = sampling > 0 ? sampling : Math.max(interval, 1);
  r.flows = 1;
  r.fragment = 0;
  for (let i = 0, at = HEADER; i < count; i++, at += RECORD) {
    r.setV4(word(buf, at), word(buf, at + 4));
    r.packets = word(buf, at + 16) * rate;
    r.bytes = word(buf, at + 20) * rate;
    r.srcPort = half(buf, at + 32);
    r.dstPort = half(buf, at + 34);
    r.tcpFlags = buf[at + 37]!;
    r.proto = buf[at + 38]!;
    sink.record(r);
  }
  return count;
}
