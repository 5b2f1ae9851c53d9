// NetFlow version 9 (RFC 3954): a 20-byte header (version, count, sysUptime, UNIX secs, sequence, Source ID)
// and FlowSets: 0 templates, 1 options templates, 256 and above data for the template of that ID (§5).

import { type CollectorStats, type FlowRecord, type FlowSink, half, Malformed, word } from './record';
import { decodeDataSet, readSpecifiers, Template, type TemplateCache } from './templates';

const HEADER = 20;

/** Check every FlowSet header before anything is used: a datagram cut short is dropped whole. */
export function checkSets(buf: Uint8Array, start: number, what: string): void {
  let at = start;
  while (at + 4 <= buf.length) {
    const len = half(buf, at + 2);
    if (len < 4) throw new Malformed(`${what}: set of length ${len} at byte ${at}`);
    if (at + len > buf.length)
      throw new Malformed(`${what}: set of ${len} bytes at byte ${at} runs past the datagram (${buf.length} bytes)`);
    at += len;
  }
}

/**
 * Decode one NetFlow v9 datagram from `exporter` (address:port). Returns the flow records passed to `sink`.
 * `sampling` > 0 overrides what the exporter says.
 */
export function decodeNetflow9(
  buf: Uint8Array,
  exporter: string,
  cache: TemplateCache,
  stats: CollectorStats,
  r: FlowRecord,
  sink: FlowSink,
  now: number,
  sampling = 0,
): number {
  if (buf.length < HEADER) throw new Malformed(`netflow v9: ${buf.length} bytes, shorter than the header`);
  if (half(buf, 0) !== 9) throw new Malformed(`netflow v9: version ${half(buf, 0)}`);
  checkSets(buf, HEADER, 'netflow v9');
  const scope = cache.scope(exporter, word(buf, 16));
  let n = 0;
  let at = HEADER;
  while (at + 4 <= buf.length) {
    const id = half(buf, at);
    const end = at + half(buf, at + 2);
    const body = at + 4;
    if (id === 0) {
      // Template FlowSet (§5.2): template ID, field count, then (type, length) pairs; padding at the end.
      let p = body;
      while (p + 4 <= end) {
        const tid = half(buf, p);
        const count = half(buf, p + 2);
        if (tid < 256) throw new Malformed(`netflow v9: template ID ${tid} (below 256)`);
        const ies: number[] = [];
        const lens: number[] = [];
        p = readSpecifiers(buf, p + 4, end, count, false, ies, lens);
        cache.learn(scope, new Template(tid, lens, ies, false, 0, now));
      }
    } else if (id === 1) {
      // Options Template FlowSet (§6.1): template ID, scope length and option length in bytes, scope fields
      // (their types are scope types, not field types), option fields, padding.
      let p = body;
      while (p + 6 <= end) {
        const tid = half(buf, p);
        const scopeLen = half(buf, p + 2);
        const optLen = half(buf, p + 4);
        if (scopeLen % 4 !== 0 || optLen % 4 !== 0 || scopeLen + optLen === 0) {
          throw new Malformed(`netflow v9: options template ${tid} with scope ${scopeLen} and options ${optLen} bytes`);
        }
        const ies: number[] = [];
        const lens: number[] = [];
        p = readSpecifiers(buf, p + 6, end, (scopeLen + optLen) / 4, false, ies, lens);
        cache.learn(scope, new Template(tid, lens, ies, true, scopeLen / 4, now));
        // What is left is padding when shorter than another options template header.
        if (end - p < 10) break;
      }
    } else if (id >= 256) {
      const t = cache.find(scope, id, now);
      if (t === undefined) stats.unknownTemplate++;
      else n += decodeDataSet(buf, body, end, t, scope, r, sink, sampling);
    }
    // IDs 2-255 are reserved (§5): skipped.
    at = end;
  }
  return n;
}
