// How fast does a real daemon take in a full table? Starts the daemon with one passive neighbor, points
// bench/sender.ts at it, and measures from Established until the daemon reports every prefix received.
//
// CLI: node dist/bench/peers/ingest.js <bird|gobgp|frr> [count=1000000] [ipv4|ipv6]
// Prints one JSON line per run.

import { allocEndpoint, createDaemon, type DaemonKind, sleep, stopAll } from '../../test/interop/peers';
import { type SenderReport, startSender } from '../sender';

export interface IngestResult {
  daemon: DaemonKind;
  family: 'ipv4' | 'ipv6';
  count: number;
  /** Sender: ms from Established to the last byte handed to the kernel. */
  sendMs: number;
  /** ms from Established until the daemon counted all prefixes. */
  ingestMs: number;
  updates: number;
  bytes: number;
}

/** Anything with receivedCount(neighbor, family), which Bird, GoBgp and Frr all have. */
type Counting = { receivedCount(neighbor: string, family: 'ipv4' | 'ipv6'): Promise<number> };

/**
 * `pollMs`: how often to ask the daemon for its count. GoBGP computes the per-neighbor counters by walking
 * its Adj-RIB-In on every request, so frequent polling slows its ingestion down badly; poll it sparsely.
 */
export async function measureIngest(
  kind: Exclude<DaemonKind, 'exabgp'>,
  count: number,
  family: 'ipv4' | 'ipv6' = 'ipv4',
  timeoutMs = 600_000,
  pollMs = kind === 'gobgp' ? 2000 : 100,
): Promise<IngestResult> {
  const d = createDaemon(kind);
  const ed = await allocEndpoint();
  const es = await allocEndpoint();
  await d.start({
    ...ed,
    as: 65000,
    holdTime: 180,
    neighbors: [{ ...es, as: 65001, passive: true, families: [family] }],
  });
  const sender = await startSender({
    host: ed.address,
    port: ed.port,
    localAddress: es.address,
    as: 65001,
    count,
    family,
    holdTime: 180,
  });
  try {
    const establishedAt = await sender.established;
    let report: SenderReport | undefined;
    sender.done.then(
      (r) => (report = r),
      () => undefined,
    );
    const c = d as unknown as Counting;
    for (;;) {
      // A daemon busy ingesting may not answer its CLI in time (GoBGP's gRPC, notably): retry.
      const n = await c.receivedCount(es.address, family).catch(() => -1);
      if (n >= count) break;
      if (performance.now() - establishedAt > timeoutMs)
        throw new Error(`${kind}: only ${n} of ${count} after ${timeoutMs} ms`);
      await sleep(pollMs);
    }
    const ingestMs = performance.now() - establishedAt;
    const r = report ?? (await sender.done);
    return { daemon: kind, family, count, sendMs: r.sendMs, ingestMs, updates: r.updates, bytes: r.bytes };
  } finally {
    await sender.stop();
    await d.stop();
  }
}

async function main(): Promise<void> {
  const kind = process.argv[2] as Exclude<DaemonKind, 'exabgp'>;
  if (!['bird', 'gobgp', 'frr'].includes(kind))
    throw new Error('usage: ingest.js <bird|gobgp|frr> [count] [ipv4|ipv6]');
  const count = Number(process.argv[3] ?? 1_000_000);
  const family = (process.argv[4] ?? 'ipv4') as 'ipv4' | 'ipv6';
  const pollMs = process.argv[5] ? Number(process.argv[5]) : undefined;
  try {
    const r = await measureIngest(kind, count, family, 600_000, pollMs);
    process.stdout.write(JSON.stringify(r) + '\n');
  } finally {
    await stopAll();
  }
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`${(e as Error).stack}\n`);
    process.exitCode = 1;
  });
}
