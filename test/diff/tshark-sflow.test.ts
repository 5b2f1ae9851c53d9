// The sFlow datagrams the tests and the benchmark build are checked by an independent decoder: tshark's sFlow
// dissector must read every sample as we meant it (sampling rate, frame length, the packet in the header), and
// tsbgp's collector must read the same numbers from the same bytes.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { FlowCollector } from '../../src/ddos/collector';
import { addressText, type FlowRecord } from '../../src/ddos/record';
import { sflow, type TestPacket } from '../support/flow-packets';
import { skipReason } from '../support/programs';

const skip = skipReason('tshark');

const FIELDS = [
  'sflow_245.numsamples',
  'sflow.flow_sample.sampling_rate',
  'sflow_245.header.frame_length',
  'ip.src',
  'ip.dst',
  'ipv6.src',
  'ipv6.dst',
  'ip.proto',
  'ipv6.nxt',
  'udp.srcport',
  'udp.dstport',
  'tcp.srcport',
  'tcp.dstport',
  'tcp.flags',
  'ip.flags.mf',
];

/** tshark's reading of one sFlow datagram: one map of field → values (one per sample, in order). */
function tshark(datagram: Uint8Array): Record<string, string[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsbgp-sflow-'));
  try {
    const txt = path.join(dir, 'd.txt');
    fs.writeFileSync(txt, `000000 ${Buffer.from(datagram).toString('hex').replace(/(..)/g, '$1 ')}\n`);
    execFileSync('text2pcap', ['-q', '-u', '40000,6343', txt, path.join(dir, 'd.pcap')]);
    const out = execFileSync(
      'tshark',
      [
        '-r',
        path.join(dir, 'd.pcap'),
        '-T',
        'fields',
        '-E',
        'occurrence=a',
        '-E',
        'aggregator=|',
        ...FIELDS.flatMap((f) => ['-e', f]),
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    )
      .toString()
      .trimEnd()
      .split('\t');
    // The first ip.* / udp.* occurrences are the outer datagram's own headers (192.0.2.x... from text2pcap).
    return Object.fromEntries(FIELDS.map((f, i) => [f, out[i] ? out[i]!.split('|') : []]));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('tshark reads our sFlow samples as built, and so does the collector', { skip }, () => {
  const packets: TestPacket[] = [
    { src: '198.51.100.7', dst: '203.0.113.10', proto: 17, sport: 123, dport: 40000, payload: 440 },
    { src: '192.0.2.99', dst: '203.0.113.11', proto: 6, sport: 5555, dport: 80, flags: 0x02 },
    { src: '2001:db8::7', dst: '2001:db8:1::10', proto: 17, sport: 53, dport: 33000, payload: 1000 },
    { src: '192.0.2.6', dst: '203.0.113.13', proto: 17, sport: 7, dport: 9, payload: 100, frag: 0x2000 },
  ];
  const d = sflow(packets, 2048, { counters: 1 });
  const t = tshark(d);
  assert.deepEqual(t['sflow_245.numsamples'], ['5']);
  assert.deepEqual(t['sflow.flow_sample.sampling_rate'], ['2048', '2048', '2048', '2048']);
  // Outer IPv4/UDP headers come first, then the sampled ones.
  assert.deepEqual(t['ip.src']!.slice(1), ['198.51.100.7', '192.0.2.99', '192.0.2.6']);
  assert.deepEqual(t['ip.dst']!.slice(1), ['203.0.113.10', '203.0.113.11', '203.0.113.13']);
  assert.deepEqual(t['ipv6.src'], ['2001:db8::7']);
  assert.deepEqual(t['udp.srcport']!.slice(1), ['123', '53', '7']);
  assert.deepEqual(t['tcp.srcport'], ['5555']);
  assert.deepEqual(t['tcp.dstport'], ['80']);
  assert.equal(Number(t['tcp.flags']![0]), 0x02);
  assert.deepEqual(
    t['ip.flags.mf']!.slice(1).map((v) => v === '1' || v === 'True'),
    [false, false, true],
  );

  const seen: {
    src: string;
    dst: string;
    sport: number;
    dport: number;
    bytes: number;
    packets: number;
    frag: number;
  }[] = [];
  const c = new FlowCollector({
    record(r: FlowRecord) {
      seen.push({
        src: addressText(r.src, r.family),
        dst: addressText(r.dst, r.family),
        sport: r.srcPort,
        dport: r.dstPort,
        bytes: r.bytes,
        packets: r.packets,
        frag: r.fragment,
      });
    },
  });
  assert.equal(c.datagram(d, '127.0.0.1', 6343), 4);
  assert.equal(c.stats.counterSamples, 1);
  const frames = t['sflow_245.header.frame_length']!.map(Number);
  assert.deepEqual(
    seen.map((s) => s.bytes),
    frames.map((f) => f * 2048),
  );
  assert.deepEqual(
    seen.map((s) => s.src),
    packets.map((p) => p.src),
  );
  assert.deepEqual(
    seen.map((s) => s.frag),
    [0, 0, 0, 1],
  );
  assert.ok(seen.every((s) => s.packets === 2048));
});
