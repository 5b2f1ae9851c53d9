// Real exporters: packet captures written here (an NTP reflection flood, a SYN flood, normal traffic over IPv4
// and IPv6) are turned into NetFlow v5, v9 and IPFIX by Debian's softflowd. tsbgp's collector must count as many
// records as softflowd says it exported, and its packets and octets per protocol; and for v5 and IPFIX, pmacct's
// nfacctd on the same export must count the same flows, packets and bytes per destination host and protocol.
// (nfacctd 1.7.7's print plugin died on softflowd's NetFlow v9 export in runs here, "connection lost to
// default_print-print", so v9 is checked against softflowd's own statistics only.)

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { FlowCollector } from '../../src/ddos/collector';
import { addressText, type FlowRecord, type FlowSink } from '../../src/ddos/record';
import { mix, normalTraffic, ntpFlood, synFlood, timed } from '../support/ddos-traffic';
import { pcap } from '../support/flow-packets';
import {
  allocAddress,
  freePort,
  ManagedProcess,
  makeTempDir,
  removeTempDirs,
  runCmd,
  skipReason,
  sleep,
  stopAll,
  waitFor,
} from './peers/common';

const skip = skipReason('softflowd', 'nfacctd');

after(async () => {
  await stopAll();
  removeTempDirs();
});

const PRIMER = '198.18.0.1';
const PROTO: Record<string, number> = { tcp: 6, udp: 17, icmp: 1, 'ipv6-icmp': 58 };

type Totals = Map<string, { flows: number; packets: number; bytes: number }>;

class Totaller implements FlowSink {
  readonly totals: Totals = new Map();
  record(r: FlowRecord): void {
    const k = `${addressText(r.dst, r.family)} ${r.proto}`;
    const t = this.totals.get(k) ?? { flows: 0, packets: 0, bytes: 0 };
    t.flows += r.flows;
    t.packets += r.packets;
    t.bytes += r.bytes;
    this.totals.set(k, t);
  }
}

function readNfacctd(file: string): Totals {
  const out: Totals = new Map();
  if (!fs.existsSync(file)) return out;
  // Appended purge by purge: a header line before each, rows of the same key summed.
  let head: string[] = [];
  for (const l of fs.readFileSync(file, 'utf8').trim().split('\n')) {
    const v = l.split(',');
    if (v[0] === 'DST_IP') {
      head = v;
      continue;
    }
    const col = (n: string) => v[head.indexOf(n)]!;
    const proto = PROTO[col('PROTOCOL')] ?? Number(col('PROTOCOL'));
    const k = `${col('DST_IP')} ${proto}`;
    const t = out.get(k) ?? { flows: 0, packets: 0, bytes: 0 };
    t.flows += Number(col('FLOWS'));
    t.packets += Number(col('PACKETS'));
    t.bytes += Number(col('BYTES'));
    out.set(k, t);
  }
  return out;
}

interface Softflowd {
  records: number;
  perProto: Map<number, { packets: number; bytes: number }>;
}

/** softflowd's closing statistics: records exported, and octets and packets per protocol. */
function softflowdSummary(out: string): Softflowd {
  const m = /Flows exported: (\d+) \((\d+) records\)/.exec(out);
  assert.ok(m, `softflowd's summary: ${out}`);
  const perProto = new Map<number, { packets: number; bytes: number }>();
  for (const l of out.matchAll(/^\s*\S+ \((\d+)\):\s+(\d+)\s+(\d+)\s/gm))
    perProto.set(Number(l[1]), { bytes: Number(l[2]), packets: Number(l[3]) });
  return { records: Number(m[2]), perProto };
}

const sum = (t: Totals, k: 'flows' | 'packets' | 'bytes'): number => [...t.values()].reduce((a, b) => a + b[k], 0);
const sorted = (t: Totals) => [...t.entries()].sort(([a], [b]) => (a < b ? -1 : 1));

