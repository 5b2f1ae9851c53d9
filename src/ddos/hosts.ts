// Traffic per destination host inside the operator's networks, accounted straight from the collectors' shared
// FlowRecord: an open-addressing hash table of addresses (four 32-bit words each) and typed-array columns of
// counters, one row per host, no object per host or per record.
//
// Rates come from a sliding window counter: the counts of the window before (`prev`) and of the window being
// filled (`cur`); the rate over the last window at time t is (prev * (1 - f) + cur) / window, with f the
// fraction of the current window gone. Two rows of counters per host instead of a ring of buckets, with an
// error bounded by how much the traffic changed from one window to the next.

import type { FlowRecord, FlowSink } from './record';

/** Counter columns of a host row. Packets and bytes per traffic class, flows, then packets per amplification port. */
export const Col = {
  PKTS: 0,
  BYTES: 1,
  FLOWS: 2,
  TCP_PKTS: 3,
  TCP_BYTES: 4,
  SYN_PKTS: 5,
  SYN_BYTES: 6,
  UDP_PKTS: 7,
  UDP_BYTES: 8,
  ICMP_PKTS: 9,
  ICMP_BYTES: 10,
  FRAG_PKTS: 11,
  FRAG_BYTES: 12,
  AMP_PKTS: 13,
  AMP_BYTES: 14,
  /** First of the per-amplification-port packet counters. */
  AMP_PORT: 15,
} as const;

/**
 * Well-known UDP amplification source ports (US-CERT TA14-017A and later reports): chargen 19, DNS 53, portmap
 * 111, NTP 123, SNMP 161, CLDAP 389, SSDP 1900, WS-Discovery 3702, memcached 11211, plus QOTD 17 and
 * NetBIOS 137.
 */
export const AMPLIFICATION_PORTS: readonly number[] = [17, 19, 53, 111, 123, 137, 161, 389, 1900, 3702, 11211];

/** A prefix of the operator's networks, as four words and a length (IPv4 mapped into ::ffff:0:0/96). */
export interface WordPrefix {
  words: Uint32Array;
  /** Length over the 128-bit mapped address (an IPv4 /24 is 120). */
  len: number;
  /** Index of the host group the prefix belongs to. */
  group: number;
}

export function inPrefix(p: WordPrefix, w: Uint32Array): boolean {
  let bits = p.len;
  for (let i = 0; i < 4 && bits > 0; i++, bits -= 32) {
    const mask = bits >= 32 ? 0xffffffff : ~(0xffffffff >>> bits) >>> 0;
    if (((w[i]! ^ p.words[i]!) & mask) >>> 0 !== 0) return false;
  }
  return true;
}

const EMPTY = -1;

export class HostTable implements FlowSink {
  readonly cols: number;
  /** Amplification port → index among the per-port columns, -1 elsewhere. */
  private readonly ampIndex = new Int8Array(65536).fill(-1);
  readonly ampPorts: readonly number[];
  /** Host keys: four words per row. */
  keys = new Uint32Array(0);
  /** Host group per row. */
  groups = new Uint16Array(0);
  family = new Uint8Array(0);
  cur = new Float64Array(0);
  prev = new Float64Array(0);
  /** Records that matched no network (not accounted). */
  outside = 0;
  private slots = new Int32Array(0);
  private mask = 0;
  private capacity = 0;
  /** Rows in use. */
  size = 0;
  /** Rows whose traffic a listener wants record by record (hosts under attack), and the listener. */
  watched = new Uint8Array(0);
  onWatched: ((row: number, r: FlowRecord) => void) | undefined;
  /** Most specific first: the first prefix that holds an address decides its group. */
  private networks: WordPrefix[];

  constructor(networks: WordPrefix[], ampPorts: readonly number[] = AMPLIFICATION_PORTS, capacity = 1024) {
    this.networks = mostSpecificFirst(networks);
    this.ampPorts = ampPorts;
    ampPorts.forEach((p, i) => {
      this.ampIndex[p] = i;
    });
    this.cols = Col.AMP_PORT + ampPorts.length;
    this.resize(Math.max(16, capacity));
  }

