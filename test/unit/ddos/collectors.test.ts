// The flow collectors decode datagrams built here byte by byte (NetFlow v5, v9, IPFIX, sFlow v5) into the
// records they describe, apply sampling, keep templates per exporter and observation domain (expiry,
// re-learning, unknown templates counted), and count malformed datagrams instead of failing.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { FlowCollector } from '../../../src/ddos/collector';
import { decodeHeader } from '../../../src/ddos/packet';
import { addressText, FlowRecord, type FlowSink } from '../../../src/ddos/record';
import {
  ipBytes,
  netflow5,
  sflow,
  type TemplateSpec,
  type TestFlow,
  templated,
  V4_FIELDS,
  V6_FIELDS,
} from '../../support/flow-packets';

interface Seen {
  src: string;
  dst: string;
  proto: number;
  sport: number;
  dport: number;
  flags: number;
  packets: number;
  bytes: number;
  fragment: number;
  flows: number;
}

class Capture implements FlowSink {
  seen: Seen[] = [];
  record(r: FlowRecord): void {
    this.seen.push({
      src: addressText(r.src, r.family),
      dst: addressText(r.dst, r.family),
      proto: r.proto,
      sport: r.srcPort,
      dport: r.dstPort,
      flags: r.tcpFlags,
      packets: r.packets,
      bytes: r.bytes,
      fragment: r.fragment,
      flows: r.flows,
    });
  }
}

const NTP: TestFlow = {
  src: '198.51.100.7',
  dst: '203.0.113.10',
  proto: 17,
  sport: 123,
  dport: 40000,
  packets: 10,
  bytes: 4680,
};
const SYN: TestFlow = {
  src: '192.0.2.99',
  dst: '203.0.113.11',
  proto: 6,
  sport: 5555,
  dport: 80,
  packets: 1,
  bytes: 40,
  flags: 2,
};
const V6: TestFlow = {
  src: '2001:db8::7',
  dst: '2001:db8:1::10',
  proto: 6,
  sport: 443,
  dport: 50000,
  packets: 3,
  bytes: 180,
  flags: 0x18,
};

const seenOf = (f: TestFlow, rate = 1): Partial<Seen> => ({
  src: f.src,
  dst: f.dst,
  proto: f.proto,
  sport: f.sport,
  dport: f.dport,
  flags: f.flags ?? 0,
  packets: f.packets * rate,
  bytes: f.bytes * rate,
});

function pick(s: Seen, want: Partial<Seen>): Partial<Seen> {
  return Object.fromEntries(Object.keys(want).map((k) => [k, s[k as keyof Seen]]));
}

test('netflow v5: every record, the header sampling interval applied', () => {
  const cap = new Capture();
  const c = new FlowCollector(cap);
  assert.equal(c.datagram(netflow5([NTP, SYN]), '127.0.0.1', 9000), 2);
  assert.deepEqual(pick(cap.seen[0]!, seenOf(NTP)), seenOf(NTP));
  assert.deepEqual(pick(cap.seen[1]!, seenOf(SYN)), seenOf(SYN));
  assert.equal(cap.seen[0]!.flows, 1);
  cap.seen = [];
  // Sampling mode in the top 2 bits, interval 100 in the low 14 (0x4064).
  c.datagram(netflow5([NTP], 0x4064), '127.0.0.1', 9000);
  assert.deepEqual(pick(cap.seen[0]!, seenOf(NTP, 100)), seenOf(NTP, 100));
});

test('netflow v5: a count that does not fit the length is dropped whole and counted', () => {
  const cap = new Capture();
  const c = new FlowCollector(cap);
  const d = netflow5([NTP, SYN]);
  assert.equal(c.datagram(d.subarray(0, d.length - 1), '127.0.0.1', 9000), 0);
  assert.equal(cap.seen.length, 0);
  assert.equal(c.stats.malformed, 1);
  assert.match(c.stats.lastError, /2 records need 120 bytes, got 119/);
});

const T4: TemplateSpec = { id: 256, fields: V4_FIELDS };
const T6: TemplateSpec = { id: 257, fields: V6_FIELDS };