for (const version of [5, 9, 10] as const) {
  test(`softflowd -v ${version}: tsbgp's collector counts what softflowd exported${version === 9 ? '' : ' and what nfacctd counts'}`, {
    skip,
    timeout: 60_000,
  }, async () => {
    const dir = makeTempDir('ddos-softflowd');
    const file = path.join(dir, 'traffic.pcap');
    fs.writeFileSync(file, pcap(timed(mix(ntpFlood(3000), synFlood(2000), normalTraffic(200)))));

    const sink = new Totaller();
    const collector = new FlowCollector(sink);
    const ours = allocAddress();
    await collector.listen([{ address: ours, port: 0 }]);
    const ourPort = collector.ports()[0]!;

    const theirs = allocAddress();
    const theirPort = await freePort(theirs);
    const csv = path.join(dir, 'nfacctd.csv');
    const conf = path.join(dir, 'nfacctd.conf');
    fs.writeFileSync(
      conf,
      [
        'daemonize: false',
        `nfacctd_ip: ${theirs}`,
        `nfacctd_port: ${theirPort}`,
        'plugins: print',
        'aggregate: dst_host, proto, flows',
        'print_output: csv',
        `print_output_file: ${csv}`,
        'print_refresh_time: 1',
        'print_output_file_append: true',
        // A burst of a few hundred datagrams: room in nfacctd's socket.
        'nfacctd_pipe_size: 33554432',
        '',
      ].join('\n'),
    );
    const nfacctd = new ManagedProcess('nfacctd', 'nfacctd', ['-f', conf], path.join(dir, 'nfacctd.log'));
    try {
      await waitFor(() => /waiting for NetFlow/.test(nfacctd.log()), 10_000, 'nfacctd to listen');
      // -c none: no control socket (softflowd 1.1.0 reading a file otherwise blocks on it); -6 tracks IPv6 too
      // (IPFIX only here: NetFlow v5 cannot carry it).
      const replay = async (pcapFile: string, addr: string, port: number): Promise<Softflowd> => {
        const args = ['-d', '-r', pcapFile, '-n', `${addr}:${port}`, '-v', String(version), '-c', 'none'];
        if (version === 10) args.push('-6');
        const r = await runCmd('softflowd', args, 30_000);
        assert.equal(r.code, 0, r.stderr);
        return softflowdSummary(`${r.stdout}${r.stderr}`);
      };
      const own = await replay(file, ours, ourPort);
      await waitFor(
        () => sum(sink.totals, 'flows') === own.records,
        10_000,
        `our collector to count ${own.records} flows`,
      );
      // softflowd's own account of what it exported, per protocol.
      const perProto = new Map<number, { packets: number; bytes: number }>();
      for (const [k, t] of sink.totals) {
        const proto = Number(k.split(' ')[1]);
        const p = perProto.get(proto) ?? { packets: 0, bytes: 0 };
        p.packets += t.packets;
        p.bytes += t.bytes;
        perProto.set(proto, p);
      }
      assert.deepEqual([...perProto.entries()].sort(), [...own.perProto.entries()].sort());
      if (version !== 9) {
        // nfacctd keys templates by exporter address only and, in runs here, now and then missed the first
        // datagram of a burst (the one with the templates) and dropped data until softflowd repeated them: one
        // flow to a host outside the comparison is replayed to it first, until it shows.
        const primer = path.join(dir, 'primer.pcap');
        fs.writeFileSync(primer, pcap(timed([{ src: '192.0.2.1', dst: PRIMER, proto: 6, sport: 1, dport: 2 }])));
        await waitFor(
          async () => {
            await replay(primer, theirs, theirPort);
            await sleep(1500);
            return readNfacctd(csv).has(`${PRIMER} 6`);
          },
          20_000,
          'nfacctd to count the primer flow',
        );
        assert.equal((await replay(file, theirs, theirPort)).records, own.records);
        const ref = await waitFor(
          () => {
            const t = readNfacctd(csv);
            t.delete(`${PRIMER} 6`);
            return sum(t, 'flows') === own.records ? t : undefined;
          },
          15_000,
          `nfacctd to count ${own.records} flows`,
        );
        assert.deepEqual(sorted(sink.totals), sorted(ref));
      }
      assert.equal(collector.stats.malformed, 0);
      assert.equal(collector.stats.unknownTemplate, 0);
      // The floods are all there: 3000 NTP packets at the first victim, 2000 SYNs at the second.
      assert.equal(sink.totals.get('203.0.113.10 17')?.packets, 3000);
      assert.equal(sink.totals.get('203.0.113.11 6')?.packets, 2000);
      if (version === 10) assert.ok(sink.totals.has('2001:db8:1::20 6'), 'IPv6 flows exported with -6');
    } finally {
      collector.close();
      await nfacctd.stop();
    }
  });
}
