// Templates of NetFlow v9 (RFC 3954) and IPFIX (RFC 7011), kept per exporter and observation domain (RFC 7011
// §8: a template belongs to its Transport Session and Observation Domain; NetFlow v9's Source ID plays the
// domain's part, RFC 3954 §5.1), and the data-record decoder they drive.
//
// A template is compiled once, when it arrives, into the byte offsets of the few fields detection reads
// (addresses, protocol, ports, TCP flags, counters, sampling, fragment): a data record is then read straight
// from the datagram into the shared FlowRecord with a handful of loads, not walked field by field. Templates
// with variable-length fields (IPFIX §7) get their offsets worked out per record instead.
//
// Over UDP, templates are not withdrawn but expire: a template not refreshed within the template timeout is
// forgotten (RFC 7011 §8.4), and a template arriving again with the same ID replaces the old one (re-learning,
// §8.1). Data sets whose template is unknown are counted and dropped until the template arrives.

import { type CollectorStats, type FlowRecord, type FlowSink, half, Malformed, uint } from './record';

/** The fields read from a data record, by slot. */
const S = {
  SRC4: 0,
  DST4: 1,
  SRC6: 2,
  DST6: 3,
  PROTO: 4,
  SPORT: 5,
  DPORT: 6,
  FLAGS: 7,
  BYTES: 8,
  PACKETS: 9,
  BYTES_TOTAL: 10,
  PACKETS_TOTAL: 11,
  SAMPLING: 12,
  SAMPLING_SPACE: 13,
  FRAG_FLAGS: 14,
  FRAG_OFFSET: 15,
  IP_VERSION: 16,
} as const;
const SLOTS = 17;

/**
 * Information element numbers shared by NetFlow v9 field types and IPFIX (RFC 3954 §8 and IANA's IPFIX
 * registry agree on these): octetDeltaCount 1, packetDeltaCount 2, protocolIdentifier 4, tcpControlBits 6,
 * sourceTransportPort 7, sourceIPv4Address 8, destinationTransportPort 11, destinationIPv4Address 12,
 * sourceIPv6Address 27, destinationIPv6Address 28, samplingInterval 34, samplerRandomInterval 50, ipVersion 60,
 * octetTotalCount 85, packetTotalCount 86, fragmentOffset 88, fragmentFlags 197, samplingPacketInterval 305,
 * samplingPacketSpace 306.
 */
function slotOf(ie: number): number {
  switch (ie) {
    case 1:
      return S.BYTES;
    case 2:
      return S.PACKETS;
    case 4:
      return S.PROTO;
    case 6:
      return S.FLAGS;
    case 7:
      return S.SPORT;
    case 8:
      return S.SRC4;
    case 11:
      return S.DPORT;
    case 12:
      return S.DST4;
    case 27:
      return S.SRC6;
    case 28:
      return S.DST6;
    case 34:
    case 50:
    case 305:
      return S.SAMPLING;
    case 306:
      return S.SAMPLING_SPACE;
    case 60:
      return S.IP_VERSION;
    case 85:
      return S.BYTES_TOTAL;
    case 86:
      return S.PACKETS_TOTAL;
    case 88:
      return S.FRAG_OFFSET;
    case 197:
      return S.FRAG_FLAGS;
    default:
      return -1;
  }
}

/** Expected lengths: a field of another length is not read (an address of 3 bytes is not an address). */
function lengthFits(slot: number, len: number): boolean {
  switch (slot) {
    case S.SRC4:
    case S.DST4:
      return len === 4;
    case S.SRC6:
    case S.DST6:
      return len === 16;
    case S.PROTO:
    case S.IP_VERSION:
    case S.FRAG_FLAGS:
      return len === 1;
    case S.SPORT:
    case S.DPORT:
    case S.FRAG_OFFSET:
      return len === 2;
    case S.FLAGS:
      return len === 1 || len === 2;
    default:
      return len >= 1 && len <= 8;
  }
}

/** IPFIX variable-length field marker (RFC 7011 §7). */
const VARIABLE = 0xffff;

export class Template {
  /** Offsets of the slots in a record of fixed length (-1: absent). For variable templates, filled per record. */
  readonly off = new Int32Array(SLOTS).fill(-1);
  readonly len = new Uint8Array(SLOTS);
  /** Record length when every field has a fixed length, else -1. */
  readonly recordLen: number;
  /** Smallest possible record (variable fields empty): what is left of a set below this is padding. */
  readonly minLen: number;
  /** Per field, for variable templates: the length (VARIABLE for variable) and slot. */
  private readonly fieldLens: Uint16Array;
  private readonly fieldSlots: Int8Array;

