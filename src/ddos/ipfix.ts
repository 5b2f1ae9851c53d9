// IPFIX (RFC 7011): a 16-byte message header (version 10, length, export time, sequence, Observation Domain
// ID, §3.1) and sets: 2 templates, 3 options templates, 256 and above data (§3.3). Templates are kept per
// exporter and domain (templates.ts). A template record with field count 0 withdraws that template; template
// ID 2 (or 3) with count 0 withdraws every template (or options template) of the domain (§8.1).

import { checkSets } from './netflow9';
import { type CollectorStats, type FlowRecord, type FlowSink, half, Malformed, word } from './record';
import { decodeDataSet, readSpecifiers, Template, type TemplateCache } from './templates';

const HEADER = 16;

export function decodeIpfix(
  buf: Uint8Array,
  exporter: string,
  cache: TemplateCache,
  stats: CollectorStats,
  r: FlowRecord,
  sink: FlowSink,
  now: number,
  sampling = 0,
): number {
  if (buf.length < HEADER) throw new Malformed(`ipfix: ${buf.length} bytes, shorter than the header`);
  if (half(buf, 0) !== 10) throw new Malformed(`ipfix: version ${half(buf, 0)}`);
  const length = half(buf, 2);
  if (length < HEADER || length > buf.length)
    throw new Malformed(`ipfix: message length ${length}, datagram ${buf.length} bytes`);
  // The message length rules: bytes after it are not part of the message.
  const msg = length < buf.length ? buf.subarray(0, length) : buf;
  checkSets(msg, HEADER, 'ipfix');
  const scope = cache.scope(exporter, word(msg, 12));
  let n = 0;
  let at = HEADER;
  while (at + 4 <= msg.length) {
    const id = half(msg, at);
    const end = at + half(msg, at + 2);
    const body = at + 4;
    if (id === 2 || id === 3) {
      const options = id === 3;
      const head = options ? 6 : 4;
      let p = body;
      while (p + head <= end) {
        const tid = half(msg, p);
        const count = half(msg, p + 2);
        if (count === 0) {
          // Template withdrawal (§8.1).
          if (tid === id) {
            for (const t of [...scope.templates.values()]) if (t.options === options) cache.withdraw(scope, t.id);
          } else {
            cache.withdraw(scope, tid);
          }
          p += 4;
          continue;
        }
        if (tid < 256) throw new Malformed(`ipfix: template ID ${tid} (below 256)`);
        const scopeCount = options ? half(msg, p + 4) : 0;
        if (options && (scopeCount === 0 || scopeCount > count))
          throw new Malformed(`ipfix: options template ${tid} with ${scopeCount} scope fields of ${count}`);
        const ies: number[] = [];
        const lens: number[] = [];
        p = readSpecifiers(msg, p + head, end, count, true, ies, lens);
        cache.learn(scope, new Template(tid, lens, ies, options, scopeCount, now));
      }
    } else if (id >= 256) {
      const t = cache.find(scope, id, now);
      if (t === undefined) stats.unknownTemplate++;
      else n += decodeDataSet(msg, body, end, t, scope, r, sink, sampling);
    }
    at = end;
  }
  return n;
}