for (const version of [9, 10] as const) {
  const name = version === 9 ? 'netflow v9' : 'ipfix';
  test(`${name}: data before its template is counted, then decoded once the template arrives (IPv4 and IPv6)`, () => {
    const cap = new Capture();
    const c = new FlowCollector(cap);
    c.datagram(templated(version, { data: [{ template: T4, flows: [NTP] }] }), '127.0.0.1', 9000);
    assert.equal(c.stats.unknownTemplate, 1);
    assert.equal(cap.seen.length, 0);
    c.datagram(templated(version, { templates: [T4, T6] }), '127.0.0.1', 9000);
    assert.equal(c.stats.templatesLearned, 2);
    const n = c.datagram(
      templated(version, {
        data: [
          { template: T4, flows: [NTP, SYN] },
          { template: T6, flows: [V6] },
        ],
      }),
      '127.0.0.1',
      9000,
    );
    assert.equal(n, 3);
    assert.deepEqual(pick(cap.seen[0]!, seenOf(NTP)), seenOf(NTP));
    assert.deepEqual(pick(cap.seen[1]!, seenOf(SYN)), seenOf(SYN));
    assert.deepEqual(pick(cap.seen[2]!, seenOf(V6)), seenOf(V6));
    assert.equal(c.stats.malformed, 0);
  });

  test(`${name}: templates belong to one exporter and one observation domain`, () => {
    const cap = new Capture();
    const c = new FlowCollector(cap);
    c.datagram(templated(version, { domain: 1, templates: [T4] }), '127.0.0.1', 9000);
    // Same exporter, another domain; same domain, another exporter port; another exporter address.
    c.datagram(templated(version, { domain: 2, data: [{ template: T4, flows: [NTP] }] }), '127.0.0.1', 9000);
    c.datagram(templated(version, { domain: 1, data: [{ template: T4, flows: [NTP] }] }), '127.0.0.1', 9001);
    c.datagram(templated(version, { domain: 1, data: [{ template: T4, flows: [NTP] }] }), '127.0.0.2', 9000);
    assert.equal(cap.seen.length, 0);
    assert.equal(c.stats.unknownTemplate, 3);
    c.datagram(templated(version, { domain: 1, data: [{ template: T4, flows: [NTP] }] }), '127.0.0.1', 9000);
    assert.equal(cap.seen.length, 1);
  });

  test(`${name}: a template expires when not refreshed, and a new one with the same ID replaces it`, () => {
    const cap = new Capture();
    const c = new FlowCollector(cap, { templateTimeoutMs: 60_000 });
    c.datagram(templated(version, { templates: [T4] }), '127.0.0.1', 9000, 1_000_000);
    c.datagram(templated(version, { data: [{ template: T4, flows: [NTP] }] }), '127.0.0.1', 9000, 1_059_000);
    assert.equal(cap.seen.length, 1);
    c.datagram(templated(version, { data: [{ template: T4, flows: [NTP] }] }), '127.0.0.1', 9000, 1_061_000);
    assert.equal(cap.seen.length, 1);
    assert.equal(c.stats.templatesExpired, 1);
    assert.equal(c.stats.unknownTemplate, 1);
    // Re-learned with another layout under the same ID: the data is read with the new one.
    const other: TemplateSpec = {
      id: 256,
      fields: [
        [12, 4],
        [8, 4],
        [2, 8],
        [1, 8],
        [4, 1],
        [11, 2],
        [7, 2],
        [6, 1],
      ],
    };
    c.datagram(templated(version, { templates: [other] }), '127.0.0.1', 9000, 1_062_000);
    c.datagram(templated(version, { data: [{ template: other, flows: [SYN] }] }), '127.0.0.1', 9000, 1_062_000);
    assert.deepEqual(pick(cap.seen[1]!, seenOf(SYN)), seenOf(SYN));
  });

  test(`${name}: a set that runs past the datagram drops the datagram and is counted`, () => {
    const cap = new Capture();
    const c = new FlowCollector(cap);
    c.datagram(templated(version, { templates: [T4] }), '127.0.0.1', 9000);
    const d = templated(version, { data: [{ template: T4, flows: [NTP, SYN] }] });
    // Cut the datagram but fix the IPFIX message length, so the set length is what is wrong.
    const cut = d.slice(0, d.length - 5);
    if (version === 10) {
      cut[2] = cut.length >> 8;
      cut[3] = cut.length & 0xff;
    }
    assert.equal(c.datagram(cut, '127.0.0.1', 9000), 0);
    assert.equal(c.stats.malformed, 1);
    assert.match(c.stats.lastError, /runs past the datagram/);
    assert.equal(cap.seen.length, 0);
  });
}