  constructor(
    readonly id: number,
    lens: number[],
    ies: number[],
    /** Options templates (RFC 7011 §3.4.2.2): their scope fields are not information to read. */
    readonly options: boolean,
    scopeCount: number,
    public learnedAt: number,
  ) {
    this.fieldLens = Uint16Array.from(lens);
    this.fieldSlots = new Int8Array(lens.length).fill(-1);
    let fixed = 0;
    let min = 0;
    let variable = false;
    for (let i = 0; i < lens.length; i++) {
      const l = lens[i]!;
      const slot = i < scopeCount ? -1 : slotOf(ies[i]!);
      if (l === VARIABLE) {
        variable = true;
        min += 1;
        continue;
      }
      if (slot >= 0 && lengthFits(slot, l) && this.fieldSlots.indexOf(slot) < 0) {
        this.fieldSlots[i] = slot;
        this.len[slot] = l;
        if (!variable) this.off[slot] = fixed;
      }
      fixed += l;
      min += l;
    }
    this.recordLen = variable ? -1 : fixed;
    this.minLen = min;
  }

  /**
   * For a template with variable-length fields: fill `off` for the record at `at`, return its length, or -1 when
   * the record runs past `end` (RFC 7011 §7: one length byte, or 255 then two bytes).
   */
  layout(buf: Uint8Array, at: number, end: number): number {
    const off = this.off;
    off.fill(-1);
    let p = at;
    for (let i = 0; i < this.fieldLens.length; i++) {
      let l = this.fieldLens[i]!;
      if (l === VARIABLE) {
        if (p >= end) return -1;
        l = buf[p++]!;
        if (l === 255) {
          if (p + 2 > end) return -1;
          l = half(buf, p);
          p += 2;
        }
      } else {
        const slot = this.fieldSlots[i]!;
        if (slot >= 0) off[slot] = p - at;
      }
      p += l;
      if (p > end) return -1;
    }
    return p - at;
  }
}

/** The templates of one exporter and observation domain (or NetFlow v9 Source ID). */
export class TemplateScope {
  readonly templates = new Map<number, Template>();
  /** Sampling announced in options data (samplingInterval etc.), 0 until one arrives. */
  sampling = 0;
}

export interface TemplateOptions {
  /** A template not refreshed for this long is forgotten (ms). */
  timeoutMs: number;
}

export class TemplateCache {
  private readonly scopes = new Map<string, TemplateScope>();

  constructor(
    private readonly opts: TemplateOptions,
    private readonly stats: CollectorStats,
  ) {}

  /** The scope of an exporter (address and port: its transport session) and domain. */
  scope(exporter: string, domain: number): TemplateScope {
    const key = `${exporter}/${domain}`;
    let s = this.scopes.get(key);
    if (s === undefined) this.scopes.set(key, (s = new TemplateScope()));
    return s;
  }

  /** How many templates are known, over every exporter and domain. */
  get size(): number {
    let n = 0;
    for (const s of this.scopes.values()) n += s.templates.size;
    return n;
  }

  learn(scope: TemplateScope, t: Template): void {
    scope.templates.set(t.id, t);
    this.stats.templatesLearned++;
  }

  withdraw(scope: TemplateScope, id: number): void {
    scope.templates.delete(id);
  }

  /** The template for a data set, unless unknown or expired (an expired one is forgotten here). */
  find(scope: TemplateScope, id: number, now: number): Template | undefined {
    const t = scope.templates.get(id);
    if (t === undefined) return undefined;
    if (now - t.learnedAt > this.opts.timeoutMs) {
      scope.templates.delete(id);
      this.stats.templatesExpired++;
      return undefined;
    }
    return t;
  }
}

/**
 * Read the field specifiers of one template record: `count` (type, length) pairs from `at`; in IPFIX a type with
 * the enterprise bit is followed by a 4-byte enterprise number (RFC 7011 §3.2), and such fields are never read.
 * Returns the offset after the specifiers.
 */
export function readSpecifiers(
  buf: Uint8Array,
  at: number,
  end: number,
  count: number,
  ipfix: boolean,
  ies: number[],
  lens: number[],
): number {
  for (let i = 0; i < count; i++) {
    if (at + 4 > end) throw new Malformed(`template: field ${i + 1} of ${count} runs past the set`);
    let ie = half(buf, at);
    const l = half(buf, at + 2);
    at += 4;
    if (ipfix && ie & 0x8000) {
      if (at + 4 > end) throw new Malformed('template: enterprise number runs past the set');
      at += 4;
      ie = -1;
    }
    if (l === 0) throw new Malformed(`template: field ${i + 1} has length 0`);
    if (l === VARIABLE && !ipfix) throw new Malformed('netflow v9 template: variable-length field');
    ies.push(ie);
    lens.push(l);
  }
  return at;
}