  /** Bytes held by the table's arrays (rows allocated ahead included): counters, keys, groups, hash slots. */
  bytes(): number {
    return [this.keys, this.groups, this.family, this.watched, this.cur, this.prev, this.slots].reduce(
      (n, a) => n + a.byteLength,
      0,
    );
  }

  /** Row of an address, or -1 when it is not tracked (yet). */
  find(w: Uint32Array): number {
    let i = hash(w) & this.mask;
    for (;;) {
      const row = this.slots[i]!;
      if (row === EMPTY) return -1;
      const k = row * 4;
      if (this.keys[k] === w[0] && this.keys[k + 1] === w[1] && this.keys[k + 2] === w[2] && this.keys[k + 3] === w[3])
        return row;
      i = (i + 1) & this.mask;
    }
  }

  /** The group of the network holding an address, or -1 outside every network. */
  groupOf(w: Uint32Array): number {
    for (const p of this.networks) if (inPrefix(p, w)) return p.group;
    return -1;
  }

  record(r: FlowRecord): void {
    const w = r.dst;
    let i = hash(w) & this.mask;
    let row: number;
    for (;;) {
      row = this.slots[i]!;
      if (row === EMPTY) {
        row = this.insert(w, i, r.family);
        if (row < 0) return;
        break;
      }
      const k = row * 4;
      if (this.keys[k] === w[0] && this.keys[k + 1] === w[1] && this.keys[k + 2] === w[2] && this.keys[k + 3] === w[3])
        break;
      i = (i + 1) & this.mask;
    }
    const c = this.cur;
    const base = row * this.cols;
    const pk = r.packets;
    const by = r.bytes;
    c[base] += pk;
    c[base + 1] += by;
    c[base + 2] += r.flows;
    const proto = r.proto;
    if (proto === 6) {
      c[base + 3] += pk;
      c[base + 4] += by;
      // SYN without ACK: connection attempts (the flags of a NetFlow record are ORed over the flow, so a flow
      // that completed its handshake has ACK too).
      if ((r.tcpFlags & 0x12) === 0x02) {
        c[base + 5] += pk;
        c[base + 6] += by;
      }
    } else if (proto === 17) {
      c[base + 7] += pk;
      c[base + 8] += by;
      const a = this.ampIndex[r.srcPort]!;
      if (a >= 0) {
        c[base + 13] += pk;
        c[base + 14] += by;
        c[base + 15 + a] += pk;
      }
    } else if (proto === 1 || proto === 58) {
      c[base + 9] += pk;
      c[base + 10] += by;
    }
    if (r.fragment !== 0) {
      c[base + 11] += pk;
      c[base + 12] += by;
    }
    if (this.watched[row] !== 0) this.onWatched?.(row, r);
  }

  /** Start tracking an address whose probe ended at empty slot `slot`; -1 when it is in no network. */
  private insert(w: Uint32Array, slot: number, family: number): number {
    const group = this.groupOf(w);
    if (group < 0) {
      this.outside++;
      return -1;
    }
    if (this.size === this.capacity) {
      this.resize(this.capacity * 2);
      return this.insert(w, this.probe(w), family);
    }
    const row = this.size++;
    this.keys.set(w, row * 4);
    this.groups[row] = group;
    this.family[row] = family;
    this.slots[slot] = row;
    return row;
  }

  private probe(w: Uint32Array): number {
    let i = hash(w) & this.mask;
    while (this.slots[i] !== EMPTY) i = (i + 1) & this.mask;
    return i;
  }

  private resize(capacity: number): void {
    const grow = <T extends Uint32Array | Uint16Array | Uint8Array | Float64Array>(a: T, n: number): T => {
      const b = new (a.constructor as new (n: number) => T)(n);
      b.set(a.subarray(0, Math.min(a.length, n)));
      return b;
    };
    this.keys = grow(this.keys, capacity * 4);
    this.groups = grow(this.groups, capacity);
    this.family = grow(this.family, capacity);
    this.watched = grow(this.watched, capacity);
    this.cur = grow(this.cur, capacity * this.cols);
    this.prev = grow(this.prev, capacity * this.cols);
    this.capacity = capacity;
    this.rehash();
  }

