// Flow export datagrams and packet captures written from scratch for the DDoS tests and the benchmark: NetFlow
// v5, v9 and IPFIX datagrams from a list of flows, sFlow v5 datagrams with raw packet headers, and libpcap files
// of Ethernet/IPv4 packets for softflowd to read. Byte layouts from RFC 3954, RFC 7011, the sFlow v5
// specification and the libpcap file format.

export interface TestFlow {
  src: string;
  dst: string;
  proto: number;
  sport: number;
  dport: number;
  packets: number;
  bytes: number;
  flags?: number;
}

class Writer {
  private buf = new Uint8Array(1024);
  len = 0;
  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const b = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    b.set(this.buf.subarray(0, this.len));
    this.buf = b;
  }
  u8(v: number): this {
    this.room(1);
    this.buf[this.len++] = v & 0xff;
    return this;
  }
  u16(v: number): this {
    return this.u8(v >>> 8).u8(v);
  }
  u32(v: number): this {
    return this.u16(v >>> 16).u16(v & 0xffff);
  }
  u64(v: number): this {
    return this.u32(Math.floor(v / 4294967296)).u32(v >>> 0);
  }
  bytes(b: Uint8Array): this {
    this.room(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
    return this;
  }
  set16(at: number, v: number): void {
    this.buf[at] = v >>> 8;
    this.buf[at + 1] = v & 0xff;
  }
  done(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

export function ipBytes(a: string): Uint8Array {
  if (!a.includes(':')) return Uint8Array.from(a.split('.').map(Number));
  const [head, tail] = a.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = [...h, ...new Array(8 - h.length - t.length).fill('0'), ...t];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const v = Number.parseInt(g, 16);
    out[2 * i] = v >> 8;
    out[2 * i + 1] = v & 0xff;
  });
  return out;
}

/** NetFlow v5 datagram (at most 30 flows). */
export function netflow5(flows: TestFlow[], samplingInterval = 0): Uint8Array {
  const w = new Writer();
  w.u16(5).u16(flows.length).u32(1000).u32(1_800_000_000).u32(0).u32(1).u8(0).u8(0).u16(samplingInterval);
  for (const f of flows) {
    w.bytes(ipBytes(f.src)).bytes(ipBytes(f.dst)).u32(0).u16(1).u16(2);
    w.u32(f.packets).u32(f.bytes).u32(0).u32(1000).u16(f.sport).u16(f.dport);
    w.u8(0)
      .u8(f.flags ?? 0)
      .u8(f.proto)
      .u8(0)
      .u16(0)
      .u16(0)
      .u8(24)
      .u8(24)
      .u16(0);
  }
  return w.done();
}

/** Field (type, length) pairs of the IPv4 template the tests use; IPv6 swaps the addresses for 27/28. */
export const V4_FIELDS: [number, number][] = [
  [8, 4],
  [12, 4],
  [4, 1],
  [7, 2],
  [11, 2],
  [6, 1],
  [2, 8],
  [1, 8],
];
export const V6_FIELDS: [number, number][] = [[27, 16], [28, 16], ...V4_FIELDS.slice(2)];

function fieldValue(f: TestFlow, type: number, w: Writer): void {
  switch (type) {
    case 8:
    case 12:
    case 27:
    case 28:
      w.bytes(ipBytes(type === 8 || type === 27 ? f.src : f.dst));
      break;
    case 4:
      w.u8(f.proto);
      break;
    case 7:
      w.u16(f.sport);
      break;
    case 11:
      w.u16(f.dport);
      break;
    case 6:
      w.u8(f.flags ?? 0);
      break;
    case 2:
      w.u64(f.packets);
      break;
    case 1:
      w.u64(f.bytes);
      break;
    default:
      throw new Error(`no test value for field ${type}`);
  }
}

export interface TemplateSpec {
  id: number;
  fields: [number, number][];
}

/**
 * NetFlow v9 (version 9) or IPFIX (version 10) message: optionally a template set, then one data set per template
 * holding the flows (all flows in each data set whose address family fits the template).
 */
export function templated(
  version: 9 | 10,
  opts: { domain?: number; templates?: TemplateSpec[]; data?: { template: TemplateSpec; flows: TestFlow[] }[] },
): Uint8Array {
  const w = new Writer();
  const domain = opts.domain ?? 0;
  if (version === 9) w.u16(9).u16(0).u32(1000).u32(1_800_000_000).u32(1).u32(domain);
  else w.u16(10).u16(0).u32(1_800_000_000).u32(1).u32(domain);
  let records = 0;
  if (opts.templates && opts.templates.length > 0) {
    const start = w.len;
    w.u16(version === 9 ? 0 : 2).u16(0);
    for (const t of opts.templates) {
      w.u16(t.id).u16(t.fields.length);
      for (const [type, len] of t.fields) w.u16(type).u16(len);
      records++;
    }
    w.set16(start + 2, w.len - start);
  }
  for (const d of opts.data ?? []) {
    const start = w.len;
    w.u16(d.template.id).u16(0);
    for (const f of d.flows) {
      for (const [type] of d.template.fields) fieldValue(f, type, w);
      records++;
    }
    // NetFlow v9 pads FlowSets to 4 bytes (RFC 3954 §5.3).
    if (version === 9) while ((w.len - start) % 4 !== 0) w.u8(0);
    w.set16(start + 2, w.len - start);
  }
  const out = w.done();
  if (version === 9) {
    out[2] = records >> 8;
    out[3] = records & 0xff;
  } else {
    out[2] = out.length >> 8;
    out[3] = out.length & 0xff;
  }
  return out;
}