/**
 * Decode the data records of one set (`at` to `end`, header excluded) with template `t`. Records of an options
 * template update the scope's sampling; other records go to the sink. Returns the number of flow records.
 */
export function decodeDataSet(
  buf: Uint8Array,
  at: number,
  end: number,
  t: Template,
  scope: TemplateScope,
  r: FlowRecord,
  sink: FlowSink,
  sampling: number,
): number {
  const off = t.off;
  const len = t.len;
  const fixed = t.recordLen;
  let n = 0;
  const min = fixed > 0 ? fixed : Math.max(t.minLen, 1);
  while (at + min <= end) {
    const size = fixed > 0 ? fixed : t.layout(buf, at, end);
    if (size <= 0) break;
    if (t.options) {
      if (off[S.SAMPLING]! >= 0) {
        const interval = uint(buf, at + off[S.SAMPLING]!, len[S.SAMPLING]!);
        const space = off[S.SAMPLING_SPACE]! >= 0 ? uint(buf, at + off[S.SAMPLING_SPACE]!, len[S.SAMPLING_SPACE]!) : 0;
        // samplingPacketInterval/Space (RFC 5477 §8.2.2): `interval` packets taken out of every interval + space.
        if (interval > 0) scope.sampling = space > 0 ? (interval + space) / interval : interval;
      }
      at += size;
      continue;
    }
    if (record(buf, at, off, len, r, scope, sampling)) {
      sink.record(r);
      n++;
    }
    at += size;
  }
  return n;
}

/** Fill the record from one data record; false when it carries no destination address (not an IP flow). */
function record(
  buf: Uint8Array,
  at: number,
  off: Int32Array,
  len: Uint8Array,
  r: FlowRecord,
  scope: TemplateScope,
  sampling: number,
): boolean {
  if (off[S.DST4]! >= 0) {
    r.setV4(off[S.SRC4]! >= 0 ? uint(buf, at + off[S.SRC4]!, 4) : 0, uint(buf, at + off[S.DST4]!, 4));
  } else if (off[S.DST6]! >= 0) {
    const d = at + off[S.DST6]!;
    r.setV6(buf, off[S.SRC6]! >= 0 ? at + off[S.SRC6]! : d, d);
    if (off[S.SRC6]! < 0) r.src.fill(0);
  } else {
    return false;
  }
  let rate = sampling;
  if (rate <= 0) {
    const o = off[S.SAMPLING]!;
    const own = o >= 0 ? uint(buf, at + o, len[S.SAMPLING]!) : 0;
    rate = own > 0 ? own : scope.sampling > 0 ? scope.sampling : 1;
  }
  const pk = off[S.PACKETS]! >= 0 ? S.PACKETS : S.PACKETS_TOTAL;
  const by = off[S.BYTES]! >= 0 ? S.BYTES : S.BYTES_TOTAL;
  r.packets = off[pk]! >= 0 ? uint(buf, at + off[pk]!, len[pk]!) * rate : 0;
  r.bytes = off[by]! >= 0 ? uint(buf, at + off[by]!, len[by]!) * rate : 0;
  r.proto = off[S.PROTO]! >= 0 ? buf[at + off[S.PROTO]!]! : 0;
  r.srcPort = off[S.SPORT]! >= 0 ? half(buf, at + off[S.SPORT]!) : 0;
  r.dstPort = off[S.DPORT]! >= 0 ? half(buf, at + off[S.DPORT]!) : 0;
  const f = off[S.FLAGS]!;
  r.tcpFlags = f < 0 ? 0 : len[S.FLAGS] === 2 ? half(buf, at + f) & 0xff : buf[at + f]!;
  // fragmentFlags: bit 2 (0x20 from the top) is More Fragments (IANA IPFIX IE 197); a non-zero offset is a
  // later fragment.
  const ff = off[S.FRAG_FLAGS]!;
  const fo = off[S.FRAG_OFFSET]!;
  r.fragment = (ff >= 0 && (buf[at + ff]! & 0x20) !== 0) || (fo >= 0 && (half(buf, at + fo) & 0x1fff) !== 0) ? 1 : 0;
  r.flows = 1;
  return true;
}
