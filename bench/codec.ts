// Micro-benchmark of the UPDATE codec: IPv4 /24s packed into 4096-byte UPDATEs, decoded and encoded on one core.
// Run: node dist/bench/codec.js

import { forEachPrefix } from '../src/wire/nlri/prefix';
import { type Attributes, defaultContext, HEADER_LENGTH, IPV4_UNICAST } from '../src/wire/types';
import { decodeUpdate, packUpdates } from '../src/wire/update';

const PREFIXES = 200_000;

function entries(n: number): Uint8Array[] {
  const out: Uint8Array[] = new Array(n);
  for (let i = 0; i < n; i++) {
    // 1.0.0.0/24 upwards: 24-bit prefix, length byte first.
    const v = i + 0x010000;
    out[i] = Uint8Array.of(24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
  }
  return out;
}

const ATTRS: Attributes = {
  origin: 0,
  asPath: [{ type: 2, asns: [65001, 65002, 4200000000] }],
  nextHop: Uint8Array.of(192, 0, 2, 1),
  med: 10,
  communities: [0xfde80001, 0xfde80002],
  largeCommunities: [[65001, 1, 2]],
};

function timeLoop(minMs: number, body: () => number): { perSec: number; bytesPerSec: number; units: number } {
  // Warm up so the JIT has optimized the hot loops before timing.
  for (let i = 0; i < 3; i++) body();
  let units = 0;
  let bytes = 0;
  const t0 = process.hrtime.bigint();
  let elapsed = 0;
  do {
    units += body();
    bytes += lastBytes;
    elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  } while (elapsed * 1000 < minMs);
  return { perSec: units / elapsed, bytesPerSec: bytes / elapsed, units };
}

let lastBytes = 0;

/** Decode plus a walk over every prefix (what a RIB load does): prefixes per second. */
export async function benchDecodeWalk(): Promise<number> {
  const ctx = { ...defaultContext(), asn4: true };
  const bodies = packUpdates(
    { family: IPV4_UNICAST, attributes: ATTRS, announce: entries(PREFIXES), withdraw: [] },
    ctx,
  ).map((m) => m.subarray(HEADER_LENGTH));
  let sum = 0;
  const cb = (len: number, data: Uint8Array, off: number): void => {
    sum += len + data[off]!;
  };
  const r = timeLoop(1000, () => {
    let n = 0;
    for (const b of bodies) {
      const u = decodeUpdate(b, ctx);
      forEachPrefix(u.nlri, cb);
      n += u.nlri.count;
    }
    lastBytes = 0;
    return n;
  });
  if (sum === 0) throw new Error('walk saw nothing');
  return r.perSec;
}

export async function benchCodec(): Promise<{
  decodePps: number;
  decodeBps: number;
  encodePps: number;
  encodeBps: number;
}> {
  const ctx = { ...defaultContext(), asn4: true };
  const announce = entries(PREFIXES);
  const messages = packUpdates({ family: IPV4_UNICAST, attributes: ATTRS, announce, withdraw: [] }, ctx);
  const bodies = messages.map((m) => m.subarray(HEADER_LENGTH));
  let totalBytes = 0;
  for (const m of messages) totalBytes += m.length;

  const dec = timeLoop(1000, () => {
    let n = 0;
    for (const b of bodies) n += decodeUpdate(b, ctx).nlri.count;
    if (n !== PREFIXES) throw new Error(`decoded ${n} prefixes, expected ${PREFIXES}`);
    lastBytes = totalBytes;
    return n;
  });
  const enc = timeLoop(1000, () => {
    const msgs = packUpdates({ family: IPV4_UNICAST, attributes: ATTRS, announce, withdraw: [] }, ctx);
    let b = 0;
    for (const m of msgs) b += m.length;
    lastBytes = b;
    return PREFIXES;
  });
  return { decodePps: dec.perSec, decodeBps: dec.bytesPerSec, encodePps: enc.perSec, encodeBps: enc.bytesPerSec };
}

if (require.main === module) {
  void (async () => {
    const r = await benchCodec();
    const walk = await benchDecodeWalk();
    const m = (x: number): string => (x / 1e6).toFixed(1);
    process.stdout.write(
      `decode: ${m(r.decodePps)} M prefixes/s, ${m(r.decodeBps)} MB/s\n` +
        `decode+walk: ${m(walk)} M prefixes/s\n` +
        `encode: ${m(r.encodePps)} M prefixes/s, ${m(r.encodeBps)} MB/s\n`,
    );
  })();
}