test('ipfix: variable-length fields and enterprise fields are stepped over', () => {
  const cap = new Capture();
  const c = new FlowCollector(cap);
  // Template 300: sourceIPv4Address, an enterprise field (IE 0x8001, enterprise 9) of 4 bytes, a variable-length
  // field (IE 82 interfaceName), then destinationIPv4Address, protocol, packets, octets.
  const tpl = [0, 10, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 2, 0, 0, 0x01, 0x2c, 0, 7];
  const fields = [
    [8, 4],
    [0x8001, 4, 9],
    [82, 0xffff],
    [12, 4],
    [4, 1],
    [2, 4],
    [1, 4],
  ];
  const bytes: number[] = [...tpl];
  for (const f of fields) {
    bytes.push(f[0]! >> 8, f[0]! & 255, f[1]! >> 8, f[1]! & 255);
    if (f[2] !== undefined) bytes.push(0, 0, 0, f[2]);
  }
  const setLen = bytes.length - 16;
  bytes[18] = setLen >> 8;
  bytes[19] = setLen & 255;
  const data = [1, 0x2c, 0, 0];
  // Two records: name "eth0" (1-byte length), then name of 300 bytes (255 then a 2-byte length).
  const rec = (name: number[]) => [198, 51, 100, 7, 0, 0, 0, 0, ...name, 203, 0, 113, 10, 17, 0, 0, 0, 5, 0, 0, 1, 0];
  data.push(...rec([4, 101, 116, 104, 48]));
  data.push(...rec([255, 1, 44, ...new Array(300).fill(120)]));
  data[2] = data.length >> 8;
  data[3] = data.length & 255;
  const all = [...bytes, ...data];
  all[2] = all.length >> 8;
  all[3] = all.length & 255;
  assert.equal(c.datagram(Uint8Array.from(all), '127.0.0.1', 9000), 2);
  for (const s of cap.seen)
    assert.deepEqual(pick(s, { src: '', dst: '', proto: 0, packets: 0, bytes: 0 }), {
      src: '198.51.100.7',
      dst: '203.0.113.10',
      proto: 17,
      packets: 5,
      bytes: 256,
    });
});

test('ipfix: the sampling interval of an options record applies to the exporter domain', () => {
  const cap = new Capture();
  const c = new FlowCollector(cap);
  // Options template 400: scope observationDomainId (149, 4 bytes), samplingInterval (34, 4 bytes).
  const opt = [
    0, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 18, 1, 0x90, 0, 2, 0, 1, 0, 149, 0, 4, 0, 34, 0, 4,
  ];
  const data = [1, 0x90, 0, 12, 0, 0, 0, 0, 0, 0, 0, 64];
  const all = [...opt, ...data];
  all[3] = all.length;
  c.datagram(Uint8Array.from(all), '127.0.0.1', 9000);
  c.datagram(templated(10, { templates: [T4], data: [{ template: T4, flows: [NTP] }] }), '127.0.0.1', 9000);
  assert.deepEqual(pick(cap.seen[0]!, seenOf(NTP, 64)), seenOf(NTP, 64));
  // A configured rate for the exporter wins over what it says.
  const cap2 = new Capture();
  const c2 = new FlowCollector(cap2, { sampling: new Map([['127.0.0.1', 1000]]) });
  c2.datagram(Uint8Array.from(all), '127.0.0.1', 9000);
  c2.datagram(templated(10, { templates: [T4], data: [{ template: T4, flows: [NTP] }] }), '127.0.0.1', 9000);
  assert.equal(cap2.seen[0]!.packets, 10_000);
});