  /** Hash slots at twice the capacity (load at most 1/2). */
  private rehash(): void {
    this.slots = new Int32Array(this.capacity * 2).fill(EMPTY);
    this.mask = this.slots.length - 1;
    const w = new Uint32Array(4);
    for (let row = 0; row < this.size; row++) {
      w.set(this.keys.subarray(row * 4, row * 4 + 4));
      this.slots[this.probe(w)] = row;
    }
  }

  /**
   * A window ended: its counts become `prev`, a new one starts empty (`windows` > 1 when more than a whole
   * window went by without a tick: then nothing of it is recent). Hosts with no traffic in either window and not
   * watched are forgotten; `moved(old, new)` is told of rows that move, so the detector can follow them.
   */
  rotate(windows: number, moved: (from: number, to: number) => void): void {
    const t = this.prev;
    this.prev = this.cur;
    this.cur = t;
    this.cur.fill(0, 0, this.size * this.cols);
    if (windows > 1) this.prev.fill(0, 0, this.size * this.cols);
    // Rows with nothing in `prev` (the window just ended) and not watched go.
    const cols = this.cols;
    this.compact(
      (row) => this.prev[row * cols] !== 0 || this.prev[row * cols + 2] !== 0 || this.watched[row] !== 0,
      moved,
    );
  }

  /**
   * The networks changed (a reload): every host takes the group of its most specific network now, and hosts in
   * none are forgotten, `dropped(row)` told of each first (its row still valid), `moved` as in rotate(). The
   * counters of the hosts kept stay: their rates go on.
   */
  setNetworks(networks: WordPrefix[], dropped: (row: number) => void, moved: (from: number, to: number) => void): void {
    this.networks = mostSpecificFirst(networks);
    const gone = new Uint8Array(this.size);
    for (let row = 0; row < this.size; row++) {
      const g = this.groupOf(this.key(row));
      if (g < 0) {
        dropped(row);
        gone[row] = 1;
      } else {
        this.groups[row] = g;
      }
    }
    this.compact((row) => gone[row] === 0, moved);
  }

  /** Keep the rows `live` says, moved down in order over the others (both counter rows move). */
  private compact(live: (row: number) => boolean, moved: (from: number, to: number) => void): void {
    const cols = this.cols;
    let out = 0;
    for (let row = 0; row < this.size; row++) {
      if (!live(row)) continue;
      if (out !== row) {
        this.keys.copyWithin(out * 4, row * 4, row * 4 + 4);
        this.groups[out] = this.groups[row]!;
        this.family[out] = this.family[row]!;
        this.watched[out] = this.watched[row]!;
        this.prev.copyWithin(out * cols, row * cols, row * cols + cols);
        this.cur.copyWithin(out * cols, row * cols, row * cols + cols);
        moved(row, out);
      }
      out++;
    }
    if (out !== this.size) {
      this.prev.fill(0, out * cols, this.size * cols);
      this.cur.fill(0, out * cols, this.size * cols);
      this.watched.fill(0, out, this.size);
      this.size = out;
      this.rehash();
    }
  }

  /** The estimated count of column `col` of `row` over the last window, `f` the fraction of the current one gone. */
  windowCount(row: number, col: number, f: number): number {
    const i = row * this.cols + col;
    return this.prev[i]! * (1 - f) + this.cur[i]!;
  }

  /** The address of a row as four words (a view: copy to keep). */
  key(row: number): Uint32Array {
    return this.keys.subarray(row * 4, row * 4 + 4);
  }
}

function mostSpecificFirst(networks: WordPrefix[]): WordPrefix[] {
  return [...networks].sort((a, b) => b.len - a.len);
}

/** Mix of the four words (multiplicative hashing; the low bits index the slots). */
function hash(w: Uint32Array): number {
  let h = Math.imul(w[3]! ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ w[2]! ^ (h >>> 15), 0xc2b2ae35);
  h = Math.imul(h ^ w[1]! ^ (h >>> 13), 0x27d4eb2f);
  h = Math.imul(h ^ w[0]! ^ (h >>> 16), 0x165667b1);
  return (h ^ (h >>> 15)) >>> 0;
}
