// The DDoS collector's benchmark (`npm run bench -- ddos`, bench/scenarios/ddos.ts): flow records decoded and
// accounted per second on one core for NetFlow v9, IPFIX and sFlow, with 100,000 distinct destination hosts in the
// host table, and the memory per tracked host. Datagrams are built here (test/support/flow-packets.ts), the way
// exporters fill them: about 1,400 bytes each, templates once every 500 datagrams.

import { FlowCollector } from '../src/ddos/collector';
import { defaultDdos } from '../src/ddos/config';
import { Detector } from '../src/ddos/detector';
import { HostTable } from '../src/ddos/hosts';
import { Mitigator } from '../src/ddos/mitigator';
import {
  sflow,
  type TemplateSpec,
  type TestFlow,
  type TestPacket,
  templated,
  V4_FIELDS,
} from '../test/support/flow-packets';
import { wordPrefixOf } from './ddos-prefix';

export const HOSTS = 100_000;
export const NETWORK = '10.0.0.0/8';
const T: TemplateSpec = { id: 256, fields: V4_FIELDS };
/** 30-byte records (V4_FIELDS) in ~1,400-byte datagrams. */
export const PER_DATAGRAM = 45;
/** sFlow: 7 samples of a 128-byte header each. */
const SAMPLES = 7;

/** The i-th destination host: 10.x.y.z, spread over the /8. */
export const hostAddress = (i: number): string => {
  const v = (i * 167) % 16_777_216;
  return `10.${v >>> 16}.${(v >>> 8) & 255}.${v & 255}`;
};

function flowOf(i: number): TestFlow {
  return {
    src: `198.51.100.${1 + (i % 250)}`,
    dst: hostAddress(i % HOSTS),
    proto: i % 3 === 0 ? 6 : 17,
    sport: i % 5 === 0 ? 123 : 1024 + (i % 60000),
    dport: 80 + (i % 7),
    packets: 1 + (i % 20),
    bytes: 64 * (1 + (i % 20)),
    flags: 0x12,
  };
}

/** NetFlow v9 or IPFIX datagrams covering every host once (templates in the first and every 500th). */
export function templatedDatagrams(version: 9 | 10): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0, d = 0; i < HOSTS; i += PER_DATAGRAM, d++) {
    const flows: TestFlow[] = [];
    for (let j = i; j < Math.min(HOSTS, i + PER_DATAGRAM); j++) flows.push(flowOf(j));
    out.push(templated(version, { ...(d % 500 === 0 ? { templates: [T] } : {}), data: [{ template: T, flows }] }));
  }
  return out;
}

export function sflowDatagrams(): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < HOSTS; i += SAMPLES) {
    const pk: TestPacket[] = [];
    for (let j = i; j < Math.min(HOSTS, i + SAMPLES); j++) {
      const f = flowOf(j);
      pk.push({ src: f.src, dst: f.dst, proto: f.proto, sport: f.sport, dport: f.dport, payload: 400 });
    }
    out.push(sflow(pk, 1024));
  }
  return out;
}

export interface DecodeResult {
  records: number;
  seconds: number;
  perSecond: number;
  hosts: number;
}

/** Decode and account `datagrams` over and over for about `ms` milliseconds, into one host table. */
export function decodeRate(datagrams: Uint8Array[], ms = 3000): DecodeResult {
  const hosts = new HostTable([wordPrefixOf(NETWORK, 0)]);
  const c = new FlowCollector(hosts);
  const now = Date.now();
  // Warm-up pass: templates learned, every host inserted, the code optimised.
  for (const d of datagrams) c.datagram(d, '127.0.0.1', 9000, now);
  const before = c.stats.records;
  const t0 = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < ms) {
    for (const d of datagrams) c.datagram(d, '127.0.0.1', 9000, now);
    elapsed = Number(process.hrtime.bigint() - t0) / 1e6;
  }
  const records = c.stats.records - before;
  if (c.stats.malformed > 0) throw new Error(`benchmark datagrams malformed: ${c.stats.lastError}`);
  return { records, seconds: elapsed / 1000, perSecond: records / (elapsed / 1000), hosts: hosts.size };
}

/**
 * Memory per tracked host with HOSTS hosts: the host table's arrays (grown by doubling, so with the rows allocated
 * ahead) over the hosts. The table holds no object per host, so its arrays are all of it.
 */
export function memoryPerHost(): { table: number } {
  const hosts = new HostTable([wordPrefixOf(NETWORK, 0)], undefined, 16);
  const c = new FlowCollector(hosts);
  for (const d of templatedDatagrams(10)) c.datagram(d, '127.0.0.1', 9000);
  return { table: hosts.bytes() / hosts.size };
}

/**
 * The detector's once-a-second check over HOSTS hosts (four thresholds each, none crossed): milliseconds per tick,
 * the median of ten.
 */
export function tickMs(): number {
  const cfg = defaultDdos({ file: 'bench', line: 1, col: 1 });
  cfg.groups.push({
    name: 'all',
    networks: [{ ...wordPrefixOf(NETWORK, 0), text: NETWORK }],
    thresholds: [
      { metric: 'pps', value: 1e9 },
      { metric: 'bps', value: 1e12 },
      { metric: 'amplification-pps', value: 1e9 },
      { metric: 'syn-pps', value: 1e9 },
    ],
    pos: cfg.pos,
  });
  const hosts = new HostTable(cfg.groups[0]!.networks);
  const c = new FlowCollector(hosts);
  for (const d of templatedDatagrams(10)) c.datagram(d, '127.0.0.1', 9000);
  let now = Date.now();
  const det = new Detector(cfg, hosts, new Mitigator(cfg, () => null), () => undefined, now);
  const times: number[] = [];
  for (let i = 0; i < 10; i++) {
    now += 1000;
    const t0 = process.hrtime.bigint();
    det.tick(now);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return times.sort((a, b) => a - b)[5]!;
}
