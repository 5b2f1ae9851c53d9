// sFlow version 5 (sflow.org, "sFlow Version 5", 2004): XDR-encoded datagrams of samples. Flow samples (format
// 1, and 3 the expanded form) carry the sampling rate and flow records; from the records, the raw packet header
// (record format 1) is decoded down to the transport header (packet.ts), or else the sampled IPv4 / IPv6
// record (formats 3 and 4) is read. One sampled packet stands for `sampling rate` packets of its frame length.
// Counter samples (formats 2 and 4) are counted, not used. Samples of other enterprises are skipped.

import { decodeHeader } from './packet';
import { type CollectorStats, type FlowRecord, type FlowSink, Malformed, word } from './record';

/**
 * Decode one sFlow v5 datagram into `sink`; returns the packet samples passed on. `sampling` > 0 overrides the
 * agent's rate. Throws Malformed before anything is passed on when the sample structure does not fit the datagram.
 */
export function decodeSflow(
  buf: Uint8Array,
  stats: CollectorStats,
  r: FlowRecord,
  sink: FlowSink,
  sampling = 0,
): number {
  const len = buf.length;
  if (len < 28) throw new Malformed(`sflow: ${len} bytes, shorter than the header`);
  if (word(buf, 0) !== 5) throw new Malformed(`sflow: version ${word(buf, 0)}`);
  const agentType = word(buf, 4);
  if (agentType !== 1 && agentType !== 2) throw new Malformed(`sflow: agent address type ${agentType}`);
  let at = agentType === 1 ? 12 : 24;
  // sub-agent id, sequence, uptime, then the number of samples.
  if (at + 16 > len) throw new Malformed('sflow: header runs past the datagram');
  const samples = word(buf, at + 12);
  at += 16;
  const first = at;
  // Walk the sample headers first: a datagram cut short is dropped whole.
  for (let i = 0; i < samples; i++) {
    if (at + 8 > len) throw new Malformed(`sflow: sample ${i + 1} of ${samples} runs past the datagram`);
    const sl = word(buf, at + 4);
    if (sl % 4 !== 0 || at + 8 + sl > len)
      throw new Malformed(`sflow: sample ${i + 1} of ${samples} has length ${sl}, ${len - at - 8} bytes left`);
    at += 8 + sl;
  }
  at = first;
  let n = 0;
  for (let i = 0; i < samples; i++) {
    const type = word(buf, at);
    const end = at + 8 + word(buf, at + 4);
    const body = at + 8;
    if (type === 1 || type === 3) n += flowSample(buf, body, end, type === 3, r, sink, sampling);
    else if (type === 2 || type === 4) stats.counterSamples++;
    at = end;
  }
  return n;
}

function flowSample(
  buf: Uint8Array,
  at: number,
  end: number,
  expanded: boolean,
  r: FlowRecord,
  sink: FlowSink,
  sampling: number,
): number {
  // Flow sample: sequence, source id, rate, pool, drops, input, output, record count (8 words); the expanded
  // form splits source id and the interfaces into format/value pairs (11 words).
  const head = expanded ? 44 : 32;
  if (at + head > end) throw new Malformed('sflow: flow sample shorter than its header');
  const rate = sampling > 0 ? sampling : Math.max(1, word(buf, at + (expanded ? 12 : 8)));
  const records = word(buf, at + head - 4);
  let p = at + head;
  let found = false;
  for (let i = 0; i < records && !found; i++) {
    if (p + 8 > end) throw new Malformed('sflow: flow record runs past its sample');
    const format = word(buf, p);
    const rl = word(buf, p + 4);
    const body = p + 8;
    const rend = body + rl;
    if (rend > end) throw new Malformed(`sflow: flow record of ${rl} bytes runs past its sample`);
    if (format === 1 && rl >= 16) {
      // Raw packet header: header protocol, frame length, stripped, header length, the header bytes.
      const hl = word(buf, body + 12);
      if (body + 16 + hl > rend) throw new Malformed(`sflow: packet header of ${hl} bytes runs past its record`);
      if (decodeHeader(buf, body + 16, body + 16 + hl, word(buf, body), r)) {
        r.bytes = word(buf, body + 4) * rate;
        found = true;
      }
    } else if (format === 3 && rl >= 32) {
      // Sampled IPv4: length, protocol, source, destination, source port, destination port, TCP flags, ToS.
      r.setV4(word(buf, body + 8), word(buf, body + 12));
      fillSampled(buf, body, body + 16, r, rate);
      found = true;
    } else if (format === 4 && rl >= 56) {
      r.setV6(buf, body + 8, body + 24);
      fillSampled(buf, body, body + 40, r, rate);
      found = true;
    }
    p = rend;
  }
  if (!found) return 0;
  r.packets = rate;
  r.flows = 0;
  sink.record(r);
  return 1;
}

function fillSampled(buf: Uint8Array, body: number, ports: number, r: FlowRecord, rate: number): void {
  r.bytes = word(buf, body) * rate;
  // Sampled IPv4/IPv6 records give the IP packet's length, without layer 2.
  r.ipLength = word(buf, body);
  r.proto = word(buf, body + 4);
  r.srcPort = word(buf, ports);
  r.dstPort = word(buf, ports + 4);
  r.tcpFlags = word(buf, ports + 8) & 0xff;
  r.fragment = 0;
}
