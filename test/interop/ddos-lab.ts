// The DDoS interop tests' common parts: a lab of GoBGP (receiving FlowSpec) and BIRD (receiving the blackholes)
// around a tsbgp with a ddos section, and real exporters replaying a packet capture into its collector again and
// again while an "attack" lasts: softflowd (NetFlow v5, v9, IPFIX) and pmacct's pmacctd with its sfprobe plugin
// (sFlow v5), each run reading the whole capture and exporting it, one run a second at most.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { allocAddress, allocEndpoint, Bird, type Family, GoBgp, makeTempDir, runCmd, sleep, waitFor } from './peers';
import { neighbor, startTsbgp, type Tsbgp } from './tsbgp-launch';

/** tsbgp between GoBGP (ipv4 flow) and BIRD (ipv4 unicast), and the address its collector listens on. */
export class DdosLab {
  readonly g = new GoBgp();
  readonly bird = new Bird();
  t!: Tsbgp;
  private constructor(
    readonly dir: string,
    readonly flowAddr: string,
    private readonly as: number,
    private readonly eT: { address: string; port: number },
    private readonly eG: { address: string; port: number },
    private readonly eB: { address: string; port: number },
  ) {}

  /** GoBGP as AS `as + 1` and BIRD as `as + 2` started, waiting for tsbgp (AS `as`) to connect. */
  static async start(name: string, as: number): Promise<DdosLab> {
    const [eT, eG, eB] = await Promise.all([allocEndpoint(), allocEndpoint(), allocEndpoint()]);
    const lab = new DdosLab(makeTempDir(name), allocAddress(), as, eT, eG, eB);
    const peerOf = { address: eT.address, port: eT.port, passive: true, as };
    await Promise.all([
      lab.g.start({
        ...eG,
        as: as + 1,
        holdTime: 30,
        neighbors: [{ ...peerOf, families: ['ipv4-flowspec'] as Family[] }],
      }),
      lab.bird.start({ ...eB, as: as + 2, holdTime: 30, neighbors: [{ ...peerOf, families: ['ipv4'] as Family[] }] }),
    ]);
    return lab;
  }

  /** tsbgp's configuration: `head` (process sections), the two neighbors, then `ddos` (the section's lines). */
  config(ddos: string[], head: string[] = []): string {
    const fam = (f: string) => ['family {', `  ${f};`, '}'];
    const n = (e: { address: string; port: number }, peerAs: number, family: string) =>
      neighbor({ peer: e.address, port: e.port, local: this.eT.address, localAs: this.as, peerAs, body: fam(family) });
    return [...head, n(this.eG, this.as + 1, 'ipv4 flow'), n(this.eB, this.as + 2, 'ipv4 unicast'), ...ddos, ''].join(
      '\n',
    );
  }

  /** Start tsbgp with `config` and wait for both sessions. */
  async run(config: string): Promise<Tsbgp> {
    this.t = await startTsbgp(this.dir, config);
    await waitFor(
      async () => (await this.t.established(this.eG.address)) && (await this.t.established(this.eB.address)),
      30_000,
      'tsbgp sessions Established',
      200,
    );
    return this.t;
  }

  async stop(): Promise<void> {
    await this.t?.stop();
    await Promise.all([this.g.stop(), this.bird.stop()]);
  }
}

/** A ddos section: one listener, a 2 s window, both mitigations, customers 203.0.113.0/24 over 500 amplification pps. */
export function ddosSection(o: {
  addr: string;
  port: number;
  minDuration: number;
  calm: number;
  nextHop: string;
}): string[] {
  return [
    'ddos {',
    `  listen ${o.addr} ${o.port};`,
    '  window 2;',
    `  min-duration ${o.minDuration};`,
    `  calm ${o.calm};`,
    '  mitigation both;',
    `  next-hop ${o.nextHop};`,
    '  group customers {',
    '    network 203.0.113.0/24;',
    '    amplification-pps 500;',
    '  }',
    '}',
  ];
}

export type Exporter = 'netflow5' | 'netflow9' | 'ipfix' | 'sflow';

/** The command that exports `pcap` once to addr:port in the exporter's protocol (pmacctd's config written in `dir`). */
export function exportCommand(
  exporter: Exporter,
  pcap: string,
  addr: string,
  port: number,
  dir: string,
): [string, string[]] {
  if (exporter === 'sflow') {
    // pmacctd reads the file, samples 1 in 1 packets and sends sFlow v5 flow samples (raw headers), three times a
    // second apart (pcap_savefile_delay is the pause before each play, 2 s when unset), then exits: one run is
    // a steady flood like softflowd's runs, not one burst every few seconds.
    const conf = path.join(dir, 'pmacctd-sfprobe.conf');
    fs.writeFileSync(
      conf,
      [
        'daemonize: false',
        `pcap_savefile: ${pcap}`,
        'plugins: sfprobe',
        `sfprobe_receiver: ${addr}:${port}`,
        'sampling_rate: 1',
        'pcap_savefile_replay: 3',
        'pcap_savefile_delay: 1',
        '',
      ].join('\n'),
    );
    return ['pmacctd', ['-f', conf]];
  }
  const v = { netflow5: '5', netflow9: '9', ipfix: '10' }[exporter];
  // -c none: no control socket (softflowd 1.1.0 reading a file otherwise blocks on it).
  return ['softflowd', ['-d', '-r', pcap, '-n', `${addr}:${port}`, '-v', v, '-c', 'none']];
}

/** Runs an exporter over the capture once a second until stop() is called; `first` is when its first run ended. */
export class Replay {
  private running = true;
  first = 0;
  readonly done: Promise<void>;

  constructor(cmd: [string, string[]]) {
    this.done = this.loop(cmd);
  }

  private async loop([bin, args]: [string, string[]]): Promise<void> {
    while (this.running) {
      const started = Date.now();
      const r = await runCmd(bin, args, 30_000);
      const out = `${r.stdout}${r.stderr}`;
      // pmacctd 1.7.7 now and then exits 1 after a complete export, its core having lost the race with the
      // plugin's own shutdown ("connection lost to 'default_sfprobe-sfprobe'"): its log says whether it exported.
      if (bin === 'pmacctd') assert.ok(/Exporting flows to/.test(out) && !/ERROR/.test(out), `pmacctd: ${out}`);
      else assert.equal(r.code, 0, `${bin}: ${out}`);
      if (this.first === 0) this.first = Date.now();
      await sleep(Math.max(0, 1000 - (Date.now() - started)));
    }
  }

  stop(): Promise<void> {
    this.running = false;
    return this.done;
  }
}