test('sflow: raw headers decoded to IPv4/IPv6 and TCP/UDP/ICMP, the sampling rate applied, counters counted', () => {
  const cap = new Capture();
  const c = new FlowCollector(cap);
  const d = sflow(
    [
      { src: '198.51.100.7', dst: '203.0.113.10', proto: 17, sport: 123, dport: 40000, payload: 440 },
      { src: '192.0.2.99', dst: '203.0.113.11', proto: 6, sport: 5555, dport: 80, flags: 0x02 },
      { src: '2001:db8::7', dst: '2001:db8:1::10', proto: 17, sport: 53, dport: 33000, payload: 1000 },
      { src: '192.0.2.5', dst: '203.0.113.12', proto: 1 },
      { src: '192.0.2.6', dst: '203.0.113.13', proto: 17, sport: 1, dport: 2, payload: 100, frag: 0x2000 },
    ],
    512,
    { counters: 2 },
  );
  assert.equal(c.datagram(d, '127.0.0.1', 6343), 5);
  assert.equal(c.stats.counterSamples, 2);
  const [ntp, syn, dns, icmp, frag] = cap.seen;
  // Frame: 14 Ethernet + 20 IPv4 + 8 UDP + 440, plus the 4-byte FCS sFlow counts in the frame length.
  assert.deepEqual(pick(ntp!, { dst: '', sport: 0, dport: 0, proto: 0, packets: 0, bytes: 0, flows: 0 }), {
    dst: '203.0.113.10',
    sport: 123,
    dport: 40000,
    proto: 17,
    packets: 512,
    bytes: 486 * 512,
    flows: 0,
  });
  assert.equal(syn!.flags, 0x02);
  assert.equal(syn!.proto, 6);
  assert.deepEqual(pick(dns!, { src: '', dst: '', sport: 0, bytes: 0 }), {
    src: '2001:db8::7',
    dst: '2001:db8:1::10',
    sport: 53,
    bytes: (14 + 40 + 8 + 1000 + 4) * 512,
  });
  assert.equal(icmp!.proto, 1);
  assert.equal(frag!.fragment, 1);
});

test('sflow: a sample that runs past the datagram drops it whole', () => {
  const cap = new Capture();
  const c = new FlowCollector(cap);
  const d = sflow([{ src: '192.0.2.1', dst: '203.0.113.1', proto: 17, sport: 1, dport: 2 }], 1);
  assert.equal(c.datagram(d.subarray(0, d.length - 4), '127.0.0.1', 6343), 0);
  assert.equal(c.stats.malformed, 1);
  assert.equal(cap.seen.length, 0);
});

test('no datagram, cut or corrupted anywhere, makes a collector throw', () => {
  const c = new FlowCollector(new Capture());
  const good = [
    netflow5([NTP, SYN]),
    templated(9, { templates: [T4, T6], data: [{ template: T4, flows: [NTP] }] }),
    templated(10, { templates: [T4, T6], data: [{ template: T6, flows: [V6] }] }),
    sflow([{ src: '192.0.2.1', dst: '203.0.113.1', proto: 6, sport: 1, dport: 2 }], 10, { counters: 1 }),
  ];
  fc.assert(
    fc.property(
      fc.nat(good.length - 1),
      fc.nat(2000),
      fc.array(fc.tuple(fc.nat(2000), fc.nat(255)), { maxLength: 8 }),
      (which, cut, flips) => {
        const d = good[which]!.slice(0, Math.max(0, good[which]!.length - (cut % 40)));
        for (const [at, v] of flips) if (d.length > 0) d[at % d.length] = v;
        c.datagram(d, '127.0.0.1', 9000);
      },
    ),
    { numRuns: 3000 },
  );
  assert.equal(c.stats.datagrams, 3000);
});