// ------------------------------------------------------------------------------------------------ packets

const cksum = (b: Uint8Array): number => {
  let s = 0;
  for (let i = 0; i < b.length; i += 2) s += (b[i]! << 8) | (b[i + 1] ?? 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
};

export interface TestPacket {
  src: string;
  dst: string;
  proto: number;
  sport?: number;
  dport?: number;
  /** TCP flags (default SYN|ACK... 0x18 PSH|ACK). */
  flags?: number;
  /** IP payload bytes after the transport header. */
  payload?: number;
  /** IPv4 flags/fragment offset field (0x2000 = more fragments). */
  frag?: number;
  /** Microseconds since the epoch (pcap). */
  time?: number;
}

/** An Ethernet frame with an IPv4 or IPv6 packet: TCP (20-byte header), UDP (8), ICMP echo (8). */
export function frame(p: TestPacket): Uint8Array {
  const v6 = p.dst.includes(':');
  const l4 = p.proto === 6 ? 20 : 8;
  const payload = p.payload ?? 0;
  const w = new Writer();
  w.bytes(Uint8Array.from([2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2])).u16(v6 ? 0x86dd : 0x0800);
  const ipStart = w.len;
  if (v6) {
    w.u32(0x60000000)
      .u16(l4 + payload)
      .u8(p.proto)
      .u8(64)
      .bytes(ipBytes(p.src))
      .bytes(ipBytes(p.dst));
  } else {
    w.u8(0x45)
      .u8(0)
      .u16(20 + l4 + payload)
      .u16(0x1234)
      .u16(p.frag ?? 0)
      .u8(64)
      .u8(p.proto)
      .u16(0);
    w.bytes(ipBytes(p.src)).bytes(ipBytes(p.dst));
  }
  if (p.proto === 6) {
    w.u16(p.sport ?? 0)
      .u16(p.dport ?? 0)
      .u32(1)
      .u32(p.flags === 0x02 ? 0 : 1)
      .u8(0x50)
      .u8(p.flags ?? 0x18)
      .u16(8192)
      .u16(0)
      .u16(0);
  } else if (p.proto === 17) {
    w.u16(p.sport ?? 0)
      .u16(p.dport ?? 0)
      .u16(8 + payload)
      .u16(0);
  } else {
    w.u8(8).u8(0).u16(0).u32(1);
  }
  for (let i = 0; i < payload; i++) w.u8(0x61 + (i % 26));
  const out = w.done();
  if (!v6) {
    const c = cksum(out.subarray(ipStart, ipStart + 20));
    out[ipStart + 10] = c >> 8;
    out[ipStart + 11] = c & 0xff;
  }
  return out;
}

/** A libpcap file (microsecond timestamps, Ethernet link type 1). */
export function pcap(packets: TestPacket[]): Uint8Array {
  const w = new Writer();
  // Magic written big-endian: readers accept either byte order.
  w.u32(0xa1b2c3d4).u16(2).u16(4).u32(0).u32(0).u32(65535).u32(1);
  let t = 1_800_000_000_000_000;
  for (const p of packets) {
    t = p.time ?? t + 100;
    const f = frame(p);
    w.u32(Math.floor(t / 1e6))
      .u32(t % 1e6)
      .u32(f.length)
      .u32(f.length)
      .bytes(f);
  }
  return w.done();
}

/** sFlow v5 datagram from agent 192.0.2.1 with one flow sample (raw Ethernet header) per packet. */
export function sflow(
  packets: TestPacket[],
  rate: number,
  opts: { counters?: number; snap?: number } = {},
): Uint8Array {
  const w = new Writer();
  w.u32(5)
    .u32(1)
    .bytes(ipBytes('192.0.2.1'))
    .u32(0)
    .u32(1)
    .u32(1000)
    .u32(packets.length + (opts.counters ?? 0));
  let seq = 1;
  for (const p of packets) {
    const f = frame(p);
    const hdr = f.subarray(0, Math.min(f.length, opts.snap ?? 128));
    const padded = (hdr.length + 3) & ~3;
    const recLen = 16 + padded;
    const sampleLen = 32 + 8 + recLen;
    w.u32(1).u32(sampleLen);
    w.u32(seq++)
      .u32(3)
      .u32(rate)
      .u32(seq * rate)
      .u32(0)
      .u32(3)
      .u32(4)
      .u32(1);
    w.u32(1)
      .u32(recLen)
      .u32(1)
      .u32(f.length + 4)
      .u32(4)
      .u32(hdr.length)
      .bytes(hdr);
    for (let i = hdr.length; i < padded; i++) w.u8(0);
  }
  for (let i = 0; i < (opts.counters ?? 0); i++) {
    // Counter sample with one generic interface counters record (88 bytes).
    w.u32(2)
      .u32(12 + 8 + 88)
      .u32(seq++)
      .u32(3)
      .u32(1)
      .u32(1)
      .u32(88);
    for (let j = 0; j < 22; j++) w.u32(j === 0 ? 3 : 0);
  }
  return w.done();
}
