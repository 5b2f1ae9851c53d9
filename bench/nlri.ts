// NLRI codec throughput on one core, for any family's codec: encode, scan, and decode (scan + items, i.e.
// validated and materialized). A working set of distinct entries is encoded and decoded over and over in
// UPDATE-sized blocks of ~4 KB, as they come off the wire: steady-state throughput of the codec, not of the
// garbage collector promoting a million retained values.

import type { NlriCodec } from '../src/wire/nlri/codec';

export interface NlriBenchResult {
  /** Entries per pass times passes. */
  entries: number;
  encodePerSec: number;
  decodePerSec: number;
  scanPerSec: number;
}

export function benchNlri<T>(
  codec: NlriCodec<T>,
  items: T[],
  encode: (item: T) => Uint8Array,
  total: number,
): NlriBenchResult {
  const n = items.length;
  const parts: Uint8Array[] = items.map(encode);
  const data = new Uint8Array(Buffer.concat(parts));
  const blocks: Uint8Array[] = [];
  let start = 0;
  let off = 0;
  for (const p of parts) {
    if (off + p.length - start > 4000) {
      blocks.push(data.subarray(start, off));
      start = off;
    }
    off += p.length;
  }
  blocks.push(data.subarray(start, off));
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
    for (let i = 0; i < n; i++) sink += encode(items[i]!).length;
    return n;
  });
  const scanPerSec = time(() => {
    let c = 0;
    for (const b of blocks) c += codec.scan(b, false);
    return c;
  });
  const decodePerSec = time(() => {
    let c = 0;
    for (const b of blocks)
      c += codec.items({ family: codec.family, addPath: false, data: b, count: codec.scan(b, false) }).length;
    return c;
  });
  if (sink === 0) throw new Error('bench: nothing encoded');
  return { entries: rounds * n, encodePerSec, decodePerSec, scanPerSec };
}

/** One line per family: "NAME: N entries  encode X M/s  decode (scan+items) Y M/s  scan only Z M/s". */
export function printNlri(kind: string, results: Record<string, NlriBenchResult>): void {
  const m = (v: number): string => `${(v / 1e6).toFixed(2)} M/s`;
  for (const [name, x] of Object.entries(results))
    console.log(
      `${kind} ${name}: ${x.entries} entries  encode ${m(x.encodePerSec)}  decode (scan+items) ${m(x.decodePerSec)}  scan only ${m(x.scanPerSec)}`,
    );
}
