// The traffic the DDoS tests replay: an NTP reflection flood at one victim, a SYN flood at another, and normal
// traffic (TCP sessions with handshakes, DNS queries and answers, ICMP echo, some IPv6) at a third host, as
// packet lists for flow-packets.ts to write into pcap files or sFlow samples.

import type { TestPacket } from './flow-packets';

export const NTP_VICTIM = '203.0.113.10';
export const SYN_VICTIM = '203.0.113.11';
export const NORMAL_HOST = '203.0.113.20';
export const NORMAL_HOST6 = '2001:db8:1::20';

/** Time from packet to packet, microseconds (the pcap clock starts at an arbitrary fixed second). */
const GAP = 50;

/** `count` NTP monlist answers (468-byte IP packets) from 250 reflectors to random high ports of the victim. */
export function ntpFlood(count: number, victim = NTP_VICTIM): TestPacket[] {
  const out: TestPacket[] = [];
  for (let i = 0; i < count; i++) {
    out.push({
      src: `198.51.100.${1 + (i % 250)}`,
      dst: victim,
      proto: 17,
      sport: 123,
      dport: 1024 + ((i * 7919) % 60000),
      payload: 440,
    });
  }
  return out;
}

/** `count` bare SYNs from spoofed sources to the victim's port (80 by default). */
export function synFlood(count: number, victim = SYN_VICTIM, dport = 80): TestPacket[] {
  const out: TestPacket[] = [];
  for (let i = 0; i < count; i++) {
    out.push({
      src: `192.0.2.${1 + (i % 200)}`,
      dst: victim,
      proto: 6,
      sport: 1024 + ((i * 104729) % 60000),
      dport,
      flags: 0x02,
    });
  }
  return out;
}

/** Ordinary traffic to a host: `sessions` TCP sessions (handshake, data, FIN), DNS, ping, IPv6 HTTPS. */
export function normalTraffic(sessions: number, host = NORMAL_HOST, host6 = NORMAL_HOST6): TestPacket[] {
  const out: TestPacket[] = [];
  for (let s = 0; s < sessions; s++) {
    const client = `192.0.2.${100 + (s % 50)}`;
    const sport = 40000 + s;
    out.push({ src: client, dst: host, proto: 6, sport, dport: 443, flags: 0x02 });
    out.push({ src: host, dst: client, proto: 6, sport: 443, dport: sport, flags: 0x12 });
    out.push({ src: client, dst: host, proto: 6, sport, dport: 443, flags: 0x10 });
    for (let d = 0; d < 4; d++)
      out.push({ src: client, dst: host, proto: 6, sport, dport: 443, flags: 0x18, payload: 500 });
    out.push({ src: client, dst: host, proto: 6, sport, dport: 443, flags: 0x11 });
    out.push({ src: client, dst: host, proto: 17, sport: 50000 + s, dport: 53, payload: 40 });
    out.push({ src: host, dst: client, proto: 17, sport: 53, dport: 50000 + s, payload: 120 });
    if (s % 10 === 0) out.push({ src: client, dst: host, proto: 1 });
    if (s % 5 === 0) {
      const c6 = `2001:db8:2::${(s % 50) + 1}`;
      out.push({ src: c6, dst: host6, proto: 6, sport, dport: 443, flags: 0x02 });
      out.push({ src: c6, dst: host6, proto: 6, sport, dport: 443, flags: 0x18, payload: 300 });
    }
  }
  return out;
}

/** Packets in time order, GAP microseconds apart, starting at `start` (µs since the epoch). */
export function timed(packets: TestPacket[], start = 1_800_000_000_000_000): TestPacket[] {
  return packets.map((p, i) => ({ ...p, time: start + i * GAP }));
}

/** Interleave lists packet by packet (traffic to several hosts at once). */
export function mix(...lists: TestPacket[][]): TestPacket[] {
  const out: TestPacket[] = [];
  const max = Math.max(...lists.map((l) => l.length));
  for (let i = 0; i < max; i++) for (const l of lists) if (i < l.length) out.push(l[i]!);
  return out;
}
