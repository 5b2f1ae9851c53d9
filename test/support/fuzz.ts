// Seeded mutation fuzz shared by the decoder and encoder fuzz tests: a reproducible generator, a corpus of
// valid UPDATE bodies (ExaBGP's vectors plus packed unicast routes with every common attribute), and byte-level
// mutations of them.

import { hexToBytes } from '../../src/wire/bytes';
import { ipv4Unicast, ipv6Unicast } from '../../src/wire/nlri/prefix';
import { type CodecContext, HEADER_LENGTH, IPV4_UNICAST, IPV6_UNICAST } from '../../src/wire/types';
import { encodeEndOfRib, packUpdates } from '../../src/wire/update';
import { EXABGP_VECTORS } from '../vectors/update-vectors';

/** xorshift32: small, fast, reproducible. */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

export function corpus(): Uint8Array[] {
  const bodies = EXABGP_VECTORS.map((v) => hexToBytes(v.hex).subarray(HEADER_LENGTH));
  const ctx: CodecContext = { asn4: true, addPath: new Set(), maxMessage: 300 };
  const attrs = {
    origin: 1,
    asPath: [
      { type: 2, asns: [1, 70000] },
      { type: 1, asns: [5, 6] },
    ],
    med: 3,
    aggregator: { asn: 70000, address: Uint8Array.of(1, 2, 3, 4) },
    communities: [1],
    extendedCommunities: [new Uint8Array(8)],
    largeCommunities: [[1, 2, 3]] as [number, number, number][],
    aigp: 7n,
    other: [{ flags: 0xc0, code: 99, value: Uint8Array.of(1) }],
  };
  const v4 = [0, 8, 24, 32].map((len) =>
    ipv4Unicast.encode({ family: IPV4_UNICAST, len, addr: Uint8Array.of(10, 1, 2, 3), pathId: 9 }, false),
  );
  const v6 = [0, 64, 128].map((len) =>
    ipv6Unicast.encode({ family: IPV6_UNICAST, len, addr: new Uint8Array(16).fill(0x20) }, false),
  );
  for (const m of [
    ...packUpdates(
      { family: IPV4_UNICAST, attributes: attrs, nextHop: Uint8Array.of(192, 0, 2, 1), announce: v4, withdraw: v4 },
      ctx,
    ),
    ...packUpdates(
      { family: IPV6_UNICAST, attributes: attrs, nextHop: new Uint8Array(32).fill(1), announce: v6, withdraw: v6 },
      ctx,
    ),
    ...packUpdates(
      { family: IPV4_UNICAST, attributes: attrs, nextHop: new Uint8Array(16).fill(2), announce: v4, withdraw: [] },
      { ...ctx, asn4: false },
    ),
    encodeEndOfRib(IPV4_UNICAST),
    encodeEndOfRib(IPV6_UNICAST),
  ]) {
    bodies.push(m.subarray(HEADER_LENGTH));
  }
  return bodies;
}

export function mutate(src: Uint8Array, r: () => number): Uint8Array {
  const b = Array.from(src);
  const n = 1 + (r() % 4);
  for (let i = 0; i < n; i++) {
    const pos = b.length === 0 ? 0 : r() % b.length;
    switch (r() % 5) {
      case 0: // flip a bit
        if (b.length) b[pos] = b[pos]! ^ (1 << (r() % 8));
        break;
      case 1: // set a byte (0, ff, or random)
        if (b.length) b[pos] = [0, 0xff, r() & 0xff][r() % 3]!;
        break;
      case 2: // insert
        b.splice(pos, 0, r() & 0xff);
        break;
      case 3: // delete a run
        b.splice(pos, 1 + (r() % 3));
        break;
      default: // truncate
        b.length = pos;
    }
  }
  return Uint8Array.from(b);
}