test('netflow v9: the sampling interval of an options record applies to the exporter Source ID', () => {
  const cap = new Capture();
  const c = new FlowCollector(cap);
  // Header (count 2, Source ID 0); options template FlowSet 1: template 300, scope 4 bytes (System, 4), option 4
  // bytes (SAMPLING_INTERVAL 34, 4), padded to 20; data FlowSet 300: scope value, interval 128.
  const head = [0, 9, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0];
  const opt = [0, 1, 0, 20, 1, 0x2c, 0, 4, 0, 4, 0, 1, 0, 4, 0, 34, 0, 4, 0, 0];
  const data = [1, 0x2c, 0, 12, 0, 0, 0, 1, 0, 0, 0, 128];
  c.datagram(Uint8Array.from([...head, ...opt, ...data]), '127.0.0.1', 9000);
  c.datagram(templated(9, { templates: [T4], data: [{ template: T4, flows: [NTP] }] }), '127.0.0.1', 9000);
  assert.equal(c.stats.malformed, 0, c.stats.lastError);
  assert.deepEqual(pick(cap.seen[0]!, seenOf(NTP, 128)), seenOf(NTP, 128));
});

test('ipfix: a template withdrawal (field count 0) forgets the template; the data after it is counted unknown', () => {
  const cap = new Capture();
  const c = new FlowCollector(cap);
  c.datagram(templated(10, { templates: [T4], data: [{ template: T4, flows: [NTP] }] }), '127.0.0.1', 9000);
  assert.equal(cap.seen.length, 1);
  // Template set with one withdrawal record: template 256, field count 0 (RFC 7011 §8.1).
  const w = [0, 10, 0, 24, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 2, 0, 8, 1, 0, 0, 0];
  c.datagram(Uint8Array.from(w), '127.0.0.1', 9000);
  c.datagram(templated(10, { data: [{ template: T4, flows: [NTP] }] }), '127.0.0.1', 9000);
  assert.equal(cap.seen.length, 1);
  assert.equal(c.stats.unknownTemplate, 1);
});

test('sflow raw headers: 802.1Q tags, IPv6 extension headers and fragments, headers cut short', () => {
  const r = new FlowRecord();
  const eth = (type: number, tags: number[] = []) => [
    ...[2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2],
    ...tags.flatMap((t) => [0x81, 0x00, 0, t]),
    type >> 8,
    type & 255,
  ];
  const v4 = [0x45, 0, 0, 40, 0, 1, 0, 0, 64, 6, 0, 0, 192, 0, 2, 1, 203, 0, 113, 9];
  const tcp = [0x13, 0x88, 0, 80, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0, 0, 0, 0, 0, 0];
  const tagged = Uint8Array.from([...eth(0x0800, [10, 20]), ...v4, ...tcp]);
  assert.equal(decodeHeader(tagged, 0, tagged.length, 1, r), true);
  assert.deepEqual(
    [addressText(r.dst, 4), r.proto, r.srcPort, r.dstPort, r.tcpFlags, r.fragment],
    ['203.0.113.9', 6, 5000, 80, 2, 0],
  );
  // IPv6: hop-by-hop (8 bytes) then a fragment header, then UDP; first fragment (offset 0, M set), then a later one.
  const v6 = (offsetAndM: number) => [
    ...[0x60, 0, 0, 0, 0, 24, 0, 64],
    ...ipBytes('2001:db8::1'),
    ...ipBytes('2001:db8:1::9'),
    ...[44, 0, 0, 0, 0, 0, 0, 0],
    ...[17, 0, offsetAndM >> 8, offsetAndM & 255, 0, 0, 0, 7],
    ...[0, 53, 0x9c, 0x40, 0, 8, 0, 0],
  ];
  const first = Uint8Array.from([...eth(0x86dd), ...v6(0x0001)]);
  assert.equal(decodeHeader(first, 0, first.length, 1, r), true);
  assert.deepEqual(
    [addressText(r.dst, 6), r.proto, r.srcPort, r.dstPort, r.fragment],
    ['2001:db8:1::9', 17, 53, 40000, 1],
  );
  const later = Uint8Array.from([...eth(0x86dd), ...v6(185 << 3)]);
  assert.equal(decodeHeader(later, 0, later.length, 1, r), true);
  assert.deepEqual([r.proto, r.srcPort, r.dstPort, r.fragment], [17, 0, 0, 1]);
  // Cut inside the IP header, or not IP at all: nothing decoded.
  assert.equal(decodeHeader(tagged, 0, 30, 1, r), false);
  const arp = Uint8Array.from([...eth(0x0806), ...new Array(28).fill(0)]);
  assert.equal(decodeHeader(arp, 0, arp.length, 1, r), false);
});
