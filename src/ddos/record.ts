// The one flow record every collector decodes into. Collectors fill a single reused FlowRecord per datagram
// record and hand it to a FlowSink, so decoding allocates no object per record: the accounting table
// (ddos/hosts.ts) reads the fields it needs and the record is overwritten by the next one.

/** Addresses are kept as 32-bit words: an IPv4 address in word 3 with words 0-2 = 0, 0, 0xffff (RFC 4291 §2.5.5.2). */
export class FlowRecord {
  /** 4 or 6. */
  family: 4 | 6 = 4;
  readonly src = new Uint32Array(4);
  readonly dst = new Uint32Array(4);
  /** IP protocol number (IPv6: the upper-layer protocol after extension headers). */
  proto = 0;
  srcPort = 0;
  dstPort = 0;
  /** TCP flags ORed over the flow (NetFlow/IPFIX) or of the packet (sFlow). */
  tcpFlags = 0;
  /** 1 when the packets are IP fragments (a fragment offset or the more-fragments bit). */
  fragment = 0;
  /** Packets and bytes, already multiplied by the sampling rate. */
  packets = 0;
  bytes = 0;
  /** Flow records this stands for: 1 for a NetFlow/IPFIX record, 0 for an sFlow packet sample. */
  flows = 0;
  /**
   * The IP packet's length (IPv4 total length, IPv6 payload length + 40) where the exporter sends the packet
   * itself (sFlow); 0 where it sends flows (NetFlow, IPFIX: the size is bytes / packets). sFlow's bytes are frame
   * lengths; what FlowSpec's packet-length matches is this (RFC 8955 §4.2.2.10: without layer 2).
   */
  ipLength = 0;

  setV4(src: number, dst: number): void {
    this.family = 4;
    const s = this.src;
    const d = this.dst;
    s[0] = 0;
    s[1] = 0;
    s[2] = 0xffff;
    s[3] = src;
    d[0] = 0;
    d[1] = 0;
    d[2] = 0xffff;
    d[3] = dst;
  }

  /** Read two IPv6 addresses straight from a datagram. */
  setV6(buf: Uint8Array, srcAt: number, dstAt: number): void {
    this.family = 6;
    for (let i = 0; i < 4; i++) {
      this.src[i] = word(buf, srcAt + 4 * i);
      this.dst[i] = word(buf, dstAt + 4 * i);
    }
  }
}

/** Where decoded records go. `record` is called once per record with the shared FlowRecord. */
export interface FlowSink {
  record(r: FlowRecord): void;
}

/** What a collector counts besides records: every datagram is counted, good or bad, never thrown. */
export class CollectorStats {
  datagrams = 0;
  records = 0;
  /** Datagrams dropped as malformed or truncated (the reason of the last one in `lastError`). */
  malformed = 0;
  /** Data sets (NetFlow v9 / IPFIX) dropped because their template is not known (yet). */
  unknownTemplate = 0;
  /** Templates learned (first time or re-learned) and dropped for not being refreshed in time. */
  templatesLearned = 0;
  templatesExpired = 0;
  /** sFlow counter samples (not used for detection). */
  counterSamples = 0;
  /** Datagrams with a version this collector does not speak. */
  wrongVersion = 0;
  lastError = '';
}

/** Big-endian unsigned 32-bit read without a DataView (the hot path). */
export const word = (b: Uint8Array, at: number): number =>
  ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;

export const half = (b: Uint8Array, at: number): number => (b[at]! << 8) | b[at + 1]!;

/** Unsigned big-endian integer of 1-8 bytes (counters can be 8 bytes; above 2^53 precision is lost, not wrapped). */
export function uint(b: Uint8Array, at: number, len: number): number {
  switch (len) {
    case 1:
      return b[at]!;
    case 2:
      return half(b, at);
    case 4:
      return word(b, at);
    case 8:
      return word(b, at) * 4294967296 + word(b, at + 4);
    default: {
      let v = 0;
      for (let i = 0; i < len; i++) v = v * 256 + b[at + i]!;
      return v;
    }
  }
}

/** A datagram the decoder refuses: counted as malformed by the collector, with this message kept. */
export class Malformed extends Error {}

/** Text of an address kept as four words (IPv4 in word 3 behind ::ffff:). */
export function addressText(w: Uint32Array | readonly number[], family: 4 | 6): string {
  if (family === 4) {
    const v = w[3]!;
    return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
  }
  const parts: string[] = [];
  for (let i = 0; i < 4; i++) parts.push((w[i]! >>> 16).toString(16), (w[i]! & 0xffff).toString(16));
  // Longest run of zero groups becomes "::" (RFC 5952 §4.2.3: the longest, the first when equal, not a single one).
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (parts[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && parts[j] === '0') j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return parts.join(':');
  return `${parts.slice(0, best).join(':')}::${parts.slice(best + bestLen).join(':')}`;
}
